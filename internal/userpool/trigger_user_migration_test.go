package userpool_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// oldSystem is the user store a UserMigration function migrates from.
var oldSystem = map[string]string{"mallory": "0ldPassw0rd!"}

// migrator is a UserMigration function over oldSystem: a known name with
// its password (or on forgot-password) comes over with a verified email.
func migrator(t *testing.T, finalStatus string) userpool.InvokerFunc {
	return handler(t, func(ev *events.CognitoEventUserPoolsMigrateUser) error {
		pw, ok := oldSystem[ev.UserName]
		switch {
		case !ok:
			return errors.New("User not found")
		case ev.TriggerSource == "UserMigration_Authentication" && ev.CognitoEventUserPoolsMigrateUserRequest.Password != pw:
			return errors.New("Bad password")
		}
		ev.CognitoEventUserPoolsMigrateUserResponse = events.CognitoEventUserPoolsMigrateUserResponse{
			UserAttributes:  map[string]string{"email": ev.UserName + "@example.com", "email_verified": "true"},
			FinalUserStatus: finalStatus, MessageAction: "SUPPRESS"}
		return nil
	})
}

func TestUserMigrationOnSignIn(t *testing.T) {
	for _, tc := range []struct {
		name, flow, username, password, finalStatus string
		typ, msg                                    string
		status                                      string // of the user afterwards ("" none)
	}{
		{name: "migrated and signed in", flow: "USER_PASSWORD_AUTH", username: "mallory", password: "0ldPassw0rd!", status: userpool.StatusConfirmed},
		{name: "admin flow", flow: "ADMIN_USER_PASSWORD_AUTH", username: "mallory", password: "0ldPassw0rd!", finalStatus: "CONFIRMED", status: userpool.StatusConfirmed},
		{name: "reset required", flow: "USER_PASSWORD_AUTH", username: "mallory", password: "0ldPassw0rd!", finalStatus: "RESET_REQUIRED",
			typ: userpool.PasswordResetRequired, msg: "Password reset required for the user", status: userpool.StatusResetRequired},
		{name: "a wrong old password migrates nobody", flow: "USER_PASSWORD_AUTH", username: "mallory", password: "Wr0ngPassw0rd!",
			typ: "UserLambdaValidationException", msg: "UserMigration failed with error Bad password."},
		{name: "hosted UI", flow: "hosted", username: "mallory", password: "0ldPassw0rd!", status: userpool.StatusConfirmed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, p, c, _, l := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerUserMigration:     migrator(t, tc.finalStatus),
				userpool.TriggerPreAuthentication: handler[events.CognitoEventUserPoolsPreAuthentication](t, nil),
			})
			md := map[string]string{"app": "legacy"}
			var err error
			issued := false
			if tc.flow == "hosted" {
				var step userpool.HostedStep
				step, err = w.auth.HostedSignIn(ctx, &p, &c, tc.username, tc.password)
				issued = err == nil && step.User.Username == tc.username
			} else {
				var r userpool.AuthResult
				r, err = w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: p.ID, ClientId: c.ID, AuthFlow: tc.flow, ClientMetadata: md,
					AuthParameters: map[string]string{"USERNAME": tc.username, "PASSWORD": tc.password}}, tc.flow == "ADMIN_USER_PASSWORD_AUTH")
				issued = r.Tokens != nil
			}
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
			} else if err != nil || !issued {
				t.Fatalf("sign-in: %v, issued %v", err, issued)
			}
			sent := l.sent(t, userpool.TriggerUserMigration)
			if len(sent) != 1 || sent[0]["triggerSource"] != "UserMigration_Authentication" || sent[0]["userName"] != tc.username ||
				sent[0]["request"].(map[string]any)["password"] != tc.password || sent[0]["callerContext"].(map[string]any)["clientId"] != c.ID {
				t.Fatalf("events %v", sent)
			}
			if req := sent[0]["request"].(map[string]any); tc.flow != "hosted" && req["clientMetadata"].(map[string]any)["app"] != "legacy" {
				t.Fatalf("ClientMetadata did not reach UserMigration: %v", req)
			}
			u, gerr := w.users.GetUser(ctx, p.ID, tc.username)
			if tc.status == "" {
				if !userpool.IsType(gerr, userpool.UserNotFound) {
					t.Fatalf("a refused migration left a user: %v", gerr)
				}
				return
			}
			if email, _ := u.Attribute("email"); gerr != nil || u.Status != tc.status || email != "mallory@example.com" {
				t.Fatalf("migrated user %v %s %q", gerr, u.Status, email)
			}
			if len(l.sent(t, userpool.TriggerPreAuthentication)) != 1 {
				t.Fatal("PreAuthentication did not run after the migration")
			}
			if tc.status != userpool.StatusConfirmed {
				return
			}
			// Migrated once: the next sign-in is an ordinary one.
			if _, err := w.signIn(c, tc.username, tc.password); err != nil {
				t.Fatal(err)
			}
			if n := len(l.sent(t, userpool.TriggerUserMigration)); n != 1 {
				t.Fatalf("UserMigration ran %d times", n)
			}
		})
	}
}

