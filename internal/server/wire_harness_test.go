package server_test

// The in-process wire harness: the real HTTP handler, wired by internal/app
// exactly as `cognate serve` wires it, over a real SQLite store in
// t.TempDir(), called through aws-sdk-go-v2's Cognito client. Every 200
// body the client receives is checked against the model
// (awsjson.CheckOutput), and the server runs with CheckWire on, so a
// "wire conformance" log line fails the test as well.

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/app"
	"github.com/cognate/cognate/internal/awsjson"
	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/racetest"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/wiretest"
)

const (
	wireAccessKey = "AKIDWIRETEST"
	wireSecretKey = "wire-test-secret-key-0123456789abcdef"
	wireAccount   = "000000000000"
)

var ctx = context.Background()

// clock is the server's settable clock: it starts now (SigV4 compares the
// client's signing time with it) and moves only when a test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wire is one in-process server and an SDK client of it.
type wire struct {
	t     *testing.T
	app   *app.App
	api   *cip.Client
	URL   string
	clock *clock
	rec   *recorder
}

func newWire(t *testing.T) *wire {
	t.Helper()
	raw := make([]byte, 32)
	rand.Read(raw)
	keeper, err := secret.New(raw)
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "cognate.db"), sqlite.WithSealer(keeper))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &racetest.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := &clock{t: time.Now()}
	keys := sigv4.StaticKeyring{wireAccessKey: {AccessKeyID: wireAccessKey, SecretAccessKey: wireSecretKey, Name: "wire"}}
	a, err := app.New(app.Config{
		AccountID: wireAccount, RateLimits: "off",
		PasswordArgon2: "m=64,t=1,p=1", // cheap: these tests are about the wire
		CheckWire:      true,
	}, store, keeper, keys, log, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	a.SetIssuerBase(ts.URL)
	rec := &recorder{t: t, base: http.DefaultTransport, model: awsmodel.Default(), ok: map[string]int{}}
	w := &wire{t: t, app: a, URL: ts.URL, clock: c, rec: rec, api: cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(ts.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(wireAccessKey, wireSecretKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: rec},
	})}
	t.Cleanup(func() {
		for _, line := range wiretest.OffModel(logs.String()) {
			t.Errorf("the server logged an answer off the model: %s", line)
		}
	})
	return w
}

// recorder is the SDK's transport: it checks every 200 body against the
// operation's output shape and counts the operations that answered one.
type recorder struct {
	t     *testing.T
	base  http.RoundTripper
	model *awsmodel.Model
	mu    sync.Mutex
	ok    map[string]int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	name, isAPI := strings.CutPrefix(req.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if err != nil || !isAPI || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	op, _ := r.model.Operation(name)
	var mm *awsjson.OutputMismatch
	if errors.As(awsjson.CheckOutput(op, body), &mm) {
		for _, v := range mm.Violations {
			r.t.Errorf("%s answered off the model: %s\nbody: %.300s", name, v, body)
		}
	}
	r.mu.Lock()
	r.ok[name]++
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) answered(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok[name] > 0
}

// ok fails the test when a call whose answer is not needed failed:
// w.ok(w.api.X(ctx, in)).
func (w *wire) ok(_ any, err error) {
	w.t.Helper()
	w.check(err)
}

// check fails the test on an error.
func (w *wire) check(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// wantAPIError asserts Cognito's exact error type and message.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("error\n got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// pool creates a pool; edit sets more of the request.
func (w *wire) pool(name string, edit func(*cip.CreateUserPoolInput)) string {
	w.t.Helper()
	in := &cip.CreateUserPoolInput{PoolName: aws.String(name)}
	if edit != nil {
		edit(in)
	}
	out, err := w.api.CreateUserPool(ctx, in)
	w.check(err)
	return *out.UserPool.Id
}

// client creates an app client that allows the password and refresh flows.
func (w *wire) client(poolID string, edit func(*cip.CreateUserPoolClientInput)) *types.UserPoolClientType {
	w.t.Helper()
	in := &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}}
	if edit != nil {
		edit(in)
	}
	out, err := w.api.CreateUserPoolClient(ctx, in)
	w.check(err)
	return out.UserPoolClient
}

// user creates a confirmed user with a verified email and a permanent
// password.
func (w *wire) user(poolID, name, password string) {
	w.t.Helper()
	w.ok(w.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &name,
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}}))
	w.ok(w.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &name,
		Password: &password, Permanent: true}))
}

// signIn runs USER_PASSWORD_AUTH and wants tokens.
func (w *wire) signIn(clientID, user, password string) *types.AuthenticationResultType {
	w.t.Helper()
	out, err := w.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
	w.check(err)
	if out.AuthenticationResult == nil {
		w.t.Fatalf("no tokens for %s: challenge %v", user, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// code is the code of the last message the pool would have sent the user.
func (w *wire) code(poolID, username string) string {
	w.t.Helper()
	msgs, err := w.app.Server.Accounts.Outbox(ctx, poolID, username, 0, 1000)
	w.check(err)
	if len(msgs) == 0 {
		w.t.Fatalf("no message to %s", username)
	}
	return msgs[len(msgs)-1].Code
}

// attrs reads a Cognito attribute list as a map.
func attrs(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}
