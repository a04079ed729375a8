package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/racetest"
	"github.com/cognate/cognate/internal/userpool"
)

// RunTests runs the contract against stores made by newStore (each empty).
func RunTests(t *testing.T, newStore func(t *testing.T) userpool.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s userpool.Store)
	}{
		{"Pools", testPools},
		{"PoolPagination", testPoolPagination},
		{"UpdatePoolCAS", testUpdatePoolCAS},
		{"DeletePoolCascades", testDeletePoolCascades},
		{"SigningKeys", testSigningKeys},
		{"Clients", testClients},
		{"ClientSecretsAtRest", testClientSecretsAtRest},
		{"Users", testUsers},
		{"ConcurrentCreateUser", testConcurrentCreateUser},
		{"UpdateUserCAS", testUpdateUserCAS},
		{"UpdateUserLeavesSignOutState", testUpdateUserLeavesSignOutState},
		{"SignInNames", testSignInNames},
		{"ConcurrentSignInName", testConcurrentSignInName},
		{"BackfillSignInNames", testBackfillSignInNames},
		{"ListUsers", testListUsers},
		{"Families", testFamilies},
		{"SignOutAndSession", testSignOutAndSession},
		{"SessionByRefreshHash", testSessionByRefreshHash},
		{"DeleteUserRemovesFamilies", testDeleteUserRemovesFamilies},
		{"ExpiredFamilies", testExpiredFamilies},
		{"RotateRefreshToken", testRotateRefreshToken},
		{"ConcurrentRotations", testConcurrentRotations},
		{"Nonces", testNonces},
		{"ConcurrentSignOuts", testConcurrentSignOuts},
		{"Groups", testGroups},
		{"NoGroupsHint", testNoGroupsHint},
		{"CodesAndOutbox", testCodesAndOutbox},
		{"ConcurrentCodeClaims", testConcurrentCodeClaims},
		{"AttemptWindows", testAttemptWindows},
		{"ConcurrentAttemptClaims", testConcurrentAttemptClaims},
		{"UpdateAttempts", testUpdateAttempts},
		{"ConcurrentAttemptUpdates", testConcurrentAttemptUpdates},
		{"AuthEvents", testAuthEvents},
		{"Devices", testDevices},
		{"WebSessions", testWebSessions},
		{"DomainsAndResourceServers", testDomainsAndResourceServers},
		{"Meta", testMeta},
		{"ConcurrentPutMetaIfAbsent", testConcurrentPutMetaIfAbsent},
		{"ImportJobs", testImportJobs},
		{"ConcurrentImportJobClaims", testConcurrentImportJobClaims},
	}
	for _, tc := range append(tests, passkeyTests...) {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
)

func pool(id string) userpool.Pool {
	return userpool.Pool{ID: id, Name: "pool " + id, CreatedAt: t0, ModifiedAt: t0,
		Settings: userpool.PoolSettings{MfaConfiguration: "OFF", UserPoolTags: map[string]string{"k": "v"}},
		Schema:   []userpool.SchemaAttribute{{Name: "email", AttributeDataType: "String", Mutable: true}}}
}

func user(poolID, name, sub string) userpool.User {
	return userpool.User{PoolID: poolID, Username: name, Sub: sub, Status: userpool.StatusConfirmed, Enabled: true,
		Attributes: []userpool.Attribute{{Name: "sub", Value: sub}, {Name: "email", Value: name + "@example.com"}},
		Password: userpool.PasswordCredential{Hash: []byte{1, 2, 3}, SRPSalt: []byte{4}, SRPVerifier: []byte{5, 6}, SetAt: t0,
			FailedAttempts: 2, LockedUntil: t0.Add(time.Second)},
		MFA:       userpool.UserMFA{TOTPSecret: []byte{9}, TOTPEnabled: true, Preferred: "SOFTWARE_TOKEN_MFA"},
		CreatedAt: t0, ModifiedAt: t0}
}

func family(id, poolID, sub string, epoch int64) userpool.Family {
	return userpool.Family{ID: id, PoolID: poolID, ClientID: "client1", UserSub: sub, RefreshHash: []byte("hash-" + id),
		Epoch: epoch, AuthTime: t0.Truncate(time.Second), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), DeviceKey: "dev", Scope: "openid email"}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

func testPools(t *testing.T, s userpool.Store) {
	p := pool("us-east-1_a")
	must(t, s.CreatePool(ctx, p))
	wantErr(t, s.CreatePool(ctx, p), userpool.ErrAlreadyExists)
	got, err := s.GetPool(ctx, p.ID)
	must(t, err)
	if got.Name != p.Name || !got.CreatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond() != 123456789 {
		t.Fatalf("pool %+v", got)
	}
	if got.Settings.MfaConfiguration != "OFF" || got.Settings.UserPoolTags["k"] != "v" || len(got.Schema) != 1 {
		t.Fatalf("settings/schema lost: %+v", got)
	}
	_, err = s.GetPool(ctx, "us-east-1_missing")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.UpdatePool(ctx, "us-east-1_missing", func(p userpool.Pool) (userpool.Pool, error) { return p, nil })
	wantErr(t, err, userpool.ErrNotFound)
	wantErr(t, s.DeletePool(ctx, "us-east-1_missing"), userpool.ErrNotFound)
}

func testPoolPagination(t *testing.T, s userpool.Store) {
	for _, id := range []string{"us-east-1_c", "us-east-1_a", "us-east-1_b"} {
		must(t, s.CreatePool(ctx, pool(id)))
	}
	page, err := s.ListPools(ctx, "", 2)
	must(t, err)
	if len(page) != 2 || page[0].ID != "us-east-1_a" || page[1].ID != "us-east-1_b" {
		t.Fatalf("page 1: %v", ids(page))
	}
	page, err = s.ListPools(ctx, "us-east-1_b", 2)
	must(t, err)
	if len(page) != 1 || page[0].ID != "us-east-1_c" {
		t.Fatalf("page 2: %v", ids(page))
	}
}

func ids(ps []userpool.Pool) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func testUpdatePoolCAS(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	_, err := s.UpdatePool(ctx, "us-east-1_a", func(p userpool.Pool) (userpool.Pool, error) {
		p.Name = "changed"
		return p, errors.New("abort")
	})
	if err == nil || err.Error() != "abort" {
		t.Fatalf("fn error not returned: %v", err)
	}
	got, _ := s.GetPool(ctx, "us-east-1_a")
	if got.Name != "pool us-east-1_a" {
		t.Fatal("aborted update was applied")
	}
	// Concurrent increments lose nothing.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdatePool(ctx, "us-east-1_a", func(p userpool.Pool) (userpool.Pool, error) {
				p.Settings.UserPoolTags["n"] += "x"
				return p, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ = s.GetPool(ctx, "us-east-1_a")
	if len(got.Settings.UserPoolTags["n"]) != 20 {
		t.Fatalf("lost updates: %q", got.Settings.UserPoolTags["n"])
	}
}

func testDeletePoolCascades(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateSigningKeys(ctx, []userpool.SigningKey{{PoolID: "us-east-1_a", Kid: "k1", Use: "id", PrivateKey: []byte{1}, CreatedAt: t0}}))
	must(t, s.CreateClient(ctx, userpool.Client{ID: "c1", PoolID: "us-east-1_a", CreatedAt: t0, ModifiedAt: t0}))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_b", "alice", "sub-b")))
	must(t, s.CreateFamily(ctx, family("f1", "us-east-1_a", "sub-a", 0)))
	must(t, s.CreateFamily(ctx, family("f2", "us-east-1_b", "sub-b", 0)))
	_, err := s.GetClient(ctx, "c1") // a cached client must not outlive its pool
	must(t, err)
	must(t, s.DeletePool(ctx, "us-east-1_a"))
	if keys, _ := s.ListSigningKeys(ctx, "us-east-1_a"); len(keys) != 0 {
		t.Fatal("keys survive their pool")
	}
	_, err = s.GetClient(ctx, "c1")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.GetUser(ctx, "us-east-1_a", "alice")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.GetFamilyByRefreshHash(ctx, []byte("hash-f1"))
	wantErr(t, err, userpool.ErrNotFound)
	// The other pool is untouched.
	_, _, err = s.GetSession(ctx, "us-east-1_b", "sub-b", "f2")
	must(t, err)
}

