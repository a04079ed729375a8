package userpool

import (
	"context"
	"encoding/json"
	"testing"
)

func TestTriggerRunMapsFailuresToCognitoErrors(t *testing.T) {
	pool := Pool{ID: "eu-west-1_abc", Settings: PoolSettings{LambdaConfig: json.RawMessage(`{"PreSignUp":"arn:aws:lambda:eu-west-1:123456789012:function:pre"}`)}}
	type answer = TriggerEvent[map[string]any, struct {
		AutoConfirmUser bool `json:"autoConfirmUser"`
	}]
	event := newTriggerEvent[map[string]any, struct{}](pool, "", "PreSignUp_SignUp", "alice", "", map[string]any{})
	cases := []struct {
		name     string
		reply    []byte
		err      error
		attempts int
		typ, msg string
	}{
		{"answer", []byte(`{"response":{"autoConfirmUser":true}}`), nil, 1, "", ""},
		{"function error", nil, &InvokeError{Failure: FunctionFailed, Message: "Registration from this domain is not allowed."}, 1,
			"UserLambdaValidationException", "PreSignUp failed with error Registration from this domain is not allowed.."},
		{"time-outs retried", nil, &InvokeError{Failure: InvocationTimedOut}, 3,
			"UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
		{"refused", nil, &InvokeError{Failure: InvocationRefused, Message: "AccessDeniedException"}, 1,
			"UnexpectedLambdaException", "PreSignUp invocation failed due to error AccessDeniedException."},
		{"not JSON", []byte(`Task timed out after 5.00 seconds`), nil, 1, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON"},
		{"wrong shape", []byte(`{"response":{"autoConfirmUser":"yes"}}`), nil, 1, "InvalidLambdaResponseException", "Unrecognizable lambda output"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			var sent map[string]any
			tr := &Triggers{Invoker: InvokerFunc(func(ctx context.Context, arn string, ev []byte) ([]byte, error) {
				calls++
				if arn != "arn:aws:lambda:eu-west-1:123456789012:function:pre" {
					t.Errorf("arn %q", arn)
				}
				json.Unmarshal(ev, &sent)
				return c.reply, c.err
			})}
			var got answer
			ran, err := tr.run(context.Background(), pool, TriggerPreSignUp, event, &got)
			if !ran || calls != c.attempts {
				t.Fatalf("ran %v after %d attempts, want %d", ran, calls, c.attempts)
			}
			if c.typ == "" {
				if err != nil || !got.Response.AutoConfirmUser {
					t.Fatalf("err %v, answer %+v", err, got)
				}
			} else if ErrorType(err) != c.typ || ErrorMessage(err) != c.msg {
				t.Fatalf("got %s %q, want %s %q", ErrorType(err), ErrorMessage(err), c.typ, c.msg)
			}
			cc, _ := sent["callerContext"].(map[string]any)
			if sent["version"] != "1" || sent["region"] != "eu-west-1" || sent["userPoolId"] != "eu-west-1_abc" || sent["userName"] != "alice" ||
				sent["triggerSource"] != "PreSignUp_SignUp" || cc["clientId"] != "CLIENT_ID_NOT_APPLICABLE" || cc["awsSdkVersion"] == "" {
				t.Fatalf("event %v", sent)
			}
		})
	}
	if ran, err := (&Triggers{Invoker: InvokerFunc(nil)}).run(context.Background(), pool, TriggerPostConfirmation, event, &answer{}); ran || err != nil {
		t.Fatalf("a trigger the pool does not name ran: %v %v", ran, err)
	}
}

func TestTriggerARNs(t *testing.T) {
	p := Pool{Settings: PoolSettings{LambdaConfig: json.RawMessage(`{"PreTokenGeneration":"arn:v1","PreTokenGenerationConfig":{"LambdaArn":"arn:v2","LambdaVersion":"V2_0"}}`)}}
	if p.TriggerARN(TriggerPreTokenGeneration) != "arn:v2" || p.PreTokenGenerationVersion() != "V2_0" || p.TriggerARN(TriggerPreSignUp) != "" {
		t.Fatalf("%q %q", p.TriggerARN(TriggerPreTokenGeneration), p.PreTokenGenerationVersion())
	}
	if (Pool{}).PreTokenGenerationVersion() != "V1_0" {
		t.Fatal("default version")
	}
}
