package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/userpool"
)

// Store implements userpool.Store: sqlstore's statements run on one writer
// connection (hot writes group-committed, groupcommit.go) and a pool of
// readers, with pools and app clients cached decoded (cache.go).
type Store struct {
	*sqlstore.Store
	x *conn

	pools   decoded[userpool.Pool]   // cache.go
	clients decoded[userpool.Client] // cache.go (secrets opened)
}

// conn is the sqlstore.Executor over SQLite.
type conn struct {
	w *db // the single writer
	r *db // readers (the writer itself for in-memory databases)

	ops       chan groupOp // group-commit queue (groupcommit.go)
	groupDone chan struct{}
	stats     groupStats
	after     func(time.Duration) <-chan time.Time // the gather window's timer; tests replace it
}

// Option configures Open: WithSealer, WithClock.
type Option = sqlstore.Option

var (
	WithSealer = sqlstore.WithSealer
	WithClock  = sqlstore.WithClock
)

var _ userpool.Store = (*Store)(nil)

// dialect is SQLite's SQL: a write transaction (BEGIN IMMEDIATE) already
// excludes other writers, so nothing is locked row by row.
var dialect = sqlstore.Dialect{
	Greatest: "max",
	IsUnique: func(err error) bool { return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") },
	IsForeignKey: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
	},
}

// Open opens (creating and migrating) the database at path; "" or
// ":memory:" is a private in-memory database for tests.
func Open(path string, opts ...Option) (*Store, error) {
	return open(path, migrations, opts...)
}

func open(path string, history []string, opts ...Option) (*Store, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	c := &conn{}
	if path == "" || path == ":memory:" {
		name := make([]byte, 8)
		rand.Read(name)
		d, err := sql.Open("sqlite", "file:mem"+hex.EncodeToString(name)+"?mode=memory&cache=shared&_txlock=immediate&"+pragmas)
		if err != nil {
			return nil, err
		}
		d.SetMaxOpenConns(1)
		d.SetConnMaxLifetime(0)
		d.SetMaxIdleConns(1)
		c.w = newDB(d)
		c.r = c.w
	} else {
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
		c.w = newDB(w)
		r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, err
		}
		n := 2 * runtime.GOMAXPROCS(0)
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		c.r = newDB(r)
	}
	if err := sqlstore.Migrate(context.Background(), c.w.rawTx, dialect, history); err != nil {
		c.closeDBs()
		return nil, err
	}
	c.startGroupCommit()
	s := &Store{Store: sqlstore.New(c, dialect, opts...), x: c}
	if err := s.BackfillSignInNames(context.Background()); err != nil {
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

// GroupCommits reports how many group commits ran and how many queued
// writes they carried.
func (s *Store) GroupCommits() (commits, writes uint64) {
	return s.x.stats.commits.Load(), s.x.stats.writes.Load()
}

// Close stops the group committer and closes the database.
func (s *Store) Close() error { return s.Store.Close() }

// Reader implements sqlstore.Executor.
func (c *conn) Reader() sqlstore.Querier { return c.r }

// Writer implements sqlstore.Executor.
func (c *conn) Writer() sqlstore.Querier { return c.w }

// Tx implements sqlstore.Executor: a write transaction on the writer.
func (c *conn) Tx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := c.w.begin(ctx)
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

// HotWrite implements sqlstore.Executor: the write joins the next group
// commit, patiently when ctx says so (userpool.WithPatience).
func (c *conn) HotWrite(ctx context.Context, fn func(sqlstore.Querier) error) error {
	op := func(tx *txn) error { return fn(tx) }
	if userpool.PatienceFrom(ctx) {
		return c.groupPatient(ctx, op)
	}
	return c.group(ctx, op)
}

// Close implements sqlstore.Executor.
func (c *conn) Close() error {
	close(c.ops)
	<-c.groupDone
	return c.closeDBs()
}

func (c *conn) closeDBs() error {
	err := c.w.Close()
	if c.r != c.w {
		if rerr := c.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// migrations is SQLite's schema history (sqlstore.Migrate applies it):
// frozen, each entry released; a change is a new entry at the end.
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
	// Passkeys (userpool/passkeys.go): WebAuthn credentials of users.
	`CREATE TABLE passkeys (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		credential_id TEXT NOT NULL,
		user_sub TEXT NOT NULL,
		public_key BLOB NOT NULL,
		sign_count INTEGER NOT NULL,
		aaguid BLOB NOT NULL,
		transports TEXT NOT NULL,
		attachment TEXT NOT NULL,
		friendly_name TEXT NOT NULL,
		rp_id TEXT NOT NULL,
		flags INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		last_used_ns INTEGER NOT NULL,
		PRIMARY KEY (pool_id, credential_id)
	) WITHOUT ROWID;
	CREATE INDEX passkeys_user ON passkeys(pool_id, user_sub, credential_id);`,
	// User import jobs (userpool/user_import_job.go); the file is the
	// uploaded CSV.
	`CREATE TABLE import_jobs (
		pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
		id TEXT NOT NULL,
		name TEXT NOT NULL,
		role_arn TEXT NOT NULL,
		status TEXT NOT NULL,
		created_ns INTEGER NOT NULL,
		started_ns INTEGER NOT NULL,
		completed_ns INTEGER NOT NULL,
		imported INTEGER NOT NULL,
		skipped INTEGER NOT NULL,
		failed INTEGER NOT NULL,
		message TEXT NOT NULL,
		uploaded INTEGER NOT NULL,
		row_ INTEGER NOT NULL,
		lease_ns INTEGER NOT NULL,
		file BLOB,
		PRIMARY KEY (pool_id, id)
	);
	CREATE INDEX import_jobs_status ON import_jobs(status, lease_ns);`,
	// A domain's ManagedLoginVersion (CreateUserPoolDomain, UpdateUserPoolDomain).
	`ALTER TABLE domains ADD COLUMN managed_login_version INTEGER NOT NULL DEFAULT 1;`,
}