func testSigningKeys(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	keys := []userpool.SigningKey{
		{PoolID: "us-east-1_a", Kid: "newer", Use: "access", PrivateKey: []byte{9, 9}, CreatedAt: t0.Add(time.Second)},
		{PoolID: "us-east-1_a", Kid: "older", Use: "id", PrivateKey: []byte{8}, CreatedAt: t0},
	}
	must(t, s.CreateSigningKeys(ctx, keys))
	got, err := s.ListSigningKeys(ctx, "us-east-1_a")
	must(t, err)
	if len(got) != 2 || got[0].Kid != "older" || got[1].Kid != "newer" || got[1].Use != "access" || !bytes.Equal(got[1].PrivateKey, []byte{9, 9}) || !got[0].CreatedAt.Equal(t0) {
		t.Fatalf("keys %+v", got)
	}
	wantErr(t, s.CreateSigningKeys(ctx, keys[:1]), userpool.ErrAlreadyExists)
}

func testClients(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	for _, id := range []string{"c3", "c1", "c2"} {
		c := userpool.Client{ID: id, PoolID: "us-east-1_a", CreatedAt: t0, ModifiedAt: t0,
			Secrets:  []userpool.ClientSecret{{ID: id + "--1", Value: "sec-" + id, CreatedAt: t0}},
			Settings: userpool.ClientSettings{ClientName: "n" + id, ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}, EnableTokenRevocation: true}}
		must(t, s.CreateClient(ctx, c))
	}
	wantErr(t, s.CreateClient(ctx, userpool.Client{ID: "c1", PoolID: "us-east-1_a"}), userpool.ErrAlreadyExists)
	got, err := s.GetClient(ctx, "c2")
	must(t, err)
	if len(got.Secrets) != 1 || got.Secrets[0] != (userpool.ClientSecret{ID: "c2--1", Value: "sec-c2", CreatedAt: t0}) ||
		got.Settings.ClientName != "nc2" || !got.Settings.EnableTokenRevocation || got.Settings.ExplicitAuthFlows[0] != "ALLOW_USER_SRP_AUTH" {
		t.Fatalf("client %+v", got)
	}
	page, err := s.ListClients(ctx, "us-east-1_a", "c1", 10)
	must(t, err)
	if len(page) != 2 || page[0].ID != "c2" || page[1].ID != "c3" {
		t.Fatalf("clients page %+v", page)
	}
	// Read first: a store that caches clients must see its own writes.
	if _, err := s.GetClient(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	up, err := s.UpdateClient(ctx, "c1", func(c userpool.Client) (userpool.Client, error) {
		c.Settings.ClientName = "renamed"
		c.Settings.RefreshTokenRotation = &userpool.RefreshTokenRotation{Feature: "ENABLED", RetryGracePeriodSeconds: 30}
		c.Secrets = append(c.Secrets, userpool.ClientSecret{ID: "c1--2", Value: "second", CreatedAt: t0.Add(time.Second)})
		return c, nil
	})
	must(t, err)
	if up.Settings.ClientName != "renamed" {
		t.Fatal("update result")
	}
	got, _ = s.GetClient(ctx, "c1")
	if got.Settings.ClientName != "renamed" || !got.Settings.Rotates() || got.Settings.RetryGrace() != 30*time.Second {
		t.Fatalf("update not stored: %+v", got.Settings)
	}
	if len(got.Secrets) != 2 || got.Secrets[0].Value != "sec-c1" || got.Secrets[1] != (userpool.ClientSecret{ID: "c1--2", Value: "second", CreatedAt: t0.Add(time.Second)}) {
		t.Fatalf("secrets %+v", got.Secrets)
	}
	// A public client has none.
	must(t, s.CreateClient(ctx, userpool.Client{ID: "public", PoolID: "us-east-1_a", CreatedAt: t0, ModifiedAt: t0}))
	if got, _ := s.GetClient(ctx, "public"); got.Confidential() {
		t.Fatalf("public client has secrets %+v", got.Secrets)
	}
	// Deleting a client ends its sessions, not those of other clients.
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	ofC1, ofC2 := family("f1", "us-east-1_a", "sub-1", 0), family("f2", "us-east-1_a", "sub-1", 0)
	ofC1.ClientID, ofC2.ClientID = "c1", "c2"
	must(t, s.CreateFamily(ctx, ofC1))
	must(t, s.CreateFamily(ctx, ofC2))
	must(t, s.DeleteClient(ctx, "c1"))
	wantErr(t, s.DeleteClient(ctx, "c1"), userpool.ErrNotFound)
	_, err = s.GetFamilyByRefreshHash(ctx, ofC1.RefreshHash)
	wantErr(t, err, userpool.ErrNotFound)
	if _, err := s.GetFamilyByRefreshHash(ctx, ofC2.RefreshHash); err != nil {
		t.Fatalf("another client's session ended: %v", err)
	}
	_, err = s.GetClient(ctx, "c1")
	wantErr(t, err, userpool.ErrNotFound)
}

func testUsers(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	u := user("us-east-1_a", "Alice", "sub-1")
	must(t, s.CreateUser(ctx, "alice", u))
	wantErr(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "ALICE", "sub-2")), userpool.ErrAlreadyExists)
	wantErr(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-1")), userpool.ErrAlreadyExists)
	got, err := s.GetUser(ctx, "us-east-1_a", "alice")
	must(t, err)
	if got.Username != "Alice" || got.Sub != "sub-1" || got.PoolID != "us-east-1_a" || !got.Enabled || got.Status != userpool.StatusConfirmed {
		t.Fatalf("user %+v", got)
	}
	if !got.MFA.TOTPEnabled || !bytes.Equal(got.MFA.TOTPSecret, []byte{9}) || got.MFA.Preferred != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("mfa %+v", got.MFA)
	}
	if len(got.Attributes) != 2 || got.Attributes[1].Value != "Alice@example.com" {
		t.Fatalf("attributes %+v", got.Attributes)
	}
	if !bytes.Equal(got.Password.Hash, []byte{1, 2, 3}) || !bytes.Equal(got.Password.SRPVerifier, []byte{5, 6}) || !got.Password.SetAt.Equal(t0) ||
		got.Password.FailedAttempts != 2 || !got.Password.LockedUntil.Equal(t0.Add(time.Second)) {
		t.Fatalf("password %+v", got.Password)
	}
	bySub, err := s.GetUserBySub(ctx, "us-east-1_a", "sub-1")
	must(t, err)
	if bySub.Username != "Alice" {
		t.Fatal("by sub")
	}
	_, err = s.GetUser(ctx, "us-east-1_a", "Alice")
	wantErr(t, err, userpool.ErrNotFound)
	if got.SignInNames != nil {
		t.Fatalf("a user stored without names reads back %q, want nil", got.SignInNames)
	}
	_, err = s.GetUserBySub(ctx, "us-east-1_a", "nope")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.UpdateUser(ctx, "us-east-1_a", "nobody", func(u userpool.User) (userpool.User, error) { return u, nil })
	wantErr(t, err, userpool.ErrNotFound)
	wantErr(t, s.DeleteUser(ctx, "us-east-1_a", "nobody"), userpool.ErrNotFound)
}

func testConcurrentCreateUser(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	ok, exists := race(t, 16, func(i int) error {
		return s.CreateUser(ctx, "same", user("us-east-1_a", "same", fmt.Sprintf("sub-%d", i)))
	}, userpool.ErrAlreadyExists)
	if ok != 1 || exists != 15 {
		t.Fatalf("%d created, %d already existed", ok, exists)
	}
}

// race is racetest.Count with the refusal an error matching lost.
func race(t *testing.T, n int, call func(i int) error, lost error) (won, refused int) {
	t.Helper()
	return racetest.Count(t, n, call, func(err error) bool { return errors.Is(err, lost) })
}

