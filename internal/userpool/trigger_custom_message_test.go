package userpool_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// mailbox is a Mailer that keeps what it is handed (the SMTP path).
type mailbox struct {
	mu   sync.Mutex
	msgs []userpool.Message
}

func (m *mailbox) Deliver(_ context.Context, msg userpool.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
}

func (m *mailbox) last() (userpool.Message, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.msgs) == 0 {
		return userpool.Message{}, 0
	}
	return m.msgs[len(m.msgs)-1], len(m.msgs)
}

// customMessageFlow is a user "zoe" (email and phone_number, email
// verified by the pool) at the point where one message is about to be sent;
// send sends it.
type customMessageFlow struct {
	name     string
	source   string
	client   bool   // the event names the app client (else CLIENT_ID_NOT_APPLICABLE)
	medium   string // EMAIL or SMS
	metadata map[string]string
	confirm  bool // zoe is confirmed, her email verified, and signed in first
	send     func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, access string) error
}

var customMessageFlows = []customMessageFlow{
	{name: "SignUp", source: "CustomMessage_SignUp", client: true, medium: "EMAIL", metadata: map[string]string{"campaign": "spring"},
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, _ string) error {
			_, err := a.SignUp(ctx, signUpZoe(c, map[string]string{"campaign": "spring"}))
			return err
		}},
	{name: "ResendConfirmationCode", source: "CustomMessage_ResendCode", client: true, medium: "EMAIL",
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, _ string) error {
			_, err := a.ResendConfirmationCode(ctx, c.ID, "", "zoe")
			return err
		}},
	{name: "ForgotPassword", source: "CustomMessage_ForgotPassword", client: true, medium: "EMAIL", confirm: true,
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, _ string) error {
			_, err := a.ForgotPassword(ctx, c.ID, "", "zoe")
			return err
		}},
	{name: "AdminResetUserPassword", source: "CustomMessage_ForgotPassword", medium: "EMAIL", confirm: true,
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, _ string) error {
			return a.AdminResetUserPassword(ctx, p.ID, "zoe")
		}},
	{name: "UpdateUserAttributes", source: "CustomMessage_UpdateUserAttribute", client: true, medium: "EMAIL", confirm: true,
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, access string) error {
			_, err := a.UpdateAttributes(ctx, access, []userpool.Attribute{attr("email", "zoe@example.org")})
			return err
		}},
	{name: "GetUserAttributeVerificationCode email", source: "CustomMessage_VerifyUserAttribute", client: true, medium: "EMAIL", confirm: true,
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, access string) error {
			_, err := a.AttributeVerificationCode(ctx, access, "email")
			return err
		}},
	{name: "GetUserAttributeVerificationCode phone_number", source: "CustomMessage_VerifyUserAttribute", client: true, medium: "SMS", confirm: true,
		send: func(a *userpool.Accounts, p userpool.Pool, c userpool.Client, access string) error {
			_, err := a.AttributeVerificationCode(ctx, access, "phone_number")
			return err
		}},
}

