package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/userpool"
)

// Store implements userpool.Store: sqlstore's statements on a pgx pool.
type Store struct {
	*sqlstore.Store
	p *pool
}

// Option configures Open: WithSealer, WithClock.
type Option = sqlstore.Option

var (
	WithSealer = sqlstore.WithSealer
	WithClock  = sqlstore.WithClock
)

var _ userpool.Store = (*Store)(nil)

// migrationLock is the advisory lock that serializes replicas' migrations.
const migrationLock = 0x636f676e // "cogn"

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// dialect is PostgreSQL's SQL: rows read for writing are locked, and
// pagination sorts by bytes whatever the database's collation.
var dialect = sqlstore.Dialect{
	ForUpdate:    " FOR UPDATE",
	Greatest:     "GREATEST",
	ByteOrder:    ` COLLATE "C"`,
	IsUnique:     func(err error) bool { return pgCode(err) == "23505" },
	IsForeignKey: func(err error) bool { return pgCode(err) == "23503" },
	LockMigrations: func(ctx context.Context, tx sqlstore.Querier) error {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLock)
		return err
	},
}

// Open connects (maxConns connections at most; 0 = pgx's default) and
// migrates the schema.
func Open(ctx context.Context, url string, maxConns int32, opts ...Option) (*Store, error) {
	return open(ctx, url, maxConns, migrations, opts...)
}

