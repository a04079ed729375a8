package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// Store implements userpool.Store over an Executor.
type Store struct {
	x      Executor
	d      Dialect
	sealer secret.Sealer    // seals client secrets at rest; nil writes them in plain text (tests)
	now    func() time.Time // the clock of sweeps that have no time argument
}

var _ userpool.Store = (*Store)(nil)

var errNotFound = userpool.ErrNotFound

// Option configures a store (the backends' Open take them).
type Option func(*Store)

// WithSealer seals app-client secrets at rest with k (the master key):
// without it they are written in plain text, which only tests should do.
func WithSealer(k secret.Sealer) Option { return func(s *Store) { s.sealer = k } }

// WithClock sets the clock of the store's own sweeps (used nonces); the
// default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns the store over x.
func New(x Executor, d Dialect, opts ...Option) *Store {
	s := &Store{x: x, d: d, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close closes the database.
func (s *Store) Close() error { return s.x.Close() }

// Sealer returns the sealer the store was made with.
func (s *Store) Sealer() secret.Sealer { return s.sealer }

// Migrate applies, in one transaction run by tx, the migrations not yet
// recorded in schema_migrations, each once and in order, after the
// dialect's migration lock. A migration is never edited once released:
// new ones are appended.
func Migrate(ctx context.Context, tx func(context.Context, func(Querier) error) error, d Dialect, migrations []string) error {
	return tx(ctx, func(q Querier) error {
		if d.LockMigrations != nil {
			if err := d.LockMigrations(ctx, q); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)`); err != nil {
			return err
		}
		var current int
		if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return err
		}
		for v := current + 1; v <= len(migrations); v++ {
			if _, err := q.Exec(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := q.Exec(ctx, `INSERT INTO schema_migrations(version) VALUES (?)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// BackfillSignInNames computes the sign-in names of users stored before
// they existed (run at open, after Migrate).
func (s *Store) BackfillSignInNames(ctx context.Context) error {
	var legacy bool
	if err := s.x.Writer().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE sign_in_names IS NULL)`).Scan(&legacy); err != nil || !legacy {
		return err
	}
	return userpool.BackfillSignInNames(ctx, s)
}
