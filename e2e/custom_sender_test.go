package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// jsonLines reads the JSON lines a function appended to path into T
// values (none when the file does not exist yet).
func jsonLines[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}

// A real CustomEmailSender (aws-lambda-go under the Lambda emulator) gets
// Cognito's event from a real `cognate serve`, with the code in clear; the
// code it got confirms the sign-up; Cognate writes no message of its own
// (the outbox records the code, with no body); a failing sender fails the
// call. The example handler (examples/triggers/customsender), written to
// run against Cognito too, sends the code it got.
func TestLambdaCustomSender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	senderLog, deliveries := filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "deliveries.jsonl")
	fns := map[string]*lambdatest.Function{
		lambdaARN("customsender"): startLambda(t, "testdata/lambdas/customsender", "COGNATE_SENDER_LOG="+senderLog),
		lambdaARN("example"):      startLambda(t, "../examples/triggers/customsender", "DELIVERY_FILE="+deliveries),
	}
	s := StartServerWithLambdas(t, fns)
	ctx := context.Background()
	sender := func(name string) *types.LambdaConfigType {
		return &types.LambdaConfigType{KMSKeyID: aws.String("arn:aws:kms:" + testRegion + ":000000000000:key/local"),
			CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10, LambdaArn: aws.String(lambdaARN(name))}}
	}

	// Without a KMS key the configuration is refused.
	_, err := s.SDK().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("nokey"), LambdaConfig: &types.LambdaConfigType{
		CustomEmailSender: sender("customsender").CustomEmailSender}})
	expectAPIError(t, err, "InvalidParameterException", "KMSKeyID is required when CustomEmailSender or CustomSMSSender is set.")

	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("cs"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, LambdaConfig: sender("customsender")}, nil)
	signUp := func(f *fixture, name string) error {
		_, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(name), Password: aws.String(testPassword),
			ClientMetadata: map[string]string{"campaign": "winter"},
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		return err
	}
	if err := signUp(f, "zoe"); err != nil {
		t.Fatal(err)
	}
	type event struct {
		Version, TriggerSource, UserPoolID, UserName string
		CallerContext                                struct{ ClientID string }
		Request                                      struct {
			Type, Code     string
			ClientMetadata map[string]string
			UserAttributes map[string]string
		}
	}
	evs := jsonLines[event](t, senderLog)
	if len(evs) != 1 {
		t.Fatalf("the sender got %d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Version != "1" || ev.TriggerSource != "CustomEmailSender_SignUp" || ev.UserPoolID != f.PoolID || ev.UserName != "zoe" ||
		ev.CallerContext.ClientID != f.ClientID || ev.Request.Type != "customEmailSenderRequestV1" || len(ev.Request.Code) != 6 ||
		ev.Request.ClientMetadata["campaign"] != "winter" || ev.Request.UserAttributes["email"] != "zoe@example.com" {
		t.Fatalf("event %+v", ev)
	}
	msgs := outboxMessages(t, s, f.PoolID, "zoe")
	if len(msgs) != 1 || msgs[0].Code != ev.Request.Code || msgs[0].Message != "" {
		t.Fatalf("outbox %+v", msgs)
	}
	if _, err := f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("zoe"),
		ConfirmationCode: aws.String(ev.Request.Code)}); err != nil {
		t.Fatal(err)
	}

	expectAPIError(t, signUp(f, "fail"), "UserLambdaValidationException", "CustomEmailSender failed with error the provider refused the message.")
	if msgs := outboxMessages(t, s, f.PoolID, "fail"); len(msgs) != 0 {
		t.Errorf("a failed sender left %+v", msgs)
	}

	// The example handler, as it would run in AWS, takes the clear code.
	ex := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("example"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}, LambdaConfig: sender("example")}, nil)
	if err := signUp(ex, "yann"); err != nil {
		t.Fatal(err)
	}
	type delivery struct{ Source, To, Message, Code string }
	sent := jsonLines[delivery](t, deliveries)
	code := lastCode(t, s, ex.PoolID, "yann")
	if len(sent) != 1 || sent[0] != (delivery{"CustomEmailSender_SignUp", "yann@example.com", "Your verification code is " + code, code}) {
		t.Fatalf("the example sent %+v (code %s)", sent, code)
	}
}
