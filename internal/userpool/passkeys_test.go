package userpool_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/passkey"
	"github.com/cognate/cognate/internal/passkey/passkeytest"
	"github.com/cognate/cognate/internal/userpool"
)

const origin = "http://localhost:5173"

// passkeyWorld is a pool that allows WEB_AUTHN with RP id localhost, a
// client, and alice signed in.
type passkeyWorld struct {
	*world
	passkeys *userpool.Passkeys
	pool     userpool.Pool
	client   userpool.Client
	token    string
}

func newPasskeyWorld(t *testing.T, webAuthn *userpool.WebAuthnConfig) *passkeyWorld {
	t.Helper()
	w := newWorld(t, ":memory:")
	// The store forgets used nonces by the wall clock (sqlstore
	// ConsumeNonce), so the fake clock starts at the real time.
	w.clock.t = time.Now().UTC()
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: userpool.PoolSettings{
		Policies: &userpool.PoolPolicies{SignInPolicy: json.RawMessage(`{"AllowedFirstAuthFactors":["PASSWORD","WEB_AUTHN"]}`)}}})
	must(t, err)
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{
		ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	must(t, err)
	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now}
	if webAuthn != nil {
		_, err = mfa.SetPoolConfig(ctx, p.ID, "", nil, nil, webAuthn)
		must(t, err)
	}
	p, err = w.store.GetPool(ctx, p.ID)
	must(t, err)
	w.addUser(t, p, "alice")
	pw := &passkeyWorld{world: w, pool: p, client: c,
		passkeys: &userpool.Passkeys{Store: w.store, Now: w.clock.Now, Sealer: testKeeper, Sessions: w.sessions, Ceremony: passkey.Ceremony{}}}
	pw.token = pw.signInAs(t, c, "alice")
	return pw
}

func (w *passkeyWorld) signInAs(t *testing.T, c userpool.Client, name string) string {
	t.Helper()
	res, err := w.signIn(c, name, "Passw0rd!")
	must(t, err)
	return res.Tokens.AccessToken
}

func localhost() *userpool.WebAuthnConfig {
	return &userpool.WebAuthnConfig{RelyingPartyId: "localhost"}
}

// register runs Start and Complete for the token's user with a.
func (w *passkeyWorld) register(t *testing.T, token string, a *passkeytest.Authenticator, from string) error {
	t.Helper()
	opts, err := w.passkeys.StartRegistration(ctx, token)
	if err != nil {
		return err
	}
	resp, err := a.Register(opts, from)
	must(t, err)
	return w.passkeys.CompleteRegistration(ctx, token, resp)
}

func (w *passkeyWorld) user(t *testing.T, name string) userpool.User {
	t.Helper()
	u, err := w.store.GetUser(ctx, w.pool.ID, name)
	must(t, err)
	return u
}

// signInWith runs begin, the authenticator, and finish.
func (w *passkeyWorld) signInWith(t *testing.T, u userpool.User, a *passkeytest.Authenticator, from string) error {
	t.Helper()
	opts, state, err := w.passkeys.BeginForTest(ctx, &w.pool, &w.client, &u)
	must(t, err)
	resp, err := a.Sign([]byte(opts), from)
	must(t, err)
	return w.passkeys.FinishForTest(ctx, &w.pool, &w.client, &u, state, string(resp))
}

func wantType(t *testing.T, err error, typ string) {
	t.Helper()
	if userpool.ErrorType(err) != typ {
		t.Fatalf("got %v, want %s", err, typ)
	}
}

