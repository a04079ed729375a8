package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/racetest"
)

type hostileRequest struct {
	name   string
	method string
	path   string
	target string
	body   []byte
}

// hostileRequests builds hundreds of malformed requests: broken JSON and
// UTF-8, wrong types for every member of many operations, nulls, huge and
// deep bodies, oversized strings, unknown and mangled targets, path tricks.
func hostileRequests() []hostileRequest {
	var out []hostileRequest
	add := func(name, target string, body []byte) {
		out = append(out, hostileRequest{name: name, method: "POST", path: "/", target: target, body: body})
	}
	ops := []string{"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "GetUser", "GlobalSignOut", "RevokeToken",
		"AdminUserGlobalSignOut", "AdminCreateUser", "AdminGetUser", "ListUsers", "CreateUserPool", "CreateUserPoolClient",
		"UpdateUserPool", "AdminSetUserPassword", "ConfirmDevice", "ListDevices", "DeleteUser", "AdminUpdateUserAttributes"}
	members := []string{"UserPoolId", "ClientId", "Username", "AccessToken", "AuthFlow", "AuthParameters", "Token", "PoolName",
		"UserAttributes", "Limit", "MaxResults", "Permanent", "DeviceSecretVerifierConfig", "ChallengeResponses", "Policies"}
	wrong := []string{`5`, `true`, `[]`, `{}`, `"x"`, `-1`, `1e999`, `[{"Name":5}]`, `{"a":[1,{"b":null}]}`, `"` + strings.Repeat("A", 5000) + `"`}
	for _, op := range ops {
		t := "AWSCognitoIdentityProviderService." + op
		for _, m := range members {
			for _, w := range wrong {
				add(op+" "+m+"="+w[:min(len(w), 12)], t, []byte(`{"`+m+`":`+w+`}`))
			}
		}
		for i, b := range []string{`{`, `}`, `{"a"}`, `{"a":}`, `nul`, `null`, `[]`, `"str"`, `42`, `{"a":1,}`, `{'a':1}`,
			"{\"UserPoolId\":\"\xff\xfe\"}", "\x00\x01\x02", `{"UserPoolId":"us-east-1_a","Username":null}`,
			`{"AuthParameters":{"USERNAME":null}}`, `{"UserAttributes":[null]}`, `{"__proto__":{"x":1}}`,
			strings.Repeat("[", 5000), `{"a":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat("}", 201),
			`{"UserPoolId":"us-east-1_a","Username":"` + strings.Repeat("é", 300) + `"}`,
			`{"Filter":"` + strings.Repeat(`\"`, 300) + `","UserPoolId":"us-east-1_a"}`} {
			add(fmt.Sprintf("%s body %d", op, i), t, []byte(b))
		}
	}
	for _, t := range []string{"", "AWSCognitoIdentityProviderService.", "AWSCognitoIdentityProviderService.getuser",
		"AWSCognitoIdentityProviderService.GetUser.Extra", "aws.GetUser", strings.Repeat("X", 10000),
		"AWSCognitoIdentityProviderService.../../GetUser", "AWSCognitoIdentityProviderService.CreateIdentityProvider"} {
		add("target "+t[:min(len(t), 30)], t, []byte(`{}`))
	}
	big := append([]byte(`{"PoolName":"`), bytes.Repeat([]byte("a"), 3<<20)...)
	add("3 MiB body", "AWSCognitoIdentityProviderService.CreateUserPool", append(big, `"}`...))
	for _, p := range []string{"/../../etc/passwd", "/%2e%2e/%2e%2e/", "//double", "/?x=1&&&", "/x/y/z", "/.well-known/jwks.json"} {
		out = append(out, hostileRequest{name: "path " + p, method: "POST", path: p, target: "AWSCognitoIdentityProviderService.GetUser", body: []byte(`{"AccessToken":"a.b.c"}`)})
	}
	for _, m := range []string{"PUT", "DELETE", "PATCH", "GET"} {
		out = append(out, hostileRequest{name: "method " + m, method: m, path: "/", target: "AWSCognitoIdentityProviderService.GetUser", body: []byte(`{}`)})
	}
	return out
}

// Every malformed request gets a typed 4xx with a JSON error: never a 5xx,
// a panic or a hung connection.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	reqs := hostileRequests()
	client := &http.Client{Timeout: 10 * time.Second}
	fiveXX := 0
	for _, hr := range reqs {
		req, _ := http.NewRequest(hr.method, s.URL+hr.path, bytes.NewReader(hr.body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if hr.target != "" {
			req.Header.Set("X-Amz-Target", hr.target)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s: %v", hr.name, err)
			continue
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			fiveXX++
		}
		var body map[string]any
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || json.Unmarshal(raw, &body) != nil || body["__type"] == nil {
			t.Errorf("%s: status %d body %.200q", hr.name, resp.StatusCode, raw)
		}
	}
	// Oversized headers are refused by the HTTP layer with 431.
	conn, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 1<<20))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, _ := io.ReadAll(io.LimitReader(conn, 64))
	conn.Close()
	if !bytes.Contains(status, []byte("431")) {
		t.Errorf("oversized header: %q", status)
	}
	// The server is still healthy and logged no panic.
	if resp, err := http.Get(s.URL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unhealthy after hostile input: %v", err)
	}
	if strings.Contains(s.Logs(), `"panic"`) {
		t.Fatalf("a request panicked:\n%s", s.Logs())
	}
	t.Logf("hostile requests tried: %d, 5xx answers: %d", len(reqs)+1, fiveXX)
}

// Concurrent creates of one username make exactly one user; the rest get
// UsernameExistsException.
func TestConcurrentCreateOfOneUsername(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("race")})
	if err != nil {
		t.Fatal(err)
	}
	created, exists := racetest.Count(t, 24, func(i int) error {
		name := "same"
		if i%2 == 1 {
			name = "SAME" // the same user in a case-insensitive pool
		}
		_, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String(name),
			MessageAction: types.MessageActionTypeSuppress})
		return err
	}, func(err error) bool { var ue *types.UsernameExistsException; return errorsAs(err, &ue) })
	if created != 1 || exists != 23 {
		t.Fatalf("created %d, already existed %d", created, exists)
	}
}

// Sign-in calls are throttled per app client, and every call per IP when
// configured, with Cognito's TooManyRequestsException.
func TestThrottling(t *testing.T) {
	s := StartServer(t, "COGNATE_RATE_LIMIT_AUTH=2")
	f := newFixture(t, s, nil)
	ctx := context.Background()
	throttled := 0
	for i := 0; i < 10; i++ {
		_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		var tm *types.TooManyRequestsException
		if errorsAs(err, &tm) {
			throttled++
			if tm.ErrorMessage() != "Rate exceeded" {
				t.Fatalf("message %q", tm.ErrorMessage())
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled < 5 { // a burst of 4 at most gets through within the loop
		t.Fatalf("only %d of 10 sign-ins throttled at 2/s", throttled)
	}
	// Admin calls are not in the sign-in category.
	if _, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}

	ip := StartServer(t, "COGNATE_RATE_LIMIT_IP=3")
	status := map[int]int{}
	for i := 0; i < 20; i++ {
		code, _, body := rawCall(t, ip.URL, "AWSCognitoIdentityProviderService.GetUser", `{"AccessToken":"a.b.c"}`, nil)
		if body["__type"] == "TooManyRequestsException" {
			status[code]++
		}
	}
	if status[400] < 10 {
		t.Fatalf("per-IP throttling: %v", status)
	}
}
