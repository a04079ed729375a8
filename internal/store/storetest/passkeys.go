package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// passkeyTests are the PasskeyStore's contract (RunTests runs them).
var passkeyTests = []struct {
	name string
	fn   func(t *testing.T, s userpool.Store)
}{
	{"Passkeys", testPasskeys},
	{"PasskeyLimit", testPasskeyLimit},
	{"ConcurrentPasskeyLimit", testConcurrentPasskeyLimit},
	{"PasskeySignCount", testPasskeySignCount},
	{"ConcurrentPasskeyUse", testConcurrentPasskeyUse},
	{"PasskeysGoWithUserAndPool", testPasskeysGoWithUserAndPool},
}

func passkey(poolID, sub, id string) userpool.Passkey {
	return userpool.Passkey{PoolID: poolID, UserSub: sub, ID: id, PublicKey: []byte{0xa5, 1, 2}, SignCount: 7,
		AAGUID: bytes.Repeat([]byte{0xad}, 16), Transports: []string{"internal", "hybrid"}, Attachment: "platform",
		FriendlyName: "Passkey " + id, RelyingPartyID: "localhost", BackupEligible: true, BackupState: false, CreatedAt: t0}
}

func alicePasskeys(t *testing.T, s userpool.Store) {
	t.Helper()
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-2")))
}

func createPasskey(t *testing.T, s userpool.Store, k userpool.Passkey, max int) bool {
	t.Helper()
	ok, err := s.CreatePasskey(ctx, k, max)
	must(t, err)
	return ok
}

func testPasskeys(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	for _, id := range []string{"k2", "k1", "k3"} {
		createPasskey(t, s, passkey("us-east-1_a", "sub-1", id), 20)
	}
	createPasskey(t, s, passkey("us-east-1_a", "sub-2", "b1"), 20)
	_, err := s.CreatePasskey(ctx, passkey("us-east-1_a", "sub-2", "k1"), 20)
	wantErr(t, err, userpool.ErrAlreadyExists) // credential ids are unique in a pool

	got, err := s.GetPasskey(ctx, "us-east-1_a", "k1")
	must(t, err)
	want := passkey("us-east-1_a", "sub-1", "k1")
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("passkey\n got %+v\nwant %+v", got, want)
	}
	_, err = s.GetPasskey(ctx, "us-east-1_a", "nope")
	wantErr(t, err, userpool.ErrNotFound)

	page, err := s.ListPasskeys(ctx, "us-east-1_a", "sub-1", "k1", 10)
	must(t, err)
	if len(page) != 2 || page[0].ID != "k2" || page[1].ID != "k3" {
		t.Fatalf("passkeys %+v", page)
	}
	page, err = s.ListPasskeys(ctx, "us-east-1_a", "sub-1", "", 2)
	must(t, err)
	if len(page) != 2 || page[0].ID != "k1" {
		t.Fatalf("first page %+v", page)
	}

	wantErr(t, s.DeletePasskey(ctx, "us-east-1_a", "sub-2", "k1"), userpool.ErrNotFound) // bob's call, alice's passkey
	must(t, s.DeletePasskey(ctx, "us-east-1_a", "sub-1", "k1"))
	wantErr(t, s.DeletePasskey(ctx, "us-east-1_a", "sub-1", "k1"), userpool.ErrNotFound)

	_, err = s.DomainOfPool(ctx, "us-east-1_a")
	wantErr(t, err, userpool.ErrNotFound)
	must(t, s.CreateDomain(ctx, userpool.Domain{Domain: "my-app", PoolID: "us-east-1_a", CreatedAt: t0}))
	if d, err := s.DomainOfPool(ctx, "us-east-1_a"); err != nil || d != "my-app" {
		t.Fatalf("domain %q %v", d, err)
	}
}

