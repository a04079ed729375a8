package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/cognate/cognate/internal/store/sqlstore"
)

// maxCachedStatements bounds the cache; the store's SQL is a fixed set of
// strings, so the bound only guards against a future dynamic query.
const maxCachedStatements = 512

// db is a *sql.DB whose queries run as cached prepared statements: the
// driver keeps each compiled statement per connection, so a hot query skips
// SQLite's parser and planner (≈6 % of a sign-in's server CPU otherwise).
type db struct {
	*sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newDB(d *sql.DB) *db { return &db{DB: d, stmts: map[string]*sql.Stmt{}} }

// prepared returns the cached statement for query, preparing it once. A nil
// statement (cache full) means: run the query unprepared.
func (d *db) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	d.mu.RLock()
	st, ok := d.stmts[query]
	full := len(d.stmts) >= maxCachedStatements
	d.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	st, err := d.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.stmts[query]; ok {
		st.Close()
		return prev, nil
	}
	d.stmts[query] = st
	return st, nil
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.prepared(ctx, query)
	if err != nil || st == nil {
		return d.DB.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.prepared(ctx, query)
	if err != nil || st == nil {
		return d.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := d.prepared(ctx, query)
	if err != nil || st == nil {
		return d.DB.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// Query, QueryRow and Exec implement sqlstore.Querier.
func (d *db) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return d.QueryContext(ctx, query, args...)
}

func (d *db) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return d.QueryRowContext(ctx, query, args...)
}

func (d *db) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return rowsAffected(d.ExecContext(ctx, query, args...))
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// rawTx runs fn in a transaction whose statements bypass the cache (the
// migrations: each runs once).
func (d *db) rawTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(rawTx{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

type rawTx struct{ tx *sql.Tx }

func (t rawTx) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

func (t rawTx) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t rawTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return rowsAffected(t.tx.ExecContext(ctx, query, args...))
}

// Close closes the cached statements, then the database.
func (d *db) Close() error {
	d.mu.Lock()
	for q, st := range d.stmts {
		st.Close()
		delete(d.stmts, q)
	}
	d.mu.Unlock()
	return d.DB.Close()
}

// cached returns query's statement if it was prepared already.
func (d *db) cached(query string) *sql.Stmt {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.stmts[query]
}

// txn is a write transaction whose statements come from the same cache:
// database/sql reuses the statement already prepared on the transaction's
// connection. A statement is never prepared inside the transaction (the
// writer has one connection, which the transaction holds); a miss runs
// unprepared and is prepared by end, once the connection is free.
//
// A detached transaction (a group commit's) runs every statement without
// its caller's context: once queued, a write is applied even if the caller
// gives up, so that its answer never lies about durability.
type txn struct {
	*sql.Tx
	db       *db
	missed   []string
	detached bool
}

// begin starts a write transaction on d.
func (d *db) begin(ctx context.Context) (*txn, error) {
	tx, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, db: d}, nil
}

func (t *txn) stmt(query string) *sql.Stmt {
	if st := t.db.cached(query); st != nil {
		return t.Tx.Stmt(st)
	}
	t.missed = append(t.missed, query)
	return nil
}

// end prepares the statements this transaction missed; call it after
// Commit or Rollback.
func (t *txn) end() {
	for _, q := range t.missed {
		t.db.prepared(context.Background(), q)
	}
	t.missed = nil
}

func (t *txn) ctx(ctx context.Context) context.Context {
	if t.detached {
		return context.Background()
	}
	return ctx
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(query); st != nil {
		return st.ExecContext(t.ctx(ctx), args...)
	}
	return t.Tx.ExecContext(t.ctx(ctx), query, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(query); st != nil {
		return st.QueryContext(t.ctx(ctx), args...)
	}
	return t.Tx.QueryContext(t.ctx(ctx), query, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(query); st != nil {
		return st.QueryRowContext(t.ctx(ctx), args...)
	}
	return t.Tx.QueryRowContext(t.ctx(ctx), query, args...)
}

// Query, QueryRow and Exec implement sqlstore.Querier.
func (t *txn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return t.QueryContext(ctx, query, args...)
}

func (t *txn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return t.QueryRowContext(ctx, query, args...)
}

func (t *txn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return rowsAffected(t.ExecContext(ctx, query, args...))
}
