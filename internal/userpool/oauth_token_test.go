package userpool_test

import (
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// codeTokens signs alice in through the hosted UI and exchanges the code.
func (w *world) codeTokens(tb testing.TB, pool userpool.Pool, client userpool.Client) userpool.Tokens {
	tb.Helper()
	user := w.hostedUser(tb, pool, client, "alice")
	ar, err := w.auth.CheckAuthorizeRequest(ctx, authorize(client))
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := w.auth.GrantTokens(ctx, &pool, &client, userpool.GrantRequest{GrantType: "authorization_code",
		Code: w.auth.IssueCode(&ar, &user, ""), RedirectURI: callback})
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func TestGrantTokensRefreshAndUnknownGrants(t *testing.T) {
	const unsupported = "grant_type must be authorization_code, refresh_token or client_credentials."
	for _, tc := range []struct {
		name   string
		before func(w *world, pool userpool.Pool)
		req    func(r *userpool.GrantRequest, other string)
		code   string
		desc   string
	}{
		{name: "refreshed"},
		{name: "no refresh_token", req: func(r *userpool.GrantRequest, _ string) { r.RefreshToken = "" },
			code: "invalid_request", desc: "Missing required parameter refresh_token"},
		{name: "unknown refresh_token", req: func(r *userpool.GrantRequest, _ string) { r.RefreshToken = "nope" },
			code: "invalid_grant", desc: "Invalid Refresh Token."},
		{name: "another client's refresh_token", req: func(r *userpool.GrantRequest, other string) { r.RefreshToken = other },
			code: "invalid_grant", desc: "Invalid Refresh Token."},
		{name: "revoked by global sign-out", before: func(w *world, pool userpool.Pool) {
			if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{}, pool.ID, "alice"); err != nil {
				panic(err)
			}
		}, code: "invalid_grant", desc: "Refresh Token has been revoked"},
		{name: "expired", before: func(w *world, _ userpool.Pool) { w.clock.Advance(30 * 24 * time.Hour) },
			code: "invalid_grant", desc: "Refresh Token has expired"},
		{name: "user disabled (which signs out)", before: func(w *world, pool userpool.Pool) {
			if err := w.users.SetEnabled(ctx, userpool.Caller{}, pool.ID, "alice", false); err != nil {
				panic(err)
			}
		}, code: "invalid_grant", desc: "Refresh Token has been revoked"},
		{name: "no grant_type", req: func(r *userpool.GrantRequest, _ string) { r.GrantType = "" },
			code: "unsupported_grant_type", desc: unsupported},
		{name: "the password grant", req: func(r *userpool.GrantRequest, _ string) { r.GrantType = "password" },
			code: "unsupported_grant_type", desc: unsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			pool, client := w.oauthClient(t, nil)
			other := w.sibling(t, pool, client)
			w.addUser(t, pool, "alice")
			mine, theirs := w.codeTokens(t, pool, client), w.codeTokens(t, pool, other)
			if tc.before != nil {
				tc.before(w, pool)
			}
			req := userpool.GrantRequest{GrantType: "refresh_token", RefreshToken: mine.RefreshToken}
			if tc.req != nil {
				tc.req(&req, theirs.RefreshToken)
			}
			tok, err := w.auth.GrantTokens(ctx, &pool, &client, req)
			if tc.code != "" {
				wantOAuth(t, err, tc.code, tc.desc)
				return
			}
			if err != nil || tok.AccessToken == "" || tok.IDToken == "" {
				t.Fatalf("refreshed %+v, %v", tok, err)
			}
		})
	}
}

func TestClientCredentialsGrant(t *testing.T) {
	w := newWorld(t, ":memory:")
	settings := func(flows, scopes []string) userpool.ClientSettings {
		return userpool.ClientSettings{ClientName: "svc", AllowedOAuthFlows: flows, AllowedOAuthScopes: scopes, AllowedOAuthFlowsUserPoolClient: true}
	}
	pool, public := w.setup(t, userpool.CreateClientInput{ClientSettings: settings([]string{"client_credentials"}, []string{"api/read"})})
	client := func(secret bool, flows, scopes []string) userpool.Client {
		c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: pool.ID, GenerateSecret: secret, ClientSettings: settings(flows, scopes)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	service := client(true, []string{"client_credentials"}, []string{"openid", "api/read", "api/write"})
	codeOnly := client(true, []string{"code"}, []string{"api/read"})
	noResourceScope := client(true, []string{"client_credentials"}, []string{"openid"})
	for _, tc := range []struct {
		name   string
		client userpool.Client
		scope  string
		want   string // the scope granted
		code   string
		desc   string
	}{
		{name: "no scope asks for every resource-server scope", client: service, want: "api/read api/write"},
		{name: "one scope", client: service, scope: "api/write", want: "api/write"},
		{name: "a public client", client: public, code: "unauthorized_client", desc: "The client is not allowed the client_credentials grant."},
		{name: "the grant not allowed", client: codeOnly, code: "unauthorized_client", desc: "The client is not allowed the client_credentials grant."},
		{name: "no resource-server scope allowed", client: noResourceScope,
			code: "invalid_scope", desc: "No resource-server scope is allowed for this client."},
		{name: "an OIDC scope", client: service, scope: "openid", code: "invalid_scope", desc: "Scope openid is not allowed for this client."},
		{name: "a scope not allowed", client: service, scope: "api/read api/admin", code: "invalid_scope", desc: "Scope api/admin is not allowed for this client."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := w.auth.GrantTokens(ctx, &pool, &tc.client, userpool.GrantRequest{GrantType: "client_credentials", Scope: tc.scope})
			if tc.code != "" {
				wantOAuth(t, err, tc.code, tc.desc)
				return
			}
			if err != nil || tok.IDToken != "" || tok.RefreshToken != "" || tok.ExpiresIn != 3600 {
				t.Fatalf("tokens %+v, %v", tok, err)
			}
			claims, err := w.auth.Tokens.VerifyAccess(ctx, tok.AccessToken)
			if err != nil || claims.Scope != tc.want || claims.ClientID != tc.client.ID {
				t.Fatalf("access token %+v, %v", claims, err)
			}
		})
	}
}
