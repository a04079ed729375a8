package userpool_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

const verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"

// s256 is the PKCE challenge of a verifier.
func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestAuthorizationCodeGrant(t *testing.T) {
	type setup struct {
		w      *world
		pool   userpool.Pool
		client userpool.Client
		other  userpool.Client // another client of the pool
	}
	for _, tc := range []struct {
		name      string
		challenge string                                   // PKCE S256 challenge of the authorization request
		before    func(s *setup, code string)              // between authorization and exchange
		req       func(s *setup, r *userpool.GrantRequest) // changes the exchange
		as        func(s *setup) userpool.Client           // who exchanges, if not the client
		code      string                                   // the OAuth error, if refused
		desc      string
	}{
		{name: "exchanged"},
		{name: "exchanged in the code's last second", before: func(s *setup, _ string) { s.w.clock.Advance(5 * time.Minute) }},
		{name: "PKCE with its verifier", challenge: s256(verifier),
			req: func(_ *setup, r *userpool.GrantRequest) { r.CodeVerifier = verifier }},
		{name: "no code", req: func(_ *setup, r *userpool.GrantRequest) { r.Code = "" },
			code: "invalid_request", desc: "code and redirect_uri are required."},
		{name: "no redirect_uri", req: func(_ *setup, r *userpool.GrantRequest) { r.RedirectURI = "" },
			code: "invalid_request", desc: "code and redirect_uri are required."},
		{name: "not base64", req: func(_ *setup, r *userpool.GrantRequest) { r.Code = "%%%" },
			code: "invalid_grant", desc: "Invalid authorization code."},
		{name: "not sealed by this server", req: func(_ *setup, r *userpool.GrantRequest) { r.Code = "bm90IGEgY29kZQ" },
			code: "invalid_grant", desc: "Invalid authorization code."},
		{name: "another client's code", as: func(s *setup) userpool.Client { return s.other },
			code: "invalid_grant", desc: "Invalid authorization code."},
		{name: "expired", before: func(s *setup, _ string) { s.w.clock.Advance(5*time.Minute + time.Second) },
			code: "invalid_grant", desc: "The authorization code has expired."},
		{name: "another redirect_uri", req: func(_ *setup, r *userpool.GrantRequest) { r.RedirectURI = callback + "?x=1" },
			code: "invalid_grant", desc: "redirect_uri does not match the authorization request."},
		{name: "PKCE without the verifier", challenge: s256(verifier),
			code: "invalid_grant", desc: "The code_verifier does not match the code_challenge."},
		{name: "PKCE with another verifier", challenge: s256(verifier),
			req:  func(_ *setup, r *userpool.GrantRequest) { r.CodeVerifier = verifier + "x" },
			code: "invalid_grant", desc: "The code_verifier does not match the code_challenge."},
		{name: "spent", before: func(s *setup, code string) {
			if _, err := s.w.auth.GrantTokens(ctx, &s.pool, &s.client, userpool.GrantRequest{GrantType: "authorization_code",
				Code: code, RedirectURI: callback}); err != nil {
				panic(err)
			}
		}, code: "invalid_grant", desc: "The authorization code has already been used."},
		{name: "user disabled since", before: func(s *setup, _ string) {
			if err := s.w.users.SetEnabled(ctx, userpool.Caller{}, s.pool.ID, "alice", false); err != nil {
				panic(err)
			}
		}, code: "invalid_grant", desc: "The user is not available."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			pool, client := w.oauthClient(t, nil)
			other := w.sibling(t, pool, client)
			s := &setup{w: w, pool: pool, client: client, other: other}
			w.addUser(t, pool, "alice")
			user := w.hostedUser(t, pool, client, "alice")
			p := authorize(client)
			if tc.challenge != "" {
				p.CodeChallenge, p.CodeChallengeMethod = tc.challenge, "S256"
			}
			ar, err := w.auth.CheckAuthorizeRequest(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "spent" {
				// The store forgets spent codes by the wall clock (the
				// sweep in ConsumeNonce): this case runs at the real time.
				w.clock.Advance(time.Since(w.clock.Now()))
			}
			code := w.auth.IssueCode(&ar, &user, "")
			if tc.before != nil {
				tc.before(s, code)
			}
			req := userpool.GrantRequest{GrantType: "authorization_code", Code: code, RedirectURI: callback}
			if tc.req != nil {
				tc.req(s, &req)
			}
			as := client
			if tc.as != nil {
				as = tc.as(s)
			}
			tok, err := w.auth.GrantTokens(ctx, &pool, &as, req)
			if tc.code != "" {
				wantOAuth(t, err, tc.code, tc.desc)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" {
				t.Fatalf("tokens %+v", tok)
			}
			claims, err := w.auth.Tokens.VerifyAccess(ctx, tok.AccessToken)
			if err != nil || claims.Sub != user.Sub || claims.Scope != "openid email" {
				t.Fatalf("access token: %+v, %v", claims, err)
			}
		})
	}
}

func TestImplicitGrantHasNoRefreshToken(t *testing.T) {
	w := newWorld(t, ":memory:")
	pool, client := w.oauthClient(t, nil)
	w.addUser(t, pool, "alice")
	user := w.hostedUser(t, pool, client, "alice")
	p := authorize(client)
	p.ResponseType, p.Nonce = "token", "n-1"
	ar, err := w.auth.CheckAuthorizeRequest(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := w.auth.IssueImplicit(ctx, &ar, &user)
	if err != nil || tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken != "" {
		t.Fatalf("implicit tokens %+v, %v", tok, err)
	}
}

// nonceSpy is the real store, recording how long each nonce is kept.
type nonceSpy struct {
	userpool.Store
	kept []time.Time
}

func (s *nonceSpy) ConsumeNonce(ctx context.Context, nonce string, expires time.Time) error {
	s.kept = append(s.kept, expires)
	return s.Store.ConsumeNonce(ctx, nonce, expires)
}

// A spent code must be remembered for as long as it would be accepted: a
// store may forget it once its expiry has passed, and a replay in the
// code's last second would then be taken for a first use.
func TestSpentCodeRememberedWhileAccepted(t *testing.T) {
	w := newWorld(t, ":memory:")
	pool, client := w.oauthClient(t, nil)
	w.addUser(t, pool, "alice")
	user := w.hostedUser(t, pool, client, "alice")
	spy := &nonceSpy{Store: w.store}
	auth := &userpool.Auth{Store: spy, Now: w.clock.Now, Credentials: w.auth.Credentials, Tokens: w.auth.Tokens, Sealer: w.auth.Sealer}
	ar, err := auth.CheckAuthorizeRequest(ctx, authorize(client))
	if err != nil {
		t.Fatal(err)
	}
	issued := w.clock.Now()
	code := auth.IssueCode(&ar, &user, "")
	w.clock.Advance(5*time.Minute + 999*time.Millisecond) // the code's last accepted instant
	if _, err := auth.GrantTokens(ctx, &pool, &client, userpool.GrantRequest{GrantType: "authorization_code",
		Code: code, RedirectURI: callback}); err != nil {
		t.Fatal(err)
	}
	if len(spy.kept) != 1 || spy.kept[0].Before(issued.Add(5*time.Minute+time.Second)) {
		t.Fatalf("the spent code is kept until %v; it is accepted until %v", spy.kept, issued.Add(5*time.Minute+time.Second))
	}
}