func TestPasskeyRegistersListsSignsInAndDeletes(t *testing.T) {
	w := newPasskeyWorld(t, localhost())
	a := passkeytest.New()
	must(t, w.register(t, w.token, a, origin))

	keys, next, err := w.passkeys.ListRegistered(ctx, w.token, 0, "")
	must(t, err)
	if len(keys) != 1 || next != "" {
		t.Fatalf("list %+v %q", keys, next)
	}
	k := keys[0]
	if k.ID != a.ID() || k.RelyingPartyID != "localhost" || k.Attachment != "platform" || fmt.Sprint(k.Transports) != "[internal hybrid]" ||
		!k.CreatedAt.Equal(w.clock.Now()) || k.FriendlyName == "" {
		t.Fatalf("passkey %+v", k)
	}

	alice := w.user(t, "alice")
	if has, err := w.passkeys.HasForTest(ctx, &w.pool, &alice); err != nil || !has {
		t.Fatalf("has %v %v", has, err)
	}
	opts, _, err := w.passkeys.BeginForTest(ctx, &w.pool, &w.client, &alice)
	must(t, err)
	var request struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		UserVerification string `json:"userVerification"`
		AllowCredentials []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"allowCredentials"`
	}
	must(t, json.Unmarshal([]byte(opts), &request))
	if request.RPID != "localhost" || request.UserVerification != "preferred" || len(request.AllowCredentials) != 1 ||
		request.AllowCredentials[0].ID != a.ID() || request.Challenge == "" {
		t.Fatalf("request options %s", opts)
	}
	must(t, w.signInWith(t, alice, a, origin))
	must(t, w.signInWith(t, alice, a, "https://localhost")) // https on the RP id works too

	wantType(t, w.passkeys.DeleteRegistered(ctx, w.token, "no-such-id"), userpool.ResourceNotFound)
	must(t, w.passkeys.DeleteRegistered(ctx, w.token, a.ID()))
	wantType(t, w.passkeys.DeleteRegistered(ctx, w.token, a.ID()), userpool.ResourceNotFound)
	if has, _ := w.passkeys.HasForTest(ctx, &w.pool, &alice); has {
		t.Fatal("has a deleted passkey")
	}
}

func TestPasskeyCreationOptionsAreWhatBrowsersTake(t *testing.T) {
	w := newPasskeyWorld(t, &userpool.WebAuthnConfig{RelyingPartyId: "localhost", UserVerification: "required"})
	first := passkeytest.New()
	must(t, w.register(t, w.token, first, origin))
	opts, err := w.passkeys.StartRegistration(ctx, w.token)
	must(t, err)
	var o struct {
		Challenge string `json:"challenge"`
		RP        struct{ ID, Name string }
		User      struct {
			ID, Name    string
			DisplayName string `json:"displayName"`
		}
		PubKeyCredParams []struct {
			Type string `json:"type"`
			Alg  int    `json:"alg"`
		} `json:"pubKeyCredParams"`
		Timeout                int `json:"timeout"`
		AuthenticatorSelection struct {
			ResidentKey      string `json:"residentKey"`
			UserVerification string `json:"userVerification"`
		} `json:"authenticatorSelection"`
		ExcludeCredentials []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
		Extensions struct {
			CredProps bool `json:"credProps"`
		} `json:"extensions"`
	}
	must(t, json.Unmarshal(opts, &o))
	handle, _ := base64.RawURLEncoding.DecodeString(o.User.ID)
	if o.RP.ID != "localhost" || string(handle) != w.user(t, "alice").Sub || o.User.Name != "alice" || o.Challenge == "" ||
		o.Timeout != 300000 || o.AuthenticatorSelection.ResidentKey != "required" || o.AuthenticatorSelection.UserVerification != "required" ||
		len(o.ExcludeCredentials) != 1 || o.ExcludeCredentials[0].ID != first.ID() || len(o.PubKeyCredParams) == 0 || o.PubKeyCredParams[0].Alg != -7 || !o.Extensions.CredProps {
		t.Fatalf("creation options %s", opts)
	}
}

func TestPasskeyRegistrationRefusals(t *testing.T) {
	t.Run("not enabled", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		// UpdateUserPool without a SignInPolicy: PASSWORD alone.
		must(t, w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: w.pool.ID}))
		_, err := w.passkeys.StartRegistration(ctx, w.token)
		wantType(t, err, userpool.WebAuthnNotEnabled)
	})
	t.Run("no relying party id and no domain", func(t *testing.T) {
		w := newPasskeyWorld(t, nil)
		_, err := w.passkeys.StartRegistration(ctx, w.token)
		wantType(t, err, userpool.WebAuthnConfigurationMissing)
	})
	t.Run("the domain is the default relying party", func(t *testing.T) {
		w := newPasskeyWorld(t, nil)
		must(t, w.pools.CreateDomain(ctx, w.pool.ID, "my-app"))
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		var o struct{ RP struct{ ID string } }
		must(t, json.Unmarshal(opts, &o))
		if o.RP.ID != "my-app.auth.us-east-1.amazoncognito.com" {
			t.Fatalf("rp %s", opts)
		}
		a := passkeytest.New()
		must(t, w.register(t, w.token, a, "https://my-app.auth.us-east-1.amazoncognito.com"))
	})
	t.Run("wrong origin", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		for _, bad := range []string{"https://evil.example", "http://localhost.evil.example:80", "http://127.0.0.1:5173", "null"} {
			wantType(t, w.register(t, w.token, passkeytest.New(), bad), userpool.WebAuthnOriginNotAllowed)
		}
	})
	t.Run("http only for localhost", func(t *testing.T) {
		w := newPasskeyWorld(t, &userpool.WebAuthnConfig{RelyingPartyId: "auth.example.com"})
		wantType(t, w.register(t, w.token, passkeytest.New(), "http://auth.example.com"), userpool.WebAuthnOriginNotAllowed)
		must(t, w.register(t, w.token, passkeytest.New(), "https://login.auth.example.com:8443"))
	})
	t.Run("wrong relying party id", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		a := passkeytest.New()
		a.RPID = "example.com"
		wantType(t, w.register(t, w.token, a, origin), userpool.WebAuthnRelyingPartyMismatch)
	})
	t.Run("user verification required", func(t *testing.T) {
		w := newPasskeyWorld(t, &userpool.WebAuthnConfig{RelyingPartyId: "localhost", UserVerification: "required"})
		a := passkeytest.New()
		a.NoUserVerification = true
		wantType(t, w.register(t, w.token, a, origin), userpool.WebAuthnCredentialNotSupported)
	})
	t.Run("multi-factor passkeys need user verification", func(t *testing.T) {
		w := newPasskeyWorld(t, &userpool.WebAuthnConfig{RelyingPartyId: "localhost", FactorConfiguration: "MULTI_FACTOR_WITH_USER_VERIFICATION"})
		a := passkeytest.New()
		a.NoUserVerification = true
		wantType(t, w.register(t, w.token, a, origin), userpool.WebAuthnCredentialNotSupported)
		must(t, w.register(t, w.token, passkeytest.New(), origin))
	})
	t.Run("malformed credential", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.token, []byte(`{"id":"x"}`)), userpool.InvalidParameter)
	})
}

func TestPasskeyRegistrationChallenge(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		resp, _ := passkeytest.New().Register(opts, origin)
		w.clock.Advance(5 * time.Minute)
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.token, resp), userpool.WebAuthnChallengeNotFound)
	})
	t.Run("used", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		resp, _ := passkeytest.New().Register(opts, origin)
		must(t, w.passkeys.CompleteRegistration(ctx, w.token, resp))
		again, _ := passkeytest.New().Register(opts, origin)
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.token, again), userpool.WebAuthnChallengeNotFound)
	})
	t.Run("not issued", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		forged, _ := passkeytest.New().Register([]byte(`{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","rp":{"id":"localhost"},"user":{"id":"YWxpY2U"}}`), origin)
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.token, forged), userpool.WebAuthnChallengeNotFound)
	})
	t.Run("another user", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		w.addUser(t, w.pool, "bob")
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		resp, _ := passkeytest.New().Register(opts, origin)
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.signInAs(t, w.client, "bob"), resp), userpool.WebAuthnChallengeNotFound)
	})
	t.Run("another client", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		other, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: w.pool.ID, ClientSettings: userpool.ClientSettings{
			ClientName: "other", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}}})
		must(t, err)
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		resp, _ := passkeytest.New().Register(opts, origin)
		wantType(t, w.passkeys.CompleteRegistration(ctx, w.signInAs(t, other, "alice"), resp), userpool.WebAuthnClientMismatch)
	})
	t.Run("signed out", func(t *testing.T) {
		w := newPasskeyWorld(t, localhost())
		must(t, w.sessions.GlobalSignOut(ctx, w.token))
		_, err := w.passkeys.StartRegistration(ctx, w.token)
		wantType(t, err, userpool.NotAuthorized)
	})
}

