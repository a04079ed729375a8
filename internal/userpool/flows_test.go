package userpool_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/issuer"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/postgres"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/userpool"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is the domain wired to real parts: SQLite, the issuer, the keeper.
type world struct {
	store    userpool.Store
	clock    *clock
	pools    *userpool.Pools
	users    *userpool.Users
	auth     *userpool.Auth
	sessions *userpool.Sessions
}

func newWorld(tb testing.TB, path string) *world {
	tb.Helper()
	st := openStore(tb, path)
	tb.Cleanup(func() { st.Close() })
	keeper := testKeeper
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	tokens := issuer.New(st, keeper, "https://cognito-idp.us-east-1.amazonaws.com", c.Now)
	// Cheap hashes: these tests are about the flows, not the hash's cost.
	creds := password.Credentials{Keeper: keeper, Argon2: password.Argon2{MemoryKiB: 64, Iterations: 1, Threads: 1}}
	sessions := &userpool.Sessions{Store: st, Now: c.Now, Tokens: tokens}
	return &world{
		store: st, clock: c, sessions: sessions,
		pools: &userpool.Pools{Store: st, Now: c.Now, MakeKey: func(poolID, use string, now time.Time) (userpool.SigningKey, error) {
			return tokens.SealKey(poolID, reusedKey(use, now)), nil
		}},
		users: &userpool.Users{Store: st, Now: c.Now, Credentials: creds, Sessions: sessions},
		auth: &userpool.Auth{Store: st, Now: c.Now, Credentials: creds, Tokens: tokens, Sealer: keeper,
			Accounts: &userpool.Accounts{Store: st, Now: c.Now, Credentials: creds, Sealer: keeper, Sessions: sessions}},
	}
}

var ctx = context.Background()

// reusedKey is a signing key with a fresh kid around one RSA key made once
// per test binary: generating RSA-2048 for every pool of every case was
// most of these tests' time (a pool makes two).
func reusedKey(use string, now time.Time) *token.Key {
	kid := make([]byte, 32)
	rand.Read(kid)
	return &token.Key{Kid: base64.StdEncoding.EncodeToString(kid), Use: token.Use(use), Private: sharedRSAKey(), CreatedAt: now}
}

var sharedRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// testKeeper is the master key of the domain tests: their stores seal
// client secrets with it too.
var testKeeper, _ = secret.New(bytes.Repeat([]byte{1}, 32))

// openStore is SQLite at path, or — with COGNATE_DOMAIN_POSTGRES=1 — a
// fresh schema on the throwaway PostgreSQL (scripts/test runs both).
func openStore(tb testing.TB, path string) userpool.Store {
	if os.Getenv("COGNATE_DOMAIN_POSTGRES") == "" {
		st, err := sqlite.Open(path, sqlite.WithSealer(testKeeper))
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	base := os.Getenv("COGNATE_TEST_DATABASE_URL")
	if base == "" {
		tb.Fatal("COGNATE_DOMAIN_POSTGRES needs COGNATE_TEST_DATABASE_URL")
	}
	st, err := postgres.Open(ctx, pgtest.Schema(tb, base, "d"), 8, postgres.WithSealer(testKeeper))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func (w *world) setup(tb testing.TB, client userpool.CreateClientInput) (userpool.Pool, userpool.Client) {
	tb.Helper()
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p"})
	if err != nil {
		tb.Fatal(err)
	}
	client.UserPoolId = p.ID
	if client.ClientName == "" {
		client.ClientName = "c"
	}
	if len(client.ExplicitAuthFlows) == 0 {
		client.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	c, err := w.pools.CreateClient(ctx, client)
	if err != nil {
		tb.Fatal(err)
	}
	return p, c
}

func (w *world) addUser(tb testing.TB, p userpool.Pool, name string) {
	tb.Helper()
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: name}); err != nil {
		tb.Fatal(err)
	}
	if err := w.users.SetPassword(ctx, p.ID, name, "Passw0rd!", true); err != nil {
		tb.Fatal(err)
	}
}

func (w *world) signIn(c userpool.Client, name, pw string) (userpool.AuthResult, error) {
	return w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": pw}}, false)
}

func (w *world) refresh(c userpool.Client, tok string) (userpool.AuthResult, error) {
	return w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "REFRESH_TOKEN_AUTH",
		AuthParameters: map[string]string{"REFRESH_TOKEN": tok}}, false)
}

func wantError(t *testing.T, err error, typ, msg string) {
	t.Helper()
	if userpool.ErrorType(err) != typ || userpool.ErrorMessage(err) != msg {
		t.Fatalf("got %v, want %s: %s", err, typ, msg)
	}
}

