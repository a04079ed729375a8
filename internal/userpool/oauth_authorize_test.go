package userpool_test

import (
	"errors"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

const (
	callback  = "https://app.example/cb"
	signedOut = "https://app.example/bye"
)

// oauthClient is an app client of a new pool set up for the hosted UI:
// the code and implicit flows, openid and email, one callback and one
// sign-out URL; change adjusts it before it is created.
func (w *world) oauthClient(tb testing.TB, change func(*userpool.CreateClientInput)) (userpool.Pool, userpool.Client) {
	tb.Helper()
	in := userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		CallbackURLs: []string{callback}, LogoutURLs: []string{signedOut},
		AllowedOAuthFlows: []string{"code", "implicit"}, AllowedOAuthScopes: []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true}}
	if change != nil {
		change(&in)
	}
	return w.setup(tb, in)
}

// sibling is another client of pool with the settings of c.
func (w *world) sibling(tb testing.TB, pool userpool.Pool, c userpool.Client) userpool.Client {
	tb.Helper()
	other, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: pool.ID, ClientSettings: c.Settings})
	if err != nil {
		tb.Fatal(err)
	}
	return other
}

// authorize is a valid authorization request of c for code.
func authorize(c userpool.Client) userpool.AuthorizeParams {
	return userpool.AuthorizeParams{ClientID: c.ID, ResponseType: "code", RedirectURI: callback, State: "st"}
}

func wantOAuth(t *testing.T, err error, code, desc string) {
	t.Helper()
	var oe *userpool.OAuthError
	if !errors.As(err, &oe) || oe.Code != code || oe.Description != desc {
		t.Fatalf("got %v, want OAuth error %s: %q", err, code, desc)
	}
}

func wantUntrusted(t *testing.T, err error, msg string) {
	t.Helper()
	var ue *userpool.UntrustedRedirectError
	if !errors.As(err, &ue) || ue.Message != msg {
		t.Fatalf("got %v, want an untrusted-redirect page %q", err, msg)
	}
}

func TestCheckAuthorizeRequest(t *testing.T) {
	w := newWorld(t, ":memory:")
	pool, client := w.oauthClient(t, nil)
	_, noFlows := w.oauthClient(t, func(in *userpool.CreateClientInput) { in.AllowedOAuthFlowsUserPoolClient = false })
	_, codeOnly := w.oauthClient(t, func(in *userpool.CreateClientInput) { in.AllowedOAuthFlows = []string{"code"} })
	_, implicitOnly := w.oauthClient(t, func(in *userpool.CreateClientInput) { in.AllowedOAuthFlows = []string{"implicit"} })
	other, _ := w.oauthClient(t, nil)
	if err := w.pools.CreateDomain(ctx, pool.ID, "my-app"); err != nil {
		t.Fatal(err)
	}
	if err := w.pools.CreateDomain(ctx, other.ID, "other-app"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		params    func(p *userpool.AuthorizeParams)
		untrusted string // the page shown, when no redirect is trusted
		code      string // the RFC 6749 error sent to the redirect URI
		scope     string // granted, when valid
	}{
		{name: "valid, no scope asks for all allowed", scope: "openid email"},
		{name: "valid, a subset of the scopes", params: func(p *userpool.AuthorizeParams) { p.Scope = "openid" }, scope: "openid"},
		{name: "implicit", params: func(p *userpool.AuthorizeParams) { p.ResponseType = "token" }, scope: "openid email"},
		{name: "PKCE S256", params: func(p *userpool.AuthorizeParams) { p.CodeChallenge, p.CodeChallengeMethod = "abc", "S256" }, scope: "openid email"},
		{name: "the client's own domain", params: func(p *userpool.AuthorizeParams) { p.Domain = "my-app" }, scope: "openid email"},
		{name: "a host that is no domain binds nothing", params: func(p *userpool.AuthorizeParams) { p.Domain = "localhost:9229" }, scope: "openid email"},
		{name: "no client_id", params: func(p *userpool.AuthorizeParams) { p.ClientID = "" }, untrusted: "The request is missing client_id."},
		{name: "unknown client", params: func(p *userpool.AuthorizeParams) { p.ClientID = "nosuchclient" }, untrusted: "Unknown client_id."},
		{name: "another pool's domain", params: func(p *userpool.AuthorizeParams) { p.Domain = "other-app" },
			untrusted: "This client does not belong to this domain's user pool."},
		{name: "no redirect_uri", params: func(p *userpool.AuthorizeParams) { p.RedirectURI = "" },
			untrusted: "redirect_mismatch: the redirect_uri is not registered for this client."},
		{name: "unregistered redirect_uri", params: func(p *userpool.AuthorizeParams) { p.RedirectURI = "https://evil.example/cb" },
			untrusted: "redirect_mismatch: the redirect_uri is not registered for this client."},
		{name: "a redirect_uri that only starts like one", params: func(p *userpool.AuthorizeParams) { p.RedirectURI = callback + "/x" },
			untrusted: "redirect_mismatch: the redirect_uri is not registered for this client."},
		{name: "OAuth flows off for the client", params: func(p *userpool.AuthorizeParams) { p.ClientID = noFlows.ID }, code: "unauthorized_client"},
		{name: "code not allowed", params: func(p *userpool.AuthorizeParams) { p.ClientID = implicitOnly.ID }, code: "unauthorized_client"},
		{name: "implicit not allowed", params: func(p *userpool.AuthorizeParams) { p.ClientID, p.ResponseType = codeOnly.ID, "token" },
			code: "unauthorized_client"},
		{name: "no response_type", params: func(p *userpool.AuthorizeParams) { p.ResponseType = "" }, code: "unsupported_response_type"},
		{name: "unknown response_type", params: func(p *userpool.AuthorizeParams) { p.ResponseType = "id_token" }, code: "unsupported_response_type"},
		{name: "a scope not allowed", params: func(p *userpool.AuthorizeParams) { p.Scope = "openid profile" }, code: "invalid_scope"},
		{name: "PKCE plain", params: func(p *userpool.AuthorizeParams) { p.CodeChallenge, p.CodeChallengeMethod = "abc", "plain" },
			code: "invalid_request"},
		{name: "PKCE without a method", params: func(p *userpool.AuthorizeParams) { p.CodeChallenge = "abc" }, code: "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := authorize(client)
			if tc.params != nil {
				tc.params(&p)
			}
			ar, err := w.auth.CheckAuthorizeRequest(ctx, p)
			switch {
			case tc.untrusted != "":
				wantUntrusted(t, err, tc.untrusted)
			case tc.code != "":
				wantOAuth(t, err, tc.code, "")
				// The refusal goes back to the registered URI, with the state.
				if ar.RedirectURI != callback || ar.State != "st" {
					t.Fatalf("refusal would go to %q with state %q", ar.RedirectURI, ar.State)
				}
			case err != nil:
				t.Fatal(err)
			case ar.Scope != tc.scope || ar.Pool.ID != pool.ID || ar.Client.ID != client.ID:
				t.Fatalf("granted %q of pool %s client %s", ar.Scope, ar.Pool.ID, ar.Client.ID)
			}
		})
	}
}
