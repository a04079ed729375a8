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

// TestHostedPasskeyOffer: the login page offers a passkey only where the
// pool allows WEB_AUTHN first and the client USER_AUTH; a name without a
// passkey and a name nobody has read the same. (The sign-in with a
// passkey is e2e's TestHostedUIPasskeySignIn, in Chromium.)
func TestHostedPasskeyOffer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		factors []string
		flows   []string
		offered bool
	}{
		{"WEB_AUTHN and USER_AUTH", []string{"PASSWORD", "WEB_AUTHN"}, []string{"ALLOW_USER_AUTH"}, true},
		{"no WEB_AUTHN in the pool", []string{"PASSWORD", "EMAIL_OTP"}, []string{"ALLOW_USER_AUTH"}, false},
		{"no USER_AUTH for the client", []string{"PASSWORD", "WEB_AUTHN"}, []string{"ALLOW_USER_SRP_AUTH"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pool, client := userAuthWorld(t, "", tc.factors...)
			client.Settings.ExplicitAuthFlows = tc.flows
			if got := userpool.HostedPasskeyOffered(&pool, &client); got != tc.offered {
				t.Fatalf("offered %v, want %v", got, tc.offered)
			}
		})
	}
	for _, prevent := range []string{"ENABLED", "LEGACY"} {
		w, pool, client := userAuthWorld(t, prevent, "PASSWORD", "WEB_AUTHN")
		for _, name := range []string{"alice", "nobody"} {
			_, err := w.auth.HostedPasskeySignIn(ctx, &pool, &client, name)
			wantError(t, err, userpool.NotAuthorized, "No passkey for this username. Sign in with your password.")
		}
		_, err := w.auth.HostedPasskeySignIn(ctx, &pool, &client, "")
		wantError(t, err, userpool.InvalidParameter, "Enter your username to sign in with a passkey.")
	}
}
