package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// Querier runs statements: a database handle or an open transaction.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Exec reports the number of rows the statement changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
}

// Rows is a result set (*sql.Rows satisfies it).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Row is a single-row result; Scan fails with an error that matches
// sql.ErrNoRows when there is none.
type Row interface{ Scan(dest ...any) error }

// Executor is how a backend runs the store's statements.
type Executor interface {
	// Reader runs reads outside transactions.
	Reader() Querier
	// Writer runs single-statement writes outside transactions.
	Writer() Querier
	// Tx runs fn in a write transaction, committing when it returns nil.
	// fn may run more than once (a backend may retry), so it must be
	// repeatable.
	Tx(ctx context.Context, fn func(Querier) error) error
	// HotWrite is Tx for the small writes on the sign-in, refresh and
	// sign-out paths, which a backend may batch with others (SQLite's group
	// commit); the same rules apply to fn.
	HotWrite(ctx context.Context, fn func(Querier) error) error
	// Close releases the database.
	Close() error
}

// queryAll runs query and decodes each row with scan.
func queryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// affected maps "no row changed" to ErrNotFound.
func affected(n int64, err error) error {
	if err == nil && n == 0 {
		return errNotFound
	}
	return err
}

// notFound maps "no row" to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	return err
}
