package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func TestHostedSignInPassword(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prevent   string // the client's PreventUserExistenceErrors
		before    func(w *world, pool userpool.Pool)
		username  string
		password  string
		challenge string
		typ, msg  string
	}{
		{name: "signed in", username: "alice", password: "Passw0rd!"},
		{name: "a wrong password", username: "alice", password: "wrong",
			typ: userpool.NotAuthorized, msg: "Incorrect username or password."},
		{name: "an unknown user reads as a wrong password (LEGACY)", username: "bob", password: "Passw0rd!",
			typ: userpool.NotAuthorized, msg: "Incorrect username or password."},
		{name: "an unknown user reads as a wrong password (ENABLED)", prevent: "ENABLED", username: "bob", password: "Passw0rd!",
			typ: userpool.NotAuthorized, msg: "Incorrect username or password."},
		{name: "disabled", username: "alice", password: "Passw0rd!", before: func(w *world, pool userpool.Pool) {
			if err := w.users.SetEnabled(ctx, userpool.Caller{}, pool.ID, "alice", false); err != nil {
				panic(err)
			}
		}, typ: userpool.NotAuthorized, msg: "User is disabled."},
		{name: "unconfirmed", username: "alice", password: "Passw0rd!", before: func(w *world, pool userpool.Pool) {
			if _, err := w.store.UpdateUser(ctx, pool.ID, "alice", func(u userpool.User) (userpool.User, error) {
				u.Status = userpool.StatusUnconfirmed
				return u, nil
			}); err != nil {
				panic(err)
			}
		}, typ: userpool.UserNotConfirmed, msg: "User is not confirmed."},
		{name: "a temporary password", username: "carol", password: "Temp0rary!", before: func(w *world, pool userpool.Pool) {
			if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: pool.ID, Username: "carol", TemporaryPassword: "Temp0rary!"}); err != nil {
				panic(err)
			}
		}, challenge: userpool.ChallengeNewPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			pool, client := w.oauthClient(t, func(in *userpool.CreateClientInput) { in.PreventUserExistenceErrors = tc.prevent })
			w.addUser(t, pool, "alice")
			if tc.before != nil {
				tc.before(w, pool)
			}
			step, err := w.auth.HostedSignIn(ctx, &pool, &client, tc.username, tc.password)
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
				return
			}
			if err != nil || step.Challenge != tc.challenge || step.Username != tc.username {
				t.Fatalf("step %+v, %v", step, err)
			}
			if tc.challenge == "" && step.User.Username != tc.username {
				t.Fatalf("signed in %q", step.User.Username)
			}
		})
	}
}
