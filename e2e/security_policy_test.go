package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Security review #25: a principal in credentials.json may carry an IAM
// policy that limits it to some pools or actions; the file is reloaded
// without a restart.

// policyKey is one principal of a credentials.json written by a test.
type policyKey struct {
	id, secret, name string
	policy           string // an IAM policy document, "" for none (full power)
	expires          string // RFC 3339, "" for never
}

func (k policyKey) sdk(s *Server) *cip.Client { return s.SDKWith(k.id, k.secret) }

// principalARN is how a refusal names the key.
func (k policyKey) principalARN() string { return "arn:aws:iam::000000000000:user/" + k.name }

var policyAdmin = policyKey{id: "AKIDPOLICYADMIN", secret: "policy-admin-secret-0123456789abcdef", name: "admin"}

// writeCredentials replaces <data-dir>/credentials.json atomically, as an
// operator's editor or config tool would.
func writeCredentials(t *testing.T, s *Server, keys ...policyKey) {
	t.Helper()
	var principals []map[string]any
	for _, k := range keys {
		p := map[string]any{"accessKeyId": k.id, "secretAccessKey": k.secret, "name": k.name}
		if k.policy != "" {
			p["policy"] = json.RawMessage(k.policy)
		}
		if k.expires != "" {
			p["expires"] = k.expires
		}
		principals = append(principals, p)
	}
	raw, err := json.MarshalIndent(map[string]any{"principals": principals}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFileAtomically(t, filepath.Join(s.DataDir, "credentials.json"), raw)
}

func writeFileAtomically(t *testing.T, path string, raw []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// policyServer starts a server whose only credentials are those of the
// data dir's credentials.json (admin, without a policy).
func policyServer(t *testing.T) *Server {
	t.Helper()
	s := newServer(t, "COGNATE_ACCESS_KEY_ID=", "COGNATE_SECRET_ACCESS_KEY=")
	writeCredentials(t, s, policyAdmin)
	s.Start()
	return s
}

// adminPool creates a pool with the file's admin key.
func adminPool(t *testing.T, s *Server, name string) *fixture {
	t.Helper()
	api := policyAdmin.sdk(s)
	pool, err := api.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{s: s, api: api, PoolID: *pool.UserPool.Id}
}

func poolPolicy(effect, action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Action":` + action + `,"Resource":` + resource + `}]}`
}

func quoted(s string) string { b, _ := json.Marshal(s); return string(b) }

func implicitDeny(k policyKey, action, resource string) string {
	return "User: " + k.principalARN() + " is not authorized to perform: cognito-idp:" + action + " on resource: " + resource +
		" because no identity-based policy allows the cognito-idp:" + action + " action"
}

func explicitDeny(k policyKey, action, resource string) string {
	return "User: " + k.principalARN() + " is not authorized to perform: cognito-idp:" + action + " on resource: " + resource +
		" with an explicit deny in an identity-based policy"
}

// outboxAs runs `cognate outbox` signed with k.
func outboxAs(t *testing.T, s *Server, k policyKey, poolID string) CLIResult {
	t.Helper()
	return runCommand(t, s.cliEnv("AWS_ACCESS_KEY_ID="+k.id, "AWS_SECRET_ACCESS_KEY="+k.secret), cognateBinary(t),
		"outbox", "--user-pool-id", poolID, "--endpoint-url", s.URL)
}

func TestPolicyLimitedKeys(t *testing.T) {
	s := policyServer(t)
	ctx := context.Background()
	admin := policyAdmin.sdk(s)
	pools := map[string]*fixture{}
	for _, name := range []string{"ci", "other"} {
		f := adminPool(t, s, name)
		f.addUser(t, "alice", testPassword)
		f.addUser(t, "bob", testPassword)
		pools[name] = f
	}
	ciPool, otherPool := pools["ci"].PoolID, pools["other"].PoolID
	arn := func(pool string) string { return "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + pool }

	ci := policyKey{id: "AKIDPOLICYCI", secret: "policy-ci-secret-0123456789abcdef", name: "ci",
		policy: poolPolicy("Allow", `"cognito-idp:*"`, quoted(arn(ciPool)))}
	readOnly := policyKey{id: "AKIDPOLICYRO", secret: "policy-ro-secret-0123456789abcdef", name: "reader",
		policy: poolPolicy("Allow", `["cognito-idp:Describe*","cognito-idp:List*","cognito-idp:adminget*"]`, `"*"`)}
	denied := policyKey{id: "AKIDPOLICYDENY", secret: "policy-deny-secret-0123456789abcdef", name: "nodelete",
		policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
			{"Sid":"NoDeletes","Effect":"Deny","Action":"cognito-idp:*Delete*","Resource":"arn:aws:cognito-idp:*:*:userpool/*"}]}`}
	writeCredentials(t, s, policyAdmin, ci, readOnly, denied)
	s.Stop() // a restart, so that this test does not depend on the reload
	s.Start()

	user := func(pool, name string) *cip.AdminGetUserInput {
		return &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}
	}
	del := func(pool, name string) *cip.AdminDeleteUserInput {
		return &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}
	}

	// The pool-limited key works in its pool, and nowhere else.
	if _, err := ci.sdk(s).AdminGetUser(ctx, user(ciPool, "alice")); err != nil {
		t.Fatalf("the CI key in its own pool: %v", err)
	}
	if _, err := ci.sdk(s).AdminDeleteUser(ctx, del(ciPool, "bob")); err != nil {
		t.Fatalf("the CI key deleting in its own pool: %v", err)
	}
	_, err := ci.sdk(s).AdminGetUser(ctx, user(otherPool, "alice"))
	expectAPIError(t, err, "AccessDeniedException", implicitDeny(ci, "AdminGetUser", arn(otherPool)))
	_, err = ci.sdk(s).AdminDeleteUser(ctx, del(otherPool, "alice"))
	expectAPIError(t, err, "AccessDeniedException", implicitDeny(ci, "AdminDeleteUser", arn(otherPool)))
	_, err = ci.sdk(s).CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sneaky")})
	expectAPIError(t, err, "AccessDeniedException", implicitDeny(ci, "CreateUserPool", "*"))
	_, err = ci.sdk(s).ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	expectAPIError(t, err, "AccessDeniedException", implicitDeny(ci, "ListUserPools", "*"))
	if r := outboxAs(t, s, ci, ciPool); r.Code != 0 {
		t.Fatalf("the CI key reading its own pool's outbox: %d %s", r.Code, r.Stderr)
	}
	if r := outboxAs(t, s, ci, otherPool); r.Code == 0 || !strings.Contains(r.Stderr, "(AccessDeniedException)") ||
		!strings.Contains(r.Stderr, implicitDeny(ci, "ListOutboxMessages", arn(otherPool))) {
		t.Fatalf("the CI key read another pool's outbox: %d %s %s", r.Code, r.Stdout, r.Stderr)
	}

	// The read-only key reads everything and changes nothing.
	if _, err := readOnly.sdk(s).AdminGetUser(ctx, user(otherPool, "alice")); err != nil {
		t.Fatalf("read-only AdminGetUser: %v", err)
	}
	if _, err := readOnly.sdk(s).ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(ciPool)}); err != nil {
		t.Fatalf("read-only ListUsers: %v", err)
	}
	if _, err := readOnly.sdk(s).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(otherPool)}); err != nil {
		t.Fatalf("read-only DescribeUserPool: %v", err)
	}
	_, err = readOnly.sdk(s).AdminDeleteUser(ctx, del(otherPool, "alice"))
	expectAPIError(t, err, "AccessDeniedException", implicitDeny(readOnly, "AdminDeleteUser", arn(otherPool)))

	// A Deny overrides the Allow of the same policy.
	if _, err := denied.sdk(s).AdminGetUser(ctx, user(otherPool, "alice")); err != nil {
		t.Fatalf("allowed AdminGetUser: %v", err)
	}
	_, err = denied.sdk(s).AdminDeleteUser(ctx, del(otherPool, "alice"))
	expectAPIError(t, err, "AccessDeniedException", explicitDeny(denied, "AdminDeleteUser", arn(otherPool)))
	if _, err := denied.sdk(s).ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Fatalf("allowed ListUserPools: %v", err)
	}

	// Nothing was deleted by the refused calls, and the admin key without a
	// policy still does everything.
	if _, err := admin.AdminGetUser(ctx, user(otherPool, "alice")); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	if _, err := admin.AdminDeleteUser(ctx, del(otherPool, "alice")); err != nil {
		t.Fatalf("admin AdminDeleteUser: %v", err)
	}
	if _, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("admin-made")}); err != nil {
		t.Fatalf("admin CreateUserPool: %v", err)
	}
	if r := outboxAs(t, s, policyAdmin, otherPool); r.Code != 0 {
		t.Fatalf("admin outbox: %d %s", r.Code, r.Stderr)
	}

	found := false
	for _, l := range auditLines(t, s, "access-denied") {
		if l["operation"] == "AdminDeleteUser" && l["by"] == "access-key:"+readOnly.id && l["resource"] == arn(otherPool) {
			found = true
		}
	}
	if !found {
		t.Errorf("no access-denied audit line for the read-only key's AdminDeleteUser:\n%s", s.Logs())
	}
}

// eventually retries check until it passes or five seconds have gone by:
// the server looks at credentials.json at most once a second.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// wantCode is nil when err is the API error code (or no error for "").
func wantCode(err error, code string) error {
	if got := apiErrorCode(err); got != code || (code == "" && err != nil) {
		if err == nil {
			return errString("no error, want " + code)
		}
		return err
	}
	return nil
}

func TestPolicyReloadWithoutRestart(t *testing.T) {
	s := policyServer(t)
	ctx := context.Background()
	f := adminPool(t, s, "reload")
	f.addUser(t, "alice", testPassword)
	getAlice := func(k policyKey) error {
		_, err := k.sdk(s).AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
		return err
	}
	newKey := policyKey{id: "AKIDPOLICYNEW", secret: "policy-new-secret-0123456789abcdef", name: "newcomer"}
	if err := wantCode(getAlice(newKey), "UnrecognizedClientException"); err != nil {
		t.Fatalf("a key not in the file: %v", err)
	}

	// A key added to the file works without a restart.
	writeCredentials(t, s, policyAdmin, newKey)
	eventually(t, "the added key", func() error { return wantCode(getAlice(newKey), "") })

	// Narrowed to another pool, it is refused here.
	newKey.policy = poolPolicy("Allow", `"cognito-idp:*"`, `"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_elsewhere"`)
	writeCredentials(t, s, policyAdmin, newKey)
	eventually(t, "the narrowed key", func() error { return wantCode(getAlice(newKey), "AccessDeniedException") })

	// A malformed file keeps the keys in force and says why.
	writeFileAtomically(t, filepath.Join(s.DataDir, "credentials.json"), []byte(`{"principals": [`))
	notReloaded := func(why string) func() error {
		return func() error {
			if err := wantCode(getAlice(policyAdmin), ""); err != nil {
				t.Fatalf("the admin key after an unusable file: %v", err)
			}
			if !strings.Contains(s.Logs(), why) {
				return errString("no error logged with " + why)
			}
			return nil
		}
	}
	eventually(t, "a malformed file", notReloaded("credentials file not reloaded; the keys loaded before stay in force"))
	// So does a policy the server can't enforce.
	bad := newKey
	bad.policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
	writeCredentials(t, s, policyAdmin, bad)
	eventually(t, "a policy with a Condition", notReloaded("Condition is not supported"))
	if err := wantCode(getAlice(newKey), "AccessDeniedException"); err != nil {
		t.Fatalf("the narrowed key after an unusable policy: %v", err)
	}

	// Removed from the file, a key is unknown; an expired one looks the same.
	expired := policyKey{id: "AKIDPOLICYOLD", secret: "policy-old-secret-0123456789abcdef", name: "old",
		expires: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}
	later := policyKey{id: "AKIDPOLICYLATER", secret: "policy-later-secret-0123456789abcdef", name: "later",
		expires: time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	writeCredentials(t, s, policyAdmin, expired, later)
	eventually(t, "the removed key", func() error { return wantCode(getAlice(newKey), "UnrecognizedClientException") })
	expectAPIError(t, getAlice(expired), "UnrecognizedClientException", "The security token included in the request is invalid.")
	if err := getAlice(later); err != nil {
		t.Fatalf("a key that expires later: %v", err)
	}

	// SIGHUP reloads at once, without a signed call to notice the edit.
	reloads := strings.Count(s.Logs(), "credentials reloaded")
	writeCredentials(t, s, policyAdmin)
	s.cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, "the reload on SIGHUP", func() error {
		if strings.Count(s.Logs(), "credentials reloaded") == reloads {
			return errString("not reloaded")
		}
		return nil
	})
	if err := wantCode(getAlice(later), "UnrecognizedClientException"); err != nil {
		t.Fatalf("a key removed before SIGHUP: %v", err)
	}
}
