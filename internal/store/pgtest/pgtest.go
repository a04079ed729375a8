// Package pgtest gives tests their own empty schema on the throwaway
// PostgreSQL cluster that scripts/pg starts (scripts/test does), so that
// tests share one cluster without seeing each other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL returns the cluster's URL (COGNATE_TEST_DATABASE_URL). Without one
// the test is skipped, or fails when COGNATE_REQUIRE_POSTGRES is set.
func URL(tb testing.TB) string {
	url := os.Getenv("COGNATE_TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("COGNATE_REQUIRE_POSTGRES") != "" {
			tb.Fatal("COGNATE_TEST_DATABASE_URL is not set (scripts/test starts PostgreSQL with scripts/pg)")
		}
		tb.Skip("COGNATE_TEST_DATABASE_URL not set: run `eval \"$(scripts/pg start)\"` first (scripts/test does)")
	}
	return url
}

// Schema creates an empty schema (prefix_ and random hex) on the cluster
// at base and returns a URL whose connections use it; the schema is
// dropped when the test ends.
func Schema(tb testing.TB, base, prefix string) string {
	tb.Helper()
	ctx := context.Background()
	raw := make([]byte, 6)
	rand.Read(raw)
	schema := prefix + "_" + hex.EncodeToString(raw)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if c, err := pgx.Connect(ctx, base); err == nil {
			c.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
			c.Close(ctx)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
