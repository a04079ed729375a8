package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// CUSTOM_AUTH through a real function (testdata/lambdas/customauth, one
// handler for Define, Create and Verify) under the Lambda RIE, driven by
// aws-sdk-go-v2: the public and the admin calls, a wrong answer before the
// right one, and three wrong answers.
func TestCustomAuthThroughRIE(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "testdata/lambdas/customauth")
	arn := lambdaARN("customauth")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{arn: fn})
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("ca"), LambdaConfig: &types.LambdaConfigType{
		DefineAuthChallenge: aws.String(arn), CreateAuthChallenge: aws.String(arn), VerifyAuthChallengeResponse: aws.String(arn)}},
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		})
	f.addUser(t, "alice", testPassword)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		admin   bool
		answers []string
		fails   bool
	}{
		{name: "wrong then right", answers: []string{"5", "4"}},
		{name: "admin wrong then right", admin: true, answers: []string{"5", "4"}},
		{name: "three wrong", answers: []string{"1", "2", "3"}, fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]string{"USERNAME": "alice"}
			var name types.ChallengeNameType
			var session *string
			var prm map[string]string
			if tc.admin {
				out, err := f.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
					AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: params})
				if err != nil {
					t.Fatal(err)
				}
				name, session, prm = out.ChallengeName, out.Session, out.ChallengeParameters
			} else {
				out, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: params})
				if err != nil {
					t.Fatal(err)
				}
				name, session, prm = out.ChallengeName, out.Session, out.ChallengeParameters
			}
			var tokens *types.AuthenticationResultType
			var err error
			for _, answer := range tc.answers {
				if name != types.ChallengeNameTypeCustomChallenge || prm["question"] != "2+2?" || prm["USERNAME"] != "alice" || session == nil {
					t.Fatalf("challenge %s %v", name, prm)
				}
				resp := map[string]string{"USERNAME": "alice", "ANSWER": answer}
				if tc.admin {
					var out *cip.AdminRespondToAuthChallengeOutput
					if out, err = f.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
						ChallengeName: name, Session: session, ChallengeResponses: resp}); err == nil {
						name, session, prm, tokens = out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult
					}
				} else {
					var out *cip.RespondToAuthChallengeOutput
					if out, err = f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID,
						ChallengeName: name, Session: session, ChallengeResponses: resp}); err == nil {
						name, session, prm, tokens = out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult
					}
				}
				if err != nil {
					break
				}
			}
			if tc.fails {
				var na *types.NotAuthorizedException
				if !errors.As(err, &na) || na.ErrorMessage() != "Incorrect username or password." {
					t.Fatalf("got %v, want NotAuthorizedException", err)
				}
				return
			}
			if err != nil || tokens == nil || tokens.AccessToken == nil {
				t.Fatalf("%v %+v", err, tokens)
			}
			if _, err := f.getUser(*tokens.AccessToken); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// amazon-cognito-identity-js's CUSTOM_AUTH (jstest/customauth.test.js):
// initiateAuth, and authenticateUser's SRP_A → PASSWORD_VERIFIER →
// CUSTOM_CHALLENGE, against the same real function.
// Not parallel: the function's ARN reaches node through the environment.
func TestJavaScriptCustomAuth(t *testing.T) {
	runNodeTestsWithCustomAuth(t, jsTestDir(t, "amazon-cognito-identity-js"), "customauth.test.js")
}

// runNodeTestsWithCustomAuth runs files in dir against a server that serves
// testdata/lambdas/customauth under the RIE, its ARN in
// COGNATE_CUSTOM_AUTH_ARN for the tests' pools (so the test cannot be
// parallel).
func runNodeTestsWithCustomAuth(t *testing.T, dir string, files ...string) {
	t.Helper()
	fn := startLambda(t, "testdata/lambdas/customauth")
	arn := lambdaARN("customauth")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{arn: fn})
	t.Setenv("COGNATE_CUSTOM_AUTH_ARN", arn)
	runNodeTests(t, s, dir, files...)
}
