package userpool_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// invitationWorld is senderWorld (functions in fns) whose Users send
// invitations, its outbox mailed to the returned mailbox; template is the
// pool's InviteMessageTemplate ("" none).
func invitationWorld(t *testing.T, fns map[string]userpool.InvokerFunc, template string) (*world, userpool.Pool, userpool.Client, *userpool.Accounts, *mailbox) {
	t.Helper()
	w, p, c, a, _ := senderWorld(t, fns)
	if template != "" {
		settings := p.Settings
		settings.AdminCreateUserConfig = &userpool.AdminCreateUserConfig{InviteMessageTemplate: json.RawMessage(template)}
		if err := w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: settings}); err != nil {
			t.Fatal(err)
		}
		var err error
		if p, err = userpool.GetPool(ctx, w.store, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	mail := &mailbox{}
	a.Mailer = mail
	w.users.Messages = a
	return w, p, c, a, mail
}

var (
	annEmail = attr("email", "ann@example.com")
	annPhone = attr("phone_number", "+15555550101")
)

// AdminCreateUser invites by DesiredDeliveryMediums (default SMS) with the
// pool's template or Cognito's default, the temporary password in place of
// {####}; SUPPRESS sends nothing; the invitation is in the outbox with the
// temporary password as its code, and the password signs in.
func TestInvitation(t *testing.T) {
	const defaultBody = "Your username is ann and temporary password is Temp-Pass-1."
	for _, tc := range []struct {
		name     string
		template string
		attrs    []userpool.Attribute
		action   string
		mediums  []string
		wantErr  [2]string
		want     []userpool.Message // Medium, Destination, Body, Subject (mailed)
	}{
		{name: "default: SMS", attrs: []userpool.Attribute{annEmail, annPhone},
			want: []userpool.Message{{Medium: "SMS", Destination: "+15555550101", Body: defaultBody}}},
		{name: "EMAIL", attrs: []userpool.Attribute{annEmail}, mediums: []string{"EMAIL"},
			want: []userpool.Message{{Medium: "EMAIL", Destination: "ann@example.com", Body: defaultBody, Subject: "Your temporary password"}}},
		{name: "both, the pool's template", attrs: []userpool.Attribute{annEmail, annPhone}, mediums: []string{"SMS", "EMAIL"},
			template: `{"EmailMessage":"Hi {username}, sign in with {####}","EmailSubject":"Welcome","SMSMessage":"{username}: {####}"}`,
			want: []userpool.Message{{Medium: "EMAIL", Destination: "ann@example.com", Body: "Hi ann, sign in with Temp-Pass-1", Subject: "Welcome"},
				{Medium: "SMS", Destination: "+15555550101", Body: "ann: Temp-Pass-1"}}},
		{name: "a desired medium without its attribute is skipped", attrs: []userpool.Attribute{annEmail}, mediums: []string{"SMS", "EMAIL"},
			want: []userpool.Message{{Medium: "EMAIL", Destination: "ann@example.com", Body: defaultBody, Subject: "Your temporary password"}}},
		{name: "SUPPRESS", attrs: []userpool.Attribute{annEmail, annPhone}, action: "SUPPRESS"},
		{name: "no email, no phone: nothing to send"},
		{name: "SMS to a user with only an email", attrs: []userpool.Attribute{annEmail},
			wantErr: [2]string{"InvalidParameterException", "User has no attribute matching desired delivery mediums"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, p, c, a, mail := invitationWorld(t, nil, tc.template)
			_, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "ann", TemporaryPassword: "Temp-Pass-1",
				UserAttributes: tc.attrs, MessageAction: tc.action, DesiredDeliveryMediums: tc.mediums})
			if tc.wantErr[0] != "" {
				wantError(t, err, tc.wantErr[0], tc.wantErr[1])
			} else if err != nil {
				t.Fatal(err)
			}
			got := outbox(t, a, p)
			if len(got) != len(tc.want) {
				t.Fatalf("outbox %+v, want %d messages", got, len(tc.want))
			}
			// The mailer gets every message (SMTP itself keeps the emails).
			if len(mail.msgs) != len(tc.want) {
				t.Fatalf("%d mailed, want %d", len(mail.msgs), len(tc.want))
			}
			for i, want := range tc.want {
				m := got[i]
				if m.Medium != want.Medium || m.Destination != want.Destination || m.Body != want.Body || m.Code != "Temp-Pass-1" ||
					m.Purpose != "invitation" || m.Username != "ann" {
					t.Fatalf("message %d: %+v, want %+v", i, m, want)
				}
				if mailed := mail.msgs[i]; mailed.Subject != want.Subject || mailed.Body != want.Body {
					t.Fatalf("mailed %+v, want %+v", mailed, want)
				}
			}
			// The user stands, and the temporary password signs in.
			if res, err := w.signIn(c, "ann", "Temp-Pass-1"); err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
				t.Fatalf("sign-in with the temporary password: %+v, %v", res, err)
			}
		})
	}
}

