package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Security review #18: redirect URLs that would run script, carry a
// wildcard or a fragment, or send codes over plain HTTP off the local
// machine are refused when registered.
func TestUnsafeRedirectURLsRefused(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	pool, err := s.SDK().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("urls")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"javascript:alert(1)", "data:text/html,x", "https://*.example.com/cb", "http://app.example/cb", "https://app.example/cb#x"} {
		_, err := s.SDK().CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("c"),
			CallbackURLs: []string{u}})
		if apiErrorCode(err) != "InvalidParameterException" {
			t.Errorf("callback %q: got %v, want InvalidParameterException", u, err)
		}
	}
	if _, err := s.SDK().CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("c"),
		CallbackURLs: []string{"https://app.example/cb", "http://localhost:3000/cb", "myapp://cb"}, LogoutURLs: []string{"https://app.example/out"}}); err != nil {
		t.Fatalf("safe URLs refused: %v", err)
	}
}

// Security review #20: the database files are the owner's alone, even in
// a data dir that already existed with wider permissions.
func TestDatabaseFilesOwnerOnly(t *testing.T) {
	t.Parallel()
	if os.Getenv("COGNATE_E2E_POSTGRES") != "" {
		t.Skip("SQLite files only")
	}
	s := newServer(t)
	if err := os.Chmod(s.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.Start()
	if _, err := s.SDK().CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(s.DataDir, "cognate.db*"))
	if len(files) < 2 {
		t.Fatalf("database files %v", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), mode)
		}
	}
}
