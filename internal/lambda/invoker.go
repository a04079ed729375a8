// Package lambda calls the functions a pool's LambdaConfig names through
// Lambda's own Invoke API (aws-sdk-go-v2's lambda client, RequestResponse),
// so that a trigger runs wherever its function is served: AWS SAM CLI's
// `sam local start-lambda`, LocalStack, the AWS Lambda Runtime Interface
// Emulator (one function per endpoint), or AWS Lambda itself. It implements
// userpool.Invoker: one attempt per call, an *userpool.InvokeError telling
// a function's error from a time-out and from a refused call. Cognito's
// time limit and retries are the domain's (userpool.Triggers).
package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cognate/cognate/internal/userpool"
)

// Config says where functions are served.
type Config struct {
	// Endpoint is the Invoke API's base URL for every function Functions
	// does not name (SAM: http://127.0.0.1:3001, LocalStack:
	// http://localhost.localstack.cloud:4566). Empty: AWS Lambda in the
	// function ARN's region, signed with the standard credential chain.
	Endpoint string
	// Functions maps a function ARN (or its name) to the endpoint that
	// serves it alone (ParseFunctions).
	Functions map[string]string
	// Region is the region of functions named without an ARN.
	Region string
	// Log, when set, gets the cause of every failed attempt.
	Log *slog.Logger
}

// Invoker is a userpool.Invoker over Lambda's Invoke API.
type Invoker struct {
	cfg Config
	// aws calls AWS Lambda; local the endpoints configured.
	aws, local *awslambda.Client
	// busy holds one lock per separately served endpoint: the emulator
	// crashes when a second request arrives while one runs.
	mu   sync.Mutex
	busy map[string]chan struct{}
}

var _ userpool.Invoker = (*Invoker)(nil)

// New builds the clients: one for AWS Lambda, signing with the standard
// credential chain, and one for local tools (--lambda-endpoint, the
// functions served alone), which check no signature: it signs with
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set (LocalStack reads the
// account from the key), else with placeholder keys, so that no credential
// lookup (instance metadata, SSO) delays or fails a local call.
func New(ctx context.Context, cfg Config) (*Invoker, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region))
	if err != nil {
		// A broken AWS profile must not keep Cognate from starting: only
		// calls to AWS Lambda need it, and they are refused.
		if cfg.Log != nil {
			cfg.Log.Warn("AWS configuration unusable: triggers served by AWS Lambda will fail", "error", err.Error())
		}
		awsCfg = aws.Config{Region: cfg.Region, Credentials: unusableCredentials{err}}
	}
	var local aws.CredentialsProvider = credentials.NewStaticCredentialsProvider("test", "test", "")
	if env, err := config.NewEnvConfig(); err == nil && env.Credentials.HasKeys() {
		local = credentials.StaticCredentialsProvider{Value: env.Credentials}
	}
	return &Invoker{cfg: cfg, aws: newClient(awsCfg, awsCfg.Credentials), local: newClient(awsCfg, local),
		busy: map[string]chan struct{}{}}, nil
}

func newClient(awsCfg aws.Config, creds aws.CredentialsProvider) *awslambda.Client {
	return awslambda.NewFromConfig(awsCfg, func(o *awslambda.Options) {
		o.Credentials = creds
		// One attempt: Cognito's retries are the domain's, and the SDK's
		// would run a failed function again (three times on a 502).
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = capturingClient{next: awshttp.NewBuildableClient()}
	})
}

// unusableCredentials fails every AWS call with why the AWS configuration
// could not be loaded.
type unusableCredentials struct{ err error }

func (u unusableCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, fmt.Errorf("AWS configuration: %w", u.err)
}

// target is where one function is invoked.
type target struct {
	input    awslambda.InvokeInput
	region   string
	endpoint string // "": AWS Lambda
	// alone: the endpoint serves this function only (an emulator), so calls
	// to it are serialised.
	alone bool
}

// resolve finds the endpoint serving arn and the name to send it.
func (i *Invoker) resolve(arn string) target {
	fn := parseFunction(arn, i.cfg.Region)
	t := target{region: fn.region, input: awslambda.InvokeInput{InvocationType: types.InvocationTypeRequestResponse}}
	for _, key := range []string{arn, fn.unqualified, fn.name} {
		if u, ok := i.cfg.Functions[key]; ok && key != "" {
			base, name := splitInvocationURL(u)
			t.endpoint, t.alone = base, true
			t.input.FunctionName = aws.String(name)
			return t
		}
	}
	t.endpoint = i.cfg.Endpoint
	switch {
	case i.cfg.Endpoint == "" && fn.unqualified != "":
		// AWS takes the ARN itself, so a function of another account works.
		t.input.FunctionName = aws.String(fn.unqualified)
	default:
		// SAM and LocalStack name functions, not ARNs.
		t.input.FunctionName = aws.String(fn.name)
	}
	if fn.qualifier != "" {
		t.input.Qualifier = aws.String(fn.qualifier)
	}
	return t
}

