package userpool_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// lambdas are in-process Lambda functions, by ARN, reached through
// userpool.InvokerFunc. Each records the events it received (raw).
type lambdas struct {
	mu     sync.Mutex
	fns    map[string]userpool.InvokerFunc
	events map[string][][]byte
}

func (l *lambdas) invoker() userpool.InvokerFunc {
	return func(ctx context.Context, arn string, event []byte) ([]byte, error) {
		l.mu.Lock()
		fn := l.fns[arn]
		l.events[arn] = append(l.events[arn], event)
		l.mu.Unlock()
		if fn == nil {
			return nil, &userpool.InvokeError{Failure: userpool.InvocationRefused, Message: "ResourceNotFoundException"}
		}
		return fn(ctx, arn, event)
	}
}

// sent is what the function for trigger received, decoded.
func (l *lambdas) sent(t *testing.T, trigger string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, raw := range l.events[arnOf(trigger)] {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func arnOf(trigger string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + trigger }

// handler is a Lambda function written against aws-lambda-go's event type
// E: the event must decode into E strictly (no field E does not know), fn
// may change it or fail (a function error), and the whole event is its
// answer, encoded from E.
func handler[E any](t *testing.T, fn func(ev *E) error) userpool.InvokerFunc {
	return func(ctx context.Context, arn string, body []byte) ([]byte, error) {
		var ev E
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Errorf("the event does not decode into %T: %v\n%s", ev, err, body)
			return nil, &userpool.InvokeError{Failure: userpool.FunctionFailed, Message: err.Error()}
		}
		if fn != nil {
			if err := fn(&ev); err != nil {
				return nil, &userpool.InvokeError{Failure: userpool.FunctionFailed, Message: err.Error()}
			}
		}
		return json.Marshal(ev)
	}
}

// triggerWorld is signUpWorld whose pool names a function for each trigger
// in fns, run in process; the pool verifies email and the client allows
// the password and SRP flows.
func triggerWorld(t *testing.T, fns map[string]userpool.InvokerFunc) (*world, userpool.Pool, userpool.Client, *userpool.Accounts, *lambdas) {
	t.Helper()
	w := newWorld(t, ":memory:")
	config := map[string]string{}
	l := &lambdas{fns: map[string]userpool.InvokerFunc{}, events: map[string][][]byte{}}
	for trigger, fn := range fns {
		config[trigger] = arnOf(trigger)
		l.fns[arnOf(trigger)] = fn
	}
	raw, _ := json.Marshal(config)
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
		PoolSettings: userpool.PoolSettings{AutoVerifiedAttributes: []string{"email"}, LambdaConfig: raw}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c",
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	triggers := &userpool.Triggers{Invoker: l.invoker()}
	w.users.Triggers, w.auth.Triggers = triggers, triggers
	accounts := &userpool.Accounts{Store: w.store, Now: w.clock.Now, Credentials: w.users.Credentials, Sealer: w.auth.Sealer,
		Sessions: w.sessions, Triggers: triggers}
	return w, p, c, accounts, l
}

func attr(name, value string) userpool.Attribute { return userpool.Attribute{Name: name, Value: value} }

func TestPreSignUpOnSignUp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answer     events.CognitoEventUserPoolsPreSignupResponse
		reject     string
		attrs      []userpool.Attribute
		validation []userpool.Attribute
		// what follows
		status        string
		confirmed     bool
		codes         int
		verified      map[string]string // attribute → its value after sign-up ("" absent)
		postConfirmed bool
	}{
		{name: "no flags: unconfirmed, a code", status: userpool.StatusUnconfirmed, codes: 1,
			validation: []userpool.Attribute{attr("invite", "x1")}, verified: map[string]string{"email_verified": ""}},
		{name: "auto-confirm: confirmed, no code, PostConfirmation", answer: events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true},
			status: userpool.StatusConfirmed, confirmed: true, postConfirmed: true, verified: map[string]string{"email_verified": ""}},
		{name: "auto-verify email without auto-confirm", answer: events.CognitoEventUserPoolsPreSignupResponse{AutoVerifyEmail: true},
			status: userpool.StatusUnconfirmed, codes: 1, verified: map[string]string{"email_verified": "true"}},
		{name: "auto-verify phone needs a phone number", answer: events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true, AutoVerifyPhone: true},
			status: userpool.StatusConfirmed, confirmed: true, postConfirmed: true, verified: map[string]string{"email_verified": "true", "phone_number_verified": ""}},
		{name: "auto-verify phone", answer: events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyPhone: true},
			attrs: []userpool.Attribute{attr("phone_number", "+15555550100")}, status: userpool.StatusConfirmed, confirmed: true, postConfirmed: true,
			verified: map[string]string{"email_verified": "", "phone_number_verified": "true"}},
		{name: "rejected: no user, no code", reject: "Registration from this domain is not allowed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, p, c, accounts, l := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerPreSignUp: handler(t, func(ev *events.CognitoEventUserPoolsPreSignup) error {
					if tc.reject != "" {
						return errors.New(tc.reject)
					}
					ev.Response = tc.answer
					return nil
				}),
				userpool.TriggerPostConfirmation: handler[events.CognitoEventUserPoolsPostConfirmation](t, nil),
			})
			res, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "zoe", Password: "Passw0rd!",
				UserAttributes: append([]userpool.Attribute{attr("email", "zoe@example.com")}, tc.attrs...),
				ValidationData: tc.validation, ClientMetadata: map[string]string{"source": "web"}})
			sent := l.sent(t, userpool.TriggerPreSignUp)
			if len(sent) != 1 {
				t.Fatalf("PreSignUp ran %d times", len(sent))
			}
			ev, req := sent[0], sent[0]["request"].(map[string]any)
			if ev["triggerSource"] != "PreSignUp_SignUp" || ev["userName"] != "zoe" || ev["callerContext"].(map[string]any)["clientId"] != c.ID ||
				req["userAttributes"].(map[string]any)["email"] != "zoe@example.com" || req["clientMetadata"].(map[string]any)["source"] != "web" {
				t.Fatalf("event %v", ev)
			}
			if want := fmt.Sprint(map[string]any{"invite": "x1"}); tc.validation != nil && fmt.Sprint(req["validationData"]) != want {
				t.Fatalf("validationData %v", req["validationData"])
			} else if tc.validation == nil && req["validationData"] != nil {
				t.Fatalf("absent validationData sent as %v, want null", req["validationData"])
			}
			msgs, _ := accounts.Outbox(ctx, p.ID, "", 0, 10)
			if tc.reject != "" {
				wantError(t, err, "UserLambdaValidationException", "PreSignUp failed with error "+tc.reject+".")
				if _, gerr := w.users.GetUser(ctx, p.ID, "zoe"); !userpool.IsType(gerr, userpool.UserNotFound) || len(msgs) != 0 {
					t.Fatalf("a rejected sign-up left a user (%v) or %d messages", gerr, len(msgs))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := w.users.GetUser(ctx, p.ID, "zoe")
			if err != nil || u.Status != tc.status || res.UserConfirmed != tc.confirmed || len(msgs) != tc.codes || (res.Delivery != nil) != (tc.codes > 0) {
				t.Fatalf("user %v %s, confirmed %v, %d codes, delivery %v", err, u.Status, res.UserConfirmed, len(msgs), res.Delivery)
			}
			for name, want := range tc.verified {
				if got, _ := u.Attribute(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			post := l.sent(t, userpool.TriggerPostConfirmation)
			if !tc.postConfirmed {
				if len(post) != 0 {
					t.Fatal("PostConfirmation ran on an unconfirmed sign-up")
				}
				return
			}
			if len(post) != 1 || post[0]["triggerSource"] != "PostConfirmation_ConfirmSignUp" ||
				post[0]["request"].(map[string]any)["userAttributes"].(map[string]any)["cognito:user_status"] != "CONFIRMED" {
				t.Fatalf("PostConfirmation events %v", post)
			}
		})
	}
}