// ForgotPassword for a user the pool lacks migrates it (RESET_REQUIRED) and
// sends the reset code; the new password then signs in.
func TestUserMigrationOnForgotPassword(t *testing.T) {
	w, p, c, accounts, l := triggerWorld(t, map[string]userpool.InvokerFunc{userpool.TriggerUserMigration: migrator(t, "")})
	d, err := accounts.ForgotPassword(ctx, c.ID, "", "mallory")
	if err != nil || d.AttributeName != "email" {
		t.Fatalf("%v %+v", err, d)
	}
	sent := l.sent(t, userpool.TriggerUserMigration)
	if len(sent) != 1 || sent[0]["triggerSource"] != "UserMigration_ForgotPassword" {
		t.Fatalf("events %v", sent)
	}
	if _, ok := sent[0]["request"].(map[string]any)["password"]; ok {
		t.Fatalf("forgot-password sent a password: %v", sent[0])
	}
	if u, err := w.users.GetUser(ctx, p.ID, "mallory"); err != nil || u.Status != userpool.StatusResetRequired {
		t.Fatalf("%v %s", err, u.Status)
	}
	if err := accounts.ConfirmForgotPassword(ctx, c.ID, "", "mallory", lastCode(t, accounts, p), "N3wPassw0rd!"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.signIn(c, "mallory", "N3wPassw0rd!"); err != nil {
		t.Fatal(err)
	}
	_, err = accounts.ForgotPassword(ctx, c.ID, "", "nobody")
	wantError(t, err, "UserLambdaValidationException", "UserMigration failed with error User not found.")
}

// The function's messageAction and desiredDeliveryMediums decide the
// welcome message (the invitation, with the password the user signed in
// with); forceAliasCreation moves a verified email another user holds as an
// alias, without it the migration fails.
func TestUserMigrationWelcomeAndAliases(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answer     events.CognitoEventUserPoolsMigrateUserResponse
		aliasTaken bool
		wantErr    [2]string
		welcome    string // the medium of the welcome message ("" none)
	}{
		{name: "SUPPRESS: no welcome", answer: events.CognitoEventUserPoolsMigrateUserResponse{MessageAction: "SUPPRESS"}},
		{name: "welcome by EMAIL", answer: events.CognitoEventUserPoolsMigrateUserResponse{DesiredDeliveryMediums: []string{"EMAIL"}}, welcome: "EMAIL"},
		{name: "RESEND welcomes too", answer: events.CognitoEventUserPoolsMigrateUserResponse{MessageAction: "RESEND", DesiredDeliveryMediums: []string{"SMS", "EMAIL"}}, welcome: "EMAIL"},
		{name: "SMS by default, and no phone: no welcome, migrated"},
		{name: "a taken alias fails the migration", aliasTaken: true, answer: events.CognitoEventUserPoolsMigrateUserResponse{MessageAction: "SUPPRESS"},
			wantErr: [2]string{"AliasExistsException", "An account with the given email already exists."}},
		{name: "forceAliasCreation takes it", aliasTaken: true, answer: events.CognitoEventUserPoolsMigrateUserResponse{MessageAction: "SUPPRESS", ForceAliasCreation: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, p, c, a, _ := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerUserMigration: handler(t, func(ev *events.CognitoEventUserPoolsMigrateUser) error {
					ev.CognitoEventUserPoolsMigrateUserResponse = tc.answer
					ev.CognitoEventUserPoolsMigrateUserResponse.UserAttributes = map[string]string{"email": "mallory@example.com", "email_verified": "true"}
					return nil
				}),
			})
			w.auth.Accounts = a
			if tc.aliasTaken {
				if _, err := w.store.UpdatePool(ctx, p.ID, func(p userpool.Pool) (userpool.Pool, error) {
					p.Settings.AliasAttributes = []string{"email"}
					return p, nil
				}); err != nil {
					t.Fatal(err)
				}
				if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "old", MessageAction: "SUPPRESS",
					UserAttributes: []userpool.Attribute{attr("email", "mallory@example.com"), attr("email_verified", "true")}}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := w.signIn(c, "mallory", "0ldPassw0rd!")
			if tc.wantErr[0] != "" {
				wantError(t, err, tc.wantErr[0], tc.wantErr[1])
				if _, err := w.users.GetUser(ctx, p.ID, "mallory"); !userpool.IsType(err, userpool.UserNotFound) {
					t.Fatalf("mallory: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs := outbox(t, a, p)
			if tc.welcome == "" && len(msgs) != 0 {
				t.Fatalf("welcomed: %+v", msgs)
			}
			if tc.welcome != "" && (len(msgs) != 1 || msgs[0].Medium != tc.welcome || msgs[0].Purpose != "invitation" ||
				msgs[0].Body != "Your username is mallory and temporary password is (the password of your existing account).") {
				t.Fatalf("welcome %+v", msgs)
			}
			if tc.aliasTaken {
				old, err := w.users.GetUser(ctx, p.ID, "old")
				if v, _ := old.Attribute("email_verified"); err != nil || v != "false" {
					t.Fatalf("the previous holder: %v, email_verified %q", err, v)
				}
				if _, err := w.signIn(c, "mallory@example.com", "0ldPassw0rd!"); err != nil {
					t.Fatalf("the moved alias does not sign mallory in: %v", err)
				}
			}
		})
	}
}
