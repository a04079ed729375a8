package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

func mustCLI(t *testing.T, r CLIResult) map[string]any {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
	}
	if strings.TrimSpace(r.Stdout) == "" {
		return nil
	}
	return r.JSON(t)
}

func expectCLIError(t *testing.T, r CLIResult, code, op, msg string) {
	t.Helper()
	if r.Code != 255 {
		t.Fatalf("exit %d, want 255\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
	}
	if got, want := lastLine(r.Stderr), awsErrorLine(code, op, msg); got != want {
		t.Fatalf("stderr:\n got %q\nwant %q", got, want)
	}
}

func dig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// The AWS CLI, as a smoke test: a success prints the answer as JSON and
// exits 0, shorthand and --cli-input-json arguments reach the server, and a
// service error exits 255 with the CLI's one-line form. What the answers
// contain is tested in-process (internal/server/wire_*_test.go), where it
// costs milliseconds instead of a Python start per call.
func TestAWSCLISmoke(t *testing.T) {
	s := StartServer(t)
	out := mustCLI(t, s.AWS("create-user-pool", "--pool-name", "demo"))
	poolID, _ := dig(out, "UserPool", "Id").(string)
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(poolID) {
		t.Fatalf("pool id %q", poolID)
	}
	// Shorthand: Name=…,Value=… becomes an AttributeType.
	u := mustCLI(t, s.AWS("admin-create-user", "--user-pool-id", poolID, "--username", "alice",
		"--user-attributes", "Name=email,Value=alice@example.com", "Name=name,Value=Alice A", "--message-action", "SUPPRESS"))
	got := map[string]any{}
	for _, a := range dig(u, "User", "Attributes").([]any) {
		got[a.(map[string]any)["Name"].(string)] = a.(map[string]any)["Value"]
	}
	if got["email"] != "alice@example.com" || got["name"] != "Alice A" {
		t.Fatalf("shorthand attributes: %v", got)
	}
	input, _ := json.Marshal(map[string]any{"UserPoolId": poolID, "ClientName": "web", "GenerateSecret": true,
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	cl := mustCLI(t, s.AWS("create-user-pool-client", "--cli-input-json", string(input)))
	if dig(cl, "UserPoolClient", "ClientName") != "web" || dig(cl, "UserPoolClient", "ClientSecret") == nil {
		t.Fatalf("--cli-input-json client: %v", cl)
	}
	expectCLIError(t, s.AWS("admin-get-user", "--user-pool-id", "bad pool", "--username", "x"),
		"InvalidParameterException", "AdminGetUser",
		`1 validation error detected: Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`)
}

// rawCall posts a JSON 1.1 request without any SDK.
func rawCall(t *testing.T, url, target, body string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: body is not JSON: %q", target, raw)
	}
	return resp.StatusCode, resp.Header, m
}

func TestWireErrors(t *testing.T) {
	s := StartServer(t)
	cases := []struct {
		name, target, body, wantType string
	}{
		{"unknown operation", "AWSCognitoIdentityProviderService.NoSuchOperation", `{}`, "UnknownOperationException"},
		{"wrong prefix", "SomeOtherService.GetUser", `{}`, "UnknownOperationException"},
		{"missing target", "", `{}`, "UnknownOperationException"},
		{"malformed JSON", "AWSCognitoIdentityProviderService.InitiateAuth", `{"ClientId":`, "SerializationException"},
		{"wrong type", "AWSCognitoIdentityProviderService.InitiateAuth", `{"ClientId":5,"AuthFlow":"USER_PASSWORD_AUTH"}`, "SerializationException"},
		{"missing members", "AWSCognitoIdentityProviderService.InitiateAuth", `{}`, "InvalidParameterException"},
		{"unsigned admin call", "AWSCognitoIdentityProviderService.ListUserPools", `{"MaxResults":1}`, "MissingAuthenticationTokenException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := rawCall(t, s.URL, c.target, c.body, nil)
			if status != 400 {
				t.Fatalf("status %d", status)
			}
			if body["__type"] != c.wantType || h.Get("X-Amzn-Errortype") != c.wantType+":" {
				t.Fatalf("__type %v header %q, want %s", body["__type"], h.Get("X-Amzn-Errortype"), c.wantType)
			}
			if msg, _ := body["message"].(string); msg == "" {
				t.Fatalf("no message: %v", body)
			}
			if h.Get("X-Amzn-Requestid") == "" {
				t.Fatal("no x-amzn-RequestId")
			}
		})
	}
	_, _, body := rawCall(t, s.URL, "AWSCognitoIdentityProviderService.InitiateAuth", `{}`, nil)
	want := "2 validation errors detected: Value null at 'authFlow' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'clientId' failed to satisfy constraint: Member must not be null"
	if body["message"] != want {
		t.Fatalf("message %q\nwant    %q", body["message"], want)
	}
}

func TestAdminCallsNeedValidSignatures(t *testing.T) {
	s := StartServer(t)
	ctx := context.Background()
	apiErr := func(err error) (string, string) {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("not an API error: %v", err)
		}
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	_, err := s.SDKWith("AKIDUNKNOWN", "whatever").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	if code, msg := apiErr(err); code != "UnrecognizedClientException" || msg != "The security token included in the request is invalid." {
		t.Fatalf("unknown key: %s %q", code, msg)
	}
	_, err = s.SDKWith(testAccessKey, "wrong-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	if code, msg := apiErr(err); code != "InvalidSignatureException" || !strings.HasPrefix(msg, "The request signature we calculated does not match") {
		t.Fatalf("wrong secret: %s %q", code, msg)
	}
	r := s.AWS("list-user-pools", "--max-results", "1", "--no-sign-request")
	if r.Code != 255 || !strings.Contains(r.Stderr, "(MissingAuthenticationTokenException)") {
		t.Fatalf("unsigned: %d %s", r.Code, r.Stderr)
	}
	// Unsigned public operations are accepted without credentials.
	pool, err := s.SDK().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	client, err := s.SDK().CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("c"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	r = runCommand(t, []string{"PATH=" + envPath(), "HOME=" + t.TempDir(), "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"},
		"aws", "cognito-idp", "initiate-auth", "--client-id", *client.UserPoolClient.ClientId, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=nobody,PASSWORD=Whatever1!", "--endpoint-url", s.URL)
	if r.Code != 255 || lastLine(r.Stderr) != awsErrorLine("UserNotFoundException", "InitiateAuth", "User does not exist.") {
		t.Fatalf("unsigned InitiateAuth should reach the server: %d %s", r.Code, r.Stderr)
	}
	if !bytes.Contains([]byte(s.Logs()), []byte("cognate listening")) {
		t.Fatal("no start log")
	}
}

// Without COGNATE_ACCESS_KEY_ID the server generates admin credentials and
// stores them 0600. Its output is no terminal here, so it names the file
// and never writes the secret into the log stream (security review #21).
func TestGeneratedCredentials(t *testing.T) {
	s := &Server{t: t, DataDir: t.TempDir()}
	s.Env = []string{"COGNATE_ACCESS_KEY_ID=", "COGNATE_SECRET_ACCESS_KEY=", "COGNATE_DATA_DIR=" + s.DataDir}
	s.Start()
	t.Cleanup(s.Stop)
	path := filepath.Join(s.DataDir, "credentials.json")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	raw, _ := os.ReadFile(path)
	var file struct {
		Principals []struct{ AccessKeyID, SecretAccessKey string }
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Principals) != 1 {
		t.Fatalf("credentials.json: %s (%v)", raw, err)
	}
	m := []string{"", file.Principals[0].AccessKeyID, file.Principals[0].SecretAccessKey}
	logs := s.Logs()
	if strings.Contains(logs, m[2]) || !strings.Contains(logs, path) || !strings.Contains(logs, m[1]) {
		t.Fatalf("the output must name the file and the key id, never the secret:\n%s", logs)
	}
	if _, err := s.SDKWith(m[1], m[2]).ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatalf("generated credentials do not work: %v", err)
	}
	if _, err := s.SDK().ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err == nil {
		t.Fatal("an unconfigured key was accepted")
	}
	s.Stop()
	s.Start()
	if strings.Contains(s.Logs(), "Generated admin credentials") {
		t.Fatal("credentials generated again on the second start")
	}
	if _, err := s.SDKWith(m[1], m[2]).ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatalf("generated credentials lost on restart: %v", err)
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	s := StartServer(t)
	pool, err := s.SDK().CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	id := *pool.UserPool.Id
	resp, err := http.Get(s.URL + "/" + id + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["issuer"] != s.URL+"/"+id || doc["jwks_uri"] != s.URL+"/"+id+"/.well-known/jwks.json" {
		t.Fatalf("discovery %v", doc)
	}
	keys := fetchJWKS(t, s.URL, id)
	if len(keys) != 2 {
		t.Fatalf("%d keys in the JWKS, want one for ID and one for access tokens", len(keys))
	}
	resp, _ = http.Get(s.URL + "/us-east-1_nothere/.well-known/jwks.json")
	if resp.StatusCode != 404 {
		t.Fatalf("unknown pool JWKS status %d", resp.StatusCode)
	}
	resp.Body.Close()
}