// function is a function ARN's parts.
type function struct {
	region, name, qualifier string
	unqualified             string // the ARN without its qualifier ("" for a bare name)
}

// parseFunction reads arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>];
// anything else is a function name in defaultRegion.
func parseFunction(arn, defaultRegion string) function {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return function{region: defaultRegion, name: arn}
	}
	fn := function{region: parts[3], name: parts[6], unqualified: strings.Join(parts[:7], ":")}
	if len(parts) > 7 {
		fn.qualifier = parts[7]
	}
	if fn.region == "" {
		fn.region = defaultRegion
	}
	return fn
}

// invocationPath is the Invoke API's path: /2015-03-31/functions/<name>/invocations.
var invocationPath = regexp.MustCompile(`^(.*)/2015-03-31/functions/([^/]+)/invocations/?$`)

// splitInvocationURL reads a separately served function's endpoint: a full
// invocation URL names the function to send (SAM serving several under
// its own names); a base URL serves one function under the emulator's
// only name, "function".
func splitInvocationURL(u string) (base, name string) {
	if m := invocationPath.FindStringSubmatch(u); m != nil {
		return m[1], m[2]
	}
	return strings.TrimSuffix(u, "/"), "function"
}

// Invoke implements userpool.Invoker: one RequestResponse call.
func (i *Invoker) Invoke(ctx context.Context, arn string, event []byte) ([]byte, error) {
	t := i.resolve(arn)
	t.input.Payload = event
	var (
		out  []byte
		err  error
		done = make(chan struct{})
	)
	if !t.alone {
		out, err = i.call(ctx, t)
		return out, i.logged(arn, err)
	}
	release, err := i.acquire(ctx, t.endpoint)
	if err != nil {
		return nil, i.logged(arn, err)
	}
	// The emulator keeps running a function after its caller gives up, and
	// crashes if the next call arrives meanwhile: the call goes on without
	// the caller's deadline, holding the endpoint until it ends (the
	// emulator's own AWS_LAMBDA_FUNCTION_TIMEOUT ends a slow function).
	go func() {
		defer release()
		defer close(done)
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), detachedLimit)
		defer cancel()
		out, err = i.call(bg, t)
	}()
	select {
	case <-done:
		return out, i.logged(arn, err)
	case <-ctx.Done():
		return nil, i.logged(arn, timedOut(ctx.Err()))
	}
}

// detachedLimit bounds a call to a separately served endpoint after its
// caller gave up (the emulator's default function time-out).
const detachedLimit = 300 * time.Second

// acquire waits for the endpoint to be free, within ctx.
func (i *Invoker) acquire(ctx context.Context, endpoint string) (release func(), err error) {
	i.mu.Lock()
	ch, ok := i.busy[endpoint]
	if !ok {
		ch = make(chan struct{}, 1)
		i.busy[endpoint] = ch
	}
	i.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, timedOut(ctx.Err())
	}
}

func (i *Invoker) logged(arn string, err error) error {
	var ie *userpool.InvokeError
	if err != nil && i.cfg.Log != nil && errors.As(err, &ie) {
		i.cfg.Log.Warn("lambda invocation failed", "function", arn, "failure", ie.Message, "cause", errors.Unwrap(err))
	}
	if ie != nil {
		return ie
	}
	return err
}

