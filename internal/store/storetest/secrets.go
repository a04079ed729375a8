package storetest

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// Sealer is the master key the contract's stores seal client secrets with
// (sqlite.WithSealer, postgres.WithSealer).
var Sealer = func() *secret.Keeper {
	k, err := secret.New(bytes.Repeat([]byte{9}, secret.KeySize))
	if err != nil {
		panic(err)
	}
	return k
}()

// RawClientSecrets reads and writes the clients.secret column as stored,
// past any cache: what a copy of the database holds. Each store's tests
// implement it (in a _test.go file) for the contract's ClientSecretsAtRest.
type RawClientSecrets interface {
	RawClientSecret(id string) (string, error)
	SetRawClientSecret(id, col string) error
}

// SecretSealer is what a store with a sealer does, once at start, for rows
// from before secrets were sealed: seal them, reporting how many clients.
type SecretSealer interface {
	SealClientSecrets(ctx context.Context) (int, error)
}

func testClientSecretsAtRest(t *testing.T, s userpool.Store) {
	raw, ok := s.(RawClientSecrets)
	if !ok {
		t.Fatalf("%T does not implement storetest.RawClientSecrets in its tests", s)
	}
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	first := userpool.ClientSecret{ID: "c1--1", Value: "firstSecretValue123", CreatedAt: t0}
	second := userpool.ClientSecret{ID: "c1--2", Value: "secondSecretValue456", CreatedAt: t0.Add(time.Second)}
	must(t, s.CreateClient(ctx, userpool.Client{ID: "c1", PoolID: "us-east-1_a", CreatedAt: t0, ModifiedAt: t0,
		Secrets: []userpool.ClientSecret{first}}))
	_, err := s.UpdateClient(ctx, "c1", func(c userpool.Client) (userpool.Client, error) {
		c.Secrets = append(c.Secrets, second)
		return c, nil
	})
	must(t, err)
	col, err := raw.RawClientSecret("c1")
	must(t, err)
	if strings.Contains(col, first.Value) || strings.Contains(col, second.Value) {
		t.Fatalf("secret stored in plain text: %s", col)
	}
	wantSecrets := func(id string, want ...userpool.ClientSecret) {
		t.Helper()
		got, err := s.GetClient(ctx, id)
		must(t, err)
		if len(got.Secrets) != len(want) {
			t.Fatalf("%s secrets %+v", id, got.Secrets)
		}
		for i := range want {
			if got.Secrets[i] != want[i] {
				t.Fatalf("%s secret %d: %+v, want %+v", id, i, got.Secrets[i], want[i])
			}
		}
		list, err := s.ListClients(ctx, "us-east-1_a", "", 100)
		must(t, err)
		for _, c := range list {
			if c.ID == id && (len(c.Secrets) != len(want) || c.Secrets[0] != want[0]) {
				t.Fatalf("listed %s secrets %+v", id, c.Secrets)
			}
		}
	}
	wantSecrets("c1", first, second)

	// A sealed column moved to another client does not open there.
	must(t, s.CreateClient(ctx, userpool.Client{ID: "c2", PoolID: "us-east-1_a", CreatedAt: t0, ModifiedAt: t0,
		Secrets: []userpool.ClientSecret{{ID: "c1--1", Value: "other", CreatedAt: t0}}}))
	must(t, raw.SetRawClientSecret("c2", col))
	if _, err := s.GetClient(ctx, "c2"); err == nil {
		t.Fatal("a secret sealed for c1 opened as c2's")
	}
	must(t, s.DeleteClient(ctx, "c2"))

	// Rows from before sealing: one plain secret, or a list of plain ones.
	created := t0.Add(-time.Hour)
	must(t, s.CreateClient(ctx, userpool.Client{ID: "old1", PoolID: "us-east-1_a", CreatedAt: created, ModifiedAt: created}))
	must(t, s.CreateClient(ctx, userpool.Client{ID: "old2", PoolID: "us-east-1_a", CreatedAt: created, ModifiedAt: created}))
	must(t, raw.SetRawClientSecret("old1", "legacyPlainSecret"))
	must(t, raw.SetRawClientSecret("old2", `[{"id":"old2--5","v":"legacyListed","t":`+nsString(created)+`}]`))
	old1 := userpool.ClientSecret{ID: userpool.ClientSecretID("old1", created), Value: "legacyPlainSecret", CreatedAt: created}
	old2 := userpool.ClientSecret{ID: "old2--5", Value: "legacyListed", CreatedAt: created}
	wantSecrets("old1", old1) // still work before they are sealed
	wantSecrets("old2", old2)
	sealer, ok := s.(SecretSealer)
	if !ok {
		t.Fatalf("%T does not implement storetest.SecretSealer", s)
	}
	n, err := sealer.SealClientSecrets(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sealed %d clients (%v), want 2", n, err)
	}
	for id, plain := range map[string]string{"old1": old1.Value, "old2": old2.Value} {
		if col, _ := raw.RawClientSecret(id); strings.Contains(col, plain) {
			t.Fatalf("%s still in plain text after sealing: %s", id, col)
		}
	}
	wantSecrets("old1", old1)
	wantSecrets("old2", old2)
	wantSecrets("c1", first, second)
	if n, err := sealer.SealClientSecrets(ctx); err != nil || n != 0 {
		t.Fatalf("second pass sealed %d (%v)", n, err)
	}
}

func nsString(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }
