package userpool_test

import (
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// rotating is a client whose refresh tokens rotate with the given grace.
func rotating(grace int) userpool.CreateClientInput {
	return userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		ExplicitAuthFlows:    []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		RefreshTokenValidity: 2, TokenValidityUnits: &userpool.TokenValidityUnits{RefreshToken: "hours"},
		RefreshTokenRotation: &userpool.RefreshTokenRotation{Feature: "ENABLED", RetryGracePeriodSeconds: grace}}}
}

func (w *world) getTokens(c userpool.Client, tok string) (userpool.AuthResult, error) {
	return w.auth.GetTokensFromRefresh(ctx, userpool.RefreshInput{ClientId: c.ID, RefreshToken: tok})
}

// mustRotate refreshes tok and returns the new refresh token.
func (w *world) mustRotate(t *testing.T, c userpool.Client, tok string) string {
	t.Helper()
	res, err := w.getTokens(c, tok)
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if res.Tokens.RefreshToken == "" || res.Tokens.RefreshToken == tok || res.Tokens.AccessToken == "" || res.Tokens.IDToken == "" {
		t.Fatalf("rotation answered %+v", res.Tokens)
	}
	return res.Tokens.RefreshToken
}

func (w *world) firstRefreshToken(t *testing.T, c userpool.Client) string {
	t.Helper()
	res, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return res.Tokens.RefreshToken
}

func TestGetTokensWithoutRotation(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	r1 := w.firstRefreshToken(t, c)
	for range 2 { // the same token again and again
		res, err := w.getTokens(c, r1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Tokens.RefreshToken != "" || res.Tokens.AccessToken == "" || res.Tokens.IDToken == "" {
			t.Fatalf("non-rotating refresh answered %+v", res.Tokens)
		}
	}
	_, err := w.getTokens(c, "not-a-token")
	wantError(t, err, userpool.NotAuthorized, "Invalid Refresh Token.")
	_, err = w.auth.GetTokensFromRefresh(ctx, userpool.RefreshInput{ClientId: "nope", RefreshToken: r1})
	wantError(t, err, userpool.ResourceNotFound, "User pool client nope does not exist.")
}

func TestRotationHonoursTheGracePeriod(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, rotating(10))
	w.addUser(t, p, "alice")
	r1 := w.firstRefreshToken(t, c)
	r2 := w.mustRotate(t, c, r1)
	w.clock.Advance(9 * time.Second)
	r3 := w.mustRotate(t, c, r1) // a retry inside the grace period
	w.clock.Advance(time.Second)
	_, err := w.getTokens(c, r1)
	wantError(t, err, userpool.RefreshTokenReuse, "Refresh Token has been rotated and its retry grace period has ended.")
	// r2 was retired by the retry 1 s ago: still in its own grace period.
	r4 := w.mustRotate(t, c, r2)
	// Reuse did not end the session: the newest token goes on.
	w.clock.Advance(10 * time.Second)
	for _, old := range []string{r1, r2, r3} {
		_, err := w.getTokens(c, old)
		wantError(t, err, userpool.RefreshTokenReuse, "Refresh Token has been rotated and its retry grace period has ended.")
	}
	r5 := w.mustRotate(t, c, r4)
	// A replacement expires when the original would have (2 h after sign-in).
	w.clock.Advance(2*time.Hour - 20*time.Second - time.Millisecond)
	r6 := w.mustRotate(t, c, r5)
	w.clock.Advance(time.Millisecond)
	_, err = w.getTokens(c, r6)
	wantError(t, err, userpool.NotAuthorized, "Refresh Token has expired")
}

func TestRotationWithoutGracePeriod(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, rotating(0))
	w.addUser(t, p, "alice")
	r1 := w.firstRefreshToken(t, c)
	r2 := w.mustRotate(t, c, r1)
	_, err := w.getTokens(c, r1)
	wantError(t, err, userpool.RefreshTokenReuse, "Refresh Token has been rotated and its retry grace period has ended.")
	w.mustRotate(t, c, r2)
}

func TestRefreshTokenAuthRefusedOnRotatingClient(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, rotating(0))
	w.addUser(t, p, "alice")
	_, err := w.refresh(c, w.firstRefreshToken(t, c))
	wantError(t, err, userpool.InvalidParameter,
		"REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation enabled; use GetTokensFromRefreshToken.")
}