func testUpdateUserCAS(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateUser(ctx, "us-east-1_a", "alice", func(u userpool.User) (userpool.User, error) {
				u.Attributes[1].Value += "x"
				return u, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := s.GetUser(ctx, "us-east-1_a", "alice")
	if got.Attributes[1].Value != "alice@example.com"+"xxxxxxxxxxxxxxxxxxxx" {
		t.Fatalf("lost updates: %q", got.Attributes[1].Value)
	}
	_, err := s.UpdateUser(ctx, "us-east-1_a", "alice", func(u userpool.User) (userpool.User, error) {
		u.Enabled = false
		return u, errors.New("abort")
	})
	if err == nil {
		t.Fatal("fn error swallowed")
	}
	if got, _ := s.GetUser(ctx, "us-east-1_a", "alice"); !got.Enabled {
		t.Fatal("aborted update applied")
	}
}

func testListUsers(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	for i, k := range []string{"carol", "alice", "bob"} {
		must(t, s.CreateUser(ctx, k, user("us-east-1_a", k, fmt.Sprint("sub-", i))))
	}
	must(t, s.CreateUser(ctx, "zed", user("us-east-1_b", "zed", "sub-z")))
	page, err := s.ListUsers(ctx, "us-east-1_a", "", 2)
	must(t, err)
	if len(page) != 2 || page[0].Key != "alice" || page[1].Key != "bob" || page[0].User.Username != "alice" {
		t.Fatalf("page %+v", page)
	}
	page, err = s.ListUsers(ctx, "us-east-1_a", "bob", 10)
	must(t, err)
	if len(page) != 1 || page[0].Key != "carol" {
		t.Fatalf("page 2 %+v", page)
	}
	if n, _ := s.CountUsers(ctx, "us-east-1_a"); n != 3 {
		t.Fatalf("count %d", n)
	}
}

func testFamilies(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	f := family("f1", "us-east-1_a", "sub-1", 0)
	must(t, s.CreateFamily(ctx, f))
	wantErr(t, s.CreateFamily(ctx, f), userpool.ErrAlreadyExists)
	got, err := s.GetFamilyByRefreshHash(ctx, []byte("hash-f1"))
	must(t, err)
	if got.ID != "f1" || got.ClientID != "client1" || got.UserSub != "sub-1" || got.DeviceKey != "dev" || got.Scope != "openid email" ||
		!got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || !got.RevokedAt.IsZero() {
		t.Fatalf("family %+v", got)
	}
	_, err = s.GetFamilyByRefreshHash(ctx, []byte("nope"))
	wantErr(t, err, userpool.ErrNotFound)
	must(t, s.RevokeFamily(ctx, "f1", t0.Add(time.Minute)))
	must(t, s.RevokeFamily(ctx, "f1", t0.Add(time.Hour)))
	got, _ = s.GetFamilyByRefreshHash(ctx, []byte("hash-f1"))
	if !got.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revoked at %v, want the first revocation", got.RevokedAt)
	}
	wantErr(t, s.RevokeFamily(ctx, "nope", t0), userpool.ErrNotFound)
}

// aliceAndBob creates pool us-east-1_a with alice (sub-1, family f1) and
// bob (sub-2, family f2).
func aliceAndBob(t *testing.T, s userpool.Store) {
	t.Helper()
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-2")))
	must(t, s.CreateFamily(ctx, family("f1", "us-east-1_a", "sub-1", 0)))
	must(t, s.CreateFamily(ctx, family("f2", "us-east-1_a", "sub-2", 0)))
}

func testSignOutAndSession(t *testing.T, s userpool.Store) {
	aliceAndBob(t, s)
	u, f, err := s.GetSession(ctx, "us-east-1_a", "sub-1", "f1")
	must(t, err)
	if u.Username != "alice" || f.ID != "f1" || u.SignOutEpoch != 0 || f.Epoch != 0 {
		t.Fatalf("session %+v %+v", u, f)
	}
	must(t, s.CreateFamily(ctx, family("f3", "us-east-1_a", "sub-1", 0)))
	must(t, s.CreateFamily(ctx, family("f4", "us-east-1_a", "sub-1", 0)))
	must(t, s.RevokeFamily(ctx, "f4", t0))
	must(t, s.RevokeFamily(ctx, "f4", t0)) // counted once
	out, err := s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "sub-1", t0)
	must(t, err)
	want := userpool.SignedOut{PoolID: "us-east-1_a", Sub: "sub-1", Username: "alice", Epoch: 1, Families: 2}
	if out != want {
		t.Fatalf("sign-out %+v, want %+v (families f1 and f3)", out, want)
	}
	if out, _ = s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "sub-1", t0); out.Epoch != 2 || out.Families != 0 {
		t.Fatalf("second sign-out: %+v", out)
	}
	// By username key: the same row, the same rules.
	must(t, s.CreateFamily(ctx, family("f5", "us-east-1_a", "sub-1", 2)))
	out, err = s.SignOutUser(ctx, "us-east-1_a", userpool.ByUsernameKey, "alice", t0)
	must(t, err)
	want = userpool.SignedOut{PoolID: "us-east-1_a", Sub: "sub-1", Username: "alice", Epoch: 3, Families: 1}
	if out != want {
		t.Fatalf("sign-out by username %+v, want %+v", out, want)
	}
	u, _, _ = s.GetSession(ctx, "us-east-1_a", "sub-1", "f1")
	if u.SignOutEpoch != 3 || !u.SignedOutAt.Equal(t0) {
		t.Fatalf("session sees epoch %d, signed out at %v", u.SignOutEpoch, u.SignedOutAt)
	}
	// The sign-out time never moves back; an update with a stale copy
	// moves neither it nor the epoch.
	if _, err := s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "sub-1", t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	stale := u
	if _, err := s.UpdateUser(ctx, "us-east-1_a", "alice", func(userpool.User) (userpool.User, error) { return stale, nil }); err != nil {
		t.Fatal(err)
	}
	if u, _ = s.GetUserBySub(ctx, "us-east-1_a", "sub-1"); u.SignOutEpoch != 4 || !u.SignedOutAt.Equal(t0) {
		t.Fatalf("after a stale update: epoch %d (want 4), signed out at %v (want %v)", u.SignOutEpoch, u.SignedOutAt, t0)
	}
	bobNow, _ := s.GetUserBySub(ctx, "us-east-1_a", "sub-2")
	if !bobNow.SignedOutAt.IsZero() {
		t.Fatal("a user who never signed out has a sign-out time")
	}
	bob, _, _ := s.GetSession(ctx, "us-east-1_a", "sub-2", "f2")
	if bob.SignOutEpoch != 0 {
		t.Fatal("another user's epoch moved")
	}
	_, err = s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "nobody", t0)
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.SignOutUser(ctx, "us-east-1_a", userpool.ByUsernameKey, "nobody", t0)
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.SignOutUser(ctx, "us-east-1_a", userpool.ByUsernameKey, "sub-1", t0) // a sub is not a username key
	wantErr(t, err, userpool.ErrNotFound)
	// The same username in another pool is another user.
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_b", "alice", "sub-b1")))
	if out, err = s.SignOutUser(ctx, "us-east-1_b", userpool.ByUsernameKey, "alice", t0); err != nil || out.Sub != "sub-b1" || out.Epoch != 1 {
		t.Fatalf("other pool's alice: %+v %v", out, err)
	}
	if u, _, _ = s.GetSession(ctx, "us-east-1_a", "sub-1", "f1"); u.SignOutEpoch != 4 {
		t.Fatalf("pool a's alice moved to epoch %d", u.SignOutEpoch)
	}
	_, _, err = s.GetSession(ctx, "us-east-1_a", "sub-1", "f2") // someone else's family
	wantErr(t, err, userpool.ErrNotFound)
	_, _, err = s.GetSession(ctx, "us-east-1_a", "sub-1", "missing")
	wantErr(t, err, userpool.ErrNotFound)
	_, _, err = s.GetSession(ctx, "us-east-1_a", "nobody", "f1")
	wantErr(t, err, userpool.ErrNotFound)
}

