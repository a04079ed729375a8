package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func TestLogout(t *testing.T) {
	for _, tc := range []struct {
		name      string
		params    func(p *userpool.LogoutParams)
		untrusted string // the page shown
		code      string // the RFC 6749 error sent to the redirect URI
		logoutURI string // where the browser goes
		signIn    bool   // or: signs in again
	}{
		{name: "to a registered logout_uri", params: func(p *userpool.LogoutParams) { p.LogoutURI = signedOut }, logoutURI: signedOut},
		{name: "to sign in again", params: func(p *userpool.LogoutParams) { p.RedirectURI, p.ResponseType = callback, "code" }, signIn: true},
		{name: "unknown client", params: func(p *userpool.LogoutParams) { p.ClientID, p.LogoutURI = "nosuchclient", signedOut },
			untrusted: "Unknown client_id."},
		{name: "no client", params: func(p *userpool.LogoutParams) { p.ClientID, p.LogoutURI = "", signedOut },
			untrusted: "Unknown client_id."},
		{name: "an unregistered logout_uri", params: func(p *userpool.LogoutParams) { p.LogoutURI = "https://evil.example/" },
			untrusted: "The logout_uri is not registered for this client."},
		{name: "a callback URL is no logout_uri", params: func(p *userpool.LogoutParams) { p.LogoutURI = callback },
			untrusted: "The logout_uri is not registered for this client."},
		{name: "through another pool's domain", params: func(p *userpool.LogoutParams) { p.Domain, p.LogoutURI = "other-app", signedOut },
			untrusted: "This client does not belong to this domain's user pool."},
		{name: "through the pool's own domain", params: func(p *userpool.LogoutParams) { p.Domain, p.LogoutURI = "my-app", signedOut },
			logoutURI: signedOut},
		{name: "neither", untrusted: "logout needs logout_uri, or redirect_uri and response_type."},
		{name: "sign in again at an unregistered redirect_uri",
			params:    func(p *userpool.LogoutParams) { p.RedirectURI, p.ResponseType = "https://evil.example/cb", "code" },
			untrusted: "redirect_mismatch: the redirect_uri is not registered for this client."},
		{name: "sign in again with a bad response_type",
			params: func(p *userpool.LogoutParams) { p.RedirectURI, p.ResponseType = callback, "id_token" },
			code:   "unsupported_response_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			pool, client := w.oauthClient(t, nil)
			other, _ := w.oauthClient(t, nil)
			if err := w.pools.CreateDomain(ctx, pool.ID, "my-app"); err != nil {
				t.Fatal(err)
			}
			if err := w.pools.CreateDomain(ctx, other.ID, "other-app"); err != nil {
				t.Fatal(err)
			}
			w.addUser(t, pool, "alice")
			user := w.hostedUser(t, pool, client, "alice")
			ws, err := w.auth.StartWebSession(ctx, &pool, &user)
			if err != nil {
				t.Fatal(err)
			}
			p := userpool.LogoutParams{AuthorizeParams: userpool.AuthorizeParams{ClientID: client.ID, State: "st"}}
			if tc.params != nil {
				tc.params(&p)
			}
			to, err := w.auth.Logout(ctx, p, ws.ID)
			switch {
			case tc.untrusted != "":
				wantUntrusted(t, err, tc.untrusted)
			case tc.code != "":
				wantOAuth(t, err, tc.code, "")
				if to.SignInAgain == nil || to.SignInAgain.RedirectURI != callback || to.SignInAgain.State != "st" {
					t.Fatalf("the refusal would go to %+v", to.SignInAgain)
				}
			case err != nil:
				t.Fatal(err)
			case to.LogoutURI != tc.logoutURI || (to.SignInAgain != nil) != tc.signIn:
				t.Fatalf("target %+v", to)
			case tc.signIn && to.SignInAgain.Scope != "openid email":
				t.Fatalf("signs in again for %q", to.SignInAgain.Scope)
			}
			// Only a logout that goes through ends the session.
			_, err = w.auth.WebSessionUser(ctx, &pool, ws.ID)
			if ended := err != nil; ended != (tc.untrusted == "" && tc.code == "") {
				t.Fatalf("session ended: %v", ended)
			}
		})
	}
}

func TestLogoutWithoutSession(t *testing.T) {
	w := newWorld(t, ":memory:")
	_, client := w.oauthClient(t, nil)
	for _, id := range []string{"", "a-stale-cookie"} {
		p := userpool.LogoutParams{AuthorizeParams: userpool.AuthorizeParams{ClientID: client.ID}, LogoutURI: signedOut}
		if to, err := w.auth.Logout(ctx, p, id); err != nil || to.LogoutURI != signedOut {
			t.Fatalf("logout with cookie %q: %+v, %v", id, to, err)
		}
	}
}
