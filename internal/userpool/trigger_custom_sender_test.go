package userpool_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/userpool"
)

// customSenderEvent is a custom sender's event as Cognito's developer guide
// shows it (aws-lambda-go has no type for it): the common header and the
// request, no response.
type customSenderEvent struct {
	events.CognitoEventUserPoolsHeader
	Request struct {
		Type           string            `json:"type"`
		Code           string            `json:"code"`
		ClientMetadata map[string]string `json:"clientMetadata"`
		UserAttributes map[string]string `json:"userAttributes"`
	} `json:"request"`
}

// senderWorld is triggerWorld whose pool has the functions in fns, the
// custom senders among them configured as LambdaConfig wants them
// ({LambdaVersion, LambdaArn}, with a KMSKeyID).
func senderWorld(t *testing.T, fns map[string]userpool.InvokerFunc) (*world, userpool.Pool, userpool.Client, *userpool.Accounts, *lambdas) {
	t.Helper()
	w, p, c, a, l := triggerWorld(t, nil)
	config := map[string]any{"KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/local"}
	for trigger, fn := range fns {
		l.fns[arnOf(trigger)] = fn
		config[trigger] = arnOf(trigger)
		if trigger == userpool.TriggerCustomEmailSender || trigger == userpool.TriggerCustomSMSSender {
			config[trigger] = map[string]string{"LambdaVersion": "V1_0", "LambdaArn": arnOf(trigger)}
		}
	}
	raw, _ := json.Marshal(config)
	settings := p.Settings
	settings.LambdaConfig = raw
	if err := w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: settings}); err != nil {
		t.Fatal(err)
	}
	p, err := userpool.GetPool(ctx, w.store, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return w, p, c, a, l
}

// Every message Cognate sends goes to the custom sender of its medium when
// the pool has one: the function gets Cognito's event with the code (in
// clear: no KMS here), Cognate writes no message (no CustomMessage for the
// medium, no SMTP, an outbox record with the code and no body), and a
// failing function fails the call with no code stored.
func TestCustomSender(t *testing.T) {
	for _, flow := range customMessageFlows {
		for _, fail := range []bool{false, true} {
			name := flow.name + "/delivered"
			if fail {
				name = flow.name + "/a failing function"
			}
			t.Run(name, func(t *testing.T) {
				sender, other := userpool.TriggerCustomEmailSender, userpool.TriggerCustomSMSSender
				if flow.medium == "SMS" {
					sender, other = other, sender
				}
				wantSource := sender + "_" + suffix(flow.source)
				var got []customSenderEvent // what either sender received
				record := func(ev *customSenderEvent) error {
					got = append(got, *ev)
					if fail && ev.TriggerSource == wantSource { // only the message under test fails
						return errors.New("provider down")
					}
					return nil
				}
				w, p, c, a, l := senderWorld(t, map[string]userpool.InvokerFunc{
					sender: handler(t, record),
					// The other medium's sender and CustomMessage are set too: neither runs for this message.
					other:                         handler(t, record),
					userpool.TriggerCustomMessage: handler(t, func(ev *events.CognitoEventUserPoolsCustomMessage) error { return errors.New("CustomMessage ran") }),
				})
				mail := &mailbox{}
				a.Mailer = mail
				access := flow.setUp(t, w, a, p, c)
				before, sentBefore := outbox(t, a, p), len(got)

				err := flow.send(a, p, c, access)

				if n := len(l.sent(t, userpool.TriggerCustomMessage)); n != 0 {
					t.Fatalf("CustomMessage ran %d times", n)
				}
				if len(got) != sentBefore+1 {
					t.Fatalf("%d sender invocations, want 1", len(got)-sentBefore)
				}
				ev := got[len(got)-1]
				wantType := map[string]string{"EMAIL": "customEmailSenderRequestV1", "SMS": "customSMSSenderRequestV1"}[flow.medium]
				wantClient := "CLIENT_ID_NOT_APPLICABLE"
				if flow.client {
					wantClient = c.ID
				}
				if ev.TriggerSource != wantSource || ev.Version != "1" || ev.UserName != "zoe" || ev.CallerContext.ClientID != wantClient ||
					ev.Request.Type != wantType || ev.Request.UserAttributes["phone_number"] != "+15555550100" ||
					!regexp.MustCompile(`^[0-9]{6}$`).MatchString(ev.Request.Code) {
					t.Fatalf("event %+v", ev)
				}
				if flow.metadata != nil && ev.Request.ClientMetadata["campaign"] != flow.metadata["campaign"] {
					t.Fatalf("clientMetadata %v", ev.Request.ClientMetadata)
				}
				after := outbox(t, a, p)
				if _, mailed := mail.last(); mailed != 0 {
					t.Fatalf("%d messages mailed, want none", mailed)
				}
				if fail {
					wantError(t, err, "UserLambdaValidationException", sender+" failed with error provider down.")
					if len(after) != len(before) {
						t.Fatalf("outbox %d → %d", len(before), len(after))
					}
					if flow.source == "CustomMessage_SignUp" {
						// The code the function got was not stored.
						wantError(t, a.ConfirmSignUp(ctx, c.ID, "", "zoe", ev.Request.Code), "CodeMismatchException", "Invalid verification code provided, please try again.")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before)+1 {
					t.Fatalf("outbox %d → %d, want one more", len(before), len(after))
				}
				if m := after[len(after)-1]; m.Code != ev.Request.Code || m.Body != "" || m.Medium != flow.medium {
					t.Fatalf("outbox record %+v", m)
				}
				if flow.source == "CustomMessage_SignUp" {
					// The code the function got confirms.
					if err := a.ConfirmSignUp(ctx, c.ID, "", "zoe", ev.Request.Code); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

func suffix(customMessageSource string) string {
	return customMessageSource[len("CustomMessage_"):]
}

// A custom sender needs the KMS key Cognito encrypts its codes under.
func TestCustomSenderNeedsKMSKey(t *testing.T) {
	w := newWorld(t, ":memory:")
	for _, config := range []string{
		`{"CustomEmailSender":{"LambdaVersion":"V1_0","LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:s"}}`,
		`{"CustomSMSSender":{"LambdaVersion":"V1_0","LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:s"}}`,
	} {
		_, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
			PoolSettings: userpool.PoolSettings{LambdaConfig: json.RawMessage(config)}})
		wantError(t, err, "InvalidParameterException", "KMSKeyID is required when CustomEmailSender or CustomSMSSender is set.")
	}
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: userpool.PoolSettings{
		LambdaConfig: json.RawMessage(`{"KMSKeyID":"arn:aws:kms:us-east-1:123456789012:key/k","CustomEmailSender":{"LambdaVersion":"V1_0","LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:s"}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.TriggerARN(userpool.TriggerCustomEmailSender); got != "arn:aws:lambda:us-east-1:123456789012:function:s" {
		t.Fatalf("CustomEmailSender %q", got)
	}
}
