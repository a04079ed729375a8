// Package postgres is the shared SQL store (internal/store/sqlstore) on
// PostgreSQL (pgx), for running many stateless `cognate serve` replicas on
// one shared state. Every method is a statement or a short transaction that
// commits before returning; there is no cache, so a revocation committed
// through one replica is seen by the next query of any other. Migrations run
// under an advisory lock, so replicas may start at once. The same contract
// suite as SQLite's runs against it.
package postgres
