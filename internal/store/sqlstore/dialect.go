package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
)

// Dialect is what differs between the databases' SQL. The store's
// statements are written with ? placeholders; a backend whose driver wants
// others rebinds them (Rebind) before they reach it.
type Dialect struct {
	// ForUpdate ends a SELECT whose rows the transaction then writes:
	// " FOR UPDATE" where rows are locked one by one, "" where a write
	// transaction already excludes other writers (SQLite's BEGIN IMMEDIATE).
	ForUpdate string
	// Greatest is the name of the two-argument maximum: GREATEST or max.
	Greatest string
	// ByteOrder follows an ORDER BY column so that it sorts by bytes, as
	// Cognito's pagination does: ` COLLATE "C"`, or "" where that is the
	// default.
	ByteOrder string
	// IsUnique and IsForeignKey recognise constraint violations.
	IsUnique, IsForeignKey func(error) bool
	// LockMigrations, when set, runs first in the migration transaction
	// and makes concurrent migrators (replicas starting at once) queue.
	LockMigrations func(ctx context.Context, tx Querier) error
}

// Rebinder rewrites ? placeholders as $1, $2, …, once per statement: the
// result of each is kept, so a statement costs one map read after its first
// use.
type Rebinder struct{ done sync.Map }

// Rebind returns query with numbered placeholders. The store's SQL has no
// ? inside string literals.
func (r *Rebinder) Rebind(query string) string {
	if v, ok := r.done.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	out := b.String()
	r.done.Store(query, out)
	return out
}
