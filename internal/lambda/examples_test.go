package lambda_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
	"github.com/cognate/cognate/internal/userpool"
)

// TestExampleTriggers runs examples/triggers under the real emulator with
// the events Cognito sends, as their README says to.
func TestExampleTriggers(t *testing.T) {
	lambdatest.RequireRIE(t)
	ctx := context.Background()
	t.Run("presignup", func(t *testing.T) {
		f := lambdatest.Start(t, lambdatest.BuildHandler(t, "../../examples/triggers/presignup"), time.Second, "ALLOWED_DOMAINS=example.com")
		inv := invoker(t, arn, f.Base)
		signUp := func(email string) ([]byte, error) {
			var ev events.CognitoEventUserPoolsPreSignup
			ev.Version, ev.TriggerSource, ev.UserPoolID, ev.UserName = "1", "PreSignUp_SignUp", "us-east-1_abc", "alice"
			ev.Request.UserAttributes = map[string]string{"email": email}
			raw, _ := json.Marshal(ev)
			return inv.Invoke(ctx, arn, raw)
		}
		out, err := signUp("alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var got events.CognitoEventUserPoolsPreSignup
		if err := json.Unmarshal(out, &got); err != nil || !got.Response.AutoConfirmUser || !got.Response.AutoVerifyEmail {
			t.Fatalf("allowed domain: %s, %v", out, err)
		}
		_, err = signUp("mallory@elsewhere.test")
		wantFailure(t, err, userpool.FunctionFailed, "Registration from this domain is not allowed.")
	})
	t.Run("pretokengen V2", func(t *testing.T) {
		f := lambdatest.Start(t, lambdatest.BuildHandler(t, "../../examples/triggers/pretokengen"), time.Second)
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		ev.Version, ev.TriggerSource, ev.UserPoolID, ev.UserName = "2", "TokenGeneration_Authentication", "us-east-1_abc", "alice"
		ev.Request.UserAttributes = map[string]string{"custom:tenant": "acme"}
		ev.Request.GroupConfiguration.GroupsToOverride = []string{"admins"}
		raw, _ := json.Marshal(ev)
		out, err := invoker(t, arn, f.Base).Invoke(ctx, arn, raw)
		if err != nil {
			t.Fatal(err)
		}
		var got events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		d := got.Response.ClaimsAndScopeOverrideDetails
		if d.IDTokenGeneration.ClaimsToAddOrOverride["tenant"] != "acme" || d.AccessTokenGeneration.ClaimsToAddOrOverride["tenant"] != "acme" ||
			!reflect.DeepEqual(d.AccessTokenGeneration.ScopesToAdd, []string{"tenant/acme"}) ||
			!reflect.DeepEqual(d.GroupOverrideDetails.GroupsToOverride, []string{"admins"}) {
			t.Fatalf("answer %s", out)
		}
	})
}