func open(ctx context.Context, url string, maxConns int32, history []string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p := &pool{db: db}
	if err := sqlstore.Migrate(ctx, p.Tx, dialect, history); err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{Store: sqlstore.New(p, dialect, opts...), p: p}
	if err := s.BackfillSignInNames(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migrations is PostgreSQL's schema history (sqlstore.Migrate applies it):
// frozen, each entry released; a change is a new entry at the end.
var migrations = []string{`
CREATE TABLE pools (id text PRIMARY KEY, name text NOT NULL, settings text NOT NULL, schema_attrs text NOT NULL,
	created_ns bigint NOT NULL, modified_ns bigint NOT NULL);
CREATE TABLE signing_keys (kid text PRIMARY KEY, pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, use text NOT NULL,
	private_key bytea NOT NULL, created_ns bigint NOT NULL);
CREATE INDEX signing_keys_pool ON signing_keys(pool_id, created_ns);
CREATE TABLE clients (id text PRIMARY KEY, pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, secret text NOT NULL,
	settings text NOT NULL, created_ns bigint NOT NULL, modified_ns bigint NOT NULL);
CREATE INDEX clients_pool ON clients(pool_id, id);
CREATE TABLE users (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, key text NOT NULL, username text NOT NULL,
	sub text NOT NULL, attributes jsonb NOT NULL, status text NOT NULL, enabled boolean NOT NULL, password text NOT NULL,
	signout_epoch bigint NOT NULL DEFAULT 0, live_families bigint NOT NULL DEFAULT 0, mfa text NOT NULL DEFAULT '{}',
	created_ns bigint NOT NULL, modified_ns bigint NOT NULL, PRIMARY KEY (pool_id, key));
CREATE UNIQUE INDEX users_sub ON users(pool_id, sub);
CREATE TABLE families (id text PRIMARY KEY, pool_id text NOT NULL, client_id text NOT NULL, user_sub text NOT NULL,
	refresh_hash bytea NOT NULL UNIQUE, epoch bigint NOT NULL, auth_time_ns bigint NOT NULL, created_ns bigint NOT NULL,
	expires_ns bigint NOT NULL, revoked_ns bigint, device_key text NOT NULL DEFAULT '', scope text NOT NULL DEFAULT '');
CREATE INDEX families_user ON families(pool_id, user_sub);
CREATE INDEX families_expiry ON families(expires_ns);
CREATE TABLE used_nonces (nonce text PRIMARY KEY, expires_ns bigint NOT NULL);
CREATE INDEX used_nonces_expiry ON used_nonces(expires_ns);
CREATE TABLE devices (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, device_key text NOT NULL, group_key text NOT NULL,
	user_sub text NOT NULL, name text NOT NULL, salt bytea NOT NULL, verifier bytea NOT NULL, remembered text NOT NULL,
	created_ns bigint NOT NULL, modified_ns bigint NOT NULL, last_auth_ns bigint NOT NULL, PRIMARY KEY (pool_id, device_key));
CREATE INDEX devices_user ON devices(pool_id, user_sub, device_key);
CREATE TABLE web_sessions (id text PRIMARY KEY, pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, user_sub text NOT NULL,
	created_ns bigint NOT NULL, expires_ns bigint NOT NULL, ended_ns bigint NOT NULL);
CREATE INDEX web_sessions_user ON web_sessions(pool_id, user_sub);
CREATE TABLE domains (domain text PRIMARY KEY, pool_id text NOT NULL UNIQUE REFERENCES pools(id) ON DELETE CASCADE, created_ns bigint NOT NULL);
CREATE TABLE resource_servers (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, identifier text NOT NULL, name text NOT NULL,
	scopes text NOT NULL, PRIMARY KEY (pool_id, identifier));
CREATE TABLE groups_ (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, name text NOT NULL, description text NOT NULL,
	role_arn text NOT NULL, precedence integer, created_ns bigint NOT NULL, modified_ns bigint NOT NULL, PRIMARY KEY (pool_id, name));
CREATE TABLE group_members (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, group_name text NOT NULL, user_sub text NOT NULL,
	PRIMARY KEY (pool_id, user_sub, group_name));
CREATE INDEX group_members_group ON group_members(pool_id, group_name);
CREATE TABLE codes (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, user_sub text NOT NULL, purpose text NOT NULL,
	hash bytea NOT NULL, expires_ns bigint NOT NULL, attempts integer NOT NULL, PRIMARY KEY (pool_id, user_sub, purpose));
CREATE TABLE outbox (id bigserial PRIMARY KEY, pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, username text NOT NULL,
	medium text NOT NULL, destination text NOT NULL, purpose text NOT NULL, code text NOT NULL, body text NOT NULL, created_ns bigint NOT NULL);
CREATE INDEX outbox_pool ON outbox(pool_id, id);
CREATE TABLE auth_events (seq bigserial PRIMARY KEY, pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, user_sub text NOT NULL,
	id text NOT NULL, type text NOT NULL, response text NOT NULL, challenges text NOT NULL, ip text NOT NULL, created_ns bigint NOT NULL);
CREATE INDEX auth_events_user ON auth_events(pool_id, user_sub, seq);
`, `
CREATE TABLE retired_refresh (hash bytea PRIMARY KEY, family_id text NOT NULL REFERENCES families(id) ON DELETE CASCADE,
	grace_until_ns bigint NOT NULL);
CREATE INDEX retired_refresh_family ON retired_refresh(family_id);
`, `ALTER TABLE users ADD COLUMN signed_out_ns bigint NOT NULL DEFAULT 0;`,
	`CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);`, `
-- Sign-in names (userpool/sign_in_names.go), unique in a pool; the users
-- column is NULL until the backfill at Open computes it.
ALTER TABLE users ADD COLUMN sign_in_names text;
CREATE TABLE sign_in_names (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, name text NOT NULL,
	user_sub text NOT NULL, PRIMARY KEY (pool_id, name));
CREATE INDEX sign_in_names_user ON sign_in_names(pool_id, user_sub);
`, `
CREATE TABLE attempt_windows (pool_id text NOT NULL, user_sub text NOT NULL, kind text NOT NULL, count integer NOT NULL,
	ends_ns bigint NOT NULL, PRIMARY KEY (pool_id, user_sub, kind));
CREATE INDEX attempt_windows_end ON attempt_windows(ends_ns);
`, `
-- Secrets at rest (security review #8): web_sessions.id now holds the
-- SHA-256 of the cookie value and outbox codes are sealed. Older rows hold
-- them in plain text: those sessions end (they last an hour) and those
-- messages go (their codes still work; the outbox no longer shows them).
DELETE FROM web_sessions;
DELETE FROM outbox;
`, `
-- Passkeys (userpool/passkeys.go): WebAuthn credentials of users.
CREATE TABLE passkeys (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, credential_id text NOT NULL,
	user_sub text NOT NULL, public_key bytea NOT NULL, sign_count bigint NOT NULL, aaguid bytea NOT NULL, transports text NOT NULL,
	attachment text NOT NULL, friendly_name text NOT NULL, rp_id text NOT NULL, flags integer NOT NULL,
	created_ns bigint NOT NULL, last_used_ns bigint NOT NULL, PRIMARY KEY (pool_id, credential_id));
CREATE INDEX passkeys_user ON passkeys(pool_id, user_sub, credential_id);
`, `
-- User import jobs (userpool/user_import_job.go); file is the uploaded CSV.
CREATE TABLE import_jobs (pool_id text NOT NULL REFERENCES pools(id) ON DELETE CASCADE, id text NOT NULL, name text NOT NULL,
	role_arn text NOT NULL, status text NOT NULL, created_ns bigint NOT NULL, started_ns bigint NOT NULL, completed_ns bigint NOT NULL,
	imported bigint NOT NULL, skipped bigint NOT NULL, failed bigint NOT NULL, message text NOT NULL, uploaded bigint NOT NULL,
	row_ bigint NOT NULL, lease_ns bigint NOT NULL, file bytea, PRIMARY KEY (pool_id, id));
CREATE INDEX import_jobs_status ON import_jobs(status, lease_ns);
`, `
-- A domain's ManagedLoginVersion (CreateUserPoolDomain, UpdateUserPoolDomain).
ALTER TABLE domains ADD COLUMN managed_login_version integer NOT NULL DEFAULT 1;
`}

// pool is the sqlstore.Executor over pgxpool, rebinding the store's ?
// placeholders to PostgreSQL's $n.
type pool struct {
	db *pgxpool.Pool
	sqlstore.Rebinder
}

// Reader implements sqlstore.Executor.
func (p *pool) Reader() sqlstore.Querier { return querier{p.db, &p.Rebinder} }

// Writer implements sqlstore.Executor.
func (p *pool) Writer() sqlstore.Querier { return querier{p.db, &p.Rebinder} }

// Tx implements sqlstore.Executor: fn runs in a transaction, again after a
// serialization failure or deadlock (fn is repeatable, as the Executor
// contract says).
func (p *pool) Tx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, p.db, func(tx pgx.Tx) error { return fn(querier{tx, &p.Rebinder}) })
		if code := pgCode(err); (code == "40001" || code == "40P01") && attempt < 5 {
			continue
		}
		return err
	}
}

// HotWrite implements sqlstore.Executor: PostgreSQL groups concurrent
// commits itself, so a hot write is a transaction like the others.
func (p *pool) HotWrite(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return p.Tx(ctx, fn)
}

// Close implements sqlstore.Executor.
func (p *pool) Close() error { p.db.Close(); return nil }

// pgxQuerier is what a pool and a transaction share.
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

type querier struct {
	q pgxQuerier
	r *sqlstore.Rebinder
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.Query(ctx, q.r.Rebind(query), args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.q.QueryRow(ctx, q.r.Rebind(query), args...)
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, q.r.Rebind(query), args...)
	return tag.RowsAffected(), err
}

// pgRows gives pgx.Rows database/sql's Close.
type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error { r.Rows.Close(); return r.Rows.Err() }