// A generated temporary password is the one the invitation carries, and it
// is sealed in the store.
func TestInvitationCarriesTheGeneratedPassword(t *testing.T) {
	w, p, c, a, _ := invitationWorld(t, nil, "")
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "ann",
		UserAttributes: []userpool.Attribute{annEmail}, DesiredDeliveryMediums: []string{"EMAIL"}}); err != nil {
		t.Fatal(err)
	}
	got := outbox(t, a, p)
	if len(got) != 1 || len(got[0].Code) < 8 {
		t.Fatalf("outbox %+v", got)
	}
	// At rest the password is sealed, like codes: not in the stored row.
	raw, err := w.store.ListMessages(ctx, p.ID, "", 0, 10)
	if err != nil || len(raw) != 1 || strings.Contains(raw[0].Code+raw[0].Body, got[0].Code) {
		t.Fatalf("stored %+v, %v", raw, err)
	}
	if res, err := w.signIn(c, "ann", got[0].Code); err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("sign-in with the invitation's password: %+v, %v", res, err)
	}
}

// RESEND invites again with a new temporary password, which replaces the
// old one; only a user still to sign in for the first time can be.
func TestInvitationResend(t *testing.T) {
	w, p, c, a, _ := invitationWorld(t, nil, "")
	create := func(action, password string) error {
		_, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "ann", TemporaryPassword: password,
			UserAttributes: []userpool.Attribute{annEmail}, DesiredDeliveryMediums: []string{"EMAIL"}, MessageAction: action})
		return err
	}
	if err := create("", "Temp-Pass-1"); err != nil {
		t.Fatal(err)
	}
	if err := create("RESEND", ""); err != nil {
		t.Fatal(err)
	}
	got := outbox(t, a, p)
	if len(got) != 2 || got[1].Code == "Temp-Pass-1" || got[1].Purpose != "invitation" {
		t.Fatalf("outbox %+v", got)
	}
	if _, err := w.signIn(c, "ann", "Temp-Pass-1"); userpool.ErrorType(err) != "NotAuthorizedException" {
		t.Fatalf("the old temporary password: %v", err)
	}
	if res, err := w.signIn(c, "ann", got[1].Code); err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("the new one: %+v, %v", res, err)
	}
	if err := w.users.SetPassword(ctx, p.ID, "ann", "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
	wantError(t, create("RESEND", ""), "UnsupportedUserStateException", "Resend not possible. ann status is not FORCE_CHANGE_PASSWORD.")
}

// CustomMessage_AdminCreateUser writes the invitation (codeParameter
// "{####}", usernameParameter "{username}", the call's ClientMetadata, no
// app client); CustomEmailSender_AdminCreateUser takes the temporary
// password instead; a failing function fails the call, sends nothing and
// keeps the user (on RESEND: the old password).
func TestInvitationTriggers(t *testing.T) {
	var seen events.CognitoEventUserPoolsCustomMessage
	failing := false
	w, p, c, a, _ := invitationWorld(t, map[string]userpool.InvokerFunc{
		userpool.TriggerCustomMessage: handler(t, func(ev *events.CognitoEventUserPoolsCustomMessage) error {
			seen = *ev
			if failing {
				return errors.New("no template")
			}
			ev.Response.SMSMessage = "Welcome " + ev.Request.UsernameParameter + ", use " + ev.Request.CodeParameter
			return nil
		}),
		userpool.TriggerCustomEmailSender: handler(t, func(ev *customSenderEvent) error {
			if ev.TriggerSource != "CustomEmailSender_AdminCreateUser" || ev.Request.Code != "Temp-Pass-1" || ev.Request.ClientMetadata["team"] != "ops" ||
				ev.CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" || ev.Request.UserAttributes["email"] != "ann@example.com" {
				t.Errorf("sender event %+v", ev)
			}
			return nil
		}),
	}, "")
	in := userpool.CreateUserInput{UserPoolId: p.ID, Username: "ann", TemporaryPassword: "Temp-Pass-1", ClientMetadata: map[string]string{"team": "ops"},
		UserAttributes: []userpool.Attribute{annEmail, annPhone}, DesiredDeliveryMediums: []string{"EMAIL", "SMS"}}
	if _, err := w.users.CreateUser(ctx, in); err != nil {
		t.Fatal(err)
	}
	if seen.TriggerSource != "CustomMessage_AdminCreateUser" || seen.Request.UsernameParameter != "{username}" || seen.Request.CodeParameter != "{####}" ||
		seen.Request.ClientMetadata["team"] != "ops" || seen.CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" {
		t.Fatalf("CustomMessage event %+v", seen)
	}
	got := outbox(t, a, p)
	if len(got) != 2 || got[0].Medium != "EMAIL" || got[0].Body != "" || got[0].Code != "Temp-Pass-1" ||
		got[1].Medium != "SMS" || got[1].Body != "Welcome ann, use Temp-Pass-1" {
		t.Fatalf("outbox %+v", got)
	}

	failing = true
	in.Username, in.UserAttributes = "bob", []userpool.Attribute{attr("phone_number", "+15555550102")}
	_, err := w.users.CreateUser(ctx, in)
	wantError(t, err, "UserLambdaValidationException", "CustomMessage failed with error no template.")
	if u, err := w.users.GetUser(ctx, p.ID, "bob"); err != nil || u.Status != userpool.StatusForceChangePassword {
		t.Fatalf("bob after the failed invitation: %+v, %v", u, err)
	}
	in.MessageAction, in.TemporaryPassword = "RESEND", "Temp-Pass-2"
	_, err = w.users.CreateUser(ctx, in)
	wantError(t, err, "UserLambdaValidationException", "CustomMessage failed with error no template.")
	if res, err := w.signIn(c, "bob", "Temp-Pass-1"); err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("a failed RESEND changed the password: %+v, %v", res, err)
	}
	if n := len(outbox(t, a, p)); n != 2 {
		t.Fatalf("the failed invitations left %d messages, want 2", n)
	}
}
