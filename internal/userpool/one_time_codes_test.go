package userpool_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// A sign-in code is sent like every other code: the CustomMessage function
// writes it (CustomMessage_Authentication, the app client, the placeholder),
// the outbox and SMTP get its message with the code; the sign-in then runs
// the authentication triggers, and the tokens' PreTokenGeneration source is
// TokenGeneration_Authentication.
func TestSignInCodesGoThroughTheTriggers(t *testing.T) {
	custom := handler(t, func(ev *events.CognitoEventUserPoolsCustomMessage) error {
		ev.Response.EmailMessage, ev.Response.EmailSubject = "Sign in with "+ev.Request.CodeParameter, "Your sign-in code"
		return nil
	})
	pass := handler(t, func(ev *map[string]any) error { return nil })
	w, p, _, a, l := triggerWorld(t, map[string]userpool.InvokerFunc{userpool.TriggerCustomMessage: custom,
		userpool.TriggerPreAuthentication: pass, userpool.TriggerPostAuthentication: pass, userpool.TriggerPreTokenGeneration: pass})
	mail := &mailbox{}
	a.Mailer = mail
	w.auth.Accounts = a
	policy, _ := json.Marshal(map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD", "EMAIL_OTP"}})
	if _, err := w.store.UpdatePool(ctx, p.ID, func(p userpool.Pool) (userpool.Pool, error) {
		p.Settings.Policies.SignInPolicy = policy
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "u",
		ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	w.addVerifiedUser(t, p, "zoe", "zoe@example.com")
	r, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_AUTH", ClientMetadata: map[string]string{"app": "web"},
		AuthParameters: map[string]string{"USERNAME": "zoe", "PREFERRED_CHALLENGE": "EMAIL_OTP"}}, false)
	if err != nil || r.ChallengeName != "EMAIL_OTP" {
		t.Fatalf("%+v %v", r, err)
	}
	evs := l.sent(t, userpool.TriggerCustomMessage)
	if len(evs) != 1 || evs[0]["triggerSource"] != "CustomMessage_Authentication" ||
		evs[0]["callerContext"].(map[string]any)["clientId"] != c.ID ||
		evs[0]["request"].(map[string]any)["clientMetadata"].(map[string]any)["app"] != "web" {
		t.Fatalf("CustomMessage events %v", evs)
	}
	m := w.lastCode(t, p, "zoe")
	mailed, n := mail.last()
	if m.Body != "Sign in with "+m.Code || n != 1 || mailed.Subject != "Your sign-in code" || mailed.Body != m.Body {
		t.Fatalf("outbox %+v, mailed %+v", m, mailed)
	}
	if pre := l.sent(t, userpool.TriggerPreAuthentication); len(pre) != 1 || pre[0]["triggerSource"] != "PreAuthentication_Authentication" {
		t.Fatalf("PreAuthentication %v", pre)
	}
	done, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "zoe", "EMAIL_OTP_CODE": m.Code})
	if err != nil || done.Tokens == nil {
		t.Fatalf("%+v %v", done, err)
	}
	if post := l.sent(t, userpool.TriggerPostAuthentication); len(post) != 1 || post[0]["triggerSource"] != "PostAuthentication_Authentication" {
		t.Fatalf("PostAuthentication %v", post)
	}
	if tok := l.sent(t, userpool.TriggerPreTokenGeneration); len(tok) != 1 || tok[0]["triggerSource"] != "TokenGeneration_Authentication" {
		t.Fatalf("PreTokenGeneration %v", tok)
	}
}

// Which MFA follows a password when the user has email MFA: the preferred
// method when the user has both, email only with a verified address.
func TestEmailMFAChoice(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now, Sealer: w.auth.Sealer, Sessions: w.sessions}
	on := true
	if _, err := mfa.SetPoolConfig(ctx, p.ID, "OPTIONAL", &on, &userpool.EmailMfaConfig{Message: "Code {####}"}); err != nil {
		t.Fatal(err)
	}
	w.addVerifiedUser(t, p, "alice", "alice@example.com")
	w.addUser(t, p, "bob") // no email
	err := mfa.AdminSetPreference(ctx, p.ID, "bob", userpool.MFAPreference{Email: &userpool.SoftwareTokenSettings{Enabled: true}})
	wantError(t, err, userpool.InvalidParameter, "User does not have a verified email address.")
	for _, tc := range []struct {
		name        string
		totp, email bool
		preferred   string
		want        string // the challenge; "" tokens
	}{
		{"email only", false, true, "", "EMAIL_OTP"},
		{"both, email preferred", true, true, "EMAIL_OTP", "EMAIL_OTP"},
		{"both, token preferred", true, true, "SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA"},
		{"both, none preferred", true, true, "", "SOFTWARE_TOKEN_MFA"},
		{"neither", false, false, "", ""},
	} {
		if _, err := w.store.UpdateUser(ctx, p.ID, "alice", func(u userpool.User) (userpool.User, error) {
			u.MFA.TOTPEnabled, u.MFA.EmailEnabled, u.MFA.Preferred = tc.totp, tc.email, tc.preferred
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(13 * time.Minute) // the hourly code limit is not the point
		r, err := w.signIn(c, "alice", "Passw0rd!")
		if err != nil || r.ChallengeName != tc.want || (tc.want == "" && r.Tokens == nil) {
			t.Errorf("%s: %+v %v, want %q", tc.name, r, err, tc.want)
		}
	}
}