// call makes the request and classifies its outcome.
func (i *Invoker) call(ctx context.Context, t target) ([]byte, error) {
	var captured capturedBody
	ctx = context.WithValue(ctx, capturedKey{}, &captured)
	client := i.aws
	if t.endpoint != "" {
		client = i.local
	}
	in := t.input
	out, err := client.Invoke(ctx, &in, func(o *awslambda.Options) {
		o.Region = t.region
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
	if err != nil {
		return nil, classifyError(ctx, err, captured.body)
	}
	if out.FunctionError != nil {
		return nil, functionFailed(out.Payload, *out.FunctionError)
	}
	return classifyPayload(out.Payload)
}

func timedOut(cause error) error {
	return &wrapped{userpool.InvokeError{Failure: userpool.InvocationTimedOut, Message: "Socket timeout while invoking Lambda function"}, cause}
}

func refused(errorType string, cause error) error {
	return &wrapped{userpool.InvokeError{Failure: userpool.InvocationRefused, Message: errorType}, cause}
}

// wrapped is an InvokeError with the cause that made it, for the log;
// errors.As finds the InvokeError.
type wrapped struct {
	userpool.InvokeError
	cause error
}

func (w *wrapped) Unwrap() error { return w.cause }

func (w *wrapped) As(target any) bool {
	if p, ok := target.(**userpool.InvokeError); ok {
		*p = &w.InvokeError
		return true
	}
	return false
}

// errorDocument is what Lambda answers for a function's error.
type errorDocument struct {
	ErrorMessage *string `json:"errorMessage"`
	ErrorType    string  `json:"errorType"`
}

// asErrorDocument reads body as an error document: an object with
// errorMessage and none of an event's members (the emulator forwards no
// header, so this is all that tells an error from an answer).
func asErrorDocument(body []byte) (errorDocument, bool) {
	var doc errorDocument
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil || json.Unmarshal(body, &doc) != nil || doc.ErrorMessage == nil {
		return doc, false
	}
	for _, event := range []string{"triggerSource", "request", "response", "version"} {
		if _, ok := members[event]; ok {
			return doc, false
		}
	}
	return doc, true
}

// functionFailed is a function's error (X-Amz-Function-Error, or an error
// document): Message is its errorMessage. A time-out Lambda reports as a
// function error (errorType Sandbox.Timedout) is a time-out.
func functionFailed(payload []byte, header string) error {
	doc, ok := asErrorDocument(payload)
	if ok && strings.HasPrefix(doc.ErrorType, "Sandbox.Timedout") {
		return timedOut(errors.New(*doc.ErrorMessage))
	}
	msg := header
	if ok {
		msg = *doc.ErrorMessage
	}
	return &userpool.InvokeError{Failure: userpool.FunctionFailed, Message: msg}
}

// emulatorTimeout is the emulator's answer when the function ran past
// AWS_LAMBDA_FUNCTION_TIMEOUT (HTTP 200, plain text).
var emulatorTimeout = regexp.MustCompile(`^Task timed out after [0-9.]+ seconds\s*$`)

// classifyPayload reads a 200 answer without X-Amz-Function-Error.
func classifyPayload(payload []byte) ([]byte, error) {
	if emulatorTimeout.Match(payload) {
		return nil, timedOut(errors.New(string(payload)))
	}
	if _, ok := asErrorDocument(payload); ok {
		return nil, functionFailed(payload, "Unhandled")
	}
	return payload, nil
}

// classifyError reads a failed call: the emulator's 502 error document (a
// panic, the runtime's exit) is the function's error; another answer from
// the endpoint refused the call (no such function, no permission, a
// throttle), named by Lambda's error type; no answer at all is a time-out;
// a call that could not be signed (no credentials) is refused as
// AccessDeniedException.
func classifyError(ctx context.Context, err error, body []byte) error {
	var (
		sendErr   *smithyhttp.RequestSendError
		readErr   *smithy.DeserializationError
		netErr    net.Error
		resp      *awshttp.ResponseError
		responded = errors.As(err, &resp) && resp.Response != nil
	)
	switch {
	case ctx.Err() != nil || errors.As(err, &sendErr) || errors.As(err, &netErr) || (!responded && errors.As(err, &readErr)):
		return timedOut(err)
	case !responded:
		return refused("AccessDeniedException", err)
	}
	status := resp.HTTPStatusCode()
	if status >= 500 {
		if _, ok := asErrorDocument(body); ok {
			return functionFailed(body, "Unhandled")
		}
	}
	code := ""
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	if code == "" || code == "UnknownError" {
		switch status {
		case http.StatusNotFound:
			code = "ResourceNotFoundException"
		case http.StatusForbidden, http.StatusUnauthorized:
			code = "AccessDeniedException"
		case http.StatusTooManyRequests:
			code = "TooManyRequestsException"
		default:
			code = "ServiceException"
		}
	}
	return refused(code, err)
}

// capturedBody keeps an error answer's body, which the SDK's error
// deserialiser consumes without keeping the error document.
type capturedBody struct{ body []byte }

type capturedKey struct{}

// capturingClient copies the body of every error answer into the call's
// capturedBody.
type capturingClient struct{ next awslambda.HTTPClient }

func (c capturingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	if err != nil || resp.StatusCode < 300 {
		return resp, err
	}
	if cb, ok := req.Context().Value(capturedKey{}).(*capturedBody); ok {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		cb.body = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}
