package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// twoSecrets is a confidential client of pool with the secrets
// first-secret and second-secret.
func (w *world) twoSecrets(tb testing.TB, pool userpool.Pool) userpool.Client {
	tb.Helper()
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: pool.ID, ClientSecret: "first-secret",
		ClientSettings: userpool.ClientSettings{ClientName: "conf"}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := w.pools.AddClientSecret(ctx, pool.ID, c.ID, "second-secret"); err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestAuthenticateClient(t *testing.T) {
	w := newWorld(t, ":memory:")
	pool, public := w.setup(t, userpool.CreateClientInput{})
	confidential := w.twoSecrets(t, pool)
	other, _ := w.setup(t, userpool.CreateClientInput{})
	if err := w.pools.CreateDomain(ctx, pool.ID, "my-app"); err != nil {
		t.Fatal(err)
	}
	if err := w.pools.CreateDomain(ctx, other.ID, "other-app"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, domain, client, secret string
		ok                           bool
	}{
		{name: "a public client, no secret", client: public.ID, ok: true},
		{name: "a public client ignores a secret", client: public.ID, secret: "anything", ok: true},
		{name: "the first secret", client: confidential.ID, secret: "first-secret", ok: true},
		{name: "the second secret", client: confidential.ID, secret: "second-secret", ok: true},
		{name: "through the pool's own domain", domain: "my-app", client: confidential.ID, secret: "first-secret", ok: true},
		{name: "a host that is no domain", domain: "localhost:9229", client: public.ID, ok: true},
		{name: "a wrong secret", client: confidential.ID, secret: "first-secreT"},
		{name: "a secret's prefix", client: confidential.ID, secret: "first"},
		{name: "no secret", client: confidential.ID},
		{name: "unknown client", client: "nosuchclient"},
		{name: "no client", client: ""},
		{name: "through another pool's domain", domain: "other-app", client: confidential.ID, secret: "first-secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p, err := w.auth.AuthenticateClient(ctx, tc.domain, tc.client, tc.secret)
			if !tc.ok {
				wantOAuth(t, err, "invalid_client", "Client authentication failed.")
				return
			}
			if err != nil || c.ID != tc.client || p.ID != pool.ID {
				t.Fatalf("client %q of pool %q: %v", c.ID, p.ID, err)
			}
		})
	}
}

// RevokeToken (the API) checks secrets with the same rule, and answers in
// Cognito's words.
func TestRevokeTokenAuthenticatesTheClient(t *testing.T) {
	w := newWorld(t, ":memory:")
	pool, _ := w.setup(t, userpool.CreateClientInput{})
	confidential := w.twoSecrets(t, pool)
	for _, tc := range []struct {
		name, client, secret string
		typ, msg             string
	}{
		{name: "the second secret", client: confidential.ID, secret: "second-secret"},
		{name: "a wrong secret", client: confidential.ID, secret: "nope", typ: userpool.Unauthorized, msg: "Client authentication failed."},
		{name: "unknown client", client: "nosuchclient", typ: userpool.Unauthorized, msg: "Client is not authorized to revoke this token."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An unknown refresh token is not an error (RFC 7009).
			err := w.sessions.RevokeToken(ctx, tc.client, tc.secret, "unknown-refresh-token")
			if tc.typ == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantError(t, err, tc.typ, tc.msg)
		})
	}
}
