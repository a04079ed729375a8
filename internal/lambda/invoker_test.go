package lambda_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/lambda"
	"github.com/cognate/cognate/internal/userpool"
)

// lambdaAPI fakes Lambda's Invoke API the way AWS and SAM answer it (with
// headers, which the emulator drops), recording what it was asked.
type lambdaAPI struct {
	status  int
	header  map[string]string
	body    string
	path    string // the last request's path and query
	payload string
}

func (l *lambdaAPI) start(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		l.path, l.payload = r.URL.RequestURI(), string(raw)
		for k, v := range l.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(l.status)
		_, _ = io.WriteString(w, l.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInvokeAnswersWithHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		api     lambdaAPI
		failure userpool.InvokeFailure
		message string
	}{
		{"X-Amz-Function-Error", lambdaAPI{status: 200, header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body: `{"errorMessage":"callback is not a function","errorType":"TypeError"}`}, userpool.FunctionFailed, "callback is not a function"},
		{"X-Amz-Function-Error without a document", lambdaAPI{status: 200, header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body: `oops`}, userpool.FunctionFailed, "Unhandled"},
		{"Lambda's own time-out", lambdaAPI{status: 200, header: map[string]string{"X-Amz-Function-Error": "Unhandled"},
			body: `{"errorMessage":"2026-12-02T00:00:00Z abc Task timed out after 5.00 seconds","errorType":"Sandbox.Timedout"}`}, userpool.InvocationTimedOut, "Socket timeout"},
		{"AccessDenied", lambdaAPI{status: 403, header: map[string]string{"X-Amzn-ErrorType": "AccessDeniedException", "Content-Type": "application/json"},
			body: `{"Type":"User","message":"not authorized to perform: lambda:InvokeFunction"}`}, userpool.InvocationRefused, "AccessDeniedException"},
		{"ResourceNotFound", lambdaAPI{status: 404, header: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException", "Content-Type": "application/json"},
			body: `{"Type":"User","message":"Function not found"}`}, userpool.InvocationRefused, "ResourceNotFoundException"},
		{"plain 403", lambdaAPI{status: 403, body: `forbidden`}, userpool.InvocationRefused, "AccessDeniedException"},
		{"throttled", lambdaAPI{status: 429, header: map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"},
			body: `{"message":"Rate exceeded"}`}, userpool.InvocationRefused, "TooManyRequestsException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := tc.api
			inv, err := lambda.New(context.Background(), lambda.Config{Endpoint: api.start(t)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = inv.Invoke(context.Background(), arn, []byte(event))
			wantFailure(t, err, tc.failure, tc.message)
		})
	}
}

// TestInvokeNamesTheFunction: the default endpoint gets the ARN's name and
// qualifier; a mapped endpoint's URL path names the function; an event
// that has errorMessage among its members is still an answer.
func TestInvokeNamesTheFunction(t *testing.T) {
	api := &lambdaAPI{status: 200, body: `{"version":"1","errorMessage":"a member of the answer"}`}
	base := api.start(t)
	inv, err := lambda.New(context.Background(), lambda.Config{Endpoint: base, Functions: map[string]string{
		"mapped-by-name": base + "/2015-03-31/functions/PreSignUpFn/invocations",
	}})
	if err != nil {
		t.Fatal(err)
	}
	for arn, path := range map[string]string{
		"arn:aws:lambda:eu-west-1:123456789012:function:token:live":     "/2015-03-31/functions/token/invocations?Qualifier=live",
		"arn:aws:lambda:eu-west-1:123456789012:function:token":          "/2015-03-31/functions/token/invocations",
		"arn:aws:lambda:eu-west-1:123456789012:function:mapped-by-name": "/2015-03-31/functions/PreSignUpFn/invocations",
	} {
		out, err := inv.Invoke(context.Background(), arn, []byte(event))
		if err != nil || string(out) != api.body {
			t.Fatalf("%s: %q, %v", arn, out, err)
		}
		if api.path != path || api.payload != event {
			t.Errorf("%s: asked %s with %s, want %s with the event", arn, api.path, api.payload, path)
		}
	}
}

func TestInvokeWithinTheCallersDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	inv, err := lambda.New(context.Background(), lambda.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = inv.Invoke(ctx, arn, []byte(event))
	wantFailure(t, err, userpool.InvocationTimedOut, "Socket timeout")
}

func TestParseFunctions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "functions.json")
	if err := os.WriteFile(file, []byte(`{"arn:aws:lambda:us-east-1:1:function:b": "http://127.0.0.1:9001"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := lambda.ParseFunctions("arn:aws:lambda:us-east-1:1:function:a=http://127.0.0.1:9000, @" + file)
	want := map[string]string{"arn:aws:lambda:us-east-1:1:function:a": "http://127.0.0.1:9000", "arn:aws:lambda:us-east-1:1:function:b": "http://127.0.0.1:9001"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"fn", "fn=ftp://x", "=http://x", "@/nonexistent.json"} {
		if _, err := lambda.ParseFunctions(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestInvokeAWSLambda: with no endpoint configured the call goes to AWS
// Lambda in the ARN's region, naming the function by its ARN, signed for
// service lambda with the standard chain's keys (here the environment's;
// AWS_ENDPOINT_URL_LAMBDA, which the SDK honours, catches the request).
func TestInvokeAWSLambda(t *testing.T) {
	var auth string
	api := &lambdaAPI{status: 200, body: event}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		api.path = r.URL.RequestURI()
		_, _ = io.WriteString(w, api.body)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCHAIN")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	inv, err := lambda.New(context.Background(), lambda.Config{})
	if err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:eu-west-1:210987654321:function:token:live"
	if _, err := inv.Invoke(context.Background(), fn, []byte(event)); err != nil {
		t.Fatal(err)
	}
	if want := "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A210987654321%3Afunction%3Atoken/invocations?Qualifier=live"; api.path != want {
		t.Errorf("path %s, want %s", api.path, want)
	}
	if !strings.Contains(auth, "Credential=AKIDCHAIN/") || !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
		t.Errorf("Authorization %q, want SigV4 for lambda in eu-west-1 with the chain's key", auth)
	}
}

// A broken AWS profile refuses the calls to AWS Lambda (as
// AccessDeniedException) and leaves local endpoints working.
func TestInvokeWithABrokenAWSProfile(t *testing.T) {
	t.Setenv("AWS_PROFILE", "no-such-profile")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	api := &lambdaAPI{status: 200, body: event}
	inv, err := lambda.New(context.Background(), lambda.Config{Functions: map[string]string{"local": api.start(t)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = inv.Invoke(context.Background(), arn, []byte(event))
	wantFailure(t, err, userpool.InvocationRefused, "AccessDeniedException")
	if out, err := inv.Invoke(context.Background(), "arn:aws:lambda:us-east-1:1:function:local", []byte(event)); err != nil || string(out) != event {
		t.Fatalf("the local function: %q, %v", out, err)
	}
}
