package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/store/pgtest"
)

// pgURL gives a test its own empty schema on the throwaway cluster.
func pgURL(t *testing.T, base string) string { return pgtest.Schema(t, base, "e2e") }

// requirePostgres returns the throwaway cluster's URL (pgtest.URL).
func requirePostgres(t *testing.T) string { return pgtest.URL(t) }

// replicas starts two servers on one PostgreSQL with one master key.
func replicas(t *testing.T, dbURL string) (*Server, *Server) {
	key := make([]byte, 32)
	rand.Read(key)
	// Replicas share the master key and the issuer (what clients see behind a
	// load balancer), or they cannot read each other's keys and tokens.
	env := []string{"COGNATE_DATABASE_URL=" + dbURL, "COGNATE_MASTER_KEY=" + base64.StdEncoding.EncodeToString(key),
		"COGNATE_ISSUER_BASE_URL=http://cognate.example"}
	return StartServer(t, env...), StartServer(t, env...)
}

// Two replicas behave as one Cognito: create on A, read on B; sign in on
// A, refresh on B; sign out on B, refused on A; kill -9 both, state intact.
func TestTwoReplicasOnPostgres(t *testing.T) {
	a, b := replicas(t, pgURL(t, requirePostgres(t)))
	f := newFixture(t, a, nil)
	ctx := context.Background()
	if _, err := b.SDK().AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("B does not see A's user: %v", err)
	}
	res := f.signIn(t, "alice", testPassword) // on A
	fb := *f
	fb.api = b.SDK()
	if _, err := fb.refresh(*res.RefreshToken); err != nil {
		t.Fatalf("refresh on B: %v", err)
	}
	if _, err := fb.getUser(*res.AccessToken); err != nil {
		t.Fatalf("GetUser on B with A's token: %v", err)
	}
	if _, err := b.SDK().AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.refresh(*res.RefreshToken) // on A, right after B's 200
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = f.getUser(*res.AccessToken)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	a.Kill()
	b.Kill()
	a.Start()
	b.Start()
	_, err = fb.refresh(*res.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	f.signIn(t, "alice", testPassword)
	if _, err := b.SDK().DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &f.PoolID}); err != nil {
		t.Fatalf("state after kill -9 of both: %v", err)
	}
}

// While PostgreSQL is down calls fail with InternalErrorException; they
// work again once it is back, without restarting Cognate.
func TestPostgresRestart(t *testing.T) {
	requirePostgres(t)
	out, err := exec.Command("../scripts/pg", "start").Output()
	if err != nil {
		t.Fatalf("scripts/pg start: %v", err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
			env[k] = strings.Trim(v, "'")
		}
	}
	dir, bin := env["COGNATE_TEST_PG_DIR"], env["COGNATE_TEST_PG_BIN"]
	t.Cleanup(func() { exec.Command("../scripts/pg", "stop", dir).Run() })
	pgctl := func(args ...string) {
		cmd := exec.Command(bin+"/pg_ctl", append([]string{"-D", dir + "/data", "-w"}, args...)...)
		if os.Getuid() == 0 {
			cmd = exec.Command("runuser", append([]string{"-u", "cognatepg", "--", bin + "/pg_ctl", "-D", dir + "/data", "-w"}, args...)...)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl %v: %v %s", args, err, out)
		}
	}
	s := StartServer(t, "COGNATE_DATABASE_URL="+env["COGNATE_TEST_DATABASE_URL"])
	f := newFixture(t, s, nil)
	pgctl("-m", "fast", "stop")
	_, err = f.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalErrorException" {
		t.Fatalf("with PostgreSQL down: %v", err)
	}
	pgctl("-l", dir+"/server.log", "start")
	if _, err := f.api.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("after PostgreSQL came back: %v", err)
	}
	f.signIn(t, "alice", testPassword)
}
