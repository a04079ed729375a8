package e2e

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// Trigger functions in end-to-end tests run for real: a Go handler
// (aws-lambda-go's lambda.Start) built as a Linux binary, served by the AWS
// Lambda Runtime Interface Emulator (scripts/test installs it; without it
// these tests skip, unless COGNATE_REQUIRE_LAMBDA=1), and a `cognate serve`
// whose --lambda-functions maps each function ARN to its emulator.

const (
	// lambdaAttempt is cognate's --lambda-timeout in these tests, shorter
	// than Cognito's 5 s so that a slow function's three attempts stay
	// short.
	lambdaAttempt = 2 * time.Second
	// lambdaFunctionTimeout is the emulator's AWS_LAMBDA_FUNCTION_TIMEOUT,
	// below cognate's: a slow function has ended before cognate's next
	// attempt reaches its emulator.
	lambdaFunctionTimeout = time.Second
)

// startLambda serves the handler package pkg (relative to e2e/, e.g.
// "testdata/lambdas/modes" or "../examples/triggers/presignup") under its
// own emulator, env added to the function's environment.
func startLambda(t *testing.T, pkg string, env ...string) *lambdatest.Function {
	t.Helper()
	lambdatest.RequireRIE(t)
	return lambdatest.Start(t, lambdatest.BuildHandler(t, pkg), lambdaFunctionTimeout, env...)
}

// lambdaModes serves testdata/lambdas/modes in mode (echo, error, panic,
// badjson, string, slow).
func lambdaModes(t *testing.T, mode string) *lambdatest.Function {
	t.Helper()
	return startLambda(t, "testdata/lambdas/modes", "COGNATE_LAMBDA_MODE="+mode)
}

// lambdaEnv is the environment that points a `cognate serve` at the
// functions: each ARN (or name) at its emulator, attempts of lambdaAttempt.
func lambdaEnv(functions map[string]*lambdatest.Function) []string {
	pairs := make([]string, 0, len(functions))
	for arn, f := range functions {
		pairs = append(pairs, arn+"="+f.Base)
	}
	sort.Strings(pairs)
	return []string{"COGNATE_LAMBDA_FUNCTIONS=" + strings.Join(pairs, ","), "COGNATE_LAMBDA_TIMEOUT=" + lambdaAttempt.String()}
}

// StartServerWithLambdas runs cognate with its triggers' functions served
// by the given emulators.
func StartServerWithLambdas(t *testing.T, functions map[string]*lambdatest.Function, extraEnv ...string) *Server {
	t.Helper()
	return StartServer(t, append(lambdaEnv(functions), extraEnv...)...)
}

// lambdaARN is a function ARN in the test region and account.
func lambdaARN(name string) string {
	return "arn:aws:lambda:" + testRegion + ":000000000000:function:" + name
}

// A malformed Lambda configuration is refused at start, naming the flag.
func TestLambdaConfigRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.Addr = freePort(t)
	for _, tc := range []struct {
		env  string
		want string
	}{
		{"COGNATE_LAMBDA_FUNCTIONS=" + lambdaARN("a"), "--lambda-functions: "},
		{"COGNATE_LAMBDA_FUNCTIONS=" + lambdaARN("a") + "=localhost:9000", `"localhost:9000" is not an http(s) URL`},
		{"COGNATE_LAMBDA_FUNCTIONS=@/nonexistent/functions.json", "--lambda-functions: "},
		{"COGNATE_LAMBDA_ENDPOINT=127.0.0.1:3001", "--lambda-endpoint: "},
	} {
		wantRefusal(t, serveRefused(t, s, []string{tc.env}), tc.want)
	}
}
