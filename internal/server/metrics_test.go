package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/issuer"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/userpool"
)

// metricsWorld is a Server wired as `cognate serve` wires it, on a real
// SQLite store, with one pool and one client.
type metricsWorld struct {
	srv    *Server
	api    http.Handler
	pool   userpool.Pool
	client userpool.Client
	n      int
}

func newMetricsWorld(t *testing.T) *metricsWorld {
	t.Helper()
	keeper, err := secret.New(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(":memory:", sqlite.WithSealer(keeper))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now
	tokens := issuer.New(st, keeper, "https://cognito-idp.us-east-1.amazonaws.com", now)
	creds := password.Credentials{Keeper: keeper, Argon2: password.Argon2{MemoryKiB: 64, Iterations: 1, Threads: 1}}
	metrics := NewMetrics() // the domain's Observer, as internal/app wires it
	sessions := &userpool.Sessions{Store: st, Now: now, Tokens: tokens, Observer: metrics}
	srv := &Server{
		Pools:    &userpool.Pools{Store: st, Now: now, MakeKey: tokens.MakeKey},
		Users:    &userpool.Users{Store: st, Now: now, Credentials: creds, Sessions: sessions},
		Auth:     &userpool.Auth{Store: st, Now: now, Credentials: creds, Tokens: tokens, Sealer: keeper, Observer: metrics},
		Sessions: sessions,
		Devices:  &userpool.Devices{Store: st, Now: now, Sessions: sessions},
		Groups:   &userpool.Groups{Store: st, Now: now},
		Accounts: &userpool.Accounts{Store: st, Now: now, Credentials: creds, Sealer: keeper, Sessions: sessions},
		MFA:      &userpool.MFA{Store: st, Now: now, Sealer: keeper, Sessions: sessions},
		Store:    st,
		Keys:     tokens,
		Model:    awsmodel.Default(),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:  metrics,
	}
	ctx := context.Background()
	pool, err := srv.Pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := srv.Pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: pool.ID, ClientSettings: userpool.ClientSettings{
		ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	return &metricsWorld{srv: srv, api: srv.Handler(), pool: pool, client: client}
}

// signIn creates a fresh user and returns its tokens (the sign-in itself
// checks no revocation).
func (w *metricsWorld) signIn(t *testing.T) userpool.Tokens {
	t.Helper()
	ctx := context.Background()
	w.n++
	name := "user" + strings.Repeat("x", w.n)
	if _, err := w.srv.Users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: w.pool.ID, Username: name}); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Users.SetPassword(ctx, w.pool.ID, name, "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
	res, err := w.srv.Auth.Initiate(ctx, userpool.InitiateInput{ClientId: w.client.ID, AuthFlow: "USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Passw0rd!"}}, false)
	if err != nil || res.Tokens == nil {
		t.Fatalf("sign-in: %+v %v", res, err)
	}
	return *res.Tokens
}

// call posts one operation through the real handler.
func (w *metricsWorld) call(t *testing.T, op string, in map[string]any) {
	t.Helper()
	body, _ := json.Marshal(in)
	req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w.api.ServeHTTP(httptest.NewRecorder(), req)
}

// checks sums cognate_revocation_checks_total by outcome.
func (w *metricsWorld) checks(t *testing.T) map[string]float64 {
	t.Helper()
	return w.sum(t, "cognate_revocation_checks_total", "outcome")
}

