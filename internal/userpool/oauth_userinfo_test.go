package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func TestUserInfo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token func(w *world, pool userpool.Pool, client userpool.Client) string
		msg   string // the NotAuthorized message, if refused
	}{
		{name: "an openid token", token: func(w *world, pool userpool.Pool, client userpool.Client) string {
			return w.codeTokens(t, pool, client).AccessToken
		}},
		{name: "a token without openid", token: func(w *world, _ userpool.Pool, client userpool.Client) string {
			res, err := w.signIn(client, "alice", "Passw0rd!")
			if err != nil {
				panic(err)
			}
			return res.Tokens.AccessToken
		}, msg: "Access Token does not have required scopes"},
		{name: "after global sign-out", token: func(w *world, pool userpool.Pool, client userpool.Client) string {
			tok := w.codeTokens(t, pool, client).AccessToken
			if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{}, pool.ID, "alice"); err != nil {
				panic(err)
			}
			return tok
		}, msg: "Access Token has been revoked"},
		{name: "the client deleted since", token: func(w *world, pool userpool.Pool, client userpool.Client) string {
			tok := w.codeTokens(t, pool, client).AccessToken
			if err := w.pools.DeleteClient(ctx, pool.ID, client.ID); err != nil {
				panic(err)
			}
			return tok
		}, msg: "Access Token has been revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			pool, client := w.oauthClient(t, func(in *userpool.CreateClientInput) {
				in.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
			})
			w.addUser(t, pool, "alice")
			claims, err := w.sessions.UserInfo(ctx, tc.token(w, pool, client))
			if tc.msg != "" {
				wantError(t, err, userpool.NotAuthorized, tc.msg)
				return
			}
			if err != nil || claims["sub"] == "" || claims["username"] != "alice" {
				t.Fatalf("claims %v, %v", claims, err)
			}
		})
	}
}