func testSessionByRefreshHash(t *testing.T, s userpool.Store) {
	aliceAndBob(t, s)
	u, f, err := s.GetSessionByRefreshHash(ctx, []byte("hash-f1"))
	must(t, err)
	if u.Username != "alice" || u.Sub != "sub-1" || f.ID != "f1" || f.UserSub != "sub-1" || f.ClientID != "client1" ||
		f.DeviceKey != "dev" || f.Scope != "openid email" || !f.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("session %+v %+v", u, f)
	}
	if u, f, _ = s.GetSessionByRefreshHash(ctx, []byte("hash-f2")); u.Username != "bob" || f.ID != "f2" {
		t.Fatalf("bob's session %+v %+v", u, f)
	}
	// What refresh decides on comes back as written: revocation and epochs.
	must(t, s.RevokeFamily(ctx, "f2", t0.Add(time.Minute)))
	if _, f, _ = s.GetSessionByRefreshHash(ctx, []byte("hash-f2")); !f.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("revocation not seen: %+v", f)
	}
	_, err = s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "sub-1", t0)
	must(t, err)
	if u, f, _ = s.GetSessionByRefreshHash(ctx, []byte("hash-f1")); u.SignOutEpoch != 1 || f.Epoch != 0 {
		t.Fatalf("after sign-out: user epoch %d, family epoch %d", u.SignOutEpoch, f.Epoch)
	}
	_, _, err = s.GetSessionByRefreshHash(ctx, []byte("nope"))
	wantErr(t, err, userpool.ErrNotFound)
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	_, _, err = s.GetSessionByRefreshHash(ctx, []byte("hash-f1"))
	wantErr(t, err, userpool.ErrNotFound)
}

func testDeleteUserRemovesFamilies(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateFamily(ctx, family("f1", "us-east-1_a", "sub-1", 0)))
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	_, err := s.GetFamilyByRefreshHash(ctx, []byte("hash-f1"))
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.GetUserBySub(ctx, "us-east-1_a", "sub-1")
	wantErr(t, err, userpool.ErrNotFound)
}

func testExpiredFamilies(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	for i := 0; i < 3; i++ {
		f := family(fmt.Sprint("f", i), "us-east-1_a", "sub-1", 0)
		f.ExpiresAt = t0.Add(time.Duration(i) * time.Hour)
		must(t, s.CreateFamily(ctx, f))
	}
	n, err := s.DeleteExpiredFamilies(ctx, t0.Add(90*time.Minute))
	must(t, err)
	if n != 2 {
		t.Fatalf("deleted %d", n)
	}
	if _, err := s.GetFamilyByRefreshHash(ctx, []byte("hash-f2")); err != nil {
		t.Fatal("unexpired family deleted")
	}
}

func testRotateRefreshToken(t *testing.T, s userpool.Store) {
	aliceAndBob(t, s)
	rotate := func(from, to string, now, grace time.Time) error {
		return s.RotateRefreshToken(ctx, userpool.Rotation{FamilyID: "f1", From: []byte(from), To: []byte(to), Now: now, GraceUntil: grace})
	}
	// hash-f1 → r2, hash-f1 usable for a minute.
	must(t, rotate("hash-f1", "r2", t0, t0.Add(time.Minute)))
	u, f, err := s.GetSessionByRefreshHash(ctx, []byte("r2"))
	must(t, err)
	if u.Username != "alice" || f.ID != "f1" || !f.ExpiresAt.Equal(t0.Add(time.Hour)) || !bytes.Equal(f.RefreshHash, []byte("r2")) {
		t.Fatalf("rotated session %+v %+v: same family, same expiry", u, f)
	}
	_, _, err = s.GetSessionByRefreshHash(ctx, []byte("hash-f1"))
	wantErr(t, err, userpool.ErrNotFound)
	rr, err := s.GetRetiredRefresh(ctx, []byte("hash-f1"))
	must(t, err)
	if rr.FamilyID != "f1" || rr.PoolID != "us-east-1_a" || rr.ClientID != "client1" || rr.UserSub != "sub-1" || !rr.GraceUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("retired %+v", rr)
	}
	// A retry with the retired token inside its grace period rotates again
	// (r2 is retired in turn); past it, and for unknown tokens, it is reuse.
	must(t, rotate("hash-f1", "r3", t0.Add(30*time.Second), t0.Add(30*time.Second)))
	wantErr(t, rotate("hash-f1", "r4", t0.Add(time.Minute), t0.Add(2*time.Minute)), userpool.ErrRefreshReused)
	wantErr(t, rotate("r2", "r4", t0.Add(30*time.Second), t0.Add(time.Minute)), userpool.ErrRefreshReused) // grace ended at its rotation
	wantErr(t, rotate("hash-f2", "r4", t0, t0), userpool.ErrRefreshReused)                                 // another family's token
	wantErr(t, rotate("never", "r4", t0, t0), userpool.ErrRefreshReused)
	if _, f, _ := s.GetSessionByRefreshHash(ctx, []byte("r3")); f.ID != "f1" {
		t.Fatal("failed rotations moved the current token")
	}
	wantErr(t, s.RotateRefreshToken(ctx, userpool.Rotation{FamilyID: "missing", From: []byte("x"), To: []byte("y"), Now: t0}), userpool.ErrNotFound)
	_, err = s.GetRetiredRefresh(ctx, []byte("r3"))
	wantErr(t, err, userpool.ErrNotFound)
	// Rotation keeps revocation: a revoked family's new token is revoked.
	must(t, s.RevokeFamily(ctx, "f1", t0))
	must(t, rotate("r3", "r5", t0, t0))
	if _, f, _ := s.GetSessionByRefreshHash(ctx, []byte("r5")); f.RevokedAt.IsZero() {
		t.Fatal("rotation cleared the revocation")
	}
	// Retired tokens go with their family: when the user is deleted, and
	// when it expires.
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	_, err = s.GetRetiredRefresh(ctx, []byte("hash-f1"))
	wantErr(t, err, userpool.ErrNotFound)
	must(t, s.RotateRefreshToken(ctx, userpool.Rotation{FamilyID: "f2", From: []byte("hash-f2"), To: []byte("b2"), Now: t0, GraceUntil: t0}))
	if _, err := s.DeleteExpiredFamilies(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetRetiredRefresh(ctx, []byte("hash-f2"))
	wantErr(t, err, userpool.ErrNotFound)
}

// testConcurrentRotations: of many rotations presenting the same current
// token with no grace period, exactly one succeeds.
func testConcurrentRotations(t *testing.T, s userpool.Store) {
	aliceAndBob(t, s)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// No grace period (zero GraceUntil), and each caller read the
			// clock at a different moment before reaching the store.
			errs[i] = s.RotateRefreshToken(ctx, userpool.Rotation{FamilyID: "f1", From: []byte("hash-f1"),
				To: []byte(fmt.Sprint("next-", i)), Now: t0.Add(time.Duration(i-n) * time.Millisecond)})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, userpool.ErrRefreshReused):
			t.Fatalf("rotation: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d rotations of one token succeeded, want 1", ok, n)
	}
}

func testNonces(t *testing.T, s userpool.Store) {
	exp := time.Now().Add(time.Hour)
	must(t, s.ConsumeNonce(ctx, "n1", exp))
	wantErr(t, s.ConsumeNonce(ctx, "n1", exp), userpool.ErrAlreadyExists)
	must(t, s.ConsumeNonce(ctx, "n2", exp))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.ConsumeNonce(ctx, "race", exp) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("nonce consumed %d times", ok)
	}
}

