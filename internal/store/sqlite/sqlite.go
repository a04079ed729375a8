package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

// Store implements userpool.Store.
type Store struct {
	w *db // the single writer
	r *db // readers (the writer itself for in-memory databases)

	ops       chan groupOp // group-commit queue (group.go)
	groupDone chan struct{}
	stats     groupStats
	after     func(time.Duration) <-chan time.Time // the gather window's timer; tests replace it

	pools   decoded[userpool.Pool]   // cache.go
	clients decoded[userpool.Client] // cache.go (secrets opened)

	sealer secret.Sealer // seals client secrets at rest (WithSealer)
}

// Option configures Open.
type Option func(*Store)

// WithSealer seals app-client secrets at rest with k (the master key):
// without it they are written in plain text, which only tests should do.
func WithSealer(k secret.Sealer) Option { return func(s *Store) { s.sealer = k } }

var _ userpool.Store = (*Store)(nil)

// Open opens (creating and migrating) the database at path; "" or
// ":memory:" is a private in-memory database for tests.
func Open(path string, opts ...Option) (*Store, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	if path == "" || path == ":memory:" {
		name := make([]byte, 8)
		rand.Read(name)
		db, err := sql.Open("sqlite", "file:mem"+hex.EncodeToString(name)+"?mode=memory&cache=shared&_txlock=immediate&"+pragmas)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetMaxIdleConns(1)
		mem := newDB(db)
		s := &Store{w: mem, r: mem}
		for _, o := range opts {
			o(s)
		}
		if err := s.migrate(); err != nil {
			return nil, err
		}
		s.startGroupCommit()
		return s, s.backfillNames()
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	// No mmap: after every write each reader unmaps the whole file at its
	// next read (SQLite's WAL rule), which costs more than the page reads it
	// saves when sign-ins write hundreds of times a second (measured with
	// cognate bench, two A/B rounds: sign-in 3–18 % and GetUser 1–9 %
	// faster without).
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	s := &Store{w: newDB(w)}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := 2 * runtime.GOMAXPROCS(0)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r = newDB(r)
	s.startGroupCommit()
	if err := s.backfillNames(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ownerOnly creates the database file readable by its owner alone, and
// narrows an existing database and its WAL and shared-memory files to that
// (SQLite creates those two with the database file's mode). They hold
// client secrets, sessions and codes.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// backfillNames computes the sign-in names of users stored before they
// existed.
func (s *Store) backfillNames() error {
	var legacy bool
	if err := s.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM users WHERE sign_in_names IS NULL)`).Scan(&legacy); err != nil || !legacy {
		return err
	}
	return userpool.BackfillSignInNames(context.Background(), s)
}

// Close closes the database.
func (s *Store) Close() error {
	close(s.ops)
	<-s.groupDone
	err := s.w.Close()
	if s.r != s.w {
		if rerr := s.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// migrations are applied in order, each once; never edit a released one.
var migrations = []string{
	`CREATE TABLE pools (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		settings TEXT NOT NULL,
		schema_attrs TEXT NOT NULL,
		created_ns INTEGER NOT NULL,
		modified_ns INTEGER NOT NULL
	);
	CREATE TABLE signing_keys (
		kid TEXT PRIMARY KEY,
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		use TEXT NOT NULL,
		private_key BLOB NOT NULL,
		created_ns INTEGER NOT NULL
	);
	CREATE INDEX signing_keys_pool ON signing_keys(pool_id, created_ns);
	CREATE TABLE clients (
		id TEXT PRIMARY KEY,
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		secret TEXT NOT NULL,
		settings TEXT NOT NULL,
		created_ns INTEGER NOT NULL,
		modified_ns INTEGER NOT NULL
	);
	CREATE INDEX clients_pool ON clients(pool_id, id);
	CREATE TABLE users (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		key TEXT NOT NULL,
		username TEXT NOT NULL,
		sub TEXT NOT NULL,
		attributes TEXT NOT NULL,
		status TEXT NOT NULL,
		enabled INTEGER NOT NULL,
		password TEXT NOT NULL,
		signout_epoch INTEGER NOT NULL DEFAULT 0,
		created_ns INTEGER NOT NULL,
		modified_ns INTEGER NOT NULL,
		PRIMARY KEY (pool_id, key)
	) WITHOUT ROWID;
	CREATE UNIQUE INDEX users_sub ON users(pool_id, sub);
	CREATE TABLE families (
		id TEXT PRIMARY KEY,
		pool_id TEXT NOT NULL,
		client_id TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		refresh_hash BLOB NOT NULL UNIQUE,
		epoch INTEGER NOT NULL,
		auth_time_ns INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		expires_ns INTEGER NOT NULL,
		revoked_ns INTEGER,
		device_key TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX families_user ON families(pool_id, user_sub);
	CREATE INDEX families_expiry ON families(expires_ns);`,
	`CREATE TABLE used_nonces (
		nonce TEXT PRIMARY KEY,
		expires_ns INTEGER NOT NULL
	);
	CREATE INDEX used_nonces_expiry ON used_nonces(expires_ns);`,
	`CREATE TABLE devices (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		device_key TEXT NOT NULL,
		group_key TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		name TEXT NOT NULL,
		salt BLOB NOT NULL,
		verifier BLOB NOT NULL,
		remembered TEXT NOT NULL,
		created_ns INTEGER NOT NULL,
		modified_ns INTEGER NOT NULL,
		last_auth_ns INTEGER NOT NULL,
		PRIMARY KEY (pool_id, device_key)
	) WITHOUT ROWID;
	CREATE INDEX devices_user ON devices(pool_id, user_sub, device_key);`,
	`ALTER TABLE families ADD COLUMN scope TEXT NOT NULL DEFAULT '';
	CREATE TABLE web_sessions (
		id TEXT PRIMARY KEY,
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		user_sub TEXT NOT NULL,
		created_ns INTEGER NOT NULL,
		expires_ns INTEGER NOT NULL,
		ended_ns INTEGER NOT NULL
	);
	CREATE INDEX web_sessions_user ON web_sessions(pool_id, user_sub);
	CREATE TABLE domains (
		domain TEXT PRIMARY KEY,
		pool_id TEXT NOT NULL UNIQUE REFERENCES pools(id) ON DELETE CASCADE,
		created_ns INTEGER NOT NULL
	);
	CREATE TABLE resource_servers (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		identifier TEXT NOT NULL,
		name TEXT NOT NULL,
		scopes TEXT NOT NULL,
		PRIMARY KEY (pool_id, identifier)
	);`,
	`CREATE TABLE groups_ (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		description TEXT NOT NULL,
		role_arn TEXT NOT NULL,
		precedence INTEGER,
		created_ns INTEGER NOT NULL,
		modified_ns INTEGER NOT NULL,
		PRIMARY KEY (pool_id, name)
	);
	CREATE TABLE group_members (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		group_name TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		PRIMARY KEY (pool_id, user_sub, group_name)
	);
	CREATE INDEX group_members_group ON group_members(pool_id, group_name);`,
	`CREATE TABLE codes (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		user_sub TEXT NOT NULL,
		purpose TEXT NOT NULL,
		hash BLOB NOT NULL,
		expires_ns INTEGER NOT NULL,
		attempts INTEGER NOT NULL,
		PRIMARY KEY (pool_id, user_sub, purpose)
	);
	CREATE TABLE outbox (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		username TEXT NOT NULL,
		medium TEXT NOT NULL,
		destination TEXT NOT NULL,
		purpose TEXT NOT NULL,
		code TEXT NOT NULL,
		body TEXT NOT NULL,
		created_ns INTEGER NOT NULL
	);
	CREATE INDEX outbox_pool ON outbox(pool_id, id);`,
	`ALTER TABLE users ADD COLUMN mfa TEXT NOT NULL DEFAULT '{}';`,
	`ALTER TABLE users ADD COLUMN live_families INTEGER NOT NULL DEFAULT 0;`,
	`CREATE TABLE auth_events (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		user_sub TEXT NOT NULL,
		id TEXT NOT NULL,
		type TEXT NOT NULL,
		response TEXT NOT NULL,
		challenges TEXT NOT NULL,
		ip TEXT NOT NULL,
		created_ns INTEGER NOT NULL
	);
	CREATE INDEX auth_events_user ON auth_events(pool_id, user_sub, seq);`,
	`CREATE TABLE retired_refresh (
		hash BLOB PRIMARY KEY,
		family_id TEXT NOT NULL REFERENCES families(id) ON DELETE CASCADE,
		grace_until_ns INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX retired_refresh_family ON retired_refresh(family_id);`,
	`ALTER TABLE users ADD COLUMN signed_out_ns INTEGER NOT NULL DEFAULT 0;`,
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
	// Sign-in names (userpool/sign_in_names.go), unique in a pool; the
	// users column is NULL until the backfill at Open computes it.
	`ALTER TABLE users ADD COLUMN sign_in_names TEXT;
	CREATE TABLE sign_in_names (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		PRIMARY KEY (pool_id, name)
	) WITHOUT ROWID;
	CREATE INDEX sign_in_names_user ON sign_in_names(pool_id, user_sub);`,
	`CREATE TABLE attempt_windows (
		pool_id TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		kind TEXT NOT NULL,
		count INTEGER NOT NULL,
		ends_ns INTEGER NOT NULL,
		PRIMARY KEY (pool_id, user_sub, kind)
	) WITHOUT ROWID;
	CREATE INDEX attempt_windows_end ON attempt_windows(ends_ns);`,
	// Secrets at rest (security review #8): web_sessions.id now holds the
	// SHA-256 of the cookie value and outbox codes are sealed. Older rows
	// hold them in plain text: those sessions end (they last an hour) and
	// those messages go (their codes still work; the outbox no longer
	// shows them).
	`DELETE FROM web_sessions;
	DELETE FROM outbox;`,
}

func (s *Store) migrate() error {
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	for v := current + 1; v <= len(migrations); v++ {
		if _, err := tx.Exec(migrations[v-1]); err != nil {
			return fmt.Errorf("migration %d: %w", v, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations(version) VALUES (?)`, v); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// tx runs fn in a write transaction.
func (s *Store) tx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.w.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.end()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

var (
	ns       = rowcodec.NS
	fromNS   = rowcodec.FromNS
	mustJSON = rowcodec.JSON
)

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return userpool.ErrNotFound
	}
	return err
}

type scanner interface{ Scan(...any) error }

// Pools.

const poolCols = `id, name, settings, schema_attrs, created_ns, modified_ns`

func scanPool(sc scanner) (userpool.Pool, error) {
	var p userpool.Pool
	var settings, schema string
	var created, modified int64
	if err := sc.Scan(&p.ID, &p.Name, &settings, &schema, &created, &modified); err != nil {
		return p, notFound(err)
	}
	if err := rowcodec.PoolColumns(&p, settings, schema); err != nil {
		return p, err
	}
	p.CreatedAt, p.ModifiedAt = fromNS(created), fromNS(modified)
	return p, nil
}

// CreatePool implements userpool.PoolStore.
func (s *Store) CreatePool(ctx context.Context, p userpool.Pool) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO pools(`+poolCols+`) VALUES (?,?,?,?,?,?)`,
		p.ID, p.Name, mustJSON(p.Settings), mustJSON(p.Schema), ns(p.CreatedAt), ns(p.ModifiedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetPool implements userpool.PoolStore. Callers must not modify the
// maps and slices of the pool they get: it may be shared.
func (s *Store) GetPool(ctx context.Context, id string) (userpool.Pool, error) {
	return s.pools.get(id, func() (userpool.Pool, error) {
		return scanPool(s.r.QueryRowContext(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
	})
}

// ListPools implements userpool.PoolStore.
func (s *Store) ListPools(ctx context.Context, after string, limit int) ([]userpool.Pool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+poolCols+` FROM pools WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Pool
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdatePool implements userpool.PoolStore.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(userpool.Pool) (userpool.Pool, error)) (userpool.Pool, error) {
	s.pools.forget(id)
	defer s.pools.forget(id)
	var out userpool.Pool
	err := s.tx(ctx, func(tx *txn) error {
		p, err := scanPool(tx.QueryRowContext(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if out, err = fn(p); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE pools SET name = ?, settings = ?, schema_attrs = ?, modified_ns = ? WHERE id = ?`,
			out.Name, mustJSON(out.Settings), mustJSON(out.Schema), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeletePool implements userpool.PoolStore.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	s.pools.forget(id)
	defer s.pools.forget(id)
	defer s.clients.forgetAll() // the pool's clients go with it
	return s.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM families WHERE pool_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM pools WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return userpool.ErrNotFound
		}
		return nil
	})
}

// CountUsers implements userpool.PoolStore.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = ?`, poolID).Scan(&n)
	return n, err
}

// Keys.

// CreateSigningKeys implements userpool.KeyStore.
func (s *Store) CreateSigningKeys(ctx context.Context, keys []userpool.SigningKey) error {
	return s.tx(ctx, func(tx *txn) error {
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys(kid, pool_id, use, private_key, created_ns) VALUES (?,?,?,?,?)`,
				k.Kid, k.PoolID, k.Use, k.PrivateKey, ns(k.CreatedAt))
			if isUnique(err) {
				return userpool.ErrAlreadyExists
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListSigningKeys implements userpool.KeyStore.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]userpool.SigningKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kid, pool_id, use, private_key, created_ns FROM signing_keys WHERE pool_id = ? ORDER BY created_ns, kid`, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.SigningKey
	for rows.Next() {
		var k userpool.SigningKey
		var created int64
		if err := rows.Scan(&k.Kid, &k.PoolID, &k.Use, &k.PrivateKey, &created); err != nil {
			return nil, err
		}
		k.CreatedAt = fromNS(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

// Clients.

const clientCols = `id, pool_id, secret, settings, created_ns, modified_ns`

func (s *Store) scanClient(sc scanner) (userpool.Client, error) {
	var c userpool.Client
	var secrets, settings string
	var created, modified int64
	if err := sc.Scan(&c.ID, &c.PoolID, &secrets, &settings, &created, &modified); err != nil {
		return c, notFound(err)
	}
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return c, err
	}
	c.CreatedAt, c.ModifiedAt = fromNS(created), fromNS(modified)
	var err error
	c.Secrets, _, err = rowcodec.ParseClientSecrets(secrets, c.ID, c.CreatedAt, s.sealer)
	return c, err
}

// CreateClient implements userpool.ClientStore.
func (s *Store) CreateClient(ctx context.Context, c userpool.Client) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO clients(`+clientCols+`) VALUES (?,?,?,?,?,?)`,
		c.ID, c.PoolID, rowcodec.ClientSecrets(c.ID, c.Secrets, s.sealer), mustJSON(c.Settings), ns(c.CreatedAt), ns(c.ModifiedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return userpool.ErrNotFound
	}
	return err
}

// GetClient implements userpool.ClientStore.
// Callers must not modify the maps and slices of the client they get: it
// may be shared.
func (s *Store) GetClient(ctx context.Context, id string) (userpool.Client, error) {
	return s.clients.get(id, func() (userpool.Client, error) {
		return s.scanClient(s.r.QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id))
	})
}

// ListClients implements userpool.ClientStore.
func (s *Store) ListClients(ctx context.Context, poolID, after string, limit int) ([]userpool.Client, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+clientCols+` FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`, poolID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Client
	for rows.Next() {
		c, err := s.scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateClient implements userpool.ClientStore.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(userpool.Client) (userpool.Client, error)) (userpool.Client, error) {
	s.clients.forget(id)
	defer s.clients.forget(id)
	var out userpool.Client
	err := s.tx(ctx, func(tx *txn) error {
		c, err := s.scanClient(tx.QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if out, err = fn(c); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE clients SET secret = ?, settings = ?, modified_ns = ? WHERE id = ?`,
			rowcodec.ClientSecrets(id, out.Secrets, s.sealer), mustJSON(out.Settings), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeleteClient implements userpool.ClientStore.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	s.clients.forget(id)
	defer s.clients.forget(id)
	return s.tx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return userpool.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM families WHERE client_id = ?`, id)
		return err
	})
}

// ConsumeNonce implements userpool.NonceStore; expired nonces are swept in
// the same transaction, so the table stays small.
func (s *Store) ConsumeNonce(ctx context.Context, nonce string, expires time.Time) error {
	return s.group(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM used_nonces WHERE expires_ns < ?`, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO used_nonces(nonce, expires_ns) VALUES (?, ?)`, nonce, ns(expires))
		if isUnique(err) {
			return userpool.ErrAlreadyExists
		}
		return err
	})
}

// SealClientSecrets seals the app-client secrets still stored in plain text
// (rows from before secrets were sealed) and reports how many clients it
// rewrote. Run it once the master key is known to be the data's.
func (s *Store) SealClientSecrets(ctx context.Context) (int, error) {
	if s.sealer == nil {
		return 0, errors.New("store has no sealer")
	}
	defer s.clients.forgetAll()
	n := 0
	err := s.tx(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, secret, created_ns FROM clients WHERE secret <> ''`)
		if err != nil {
			return err
		}
		sealed := map[string]string{}
		for rows.Next() {
			var id, col string
			var created int64
			if err := rows.Scan(&id, &col, &created); err != nil {
				rows.Close()
				return err
			}
			v, changed, err := rowcodec.ResealClientSecrets(col, id, fromNS(created), s.sealer)
			if err != nil {
				rows.Close()
				return err
			}
			if changed {
				sealed[id] = v
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, v := range sealed {
			if _, err := tx.ExecContext(ctx, `UPDATE clients SET secret = ? WHERE id = ?`, v, id); err != nil {
				return err
			}
		}
		n = len(sealed)
		return nil
	})
	return n, err
}
