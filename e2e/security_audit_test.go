package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// auditLines returns the server's audit log lines of one event.
func auditLines(t *testing.T, s *Server, event string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.Logs()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "audit" && line["event"] == event {
			out = append(out, line)
		}
	}
	return out
}

// Security review #22: every admin mutation, failed signature, failed
// sign-in and lockout leaves an audit line with who, from where and what.
func TestAuditTrail(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	if _, err := f.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String("alice"),
		Password: aws.String("Another-Horse-7"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &f.PoolID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SDKWith(testAccessKey, "not-the-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	for range 6 { // five failures, then the lockout
		f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: "USER_PASSWORD_AUTH",
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "wrong-password"}})
	}
	// The last line may still be in the stderr pipe when the answer arrives.
	s.WaitLog(`"event":"sign-in-locked-out"`)

	// The server writes its log through a pipe the harness reads: wait for
	// the last line expected before reading them all.
	if !s.WaitLog(`"event":"sign-in-locked-out"`) {
		t.Error("no sign-in-locked-out audit line")
	}
	var setPassword map[string]any
	for _, l := range auditLines(t, s, "admin-call") {
		if l["operation"] == "ListUsers" {
			t.Errorf("a plain read was audited: %v", l)
		}
		if l["operation"] == "AdminSetUserPassword" {
			setPassword = l
		}
	}
	if setPassword == nil || setPassword["by"] != "access-key:"+testAccessKey || setPassword["ip"] != "127.0.0.1" ||
		setPassword["pool"] != f.PoolID || setPassword["username"] != "alice" || setPassword["outcome"] != "ok" {
		t.Errorf("AdminSetUserPassword audit line: %v", setPassword)
	}
	if l := auditLines(t, s, "signature-failed"); len(l) != 1 || l[0]["access_key"] != testAccessKey || l[0]["ip"] != "127.0.0.1" {
		t.Errorf("signature-failed lines: %v", l)
	}
	if l := auditLines(t, s, "sign-in-failed"); len(l) != 5 || l[0]["username"] != "alice" || l[0]["client"] != f.ClientID || l[0]["ip"] != "127.0.0.1" {
		t.Errorf("sign-in-failed lines: %v", l)
	}
	if l := auditLines(t, s, "sign-in-locked-out"); len(l) != 1 {
		t.Errorf("sign-in-locked-out lines: %v", l)
	}
	for _, secret := range []string{"Another-Horse-7", "wrong-password", testSecretKey} {
		if strings.Contains(s.Logs(), secret) {
			t.Errorf("the log holds a secret (%s…)", secret[:4])
		}
	}
}