func testDevices(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-2")))
	for _, k := range []string{"us-east-1_d2", "us-east-1_d1", "us-east-1_d3"} {
		must(t, s.CreateDevice(ctx, userpool.Device{PoolID: "us-east-1_a", Key: k, GroupKey: "-g", UserSub: "sub-1", CreatedAt: t0, ModifiedAt: t0}))
	}
	must(t, s.CreateDevice(ctx, userpool.Device{PoolID: "us-east-1_a", Key: "us-east-1_b1", GroupKey: "-g", UserSub: "sub-2", CreatedAt: t0, ModifiedAt: t0}))
	wantErr(t, s.CreateDevice(ctx, userpool.Device{PoolID: "us-east-1_a", Key: "us-east-1_d1", UserSub: "sub-1"}), userpool.ErrAlreadyExists)
	page, err := s.ListDevices(ctx, "us-east-1_a", "sub-1", "us-east-1_d1", 10)
	must(t, err)
	if len(page) != 2 || page[0].Key != "us-east-1_d2" || page[1].Key != "us-east-1_d3" {
		t.Fatalf("devices %+v", page)
	}
	d, err := s.UpdateDevice(ctx, "us-east-1_a", "us-east-1_d1", func(d userpool.Device) (userpool.Device, error) {
		d.Verifier, d.Salt, d.Remembered, d.Name = []byte{1, 2}, []byte{3}, "remembered", "phone"
		return d, nil
	})
	must(t, err)
	got, err := s.GetDevice(ctx, "us-east-1_a", "us-east-1_d1")
	must(t, err)
	if got.Name != "phone" || got.Remembered != "remembered" || !bytes.Equal(got.Verifier, []byte{1, 2}) || got.UserSub != "sub-1" || !got.CreatedAt.Equal(t0) || d.Name != "phone" {
		t.Fatalf("device %+v", got)
	}
	must(t, s.DeleteDevice(ctx, "us-east-1_a", "us-east-1_d2"))
	wantErr(t, s.DeleteDevice(ctx, "us-east-1_a", "us-east-1_d2"), userpool.ErrNotFound)
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	_, err = s.GetDevice(ctx, "us-east-1_a", "us-east-1_d1")
	wantErr(t, err, userpool.ErrNotFound)
	if _, err := s.GetDevice(ctx, "us-east-1_a", "us-east-1_b1"); err != nil {
		t.Fatal("another user's device deleted")
	}
}

func testWebSessions(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	for i, id := range []string{"w1", "w2", "w3"} {
		sub := "sub-1"
		if i == 2 {
			sub = "sub-2"
		}
		must(t, s.CreateWebSession(ctx, userpool.WebSession{Key: id, PoolID: "us-east-1_a", UserSub: sub, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	}
	got, err := s.GetWebSession(ctx, "w1")
	must(t, err)
	if got.Key != "w1" || got.ID != "" || got.UserSub != "sub-1" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || !got.EndedAt.IsZero() {
		t.Fatalf("session %+v", got)
	}
	must(t, s.EndWebSession(ctx, "w1", t0.Add(time.Minute)))
	must(t, s.EndWebSession(ctx, "w1", t0.Add(time.Hour)))
	if got, _ := s.GetWebSession(ctx, "w1"); !got.EndedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ended at %v", got.EndedAt)
	}
	wantErr(t, s.EndWebSession(ctx, "nope", t0), userpool.ErrNotFound)
	n, err := s.EndWebSessionsOfUser(ctx, "us-east-1_a", "sub-1", t0.Add(2*time.Minute))
	must(t, err)
	if n != 1 {
		t.Fatalf("ended %d live sessions, want 1 (w2)", n)
	}
	if got, _ := s.GetWebSession(ctx, "w3"); !got.EndedAt.IsZero() {
		t.Fatal("another user's session ended")
	}
}

func testDomainsAndResourceServers(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateDomain(ctx, userpool.Domain{Domain: "my-app", PoolID: "us-east-1_a", CreatedAt: t0, ManagedLoginVersion: 1}))
	wantErr(t, s.CreateDomain(ctx, userpool.Domain{Domain: "my-app", PoolID: "us-east-1_b"}), userpool.ErrAlreadyExists)
	wantErr(t, s.CreateDomain(ctx, userpool.Domain{Domain: "other", PoolID: "us-east-1_a"}), userpool.ErrAlreadyExists)
	d, err := s.GetDomain(ctx, "my-app")
	must(t, err)
	if d.PoolID != "us-east-1_a" || d.ManagedLoginVersion != 1 {
		t.Fatalf("domain %+v", d)
	}
	must(t, s.SetDomainLoginVersion(ctx, "my-app", 2))
	wantErr(t, s.SetDomainLoginVersion(ctx, "nobody", 2), userpool.ErrNotFound)
	if d, err = s.GetDomain(ctx, "my-app"); err != nil || d.ManagedLoginVersion != 2 {
		t.Fatalf("after SetDomainLoginVersion: %+v %v", d, err)
	}
	must(t, s.DeleteDomain(ctx, "my-app"))
	wantErr(t, s.DeleteDomain(ctx, "my-app"), userpool.ErrNotFound)

	rs := userpool.ResourceServer{PoolID: "us-east-1_a", Identifier: "https://api", Name: "api",
		Scopes: []userpool.ResourceServerScope{{ScopeName: "read", ScopeDescription: "Read"}}}
	must(t, s.CreateResourceServer(ctx, rs))
	wantErr(t, s.CreateResourceServer(ctx, rs), userpool.ErrAlreadyExists)
	rs.Name = "API"
	rs.Scopes = append(rs.Scopes, userpool.ResourceServerScope{ScopeName: "write", ScopeDescription: "Write"})
	must(t, s.UpdateResourceServer(ctx, rs))
	got, err := s.GetResourceServer(ctx, "us-east-1_a", "https://api")
	must(t, err)
	if got.Name != "API" || len(got.Scopes) != 2 || got.Scopes[1].ScopeName != "write" {
		t.Fatalf("resource server %+v", got)
	}
	list, _ := s.ListResourceServers(ctx, "us-east-1_a")
	if len(list) != 1 {
		t.Fatalf("list %+v", list)
	}
	must(t, s.DeleteResourceServer(ctx, "us-east-1_a", "https://api"))
	_, err = s.GetResourceServer(ctx, "us-east-1_a", "https://api")
	wantErr(t, err, userpool.ErrNotFound)
	wantErr(t, s.UpdateResourceServer(ctx, rs), userpool.ErrNotFound)
}

// Concurrent sign-outs (batched by group commit where a backend does that)
// each get their own epoch, and a failing one does not undo the others.
func testConcurrentSignOuts(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	var wg sync.WaitGroup
	var mu sync.Mutex
	epochs := map[int64]bool{}
	missing := 0
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sub := "sub-1"
			if i%4 == 0 {
				sub = "nobody"
			}
			var out userpool.SignedOut
			var err error
			if i%2 == 0 { // by username key and by sub, interleaved
				key := map[string]string{"sub-1": "alice", "nobody": "nobody"}[sub]
				out, err = s.SignOutUser(ctx, "us-east-1_a", userpool.ByUsernameKey, key, t0)
			} else {
				out, err = s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, sub, t0)
			}
			e := out.Epoch
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, userpool.ErrNotFound) && sub == "nobody":
				missing++
			case err == nil && sub == "sub-1":
				epochs[e] = true
			default:
				t.Errorf("sign-out of %s: %d %v", sub, e, err)
			}
		}(i)
	}
	wg.Wait()
	if len(epochs) != 30 || missing != 10 {
		t.Fatalf("%d distinct epochs (want 30), %d not found (want 10)", len(epochs), missing)
	}
	u, _ := s.GetUser(ctx, "us-east-1_a", "alice")
	if u.SignOutEpoch != 30 {
		t.Fatalf("epoch %d after 30 sign-outs", u.SignOutEpoch)
	}
}