// On AdminCreateUser, PreSignUp runs without a client and its answer is
// ignored; its rejection still creates nobody.
func TestPreSignUpOnAdminCreateUser(t *testing.T) {
	for _, reject := range []string{"", "no admins today"} {
		t.Run(fmt.Sprintf("reject=%q", reject), func(t *testing.T) {
			w, p, _, accounts, l := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerPreSignUp: handler(t, func(ev *events.CognitoEventUserPoolsPreSignup) error {
					if reject != "" {
						return errors.New(reject)
					}
					ev.Response = events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true}
					return nil
				}),
				userpool.TriggerPostConfirmation: handler[events.CognitoEventUserPoolsPostConfirmation](t, nil),
			})
			_, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "ann",
				UserAttributes: []userpool.Attribute{attr("email", "ann@example.com")}, ValidationData: []userpool.Attribute{attr("k", "v")}})
			sent := l.sent(t, userpool.TriggerPreSignUp)
			if len(sent) != 1 || sent[0]["triggerSource"] != "PreSignUp_AdminCreateUser" ||
				sent[0]["callerContext"].(map[string]any)["clientId"] != "CLIENT_ID_NOT_APPLICABLE" ||
				sent[0]["request"].(map[string]any)["validationData"].(map[string]any)["k"] != "v" {
				t.Fatalf("events %v", sent)
			}
			u, gerr := w.users.GetUser(ctx, p.ID, "ann")
			if reject != "" {
				wantError(t, err, "UserLambdaValidationException", "PreSignUp failed with error no admins today.")
				if !userpool.IsType(gerr, userpool.UserNotFound) {
					t.Fatalf("a rejected AdminCreateUser left a user: %v", gerr)
				}
				return
			}
			if err != nil || gerr != nil {
				t.Fatal(err, gerr)
			}
			if v, _ := u.Attribute("email_verified"); u.Status != userpool.StatusForceChangePassword || v != "" {
				t.Fatalf("the answer was not ignored: %s, email_verified %q", u.Status, v)
			}
			if len(l.sent(t, userpool.TriggerPostConfirmation)) != 0 {
				t.Fatal("PostConfirmation ran for an admin-created user")
			}
			_ = accounts
		})
	}
}