func TestPasskeyLimitPerUser(t *testing.T) {
	w := newPasskeyWorld(t, localhost())
	for range 20 {
		must(t, w.register(t, w.token, passkeytest.New(), origin))
	}
	_, err := w.passkeys.StartRegistration(ctx, w.token)
	wantType(t, err, userpool.LimitExceeded)

	// Pages of at most MaxResults, in order, with every passkey once.
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		keys, next, err := w.passkeys.ListRegistered(ctx, w.token, 7, token)
		must(t, err)
		for _, k := range keys {
			seen[k.ID] = true
		}
		if next == "" {
			if pages != 2 || len(seen) != 20 {
				t.Fatalf("%d pages, %d passkeys", pages+1, len(seen))
			}
			break
		}
		token = next
	}
}

// TestPasskeyLimitHoldsAgainstOpenStarts: Starts opened below the limit
// cannot all complete past it (the store counts at the write).
func TestPasskeyLimitHoldsAgainstOpenStarts(t *testing.T) {
	w := newPasskeyWorld(t, localhost())
	for range 19 {
		must(t, w.register(t, w.token, passkeytest.New(), origin))
	}
	var responses [][]byte
	for range 2 {
		opts, err := w.passkeys.StartRegistration(ctx, w.token)
		must(t, err)
		resp, _ := passkeytest.New().Register(opts, origin)
		responses = append(responses, resp)
	}
	must(t, w.passkeys.CompleteRegistration(ctx, w.token, responses[0]))
	wantType(t, w.passkeys.CompleteRegistration(ctx, w.token, responses[1]), userpool.LimitExceeded)
}

