package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// A PreSignUp function that fails in each way a real function can, under
// the real emulator and a real `cognate serve`: the client gets Cognito's
// error type and message, and no user is created.
func TestLambdaTriggerFailures(t *testing.T) {
	t.Parallel()
	fns := map[string]*lambdatest.Function{}
	for _, mode := range []string{"error", "panic", "badjson", "string", "slow"} {
		fns[lambdaARN(mode)] = lambdaModes(t, mode)
	}
	fns[lambdaARN("unreachable")] = &lambdatest.Function{Base: "http://" + freePort(t)}
	fns[lambdaARN("allowlist")] = startLambda(t, "../examples/triggers/presignup", "ALLOWED_DOMAINS=example.com")
	s := StartServerWithLambdas(t, fns)
	ctx := context.Background()
	for _, tc := range []struct {
		fn, code, msg string
	}{
		{"error", "UserLambdaValidationException", "PreSignUp failed with error Registration from this domain is not allowed.."},
		{"panic", "UserLambdaValidationException", "PreSignUp failed with error the handler panicked."},
		{"badjson", "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON"},
		{"string", "InvalidLambdaResponseException", "Unrecognizable lambda output"},
		{"slow", "UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
		{"unreachable", "UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String(tc.fn),
				LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(lambdaARN(tc.fn))}}, nil)
			start := time.Now()
			_, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"), Password: aws.String(testPassword),
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}}})
			expectAPIError(t, err, tc.code, tc.msg)
			t.Logf("%s: %v", tc.fn, time.Since(start))
			_, err = f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("bob")})
			expectAPIError(t, err, "UserNotFoundException", "User does not exist.")
		})
	}
	if n := strings.Count(fns[lambdaARN("slow")].Logs(), "START RequestId"); n != 3 {
		t.Errorf("the slow function ran %d times, want Cognito's 3 attempts", n)
	}
	t.Run("allow-list example", func(t *testing.T) {
		f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("allowlist"),
			LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(lambdaARN("allowlist"))}}, nil)
		out, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("carol"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("carol@example.com")}}})
		if err != nil || !out.UserConfirmed {
			t.Fatalf("allowed domain: %+v, %v", out, err)
		}
		_, err = f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("mallory"), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("mallory@elsewhere.test")}}})
		expectAPIError(t, err, "UserLambdaValidationException", "PreSignUp failed with error Registration from this domain is not allowed..")
	})
}
