package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/passkey/passkeytest"
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

// TestHostedPasskeySignIn runs the login page's passkey sign-in with a
// software authenticator, for a public and a confidential client (whose
// SECRET_HASH the hosted UI supplies): the WEB_AUTHN step, then the signed
// answer signs alice in. Its session serves once, and only its client.
func TestHostedPasskeySignIn(t *testing.T) {
	for _, confidential := range []bool{false, true} {
		w := newPasskeyWorld(t, localhost())
		w.auth.Passkeys = w.passkeys
		a := passkeytest.New()
		must(t, w.register(t, w.token, a, origin))
		c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: w.pool.ID, GenerateSecret: confidential,
			ClientSettings: userpool.ClientSettings{ClientName: "hosted", ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}}})
		must(t, err)
		other := w.sibling(t, w.pool, c)

		step, err := w.auth.HostedPasskeySignIn(ctx, &w.pool, &c, "alice")
		if err != nil || step.Challenge != userpool.ChallengeWebAuthn || step.Username != "alice" || step.Parameters["CREDENTIAL_REQUEST_OPTIONS"] == "" {
			t.Fatalf("confidential %v: step %+v, %v", confidential, step, err)
		}
		answer, err := a.Sign([]byte(step.Parameters["CREDENTIAL_REQUEST_OPTIONS"]), origin)
		must(t, err)
		_, err = w.auth.HostedRespond(ctx, &w.pool, &other, step.Challenge, step.Session, userpool.HostedAnswer{Credential: string(answer)})
		wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
		done, err := w.auth.HostedRespond(ctx, &w.pool, &c, step.Challenge, step.Session, userpool.HostedAnswer{Credential: string(answer)})
		if err != nil || done.Challenge != "" || done.User.Username != "alice" {
			t.Fatalf("confidential %v: answer: %+v, %v", confidential, done, err)
		}
		again, err := w.auth.HostedRespond(ctx, &w.pool, &c, step.Challenge, step.Session, userpool.HostedAnswer{Credential: string(answer)})
		if err == nil || again.Challenge != "" || again.User.Username != "" {
			t.Fatalf("confidential %v: the same answer again: %+v, %v", confidential, again, err)
		}
	}
}