// sum adds up a counter's samples by the value of one label.
func (w *metricsWorld) sum(t *testing.T, name, label string) map[string]float64 {
	t.Helper()
	families, err := w.srv.Metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// tokenOperationInputs are the members, besides AccessToken, that get each
// token-authorized operation past input validation to its token check.
var tokenOperationInputs = map[string]map[string]any{
	"AssociateSoftwareToken":           {},
	"ChangePassword":                   {"PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"},
	"ConfirmDevice":                    {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
	"DeleteUser":                       {},
	"DeleteUserAttributes":             {"UserAttributeNames": []string{"name"}},
	"ForgetDevice":                     {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
	"GetDevice":                        {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000"},
	"GetUser":                          {},
	"GetUserAttributeVerificationCode": {"AttributeName": "email"},
	"GetUserAuthFactors":               {},
	"GlobalSignOut":                    {},
	"ListDevices":                      {},
	"SetUserMFAPreference":             {"SoftwareTokenMfaSettings": map[string]any{"Enabled": false}},
	"UpdateDeviceStatus":               {"DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000", "DeviceRememberedStatus": "remembered"},
	"UpdateUserAttributes":             {"UserAttributes": []map[string]string{{"Name": "name", "Value": "N"}}},
	"VerifySoftwareToken":              {"UserCode": "123456"},
	"VerifyUserAttribute":              {"AttributeName": "email", "Code": "123456"},
}

// Every operation authorized by an access token counts one revocation
// check, whatever it does next, and a refresh counts one too: the count is
// made where the domain checks, not from a list of operation names kept at
// the edge (which named 8 of the 16 and so undercounted).
func TestEveryTokenCheckIsCounted(t *testing.T) {
	w := newMetricsWorld(t)
	model := awsmodel.Default()
	var tokenOps []string
	for name := range w.srv.operations() {
		if op, _ := model.Operation(name); op.Input != nil && op.Input.MemberByName("AccessToken") != nil {
			tokenOps = append(tokenOps, name)
		}
	}
	sort.Strings(tokenOps)
	for _, name := range tokenOps {
		in, ok := tokenOperationInputs[name]
		if !ok {
			t.Errorf("%s takes an AccessToken: add its input to tokenOperationInputs", name)
			continue
		}
		tok := w.signIn(t)
		body := map[string]any{"AccessToken": tok.AccessToken}
		for k, v := range in {
			body[k] = v
		}
		before := w.checks(t)
		w.call(t, name, body)
		if got := w.checks(t); got["ok"] != before["ok"]+1 {
			t.Errorf("%s: revocation checks %v, then %v; want one more ok", name, before, got)
		}
	}

	tok := w.signIn(t)
	before := w.checks(t)
	w.call(t, "InitiateAuth", map[string]any{"ClientId": w.client.ID, "AuthFlow": "REFRESH_TOKEN_AUTH",
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}})
	w.call(t, "GetTokensFromRefreshToken", map[string]any{"ClientId": w.client.ID, "RefreshToken": tok.RefreshToken})
	if got := w.checks(t); got["ok"] != before["ok"]+2 {
		t.Errorf("refreshes: revocation checks %v, then %v; want two more ok", before, got)
	}

	// A sign-in checks no revocation; a revoked token is a failed check.
	before = w.checks(t)
	w.call(t, "InitiateAuth", map[string]any{"ClientId": w.client.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "nobody", "PASSWORD": "Passw0rd!"}})
	w.call(t, "GlobalSignOut", map[string]any{"AccessToken": tok.AccessToken})
	w.call(t, "ChangePassword", map[string]any{"AccessToken": tok.AccessToken, "PreviousPassword": "Passw0rd!", "ProposedPassword": "Passw0rd!2"})
	want := map[string]float64{"ok": before["ok"] + 1, userpool.NotAuthorized: before[userpool.NotAuthorized] + 1}
	if got := w.checks(t); got["ok"] != want["ok"] || got[userpool.NotAuthorized] != want[userpool.NotAuthorized] {
		t.Errorf("sign-in, sign-out, revoked call: revocation checks %v, then %v; want %v", before, got, want)
	}
	// Sign-outs are counted where they happen too: two GlobalSignOut
	// calls succeeded (one in the loop above, one here).
	if got := w.sum(t, "cognate_signouts_total", "operation"); got["GlobalSignOut"] != 2 {
		t.Errorf("sign-outs %v, want 2 GlobalSignOut", got)
	}
}
