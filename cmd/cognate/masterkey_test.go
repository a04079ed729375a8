package main

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/issuer"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/userpool"
)

func newKeeper(t *testing.T) *secret.Keeper {
	raw := make([]byte, secret.KeySize)
	rand.Read(raw)
	k, err := secret.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A database that predates the canary is judged by one of its signing keys;
// once the canary is stored, by the canary.
func TestCheckMasterKey(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	right, wrong := newKeeper(t), newKeeper(t)
	now := time.Now()
	key, err := issuer.New(store, right, "", time.Now).MakeKey("us-east-1_k", "id", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreatePool(ctx, userpool.Pool{ID: "us-east-1_k", Name: "k", CreatedAt: now, ModifiedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSigningKeys(ctx, []userpool.SigningKey{key}); err != nil {
		t.Fatal(err)
	}
	check := func(k *secret.Keeper) error {
		return checkMasterKey(ctx, store, k, issuer.New(store, k, "", time.Now).Opens, "COGNATE_MASTER_KEY")
	}
	if err := check(wrong); err == nil || !strings.Contains(err.Error(), "COGNATE_MASTER_KEY") {
		t.Fatalf("a wrong key against an old database's signing key: %v", err)
	}
	if _, err := store.GetMeta(ctx, metaMasterKeyCanary); err == nil {
		t.Fatal("a wrong key stored the canary")
	}
	if err := check(right); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	if _, err := store.GetMeta(ctx, metaMasterKeyCanary); err != nil {
		t.Fatalf("no canary after the first good start: %v", err)
	}
	// The canary alone decides now, even with no pool left to try.
	if err := store.DeletePool(ctx, "us-east-1_k"); err != nil {
		t.Fatal(err)
	}
	if err := check(wrong); err == nil {
		t.Fatal("the canary let a wrong key through")
	}
	if err := check(right); err != nil {
		t.Fatalf("the right key against the canary: %v", err)
	}
}