func TestUnconfirmedUserCannotSignIn(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	if _, err := w.store.UpdateUser(ctx, p.ID, "alice", func(u userpool.User) (userpool.User, error) {
		u.Status = userpool.StatusUnconfirmed
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err := w.signIn(c, "alice", "Passw0rd!")
	wantError(t, err, userpool.UserNotConfirmed, "User is not confirmed.")
}

func TestRefreshTokenExpiryAndValidities(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		AccessTokenValidity: 10, IdTokenValidity: 20, RefreshTokenValidity: 2,
		TokenValidityUnits: &userpool.TokenValidityUnits{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "hours"}}})
	w.addUser(t, p, "alice")
	res, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if res.Tokens.ExpiresIn != 600 {
		t.Fatalf("ExpiresIn %d", res.Tokens.ExpiresIn)
	}
	w.clock.Advance(11 * time.Minute)
	_, err = w.sessions.Authorize(ctx, res.Tokens.AccessToken)
	wantError(t, err, userpool.NotAuthorized, "Access Token has expired")
	if _, err := w.refresh(c, res.Tokens.RefreshToken); err != nil {
		t.Fatalf("refresh within validity: %v", err)
	}
	w.clock.Advance(2 * time.Hour)
	_, err = w.refresh(c, res.Tokens.RefreshToken)
	wantError(t, err, userpool.NotAuthorized, "Refresh Token has expired")
}

func TestRefreshTokenOfAnotherClient(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	other, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID,
		ClientSettings: userpool.ClientSettings{ClientName: "other", ExplicitAuthFlows: []string{"ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	w.addUser(t, p, "alice")
	res, _ := w.signIn(c, "alice", "Passw0rd!")
	_, err = w.refresh(other, res.Tokens.RefreshToken)
	wantError(t, err, userpool.NotAuthorized, "Invalid Refresh Token.")
}

func TestAdminNewPasswordChallenge(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "bob", TemporaryPassword: "Temp0rary!"}); err != nil {
		t.Fatal(err)
	}
	res, err := w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: p.ID, ClientId: c.ID, AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}, true)
	if err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("%+v %v", res, err)
	}
	respond := func(session string) (userpool.AuthResult, error) {
		return w.auth.Respond(ctx, userpool.RespondInput{UserPoolId: p.ID, ClientId: c.ID, ChallengeName: "NEW_PASSWORD_REQUIRED",
			Session: session, ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "Perm4nent!", "userAttributes.name": "Bob"}}, true)
	}
	w.clock.Advance(4 * time.Minute) // past the default 3-minute AuthSessionValidity
	_, err = respond(res.Session)
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user, session is expired.")
	res, _ = w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: p.ID, ClientId: c.ID, AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}, true)
	done, err := respond(res.Session)
	if err != nil || done.Tokens == nil {
		t.Fatalf("%+v %v", done, err)
	}
	u, _ := w.users.GetUser(ctx, p.ID, "bob")
	if name, _ := u.Attribute("name"); name != "Bob" || u.Status != userpool.StatusConfirmed {
		t.Fatalf("user after challenge %+v", u)
	}
}

// Sign-out takes effect at once, and a sign-in right after it (same clock
// instant) is alive: the epoch, not a timestamp, decides.
func TestSignOutEpochHasNoClockGranularityTrap(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	before, _ := w.signIn(c, "alice", "Passw0rd!")
	if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{AccessKeyID: "AKID"}, p.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	after, _ := w.signIn(c, "alice", "Passw0rd!") // the clock has not moved at all
	_, err := w.sessions.Authorize(ctx, before.Tokens.AccessToken)
	wantError(t, err, userpool.NotAuthorized, "Access Token has been revoked")
	if _, err := w.sessions.Authorize(ctx, after.Tokens.AccessToken); err != nil {
		t.Fatalf("token minted after the sign-out at the same instant: %v", err)
	}
	_, err = w.refresh(c, before.Tokens.RefreshToken)
	wantError(t, err, userpool.NotAuthorized, "Refresh Token has been revoked")
}

// An admin sign-out names the user by username (any case in a
// case-insensitive pool) or by sub: each form signs out that user only.
func TestAdminSignOutByEveryName(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	w.addUser(t, p, "bob")
	alice, _ := w.users.GetUser(ctx, p.ID, "alice")
	bob, _ := w.signIn(c, "bob", "Passw0rd!")
	for _, name := range []string{"alice", "ALICE", alice.Sub} {
		res, err := w.signIn(c, "alice", "Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{AccessKeyID: "AKID"}, p.ID, name); err != nil {
			t.Fatalf("sign-out as %q: %v", name, err)
		}
		_, err = w.sessions.Authorize(ctx, res.Tokens.AccessToken)
		wantError(t, err, userpool.NotAuthorized, "Access Token has been revoked")
	}
	if _, err := w.sessions.Authorize(ctx, bob.Tokens.AccessToken); err != nil {
		t.Fatalf("bob signed out too: %v", err)
	}
	err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{AccessKeyID: "AKID"}, p.ID, "carol")
	wantError(t, err, userpool.UserNotFound, "User does not exist.")
}

