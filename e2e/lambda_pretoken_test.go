package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

func TestLambdaPreTokenExample(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "../examples/triggers/pretokengen")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("pretokengen"): fn})
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("pt"),
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(lambdaARN("pretokengen")), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}}, nil)
	f.addUser(t, "alice", testPassword)
	res := f.signIn(t, "alice", testPassword)
	for _, tok := range []string{*res.IdToken, *res.AccessToken} {
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
			t.Fatal(err)
		}
		t.Logf("tenant=%v scope=%v", claims["tenant"], claims["scope"])
		if claims["tenant"] != "default" {
			t.Errorf("claims %v", claims)
		}
	}
}

// A V2_0 function's claim and scope changes are in tokens that verify
// against the pool's JWKS, on sign-in and on both refreshes, each with its
// own trigger source.
func TestLambdaPreTokenV2Flows(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "testdata/lambdas/pretoken")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("pretoken"): fn})
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("pt2"),
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(lambdaARN("pretoken")), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}}, nil)
	f.addUser(t, "alice", testPassword)
	check := func(t *testing.T, res *types.AuthenticationResultType, source string) {
		t.Helper()
		if res == nil || res.IdToken == nil || res.AccessToken == nil {
			t.Fatalf("no tokens: %+v", res)
		}
		id, _, err := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		if id["trigger_source"] != source || id["email"] != nil || id["cognito:username"] != "alice" {
			t.Errorf("ID token claims %v, want trigger_source %s, no email", id, source)
		}
		if p, _ := id["profile"].(map[string]any); p["plan"] != "gold" || p["seats"] != float64(3) {
			t.Errorf("ID token profile %v", id["profile"])
		}
		access, _, err := independentVerify(t, s.URL, f.PoolID, *res.AccessToken)
		if err != nil {
			t.Fatalf("access token: %v", err)
		}
		scopes, _ := access["scope"].(string)
		if access["trigger_source"] != source || !slices.Contains(strings.Fields(scopes), "api/read") ||
			slices.Contains(strings.Fields(scopes), "aws.cognito.signin.user.admin") {
			t.Errorf("access token claims %v, want trigger_source %s, scope api/read without aws.cognito.signin.user.admin", access, source)
		}
	}
	res := f.signIn(t, "alice", testPassword)
	check(t, res, "TokenGeneration_Authentication")
	refreshed, err := f.refresh(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	check(t, refreshed, "TokenGeneration_RefreshTokens")
	got, err := f.getTokens(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	check(t, got, "TokenGeneration_RefreshTokens")
}

// A failing PreTokenGeneration function means no tokens: sign-in and
// refresh get Cognito's UserLambdaValidationException.
func TestLambdaPreTokenFailure(t *testing.T) {
	t.Parallel()
	fns := map[string]*lambdatest.Function{
		lambdaARN("error"):    lambdaModes(t, "error"),
		lambdaARN("pretoken"): startLambda(t, "testdata/lambdas/pretoken"),
	}
	s := StartServerWithLambdas(t, fns)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("ptfail"),
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(lambdaARN("error")), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}}, nil)
	f.addUser(t, "alice", testPassword)
	const msg = "PreTokenGeneration failed with error Registration from this domain is not allowed.."
	out, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if out != nil {
		t.Errorf("tokens despite the failing function: %+v", out.AuthenticationResult)
	}
	expectAPIError(t, err, "UserLambdaValidationException", msg)

	useFunction := func(name string) {
		if _, err := f.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &f.PoolID,
			LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
				LambdaArn: aws.String(lambdaARN(name)), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}}); err != nil {
			t.Fatal(err)
		}
	}
	// A refresh token issued while the function worked gets nothing once
	// it fails.
	useFunction("pretoken")
	res := f.signIn(t, "alice", testPassword)
	useFunction("error")
	refreshed, err := f.refresh(*res.RefreshToken)
	if refreshed != nil {
		t.Errorf("refreshed tokens despite the failing function: %+v", refreshed)
	}
	expectAPIError(t, err, "UserLambdaValidationException", msg)
	got, err := f.getTokens(*res.RefreshToken)
	if got != nil {
		t.Errorf("GetTokensFromRefreshToken tokens despite the failing function: %+v", got)
	}
	expectAPIError(t, err, "UserLambdaValidationException", msg)
}

// `cognate bench` runs a workload with and without the pool's
// PreTokenGeneration trigger in one run: signin-pretoken invokes the
// function for each sign-in, signin none.
func TestBenchPreTokenWorkloads(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "../examples/triggers/pretokengen")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("pretokengen"): fn})
	bench := func(workloads string) CLIResult {
		return runCommand(t, s.cliEnv(), cognateBinary(t), "bench", "--endpoint-url", s.URL, "--access-key-id", testAccessKey,
			"--secret-access-key", testSecretKey, "--region", testRegion, "--duration", "300ms", "--rsa-window", "20ms", "--concurrency", "1", "--users", "2",
			"--workload", workloads, "--pre-token-generation", lambdaARN("pretokengen"), "--progress=false")
	}
	invocations := func() int { return strings.Count(fn.Logs(), "START RequestId") }
	r := bench("signin")
	if r.Code != 0 || invocations() != 0 {
		t.Fatalf("signin: %d %s %s; the function ran %d times", r.Code, r.Stdout, r.Stderr, invocations())
	}
	r = bench("signin,signin-pretoken,signin")
	if r.Code != 0 || !strings.Contains(r.Stdout, "signin-pretoken: the trigger adds ") {
		t.Fatalf("bench: %d %s %s", r.Code, r.Stdout, r.Stderr)
	}
	for _, line := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(line, "signin") && strings.Contains(line, "map[") && !strings.HasSuffix(line, "map[]") {
			t.Errorf("errors: %s", line)
		}
	}
	if invocations() == 0 {
		t.Errorf("signin-pretoken did not invoke the function")
	}
	if r := bench("getuser-pretoken"); r.Code == 0 || !strings.Contains(r.Stderr, `workload "getuser-pretoken"`) {
		t.Errorf("getuser-pretoken: %d %s", r.Code, r.Stderr)
	}
}