// A PreSignUp retried after time-outs writes the user once and sends one
// code; one that never answers writes nothing.
func TestPreSignUpRetriesWriteOnce(t *testing.T) {
	for _, tc := range []struct {
		timeouts int
		typ, msg string
	}{
		{timeouts: 2},
		{timeouts: 3, typ: "UnexpectedLambdaException", msg: "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
	} {
		t.Run(fmt.Sprint(tc.timeouts, " time-outs"), func(t *testing.T) {
			calls := 0
			answer := handler[events.CognitoEventUserPoolsPreSignup](t, nil)
			w, p, c, accounts, l := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerPreSignUp: func(ctx context.Context, arn string, ev []byte) ([]byte, error) {
					if calls++; calls <= tc.timeouts {
						return nil, &userpool.InvokeError{Failure: userpool.InvocationTimedOut}
					}
					return answer(ctx, arn, ev)
				},
			})
			_, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "zoe", Password: "Passw0rd!",
				UserAttributes: []userpool.Attribute{attr("email", "zoe@example.com")}})
			msgs, _ := accounts.Outbox(ctx, p.ID, "", 0, 10)
			users, _, _ := w.users.ListUsers(ctx, userpool.ListUsersInput{UserPoolId: p.ID})
			if len(l.sent(t, userpool.TriggerPreSignUp)) != 3 {
				t.Fatalf("%d attempts", len(l.sent(t, userpool.TriggerPreSignUp)))
			}
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
				if len(users) != 0 || len(msgs) != 0 {
					t.Fatalf("%d users, %d messages after a PreSignUp that never answered", len(users), len(msgs))
				}
				return
			}
			if err != nil || len(users) != 1 || len(msgs) != 1 {
				t.Fatalf("err %v, %d users, %d messages", err, len(users), len(msgs))
			}
		})
	}
}
