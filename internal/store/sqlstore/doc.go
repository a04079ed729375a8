// Package sqlstore is the one SQL implementation of userpool.Store, shared
// by the SQLite and PostgreSQL backends (internal/store/sqlite,
// internal/store/postgres). Every method is written once, in SQL with ?
// placeholders, against an Executor (how a backend runs reads, writes and
// transactions) and a Dialect (the few places where the two databases'
// SQL differs). What only one database needs stays in its package:
// SQLite's group commit, statement cache and decoded-row caches,
// PostgreSQL's pool and retrying transactions.
package sqlstore
