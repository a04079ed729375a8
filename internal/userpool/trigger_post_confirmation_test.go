package userpool_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// PostConfirmation runs after each confirmation, with its source and
// client; when it fails, the confirmation stands and the call returns the
// function's error.
func TestPostConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		source   string
		client   bool // the event names the app client (else CLIENT_ID_NOT_APPLICABLE)
		confirm  func(w *world, p userpool.Pool, c userpool.Client, a *userpool.Accounts) error
		password string // the password that signs in afterwards
	}{
		{name: "ConfirmSignUp", source: "PostConfirmation_ConfirmSignUp", client: true, password: "Passw0rd!",
			confirm: func(w *world, p userpool.Pool, c userpool.Client, a *userpool.Accounts) error {
				return a.ConfirmSignUp(ctx, c.ID, "", "zoe", lastCode(t, a, p))
			}},
		{name: "AdminConfirmSignUp", source: "PostConfirmation_ConfirmSignUp", password: "Passw0rd!",
			confirm: func(w *world, p userpool.Pool, c userpool.Client, a *userpool.Accounts) error {
				return a.AdminConfirmSignUp(ctx, p.ID, "zoe")
			}},
		{name: "ConfirmForgotPassword", source: "PostConfirmation_ConfirmForgotPassword", client: true, password: "N3wPassw0rd!",
			confirm: func(w *world, p userpool.Pool, c userpool.Client, a *userpool.Accounts) error {
				if err := a.AdminConfirmSignUp(ctx, p.ID, "zoe"); err != nil {
					return err
				}
				if err := w.users.UpdateAttributes(ctx, p.ID, "zoe", []userpool.Attribute{attr("email_verified", "true")}); err != nil {
					return err
				}
				if _, err := a.ForgotPassword(ctx, c.ID, "", "zoe"); err != nil {
					return err
				}
				return a.ConfirmForgotPassword(ctx, c.ID, "", "zoe", lastCode(t, a, p), "N3wPassw0rd!")
			}},
	} {
		for _, fail := range []bool{false, true} {
			name := tc.name
			if fail {
				name += " with a failing function"
			}
			t.Run(name, func(t *testing.T) {
				w, p, c, accounts, l := triggerWorld(t, map[string]userpool.InvokerFunc{
					userpool.TriggerPostConfirmation: handler(t, func(ev *events.CognitoEventUserPoolsPostConfirmation) error {
						if fail && ev.TriggerSource == tc.source {
							return errors.New("provisioning failed")
						}
						return nil
					}),
				})
				if _, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "zoe", Password: "Passw0rd!",
					UserAttributes: []userpool.Attribute{attr("email", "zoe@example.com")}}); err != nil {
					t.Fatal(err)
				}
				err := tc.confirm(w, p, c, accounts)
				if fail {
					wantError(t, err, "UserLambdaValidationException", "PostConfirmation failed with error provisioning failed.")
				} else if err != nil {
					t.Fatal(err)
				}
				var ours []map[string]any
				for _, ev := range l.sent(t, userpool.TriggerPostConfirmation) {
					if ev["triggerSource"] == tc.source {
						ours = append(ours, ev)
					}
				}
				wantClient := "CLIENT_ID_NOT_APPLICABLE"
				if tc.client {
					wantClient = c.ID
				}
				if len(ours) != 1 || ours[0]["callerContext"].(map[string]any)["clientId"] != wantClient ||
					ours[0]["request"].(map[string]any)["userAttributes"].(map[string]any)["cognito:user_status"] != "CONFIRMED" {
					t.Fatalf("events %v", ours)
				}
				// The state change stays, failure or not.
				if _, err := w.signIn(c, "zoe", tc.password); err != nil {
					t.Fatalf("after the confirmation, sign-in: %v", err)
				}
			})
		}
	}
}

// lastCode is the code of the newest outbox message of the pool.
func lastCode(t *testing.T, a *userpool.Accounts, p userpool.Pool) string {
	t.Helper()
	msgs, err := a.Outbox(ctx, p.ID, "", 0, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v, %d messages", err, len(msgs))
	}
	return msgs[len(msgs)-1].Code
}