func TestFailedPasswordLockout(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	for i := 0; i < 5; i++ {
		_, err := w.signIn(c, "alice", "Wrong-Pass-1")
		wantError(t, err, userpool.NotAuthorized, "Incorrect username or password.")
	}
	// Locked for one second: even the right password is refused.
	_, err := w.signIn(c, "alice", "Passw0rd!")
	wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
	w.clock.Advance(1100 * time.Millisecond)
	_, err = w.signIn(c, "alice", "Wrong-Pass-1") // the sixth failure doubles the lockout
	wantError(t, err, userpool.NotAuthorized, "Incorrect username or password.")
	w.clock.Advance(1100 * time.Millisecond)
	_, err = w.signIn(c, "alice", "Passw0rd!")
	wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
	w.clock.Advance(time.Second)
	if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
		t.Fatalf("sign-in after the lockout: %v", err)
	}
	u, _ := w.users.GetUser(ctx, p.ID, "alice")
	if u.Password.FailedAttempts != 0 || !u.Password.LockedUntil.IsZero() {
		t.Fatalf("success did not clear the count: %+v", u.Password)
	}
}

func TestCollectGarbage(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{RefreshTokenValidity: 1,
		TokenValidityUnits: &userpool.TokenValidityUnits{RefreshToken: "hours"}}})
	w.addUser(t, p, "alice")
	res, _ := w.signIn(c, "alice", "Passw0rd!")
	if n, err := w.sessions.CollectGarbage(ctx); err != nil || n != 0 {
		t.Fatalf("collected %d live families: %v", n, err)
	}
	w.clock.Advance(26 * time.Hour)
	if n, err := w.sessions.CollectGarbage(ctx); err != nil || n != 1 {
		t.Fatalf("collected %d, want 1: %v", n, err)
	}
	_, err := w.refresh(c, res.Tokens.RefreshToken)
	wantError(t, err, userpool.NotAuthorized, "Invalid Refresh Token.")
}

// signUpWorld is a world with a pool that sends sign-up codes by email, a
// public client and the account flows.
func signUpWorld(t *testing.T) (*world, userpool.Pool, userpool.Client, *userpool.Accounts) {
	t.Helper()
	w := newWorld(t, ":memory:")
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
		PoolSettings: userpool.PoolSettings{AutoVerifiedAttributes: []string{"email"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c"}})
	return w, p, c, &userpool.Accounts{Store: w.store, Now: w.clock.Now, Credentials: w.users.Credentials, Sealer: w.auth.Sealer, Sessions: w.sessions}
}

func TestConfirmationCodesExpire(t *testing.T) {
	w, p, c, accounts := signUpWorld(t)
	if _, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "zoe", Password: "Passw0rd!",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: "zoe@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := accounts.Outbox(ctx, p.ID, "zoe", 0, 10)
	if len(msgs) != 1 || len(msgs[0].Code) != 6 {
		t.Fatalf("outbox %+v", msgs)
	}
	w.clock.Advance(25 * time.Hour)
	err := accounts.ConfirmSignUp(ctx, c.ID, "", "zoe", msgs[0].Code)
	wantError(t, err, userpool.ExpiredCode, "Invalid code provided, please request a code again.")
}

// heldStore holds every new session's write until released, and reports
// whether the sign-in let the store wait for company.
type heldStore struct {
	userpool.Store
	patient chan bool
	release chan struct{}
}

func (h *heldStore) CreateFamily(ctx context.Context, f userpool.Family) error {
	h.patient <- userpool.PatienceFrom(ctx)
	<-h.release
	return h.Store.CreateFamily(ctx, f)
}

// A sign-in's session write may wait to share an fsync only while another
// sign-in is under way; a lone sign-in's write goes at once.
func TestSessionWriteWaitsOnlyBesideOtherSignIns(t *testing.T) {
	w := newWorld(t, t.TempDir()+"/db")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	w.addUser(t, p, "bob")
	held := &heldStore{Store: w.store, patient: make(chan bool, 3), release: make(chan struct{})}
	w.auth.Store = held
	signIn := func(name string) <-chan error {
		done := make(chan error, 1)
		go func() { _, err := w.signIn(c, name, "Passw0rd!"); done <- err }()
		return done
	}
	first := signIn("alice")
	if <-held.patient {
		t.Error("a lone sign-in let its session write wait")
	}
	second := signIn("bob") // alice's sign-in is still under way
	if !<-held.patient {
		t.Error("a sign-in beside another did not let its session write wait")
	}
	close(held.release)
	for _, done := range []<-chan error{first, second} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	third := signIn("alice")
	if <-held.patient {
		t.Error("a lone sign-in, after the others ended, let its session write wait")
	}
	if err := <-third; err != nil {
		t.Fatal(err)
	}
}
