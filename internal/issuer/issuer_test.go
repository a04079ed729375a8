package issuer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/userpool"
)

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// newIssuer is an Issuer over an in-memory SQLite store holding one pool's
// keys, with a clock the test moves.
func newIssuer(t *testing.T) (*Issuer, *testClock, userpool.TokenRequest) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keeper, err := secret.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	iss := New(st, keeper, "https://cognito-idp.us-east-1.amazonaws.com", clock.now)
	pool := userpool.Pool{ID: "us-east-1_memo", Name: "memo", CreatedAt: clock.t, ModifiedAt: clock.t}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	var keys []userpool.SigningKey
	for _, use := range []string{"id", "access"} {
		k, err := iss.MakeKey(pool.ID, use, clock.t)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := st.CreateSigningKeys(ctx, keys); err != nil {
		t.Fatal(err)
	}
	req := userpool.TokenRequest{Pool: &pool, Client: &userpool.Client{ID: "client1", PoolID: pool.ID},
		User:   &userpool.User{PoolID: pool.ID, Username: "alice", Sub: "sub-1"},
		Family: &userpool.Family{ID: "family-1", AuthTime: clock.t}, Scope: userpool.ScopeUserAdmin, EventID: "e1", Now: clock.t}
	return iss, clock, req
}

// A verified token is remembered, but the memo never answers what a fresh
// check would not: expiry, a changed issuer and altered tokens still fail.
func TestVerifiedTokenMemo(t *testing.T) {
	ctx := context.Background()
	iss, clock, req := newIssuer(t)
	at, _, err := iss.Issue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	first, err := iss.VerifyAccess(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if first.Sub != "sub-1" || first.OriginJTI != "family-1" || first.ClientID != "client1" || first.PoolID != "us-east-1_memo" {
		t.Fatalf("claims %+v", first)
	}
	if n := iss.verified.len(); n != 1 {
		t.Fatalf("memo holds %d tokens after one verification", n)
	}
	again, err := iss.VerifyAccess(ctx, at)
	if err != nil || again != first {
		t.Fatalf("remembered claims %+v, %v; want %+v", again, err, first)
	}

	// An altered signature is checked afresh, fails, and is not remembered.
	altered := []byte(at)
	altered[len(altered)-3] ^= 1
	if _, err := iss.VerifyAccess(ctx, string(altered)); !errors.Is(err, errInvalidAccess) {
		t.Fatalf("altered token: %v", err)
	}
	if n := iss.verified.len(); n != 1 {
		t.Fatalf("memo holds %d tokens after a failed verification", n)
	}

	// Expiry is checked on every call, remembered or not.
	clock.t = first.ExpiresAt.Add(-time.Second)
	if _, err := iss.VerifyAccess(ctx, at); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	clock.t = first.ExpiresAt
	if _, err := iss.VerifyAccess(ctx, at); !errors.Is(err, errExpiredAccess) {
		t.Fatalf("at expiry: %v", err)
	}

	// A token checked against another issuer URL is not taken from the memo.
	clock.t = req.Now
	iss.SetBase("https://elsewhere.example")
	if _, err := iss.VerifyAccess(ctx, at); !errors.Is(err, errInvalidAccess) {
		t.Fatalf("after the issuer changed: %v", err)
	}
}

// The memo is bounded: past its cap it starts over.
func TestVerifiedTokenMemoBounded(t *testing.T) {
	var v verifiedTokens
	for n := range verifiedCap + 10 {
		v.put(sha256.Sum256([]byte{byte(n), byte(n >> 8), byte(n >> 16)}), userpool.AccessClaims{Sub: "s"}, "iss")
	}
	if n := v.len(); n == 0 || n > verifiedCap {
		t.Fatalf("memo holds %d tokens, cap %d", n, verifiedCap)
	}
}