func testPasskeyLimit(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	for i := range 3 {
		if !createPasskey(t, s, passkey("us-east-1_a", "sub-1", fmt.Sprint("k", i)), 3) {
			t.Fatalf("passkey %d refused below the limit", i)
		}
	}
	if createPasskey(t, s, passkey("us-east-1_a", "sub-1", "k9"), 3) {
		t.Fatal("a fourth passkey past a limit of 3")
	}
	if _, err := s.GetPasskey(ctx, "us-east-1_a", "k9"); err == nil {
		t.Fatal("a refused passkey was written")
	}
	if !createPasskey(t, s, passkey("us-east-1_a", "sub-2", "b1"), 3) {
		t.Fatal("the limit is per user")
	}
	_, err := s.CreatePasskey(ctx, passkey("us-east-1_a", "sub-404", "x"), 3)
	wantErr(t, err, userpool.ErrNotFound)
}

// Concurrent registrations cannot take more places than the limit.
func testConcurrentPasskeyLimit(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	var next int64
	var mu = make(chan struct{}, 1)
	n := concurrently(t, 12, func() (bool, error) {
		mu <- struct{}{}
		next++
		id := fmt.Sprint("k", next)
		<-mu
		return s.CreatePasskey(ctx, passkey("us-east-1_a", "sub-1", id), 5)
	})
	keys, err := s.ListPasskeys(ctx, "us-east-1_a", "sub-1", "", 100)
	must(t, err)
	if n != 5 || len(keys) != 5 {
		t.Fatalf("%d of 12 concurrent registrations won, %d stored; want 5", n, len(keys))
	}
}

func testPasskeySignCount(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	createPasskey(t, s, passkey("us-east-1_a", "sub-1", "k1"), 20) // sign count 7
	for _, c := range []struct {
		count uint32
		ok    bool
	}{{7, false}, {3, false}, {0, false}, {8, true}, {8, false}, {100, true}} {
		ok, err := s.UsePasskey(ctx, "us-east-1_a", "k1", c.count, t0.Add(1))
		must(t, err)
		if ok != c.ok {
			t.Fatalf("sign count %d: %v, want %v", c.count, ok, c.ok)
		}
	}
	got, _ := s.GetPasskey(ctx, "us-east-1_a", "k1")
	if got.SignCount != 100 || !got.LastUsedAt.Equal(t0.Add(1)) {
		t.Fatalf("after use %+v", got)
	}
	// An authenticator without a counter reports 0 every time.
	zero := passkey("us-east-1_a", "sub-1", "k0")
	zero.SignCount = 0
	createPasskey(t, s, zero, 20)
	for range 2 {
		if ok, err := s.UsePasskey(ctx, "us-east-1_a", "k0", 0, t0); err != nil || !ok {
			t.Fatalf("counterless use %v %v", ok, err)
		}
	}
	if ok, _ := s.UsePasskey(ctx, "us-east-1_a", "nope", 9, t0); ok {
		t.Fatal("used an unknown passkey")
	}
}

// One sign count is accepted once, however many replicas present it.
func testConcurrentPasskeyUse(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	createPasskey(t, s, passkey("us-east-1_a", "sub-1", "k1"), 20)
	n := concurrently(t, 20, func() (bool, error) { return s.UsePasskey(ctx, "us-east-1_a", "k1", 8, t0) })
	if n != 1 {
		t.Fatalf("sign count 8 accepted %d times", n)
	}
}

func testPasskeysGoWithUserAndPool(t *testing.T, s userpool.Store) {
	alicePasskeys(t, s)
	createPasskey(t, s, passkey("us-east-1_a", "sub-1", "k1"), 20)
	createPasskey(t, s, passkey("us-east-1_a", "sub-2", "b1"), 20)
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	if keys, _ := s.ListPasskeys(ctx, "us-east-1_a", "sub-1", "", 10); len(keys) != 0 {
		t.Fatalf("alice's passkeys outlived her: %+v", keys)
	}
	// A new user reusing the sub (a restore) starts with none.
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	if keys, _ := s.ListPasskeys(ctx, "us-east-1_a", "sub-1", "", 10); len(keys) != 0 {
		t.Fatalf("passkeys came back: %+v", keys)
	}
	must(t, s.DeletePool(ctx, "us-east-1_a"))
	if _, err := s.GetPasskey(ctx, "us-east-1_a", "b1"); err == nil {
		t.Fatal("bob's passkey outlived the pool")
	}
}
