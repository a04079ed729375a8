package lambda_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/lambda"
	"github.com/cognate/cognate/internal/lambda/lambdatest"
	"github.com/cognate/cognate/internal/userpool"
)

// modes is the test handler whose COGNATE_LAMBDA_MODE picks its answer.
const modes = "../../e2e/testdata/lambdas/modes"

const event = `{"version":"1","triggerSource":"PreSignUp_SignUp","request":{},"response":{}}`

// startMode serves the modes handler in mode under its own emulator, its
// function time-out 1 s.
func startMode(t *testing.T, mode string) *lambdatest.Function {
	t.Helper()
	lambdatest.RequireRIE(t)
	return lambdatest.Start(t, lambdatest.BuildHandler(t, modes), time.Second, "COGNATE_LAMBDA_MODE="+mode)
}

// invoker maps arn to the emulator's endpoint (a base URL: the function is
// sent as "function").
func invoker(t *testing.T, arn, endpoint string) *lambda.Invoker {
	t.Helper()
	inv, err := lambda.New(context.Background(), lambda.Config{Functions: map[string]string{arn: endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

const arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"

func invoke(t *testing.T, inv *lambda.Invoker, timeout time.Duration, payload string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return inv.Invoke(ctx, arn, []byte(payload))
}

func wantFailure(t *testing.T, err error, failure userpool.InvokeFailure, message string) {
	t.Helper()
	var ie *userpool.InvokeError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T), want an *userpool.InvokeError", err, err)
	}
	if ie.Failure != failure || !strings.Contains(ie.Message, message) {
		t.Fatalf("failure %d %q, want %d containing %q", ie.Failure, ie.Message, failure, message)
	}
}

// TestRIEAnswers: each kind of answer a real function gives under the real
// emulator, told apart the way the domain needs (ok, raw bytes for the
// domain to judge, or the right InvokeError).
func TestRIEAnswers(t *testing.T) {
	t.Run("echo", func(t *testing.T) {
		f := startMode(t, "echo")
		out, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		if err != nil || string(out) != event {
			t.Fatalf("got %q, %v; want the event back", out, err)
		}
	})
	t.Run("full invocation URL", func(t *testing.T) {
		f := startMode(t, "echo")
		out, err := invoke(t, invoker(t, arn, f.URL), 5*time.Second, event)
		if err != nil || string(out) != event {
			t.Fatalf("got %q, %v; want the event back", out, err)
		}
	})
	t.Run("error", func(t *testing.T) {
		// HTTP 200, no header, body {"errorMessage":…,"errorType":"errorString"}.
		f := startMode(t, "error")
		_, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		wantFailure(t, err, userpool.FunctionFailed, "Registration from this domain is not allowed.")
	})
	t.Run("panic", func(t *testing.T) {
		// HTTP 502 with the error document (and a stack trace).
		f := startMode(t, "panic")
		_, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		wantFailure(t, err, userpool.FunctionFailed, "the handler panicked")
		if n := strings.Count(f.Logs(), "START RequestId"); n != 1 {
			t.Errorf("the function ran %d times, want once (no SDK retries)\n%s", n, f.Logs())
		}
	})
	t.Run("runtime exit", func(t *testing.T) {
		// HTTP 502, {"errorType":"Runtime.ExitError","errorMessage":"RequestId: … Error: Runtime exited with error: exit status 129"}.
		f := startMode(t, "exit")
		_, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		wantFailure(t, err, userpool.FunctionFailed, "Runtime exited with error: exit status 129")
	})
	t.Run("bad JSON", func(t *testing.T) {
		// The bytes go back as they are: the domain says Invalid JSON.
		f := startMode(t, "badjson")
		out, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		if err != nil || string(out) != `{"version":"1",` {
			t.Fatalf("got %q, %v; want the malformed answer itself", out, err)
		}
	})
	t.Run("not the event", func(t *testing.T) {
		f := startMode(t, "string")
		out, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, event)
		if err != nil || string(out) != `"not the event"` {
			t.Fatalf("got %q, %v; want the string itself", out, err)
		}
	})
	t.Run("slower than the emulator's time-out", func(t *testing.T) {
		// HTTP 200, text "Task timed out after 1.00 seconds".
		f := startMode(t, "slow")
		_, err := invoke(t, invoker(t, arn, f.Base), 5*time.Second, `{"sleep":"3s"}`)
		wantFailure(t, err, userpool.InvocationTimedOut, "Socket timeout")
	})
	t.Run("slower than the caller", func(t *testing.T) {
		f := startMode(t, "slow")
		inv := invoker(t, arn, f.Base)
		start := time.Now()
		_, err := invoke(t, inv, 300*time.Millisecond, `{"sleep":"10s"}`)
		wantFailure(t, err, userpool.InvocationTimedOut, "Socket timeout")
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("the caller waited %v past its 300 ms deadline", d)
		}
		// The emulator is still running the first call: the next waits
		// for it (a second request would crash the emulator for good).
		out, err := invoke(t, inv, 5*time.Second, `{"sleep":"0s"}`)
		if err != nil || string(out) != `{"sleep":"0s"}` {
			t.Fatalf("the call after a time-out got %q, %v; want the event back\n%s", out, err, f.Logs())
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = invoke(t, invoker(t, arn, "http://"+addr), 5*time.Second, event)
		wantFailure(t, err, userpool.InvocationTimedOut, "Socket timeout")
	})
	t.Run("wrong function name", func(t *testing.T) {
		// The emulator answers a plain 404 for any name but "function".
		f := startMode(t, "echo")
		inv, err := lambda.New(context.Background(), lambda.Config{Endpoint: f.Base})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = inv.Invoke(ctx, arn, []byte(event))
		wantFailure(t, err, userpool.InvocationRefused, "ResourceNotFoundException")
	})
}
