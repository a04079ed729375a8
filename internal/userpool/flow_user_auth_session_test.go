package userpool_test

import (
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

func TestSignUpSessionSignsInOnceWithinItsValidity(t *testing.T) {
	w, p, _, accounts := signUpWorld(t)
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "u",
		ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	// confirmed signs name up and confirms it with SignUp's session: the
	// session ConfirmSignUp answers.
	confirmed := func(name string) string {
		t.Helper()
		up, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: name, Password: "Passw0rd!",
			UserAttributes: []userpool.Attribute{{Name: "email", Value: name + "@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.auth.SignUpSession(ctx, c.ID, up.UserSub); err != nil {
			t.Fatal(err)
		}
		msgs, _ := accounts.Outbox(ctx, p.ID, name, 0, 10)
		if err := accounts.ConfirmSignUp(ctx, c.ID, "", name, msgs[len(msgs)-1].Code); err != nil {
			t.Fatal(err)
		}
		next, err := w.auth.ConfirmedSession(ctx, c.ID, name)
		if err != nil || next == "" {
			t.Fatalf("ConfirmedSession %q %v", next, err)
		}
		return next
	}
	signIn := func(name, session string) (userpool.AuthResult, error) {
		return w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_AUTH", Session: session,
			AuthParameters: map[string]string{"USERNAME": name}}, false)
	}
	zoe := confirmed("zoe")
	w.clock.Advance(3*time.Minute + 2*time.Second)
	_, err = signIn("zoe", zoe)
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user, session is expired.")

	yan := confirmed("yan")
	w.clock.Advance(2 * time.Minute)
	if r, err := signIn("yan", yan); err != nil || r.Tokens == nil {
		t.Fatalf("%+v %v", r, err)
	}
	_, err = signIn("yan", yan)
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
	_, err = signIn("zoe", confirmed("xia")) // another user's session
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
}
