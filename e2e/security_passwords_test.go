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
	t.Parallel()
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

// Security review #6 (a): a master key beside the database is warned about;
// one kept elsewhere is used without a warning.
func TestMasterKeyPlacement(t *testing.T) {
	t.Parallel()
	const warning = "the master key is stored inside the data directory"
	s := StartServer(t)
	if !strings.Contains(s.Logs(), warning) {
		t.Fatalf("no warning for %s/master.key:\n%s", s.DataDir, s.Logs())
	}
	keyFile := filepath.Join(t.TempDir(), "elsewhere", "master.key")
	s = StartServer(t, "COGNATE_MASTER_KEY_FILE="+keyFile)
	if strings.Contains(s.Logs(), warning) {
		t.Fatalf("warned for a key outside the data dir:\n%s", s.Logs())
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("master key file %s: %v %v", keyFile, st, err)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir, "master.key")); err == nil {
		t.Fatal("a master.key was created in the data dir too")
	}
}
