package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	_ "modernc.org/sqlite"
)

// Security review #6: what a copy of the data directory holds of a password
// is an argon2id hash at OWASP's minimum cost (by default), not one HMAC.
func TestStoredPasswordIsArgon2id(t *testing.T) {
	if os.Getenv("COGNATE_E2E_POSTGRES") != "" {
		t.Skip("reads the SQLite file")
	}
	s := StartServer(t, "COGNATE_PASSWORD_ARGON2=") // the default cost
	ctx := context.Background()
	pool, err := s.SDK().CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("kdf")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SDK().AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SDK().AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: aws.String("alice"),
		Password: aws.String(testPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "cognate.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var column string
	if err := db.QueryRow(`SELECT password FROM users WHERE key = 'alice'`).Scan(&column); err != nil {
		t.Fatal(err)
	}
	var stored struct {
		H []byte `json:"h"`
	}
	if err := json.Unmarshal([]byte(column), &stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(stored.H), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("stored password hash %q, want argon2id at m=19456,t=2,p=1", stored.H)
	}
}