func testGroups(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-2")))
	one, five := 1, 5
	for _, g := range []userpool.Group{{Name: "zeta", Precedence: &one, RoleArn: "arn:aws:iam::1:role/z"}, {Name: "alpha", Precedence: &five},
		{Name: "none"}} {
		g.PoolID, g.CreatedAt, g.ModifiedAt = "us-east-1_a", t0, t0
		must(t, s.CreateGroup(ctx, g))
	}
	wantErr(t, s.CreateGroup(ctx, userpool.Group{PoolID: "us-east-1_a", Name: "zeta"}), userpool.ErrAlreadyExists)
	g, err := s.GetGroup(ctx, "us-east-1_a", "zeta")
	must(t, err)
	if g.Precedence == nil || *g.Precedence != 1 || g.RoleArn != "arn:aws:iam::1:role/z" || !g.CreatedAt.Equal(t0) {
		t.Fatalf("group %+v", g)
	}
	list, _ := s.ListGroups(ctx, "us-east-1_a", "alpha", 10)
	if len(list) != 2 || list[0].Name != "none" || list[1].Name != "zeta" {
		t.Fatalf("list %+v", list)
	}
	for _, name := range []string{"none", "alpha", "zeta"} {
		must(t, s.AddUserToGroup(ctx, "us-east-1_a", name, "sub-1"))
	}
	must(t, s.AddUserToGroup(ctx, "us-east-1_a", "zeta", "sub-1")) // idempotent
	must(t, s.AddUserToGroup(ctx, "us-east-1_a", "zeta", "sub-2"))
	mine, _ := s.GroupsOfUser(ctx, "us-east-1_a", "sub-1")
	if len(mine) != 3 || mine[0].Name != "zeta" || mine[1].Name != "alpha" || mine[2].Name != "none" {
		t.Fatalf("groups by precedence %+v", mine)
	}
	members, _ := s.UsersInGroup(ctx, "us-east-1_a", "zeta", "", 10)
	if len(members) != 2 || members[0].Key != "alice" || members[1].Key != "bob" {
		t.Fatalf("members %+v", members)
	}
	must(t, s.RemoveUserFromGroup(ctx, "us-east-1_a", "zeta", "sub-2"))
	updated, err := s.UpdateGroup(ctx, "us-east-1_a", "zeta", func(g userpool.Group) (userpool.Group, error) {
		g.Description = "changed"
		return g, nil
	})
	must(t, err)
	if got, _ := s.GetGroup(ctx, "us-east-1_a", "zeta"); got.Description != "changed" || updated.Description != "changed" || got.Name != "zeta" {
		t.Fatalf("update lost: stored %+v, returned %+v", got, updated)
	}
	_, err = s.UpdateGroup(ctx, "us-east-1_a", "nope", func(g userpool.Group) (userpool.Group, error) { return g, nil })
	wantErr(t, err, userpool.ErrNotFound)
	must(t, s.DeleteGroup(ctx, "us-east-1_a", "alpha"))
	wantErr(t, s.DeleteGroup(ctx, "us-east-1_a", "alpha"), userpool.ErrNotFound)
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	if members, _ := s.UsersInGroup(ctx, "us-east-1_a", "zeta", "", 10); len(members) != 0 {
		t.Fatalf("memberships survive their user: %+v", members)
	}
}

