// Package sqlite is Cognate's embedded storage: the shared SQL store
// (internal/store/sqlstore) on SQLite through the pure-Go modernc.org/sqlite
// driver. WAL mode with synchronous=FULL makes every commit durable before a
// call returns; one writer connection (BEGIN IMMEDIATE) serializes writes,
// and a pool of read-only connections serves lookups without waiting for the
// writer. What only SQLite needs lives here: the group commit of hot writes
// (groupcommit.go), the prepared-statement cache (stmtcache.go) and the
// decoded pool and client cache (cache.go), which assumes this process is
// the database's only writer.
package sqlite
