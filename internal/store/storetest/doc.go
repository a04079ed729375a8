// Package storetest is the contract every userpool.Store backend must pass:
// run RunTests from a backend's tests with a constructor of empty stores.
// The same suite runs on SQLite and PostgreSQL, so the domain can rely on
// one behaviour.
package storetest
