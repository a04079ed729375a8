package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func TestRevokeOAuth(t *testing.T) {
	for _, tc := range []struct {
		name      string
		revokeOff bool
		token     func(mine, theirs userpool.Tokens) string
		code      string
		desc      string
	}{
		{name: "its own refresh token", token: func(mine, _ userpool.Tokens) string { return mine.RefreshToken }},
		{name: "an unknown token (RFC 7009)", token: func(userpool.Tokens, userpool.Tokens) string { return "unknown" }},
		{name: "an access token", token: func(mine, _ userpool.Tokens) string { return mine.AccessToken },
			code: "unsupported_token_type", desc: "The token type is not supported for revocation; only refresh tokens can be revoked."},
		{name: "another client's refresh token", token: func(_, theirs userpool.Tokens) string { return theirs.RefreshToken },
			code: "unauthorized_client", desc: "Client is not authorized to revoke this token."},
		{name: "revocation off for the client", revokeOff: true, token: func(mine, _ userpool.Tokens) string { return mine.RefreshToken },
			code: "unauthorized_client", desc: "Token revocation is not enabled for this app client."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			on := !tc.revokeOff
			pool, client := w.oauthClient(t, func(in *userpool.CreateClientInput) { in.EnableTokenRevocation = &on })
			other := w.sibling(t, pool, client)
			w.addUser(t, pool, "alice")
			mine, theirs := w.codeTokens(t, pool, client), w.codeTokens(t, pool, other)
			err := w.sessions.RevokeOAuth(ctx, &client, tc.token(mine, theirs))
			if tc.code != "" {
				wantOAuth(t, err, tc.code, tc.desc)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.auth.GrantTokens(ctx, &pool, &client, userpool.GrantRequest{GrantType: "refresh_token", RefreshToken: mine.RefreshToken})
			if revoked := err != nil; revoked != (tc.name == "its own refresh token") {
				t.Fatalf("refresh after revocation: %v", err)
			}
		})
	}
}