// testNoGroupsHint: every read that returns a user says whether it is in
// any group, so that token issue may skip the group lookup only when it is
// in none.
func testNoGroupsHint(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	must(t, s.CreateUser(ctx, "bob", user("us-east-1_a", "bob", "sub-2")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_b", "alice", "sub-1"))) // same sub, other pool
	must(t, s.CreateFamily(ctx, family("f1", "us-east-1_a", "sub-1", 0)))
	must(t, s.CreateGroup(ctx, userpool.Group{PoolID: "us-east-1_a", Name: "staff", CreatedAt: t0, ModifiedAt: t0}))
	reads := func(want bool) {
		t.Helper()
		u, err := s.GetUser(ctx, "us-east-1_a", "alice")
		must(t, err)
		bySub, err := s.GetUserBySub(ctx, "us-east-1_a", "sub-1")
		must(t, err)
		session, _, err := s.GetSession(ctx, "us-east-1_a", "sub-1", "f1")
		must(t, err)
		byHash, _, err := s.GetSessionByRefreshHash(ctx, []byte("hash-f1"))
		must(t, err)
		page, err := s.ListUsers(ctx, "us-east-1_a", "", 10)
		must(t, err)
		if len(page) != 2 || page[0].Key != "alice" {
			t.Fatalf("list %+v", page)
		}
		for name, got := range map[string]bool{"GetUser": u.NoGroups, "GetUserBySub": bySub.NoGroups, "GetSession": session.NoGroups,
			"GetSessionByRefreshHash": byHash.NoGroups, "ListUsers": page[0].User.NoGroups} {
			if got != want {
				t.Errorf("%s: NoGroups %v, want %v", name, got, want)
			}
		}
		if bob, _ := s.GetUser(ctx, "us-east-1_a", "bob"); !bob.NoGroups {
			t.Error("bob is in no group")
		}
		if other, _ := s.GetUser(ctx, "us-east-1_b", "alice"); !other.NoGroups {
			t.Error("the other pool's user with the same sub is in no group")
		}
	}
	reads(true)
	must(t, s.AddUserToGroup(ctx, "us-east-1_a", "staff", "sub-1"))
	reads(false)
	members, err := s.UsersInGroup(ctx, "us-east-1_a", "staff", "", 10)
	must(t, err)
	if len(members) != 1 || members[0].User.NoGroups {
		t.Fatalf("members %+v", members)
	}
	must(t, s.RemoveUserFromGroup(ctx, "us-east-1_a", "staff", "sub-1"))
	reads(true)
}

func testCodesAndOutbox(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	c := userpool.Code{PoolID: "us-east-1_a", UserSub: "sub-1", Purpose: "signup", Hash: []byte{1}, ExpiresAt: t0}
	must(t, s.PutCode(ctx, c))
	for i := 1; i <= 2; i++ {
		if got, err := s.ClaimCodeAttempt(ctx, "us-east-1_a", "sub-1", "signup", 2); err != nil || got.Attempts != i ||
			!bytes.Equal(got.Hash, []byte{1}) || !got.ExpiresAt.Equal(t0) {
			t.Fatalf("claim %d: %+v %v", i, got, err)
		}
	}
	_, err := s.ClaimCodeAttempt(ctx, "us-east-1_a", "sub-1", "signup", 2) // spent
	wantErr(t, err, userpool.ErrNotFound)
	c.Hash = []byte{2}
	must(t, s.PutCode(ctx, c)) // a new code resets the attempts
	got, err := s.GetCode(ctx, "us-east-1_a", "sub-1", "signup")
	must(t, err)
	if !bytes.Equal(got.Hash, []byte{2}) || got.Attempts != 0 || !got.ExpiresAt.Equal(t0) {
		t.Fatalf("code %+v", got)
	}
	must(t, s.DeleteCode(ctx, "us-east-1_a", "sub-1", "signup"))
	_, err = s.GetCode(ctx, "us-east-1_a", "sub-1", "signup")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.ClaimCodeAttempt(ctx, "us-east-1_a", "sub-1", "signup", 5)
	wantErr(t, err, userpool.ErrNotFound)
	for _, u := range []string{"alice", "bob", "alice"} {
		if _, err := s.AddMessage(ctx, userpool.Message{PoolID: "us-east-1_a", Username: u, Medium: "EMAIL", Destination: u + "@x",
			Purpose: "signup", Code: "123456", Body: "code 123456", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := s.ListMessages(ctx, "us-east-1_a", "", 0, 10)
	alice, _ := s.ListMessages(ctx, "us-east-1_a", "alice", 0, 10)
	if len(all) != 3 || len(alice) != 2 || alice[1].ID <= alice[0].ID || alice[0].Code != "123456" {
		t.Fatalf("outbox %+v / %+v", all, alice)
	}
	if later, _ := s.ListMessages(ctx, "us-east-1_a", "", all[1].ID, 10); len(later) != 1 {
		t.Fatalf("after: %+v", later)
	}
	// Purging: messages created before the cut go, the cut itself stays.
	if _, err := s.AddMessage(ctx, userpool.Message{PoolID: "us-east-1_a", Username: "carol", Medium: "SMS", Destination: "+1555",
		Purpose: "forgot", Code: "654321", Body: "code 654321", CreatedAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteMessagesBefore(ctx, t0); err != nil || n != 0 {
		t.Fatalf("purge before t0: %d %v", n, err)
	}
	if n, err := s.DeleteMessagesBefore(ctx, t0.Add(time.Minute)); err != nil || n != 3 {
		t.Fatalf("purge: %d %v, want 3", n, err)
	}
	if left, _ := s.ListMessages(ctx, "us-east-1_a", "", 0, 10); len(left) != 1 || left[0].Username != "carol" ||
		!left[0].CreatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("left after purge: %+v", left)
	}
}

// concurrently runs fn n times at once and counts the true answers.
func concurrently(t *testing.T, n int, fn func() (bool, error)) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			yes, err := fn()
			if err != nil {
				t.Error(err)
			}
			if yes {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok
}

// A burst of claims on one code counts exactly max of them.
func testConcurrentCodeClaims(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.PutCode(ctx, userpool.Code{PoolID: "us-east-1_a", UserSub: "sub-1", Purpose: "forgot", Hash: []byte{1}, ExpiresAt: t0}))
	n := concurrently(t, 40, func() (bool, error) {
		_, err := s.ClaimCodeAttempt(ctx, "us-east-1_a", "sub-1", "forgot", 5)
		if errors.Is(err, userpool.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if n != 5 {
		t.Fatalf("%d of 40 concurrent claims counted, want 5", n)
	}
}

func testAttemptWindows(t *testing.T, s userpool.Store) {
	claim := func(sub, kind string, now time.Time) bool {
		t.Helper()
		ok, err := s.ClaimAttempt(ctx, "us-east-1_a", sub, kind, 3, now, now.Add(time.Hour))
		must(t, err)
		return ok
	}
	tests := []struct {
		name string
		sub  string
		kind string
		at   time.Duration // after t0
		want bool
	}{
		{"first", "sub-1", "enter:forgot", 0, true},
		{"second", "sub-1", "enter:forgot", time.Minute, true},
		{"third", "sub-1", "enter:forgot", 2 * time.Minute, true},
		{"fourth refused", "sub-1", "enter:forgot", 3 * time.Minute, false},
		{"still refused at the window's last instant", "sub-1", "enter:forgot", time.Hour - time.Nanosecond, false},
		{"another kind has its own window", "sub-1", "issue:forgot", 4 * time.Minute, true},
		{"another user has its own window", "sub-2", "enter:forgot", 4 * time.Minute, true},
		{"the window ended: a new one", "sub-1", "enter:forgot", time.Hour, true},
		{"the new window counts from one", "sub-1", "enter:forgot", time.Hour + time.Minute, true},
		{"the new window ends at its own end", "sub-1", "enter:forgot", time.Hour + 2*time.Minute, true},
		{"and is full", "sub-1", "enter:forgot", time.Hour + 3*time.Minute, false},
	}
	for _, tc := range tests {
		if got := claim(tc.sub, tc.kind, t0.Add(tc.at)); got != tc.want {
			t.Fatalf("%s: claimed %v, want %v", tc.name, got, tc.want)
		}
	}
	must(t, s.ClearAttempts(ctx, "us-east-1_a", "sub-1", "enter:forgot"))
	if !claim("sub-1", "enter:forgot", t0.Add(time.Hour+4*time.Minute)) {
		t.Fatal("a cleared window still refuses")
	}
}

// A burst of claims on a fresh window counts exactly max of them.
func testConcurrentAttemptClaims(t *testing.T, s userpool.Store) {
	n := concurrently(t, 40, func() (bool, error) {
		return s.ClaimAttempt(ctx, "us-east-1_a", "sub-1", "enter:forgot", 5, t0, t0.Add(time.Hour))
	})
	if n != 5 {
		t.Fatalf("%d of 40 concurrent claims counted, want 5", n)
	}
}

// UpdateAttempts is a compare-and-swap of one window: it sees what the
// last update stored until the window ends, then an empty window; an
// error stores nothing; ClaimAttempt and ClearAttempts share its rows.
func testUpdateAttempts(t *testing.T, s userpool.Store) {
	const p = "us-east-1_a"
	inc := func(until time.Time) func(userpool.AttemptWindow) (userpool.AttemptWindow, error) {
		return func(w userpool.AttemptWindow) (userpool.AttemptWindow, error) {
			return userpool.AttemptWindow{Count: w.Count + 1, Ends: until}, nil
		}
	}
	end := t0.Add(time.Hour)
	tests := []struct {
		name      string
		kind      string
		at        time.Duration
		fn        func(userpool.AttemptWindow) (userpool.AttemptWindow, error)
		wantCount int
		wantErr   bool
	}{
		{"a fresh window is empty", "lock", 0, inc(end), 1, false},
		{"the next sees the count", "lock", time.Minute, inc(end), 2, false},
		{"an error stores nothing", "lock", 2 * time.Minute, func(userpool.AttemptWindow) (userpool.AttemptWindow, error) {
			return userpool.AttemptWindow{}, errors.New("refused")
		}, 0, true},
		{"after the error, the count is kept", "lock", 3 * time.Minute, inc(end), 3, false},
		{"another kind is its own window", "other", 3 * time.Minute, inc(end), 1, false},
		{"at its end the window is empty again", "lock", time.Hour, inc(t0.Add(2 * time.Hour)), 1, false},
	}
	for _, tc := range tests {
		got, err := s.UpdateAttempts(ctx, p, "sub-1", tc.kind, t0.Add(tc.at), tc.fn)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: error %v", tc.name, err)
		}
		if !tc.wantErr && got.Count != tc.wantCount {
			t.Fatalf("%s: count %d, want %d", tc.name, got.Count, tc.wantCount)
		}
	}
	got, err := s.UpdateAttempts(ctx, p, "sub-1", "lock", t0.Add(time.Hour+time.Minute), func(w userpool.AttemptWindow) (userpool.AttemptWindow, error) {
		if !w.Ends.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("the window ends at %v, want %v", w.Ends, t0.Add(2*time.Hour))
		}
		return w, nil
	})
	must(t, err)
	if got.Count != 1 {
		t.Fatalf("count %d after a no-op update, want 1", got.Count)
	}
	must(t, s.ClearAttempts(ctx, p, "sub-1", "lock"))
	if got, _ := s.UpdateAttempts(ctx, p, "sub-1", "lock", t0.Add(time.Hour+2*time.Minute), inc(t0.Add(3*time.Hour))); got.Count != 1 {
		t.Fatalf("a cleared window counts %d, want 1", got.Count)
	}
}

// Concurrent updates of one window each see the one before.
func testConcurrentAttemptUpdates(t *testing.T, s userpool.Store) {
	n := concurrently(t, 40, func() (bool, error) {
		_, err := s.UpdateAttempts(ctx, "us-east-1_a", "sub-1", "lock", t0, func(w userpool.AttemptWindow) (userpool.AttemptWindow, error) {
			if w.Count >= 5 {
				return w, errors.New("full")
			}
			return userpool.AttemptWindow{Count: w.Count + 1, Ends: t0.Add(time.Hour)}, nil
		})
		return err == nil, nil
	})
	if n != 5 {
		t.Fatalf("%d of 40 concurrent updates stored, want 5", n)
	}
}

func testAuthEvents(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	for i, r := range []string{"Fail", "Pass", "Pass"} {
		must(t, s.AddAuthEvent(ctx, userpool.AuthEvent{PoolID: "us-east-1_a", UserSub: "sub-1", ID: fmt.Sprint("e", i), Type: "SignIn",
			Response: r, IP: "127.0.0.1", CreatedAt: t0.Add(time.Duration(i) * time.Second),
			Challenges: []userpool.ChallengeResult{{ChallengeName: "Password", ChallengeResponse: "Success"}}}))
	}
	got, err := s.ListAuthEvents(ctx, "us-east-1_a", "sub-1", 0, 2)
	must(t, err)
	if len(got) != 2 || got[0].ID != "e2" || got[1].ID != "e1" || got[0].Challenges[0].ChallengeName != "Password" || got[0].IP != "127.0.0.1" {
		t.Fatalf("events %+v", got)
	}
	rest, _ := s.ListAuthEvents(ctx, "us-east-1_a", "sub-1", 2, 2)
	if len(rest) != 1 || rest[0].ID != "e0" || rest[0].Response != "Fail" {
		t.Fatalf("second page %+v", rest)
	}
	must(t, s.DeleteUser(ctx, "us-east-1_a", "alice"))
	if left, _ := s.ListAuthEvents(ctx, "us-east-1_a", "sub-1", 0, 10); len(left) != 0 {
		t.Fatal("events survive their user")
	}
}

func named(poolID, name, sub string, names ...string) userpool.User {
	u := user(poolID, name, sub)
	u.SignInNames = append([]string{}, names...)
	return u
}

func setNames(names ...string) func(userpool.User) (userpool.User, error) {
	return func(u userpool.User) (userpool.User, error) {
		u.SignInNames = append([]string{}, names...)
		return u, nil
	}
}

func wantHolder(t *testing.T, s userpool.Store, poolID, name, sub string) {
	t.Helper()
	u, err := s.GetUserBySignInName(ctx, poolID, name)
	if sub == "" {
		wantErr(t, err, userpool.ErrNotFound)
		return
	}
	must(t, err)
	if u.Sub != sub {
		t.Fatalf("%s is held by %s, want %s", name, u.Sub, sub)
	}
}

func wantTaken(t *testing.T, err error, name string) {
	t.Helper()
	var taken *userpool.NameTakenError
	if !errors.As(err, &taken) || taken.Name != name || !errors.Is(err, userpool.ErrSignInNameTaken) {
		t.Fatalf("got %v, want the name %s taken", err, name)
	}
}

// A sign-in name belongs to one user of a pool: creating or updating a
// user to hold another's name fails and writes nothing; names are released
// by updates and deletion, and are per pool.
func testSignInNames(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateUser(ctx, "alice", named("us-east-1_a", "alice", "sub-1", "email:alice@example.com", "preferred_username:al")))
	got, err := s.GetUser(ctx, "us-east-1_a", "alice")
	must(t, err)
	if !slices.Equal(got.SignInNames, []string{"email:alice@example.com", "preferred_username:al"}) {
		t.Fatalf("names %q", got.SignInNames)
	}
	wantHolder(t, s, "us-east-1_a", "email:alice@example.com", "sub-1")
	wantHolder(t, s, "us-east-1_a", "preferred_username:al", "sub-1")
	wantHolder(t, s, "us-east-1_a", "email:ALICE@example.com", "") // the domain normalises
	wantHolder(t, s, "us-east-1_b", "email:alice@example.com", "")

	// Creating a user with a taken name stores nothing.
	wantTaken(t, s.CreateUser(ctx, "bob", named("us-east-1_a", "bob", "sub-2", "email:bob@example.com", "email:alice@example.com")), "email:alice@example.com")
	_, err = s.GetUser(ctx, "us-east-1_a", "bob")
	wantErr(t, err, userpool.ErrNotFound)
	wantHolder(t, s, "us-east-1_a", "email:bob@example.com", "")
	must(t, s.CreateUser(ctx, "bob", named("us-east-1_a", "bob", "sub-2", "email:bob@example.com")))
	must(t, s.CreateUser(ctx, "alice", named("us-east-1_b", "alice", "sub-1", "email:alice@example.com"))) // another pool

	// Updating to a taken name writes nothing, not even the other changes.
	_, err = s.UpdateUser(ctx, "us-east-1_a", "bob", func(u userpool.User) (userpool.User, error) {
		u.Status = userpool.StatusResetRequired
		u.SignInNames = []string{"email:alice@example.com"}
		return u, nil
	})
	wantTaken(t, err, "email:alice@example.com")
	if b, _ := s.GetUser(ctx, "us-east-1_a", "bob"); b.Status != userpool.StatusConfirmed || !slices.Equal(b.SignInNames, []string{"email:bob@example.com"}) {
		t.Fatalf("a refused update wrote %+v", b)
	}
	wantHolder(t, s, "us-east-1_a", "email:bob@example.com", "sub-2")

	// nil keeps the names; an empty list drops them; a released name can be taken.
	_, err = s.UpdateUser(ctx, "us-east-1_a", "alice", func(u userpool.User) (userpool.User, error) {
		u.SignInNames = nil
		u.Enabled = false
		return u, nil
	})
	must(t, err)
	wantHolder(t, s, "us-east-1_a", "email:alice@example.com", "sub-1")
	_, err = s.UpdateUser(ctx, "us-east-1_a", "alice", setNames("preferred_username:al"))
	must(t, err)
	wantHolder(t, s, "us-east-1_a", "email:alice@example.com", "")
	_, err = s.UpdateUser(ctx, "us-east-1_a", "bob", setNames("email:bob@example.com", "email:alice@example.com"))
	must(t, err)
	wantHolder(t, s, "us-east-1_a", "email:alice@example.com", "sub-2")
	_, err = s.UpdateUser(ctx, "us-east-1_a", "alice", setNames())
	must(t, err)
	if a, _ := s.GetUser(ctx, "us-east-1_a", "alice"); a.SignInNames == nil || len(a.SignInNames) != 0 {
		t.Fatalf("emptied names read back %#v", a.SignInNames)
	}
	wantHolder(t, s, "us-east-1_a", "preferred_username:al", "")

	// Deleting a user, or its pool, releases its names.
	must(t, s.DeleteUser(ctx, "us-east-1_a", "bob"))
	wantHolder(t, s, "us-east-1_a", "email:alice@example.com", "")
	must(t, s.CreateUser(ctx, "carol", named("us-east-1_a", "carol", "sub-3", "email:alice@example.com")))
	must(t, s.DeletePool(ctx, "us-east-1_b"))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	must(t, s.CreateUser(ctx, "dave", named("us-east-1_b", "dave", "sub-4", "email:alice@example.com")))
}

// Of concurrent updates giving one name to different users, exactly one
// commits.
func testConcurrentSignInName(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	const n = 12
	for i := 0; i < n; i++ {
		must(t, s.CreateUser(ctx, fmt.Sprintf("u%d", i), named("us-east-1_a", fmt.Sprintf("u%d", i), fmt.Sprintf("sub-%d", i))))
	}
	won, taken := race(t, n, func(i int) error {
		_, err := s.UpdateUser(ctx, "us-east-1_a", fmt.Sprintf("u%d", i), setNames("email:prize@example.com"))
		return err
	}, userpool.ErrSignInNameTaken)
	if won != 1 || taken != n-1 {
		t.Fatalf("%d updates won the name, %d refused", won, taken)
	}
}

// Users stored before sign-in names existed get theirs from the backfill;
// where they share one, the earliest created account keeps it.
func testBackfillSignInNames(t *testing.T, s userpool.Store) {
	p := pool("us-east-1_a")
	p.Settings.AliasAttributes = []string{"email"}
	must(t, s.CreatePool(ctx, p))
	legacy := func(key, sub, email, verified string, created time.Time) {
		u := user("us-east-1_a", key, sub)
		u.Attributes = []userpool.Attribute{{Name: "sub", Value: sub}, {Name: "email", Value: email}, {Name: "email_verified", Value: verified}}
		u.CreatedAt = created
		must(t, s.CreateUser(ctx, key, u))
	}
	legacy("aaa", "sub-1", "v@example.com", "false", t0)               // unverified: no name
	legacy("bbb", "sub-2", "V@example.com", "true", t0.Add(time.Hour)) // verified, but newer than zed
	legacy("zed", "sub-3", "v@example.com", "true", t0)
	legacy("solo", "sub-4", "solo@example.com", "true", t0)
	must(t, userpool.BackfillSignInNames(ctx, s))
	wantHolder(t, s, "us-east-1_a", "email:v@example.com", "sub-3")
	wantHolder(t, s, "us-east-1_a", "email:solo@example.com", "sub-4")
	for key, want := range map[string][]string{"aaa": {}, "bbb": {}, "zed": {"email:v@example.com"}, "solo": {"email:solo@example.com"}} {
		u, err := s.GetUser(ctx, "us-east-1_a", key)
		must(t, err)
		if u.SignInNames == nil || !slices.Equal(u.SignInNames, want) {
			t.Fatalf("%s holds %#v, want %q", key, u.SignInNames, want)
		}
	}
	must(t, userpool.BackfillSignInNames(ctx, s)) // nothing left to do
}