func TestPasskeySignInRefusals(t *testing.T) {
	setup := func(t *testing.T, cfg *userpool.WebAuthnConfig) (*passkeyWorld, userpool.User, *passkeytest.Authenticator) {
		w := newPasskeyWorld(t, cfg)
		a := passkeytest.New()
		must(t, w.register(t, w.token, a, origin))
		return w, w.user(t, "alice"), a
	}
	t.Run("wrong origin", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		wantType(t, w.signInWith(t, alice, a, "https://evil.example"), userpool.NotAuthorized)
	})
	t.Run("wrong relying party id", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		a.RPID = "example.com"
		wantType(t, w.signInWith(t, alice, a, origin), userpool.NotAuthorized)
	})
	t.Run("replayed assertion", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		opts, state, err := w.passkeys.BeginForTest(ctx, &w.pool, &w.client, &alice)
		must(t, err)
		resp, _ := a.Sign([]byte(opts), origin)
		must(t, w.passkeys.FinishForTest(ctx, &w.pool, &w.client, &alice, state, string(resp)))
		wantType(t, w.passkeys.FinishForTest(ctx, &w.pool, &w.client, &alice, state, string(resp)), userpool.NotAuthorized)
	})
	t.Run("sign count went back", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		must(t, w.signInWith(t, alice, a, origin))
		a.SignCount = 0 // the next assertion reports 1 again: a clone
		wantType(t, w.signInWith(t, alice, a, origin), userpool.NotAuthorized)
	})
	t.Run("authenticators without a counter", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		a.NoCounter = true
		must(t, w.signInWith(t, alice, a, origin))
		must(t, w.signInWith(t, alice, a, origin))
	})
	t.Run("unknown credential", func(t *testing.T) {
		w, alice, _ := setup(t, localhost())
		stranger := passkeytest.New()
		stranger.UserHandle = []byte(alice.Sub)
		wantType(t, w.signInWith(t, alice, stranger, origin), userpool.NotAuthorized)
	})
	t.Run("another user's passkey", func(t *testing.T) {
		w, _, a := setup(t, localhost())
		w.addUser(t, w.pool, "bob")
		must(t, w.register(t, w.signInAs(t, w.client, "bob"), passkeytest.New(), origin))
		wantType(t, w.signInWith(t, w.user(t, "bob"), a, origin), userpool.NotAuthorized)
	})
	t.Run("forged signature", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		imposter := passkeytest.New()
		imposter.CredentialID, imposter.UserHandle = a.CredentialID, a.UserHandle
		wantType(t, w.signInWith(t, alice, imposter, origin), userpool.NotAuthorized)
	})
	t.Run("user verification required", func(t *testing.T) {
		w, alice, a := setup(t, &userpool.WebAuthnConfig{RelyingPartyId: "localhost", UserVerification: "required"})
		a.NoUserVerification = true
		wantType(t, w.signInWith(t, alice, a, origin), userpool.NotAuthorized)
	})
	t.Run("expired challenge", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		opts, state, err := w.passkeys.BeginForTest(ctx, &w.pool, &w.client, &alice)
		must(t, err)
		resp, _ := a.Sign([]byte(opts), origin)
		w.clock.Advance(5 * time.Minute)
		wantType(t, w.passkeys.FinishForTest(ctx, &w.pool, &w.client, &alice, state, string(resp)), userpool.NotAuthorized)
	})
	t.Run("another client's challenge", func(t *testing.T) {
		w, alice, a := setup(t, localhost())
		opts, state, err := w.passkeys.BeginForTest(ctx, &w.pool, &w.client, &alice)
		must(t, err)
		resp, _ := a.Sign([]byte(opts), origin)
		other := w.client
		other.ID = "another-client"
		wantType(t, w.passkeys.FinishForTest(ctx, &w.pool, &other, &alice, state, string(resp)), userpool.NotAuthorized)
	})
}