// The rotated tokens stay one session: ending it through any token, or
// through the user, ends every token of the chain, access tokens included.
func TestRotatedChainEndsAsOne(t *testing.T) {
	for _, end := range []struct {
		name string
		fn   func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error
	}{
		{"RevokeToken of the retired token", func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error {
			return w.sessions.RevokeToken(ctx, c.ID, "", r1)
		}},
		{"RevokeToken of the current token", func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error {
			return w.sessions.RevokeToken(ctx, c.ID, "", r2)
		}},
		{"AdminUserGlobalSignOut", func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error {
			return w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{}, p.ID, "alice")
		}},
		{"AdminDisableUser", func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error {
			return w.users.SetEnabled(ctx, userpool.Caller{}, p.ID, "alice", false)
		}},
		{"AdminDeleteUser", func(w *world, p userpool.Pool, c userpool.Client, r1, r2 string) error {
			return w.users.DeleteUser(ctx, p.ID, "alice")
		}},
	} {
		t.Run(end.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			p, c := w.setup(t, rotating(60))
			w.addUser(t, p, "alice")
			r1 := w.firstRefreshToken(t, c)
			res, err := w.getTokens(c, r1)
			if err != nil {
				t.Fatal(err)
			}
			r2, access := res.Tokens.RefreshToken, res.Tokens.AccessToken
			if _, err := w.sessions.Authorize(ctx, access); err != nil {
				t.Fatalf("rotated access token: %v", err)
			}
			if err := end.fn(w, p, c, r1, r2); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{r1, r2} {
				if _, err := w.getTokens(c, tok); userpool.ErrorType(err) != userpool.NotAuthorized {
					t.Fatalf("refresh after the session ended: %v", err)
				}
			}
			if _, err := w.sessions.Authorize(ctx, access); userpool.ErrorType(err) != userpool.NotAuthorized {
				t.Fatalf("access token after the session ended: %v", err)
			}
		})
	}
}

// Rotated tokens keep the session's origin_jti, so revocation finds them.
func TestRotationKeepsTheSession(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, rotating(0))
	w.addUser(t, p, "alice")
	first, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.getTokens(c, first.Tokens.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	a1, err := w.sessions.Authorize(ctx, first.Tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := w.sessions.Authorize(ctx, res.Tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Claims.OriginJTI == "" || a1.Claims.OriginJTI != a2.Claims.OriginJTI || a1.Claims.JTI == a2.Claims.JTI {
		t.Fatalf("origin_jti %q then %q, jti %q then %q", a1.Claims.OriginJTI, a2.Claims.OriginJTI, a1.Claims.JTI, a2.Claims.JTI)
	}
}

func TestGetTokensChecksTheClientSecret(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{GenerateSecret: true})
	w.addUser(t, p, "alice")
	res, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!",
			"SECRET_HASH": userpool.SecretHash(c.Secrets[0].Value, "alice", c.ID)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	r1 := res.Tokens.RefreshToken
	get := func(secret string) error {
		_, err := w.auth.GetTokensFromRefresh(ctx, userpool.RefreshInput{ClientId: c.ID, ClientSecret: secret, RefreshToken: r1})
		return err
	}
	wantError(t, get(""), userpool.NotAuthorized, "Client "+c.ID+" is configured with secret but ClientSecret was not received")
	wantError(t, get("wrong-secret-wrong-secret"), userpool.NotAuthorized, "Unable to verify client secret for client "+c.ID)
	if err := get(c.Secrets[0].Value); err != nil {
		t.Fatal(err)
	}
	// A second secret works beside the first; once the first is deleted
	// only the second does.
	second, generated, err := w.pools.AddClientSecret(ctx, p.ID, c.ID, "")
	if err != nil || !generated || len(second.Value) != 51 {
		t.Fatalf("AddClientSecret: %+v %v %v", second, generated, err)
	}
	_, _, err = w.pools.AddClientSecret(ctx, p.ID, c.ID, second.Value)
	wantError(t, err, userpool.InvalidParameter, "Client "+c.ID+" already has this client secret.")
	for _, sec := range []string{c.Secrets[0].Value, second.Value} {
		if err := get(sec); err != nil {
			t.Fatalf("secret %s…: %v", sec[:4], err)
		}
	}
	_, _, err = w.pools.AddClientSecret(ctx, p.ID, c.ID, "a-third-secret-of-24-chars")
	wantError(t, err, userpool.LimitExceeded, "Client "+c.ID+" already has 2 client secrets; delete one before adding another.")
	if err := w.pools.DeleteClientSecret(ctx, p.ID, c.ID, c.Secrets[0].ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, get(c.Secrets[0].Value), userpool.NotAuthorized, "Unable to verify client secret for client "+c.ID)
	if err := get(second.Value); err != nil {
		t.Fatal(err)
	}
	err = w.pools.DeleteClientSecret(ctx, p.ID, c.ID, second.ID)
	wantError(t, err, userpool.InvalidParameter, "Client secret "+second.ID+" is the last secret of client "+c.ID+" and cannot be deleted.")
	err = w.pools.DeleteClientSecret(ctx, p.ID, c.ID, c.Secrets[0].ID)
	wantError(t, err, userpool.ResourceNotFound, "Client secret "+c.Secrets[0].ID+" does not exist.")
	secs, err := w.pools.ListClientSecrets(ctx, p.ID, c.ID)
	if err != nil || len(secs) != 1 || secs[0].ID != second.ID {
		t.Fatalf("ListClientSecrets: %+v %v", secs, err)
	}
	// A public client cannot get a secret this way.
	_, public := w.setup(t, userpool.CreateClientInput{})
	_, _, err = w.pools.AddClientSecret(ctx, public.PoolID, public.ID, "")
	wantError(t, err, userpool.InvalidParameter, "Client "+public.ID+" has no client secret; secrets can be added only to confidential app clients.")
}
