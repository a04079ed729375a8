// Package sqlite is Cognate's embedded storage: userpool.Store on SQLite
// through the pure-Go modernc.org/sqlite driver. WAL mode with
// synchronous=FULL makes every commit durable before a call returns; one
// writer connection (BEGIN IMMEDIATE) serializes writes, and a pool of
// read-only connections serves lookups without waiting for the writer.
package sqlite