func TestWebAuthnConfigurationValidation(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, _ := w.setup(t, userpool.CreateClientInput{})
	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now}
	for _, bad := range []string{"https://example.com", "example.com:443", "example.com/x", ".example.com", "a..b"} {
		_, err := mfa.SetPoolConfig(ctx, p.ID, "", nil, nil, &userpool.WebAuthnConfig{RelyingPartyId: bad})
		wantType(t, err, userpool.InvalidParameter)
	}
	got, err := mfa.SetPoolConfig(ctx, p.ID, "", nil, nil, &userpool.WebAuthnConfig{RelyingPartyId: "Auth.Example.com", UserVerification: "required"})
	must(t, err)
	if eff := got.Settings.WebAuthn.Effective(); eff != (userpool.WebAuthnConfig{RelyingPartyId: "auth.example.com", UserVerification: "required", FactorConfiguration: "SINGLE_FACTOR"}) {
		t.Fatalf("%+v", eff)
	}
	// UpdateUserPool keeps it (it is SetUserPoolMfaConfig's alone).
	must(t, w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID}))
	if got, _ := w.store.GetPool(ctx, p.ID); got.Settings.WebAuthn == nil || got.Settings.WebAuthn.RelyingPartyId != "auth.example.com" {
		t.Fatalf("UpdateUserPool dropped the WebAuthn configuration: %+v", got.Settings.WebAuthn)
	}
}