// setUp brings zoe to the point where the flow sends its message: signed
// up (unless the flow is the sign-up), and confirmed, her email verified,
// signed in when the flow wants it; it returns her access token then.
func (flow customMessageFlow) setUp(t *testing.T, w *world, a *userpool.Accounts, p userpool.Pool, c userpool.Client) string {
	t.Helper()
	if flow.source != "CustomMessage_SignUp" {
		if _, err := a.SignUp(ctx, signUpZoe(c, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if !flow.confirm {
		return ""
	}
	if err := a.AdminConfirmSignUp(ctx, p.ID, "zoe"); err != nil {
		t.Fatal(err)
	}
	if err := w.users.UpdateAttributes(ctx, p.ID, "zoe", []userpool.Attribute{attr("email_verified", "true")}); err != nil {
		t.Fatal(err)
	}
	res, err := w.signIn(c, "zoe", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return res.Tokens.AccessToken
}

func signUpZoe(c userpool.Client, metadata map[string]string) userpool.SignUpInput {
	return userpool.SignUpInput{ClientId: c.ID, Username: "zoe", Password: "Passw0rd!", ClientMetadata: metadata,
		UserAttributes: []userpool.Attribute{attr("email", "zoe@example.com"), attr("phone_number", "+15555550100")}}
}

// What the function answers, for the source under test only (the other
// messages of the flow keep the default).
type customMessageAnswer struct {
	name    string
	respond func(ev *events.CognitoEventUserPoolsCustomMessage) error
	wantErr [2]string // type and message; "" the message is sent
	body    string    // the body, with CODE for the code ("": the default)
	subject string    // the SMTP subject (EMAIL)
	retried bool      // the first attempt times out: two invocations, one message
}

var customMessageAnswers = []customMessageAnswer{
	{name: "its message", body: "Hello zoe, your code is CODE.", subject: "Welcome, zoe",
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error {
			msg := "Hello " + ev.UserName + ", your code is " + ev.Request.CodeParameter + "."
			ev.Response = events.CognitoEventUserPoolsCustomMessageResponse{EmailMessage: msg, SMSMessage: msg, EmailSubject: "Welcome, zoe"}
			return nil
		}},
	{name: "no answer: the default", subject: "Your verification code",
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error { return nil }},
	{name: "after a time-out", retried: true, body: "Code: CODE", subject: "Your verification code",
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error {
			ev.Response.EmailMessage, ev.Response.SMSMessage = "Code: "+ev.Request.CodeParameter, "Code: "+ev.Request.CodeParameter
			return nil
		}},
	{name: "no code placeholder", wantErr: [2]string{"InvalidParameterException", `1 validation error detected: Value at 'FIELD' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`},
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error {
			ev.Response.EmailMessage, ev.Response.SMSMessage = "Welcome!", "Welcome!"
			return nil
		}},
	{name: "email too long", wantErr: [2]string{"InvalidParameterException", "1 validation error detected: Value at 'emailBody' failed to satisfy constraint: Member must have length less than or equal to 20000"},
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error {
			ev.Response.EmailMessage = ev.Request.CodeParameter + strings.Repeat("é", 20000-5)
			return nil
		}},
	{name: "a failing function", wantErr: [2]string{"UserLambdaValidationException", "CustomMessage failed with error template store down."},
		respond: func(ev *events.CognitoEventUserPoolsCustomMessage) error { return errors.New("template store down") }},
}

// CustomMessage writes every message Cognate sends: the function gets the
// source, the client, the user's attributes and the code placeholder, and
// what lands in the outbox and SMTP is its message with the real code; its
// failure sends nothing and fails the call.
func TestCustomMessage(t *testing.T) {
	for _, flow := range customMessageFlows {
		for _, ans := range customMessageAnswers {
			if ans.name == "email too long" && flow.medium != "EMAIL" {
				continue
			}
			t.Run(flow.name+"/"+ans.name, func(t *testing.T) {
				attempts := 0
				fn := handler(t, func(ev *events.CognitoEventUserPoolsCustomMessage) error {
					if ev.TriggerSource != flow.source {
						return nil
					}
					return ans.respond(ev)
				})
				w, p, c, a, l := triggerWorld(t, map[string]userpool.InvokerFunc{
					userpool.TriggerCustomMessage: func(ctx context.Context, arn string, body []byte) ([]byte, error) {
						if ans.retried && strings.Contains(string(body), `"triggerSource":"`+flow.source+`"`) {
							if attempts++; attempts == 1 {
								return nil, &userpool.InvokeError{Failure: userpool.InvocationTimedOut, Message: "slow"}
							}
						}
						return fn(ctx, arn, body)
					},
				})
				mail := &mailbox{}
				a.Mailer = mail
				access := flow.setUp(t, w, a, p, c)
				before := outbox(t, a, p)
				_, mailedBefore := mail.last()
				invokedBefore := len(l.sent(t, userpool.TriggerCustomMessage))

				err := flow.send(a, p, c, access)

				evs := l.sent(t, userpool.TriggerCustomMessage)[invokedBefore:]
				wantInvocations := 1
				if ans.retried {
					wantInvocations = 2
				}
				if len(evs) != wantInvocations {
					t.Fatalf("%d invocations, want %d", len(evs), wantInvocations)
				}
				checkCustomMessageEvent(t, evs[0], flow, c)
				after := outbox(t, a, p)
				lastMail, mailed := mail.last()
				if ans.wantErr[0] != "" {
					field := "emailBody"
					if flow.medium == "SMS" {
						field = "smsMessage"
					}
					wantError(t, err, ans.wantErr[0], strings.ReplaceAll(ans.wantErr[1], "FIELD", field))
					if len(after) != len(before) || mailed != mailedBefore {
						t.Fatalf("a refused message was sent: %d → %d in the outbox, %d → %d mailed", len(before), len(after), mailedBefore, mailed)
					}
					if flow.source == "CustomMessage_SignUp" {
						if u, _, err := userpool.FindUser(ctx, w.store, &p, "zoe"); err != nil || u.Status != userpool.StatusUnconfirmed {
							t.Fatalf("the signed-up user: %v, %v", u.Status, err)
						}
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before)+1 {
					t.Fatalf("%d → %d messages in the outbox, want one more", len(before), len(after))
				}
				msg := after[len(after)-1]
				if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(msg.Code) || msg.Medium != flow.medium {
					t.Fatalf("message %+v", msg)
				}
				want := "Your verification code is " + msg.Code + ". "
				if ans.body != "" {
					want = strings.ReplaceAll(ans.body, "CODE", msg.Code)
				}
				if msg.Body != want {
					t.Fatalf("outbox body %q, want %q", msg.Body, want)
				}
				if flow.medium == "EMAIL" {
					if mailed != mailedBefore+1 || lastMail.Body != want {
						t.Fatalf("mailed %d → %d, body %q", mailedBefore, mailed, lastMail.Body)
					}
					if got := subjectOf(lastMail); got != ans.subject {
						t.Fatalf("subject %q, want %q", got, ans.subject)
					}
				}
			})
		}
	}
}

// subjectOf is the subject the SMTP mailer writes for m (its default for
// codes: "Your verification code", or for a reset "Your password reset
// code", which this test folds into the first).
func subjectOf(m userpool.Message) string {
	if m.Subject != "" {
		return m.Subject
	}
	return "Your verification code"
}

func outbox(t *testing.T, a *userpool.Accounts, p userpool.Pool) []userpool.Message {
	t.Helper()
	msgs, err := a.Outbox(ctx, p.ID, "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// checkCustomMessageEvent checks the event as Cognito sends it: the raw
// JSON, so nulls show.
func checkCustomMessageEvent(t *testing.T, ev map[string]any, flow customMessageFlow, c userpool.Client) {
	t.Helper()
	wantClient := "CLIENT_ID_NOT_APPLICABLE"
	if flow.client {
		wantClient = c.ID
	}
	req := ev["request"].(map[string]any)
	attrs := req["userAttributes"].(map[string]any)
	resp := ev["response"].(map[string]any)
	if ev["triggerSource"] != flow.source || ev["userName"] != "zoe" || ev["callerContext"].(map[string]any)["clientId"] != wantClient {
		t.Fatalf("event %v", ev)
	}
	if req["codeParameter"] != "{####}" || req["usernameParameter"] != nil || attrs["phone_number"] != "+15555550100" || attrs["cognito:user_status"] == nil {
		t.Fatalf("request %v", req)
	}
	if flow.metadata != nil && req["clientMetadata"].(map[string]any)["campaign"] != flow.metadata["campaign"] {
		t.Fatalf("clientMetadata %v", req["clientMetadata"])
	}
	if resp["smsMessage"] != nil || resp["emailMessage"] != nil || resp["emailSubject"] != nil {
		t.Fatalf("response sent %v", resp)
	}
}
