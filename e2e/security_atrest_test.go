package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/cognate/cognate/internal/userpool"
)

// Security review #8: a copy of the database without the master key must
// not hold anything usable, neither hosted-UI session ids, nor pending codes,
// nor app-client secrets. Each test takes a copy while the server runs
// (SQLite: VACUUM INTO from a read-only connection; PostgreSQL: a read of
// the server's schema, which is what a dump holds), reads the secret from
// it and tries to use it; the legitimate path keeps working.

// dbCopy queries a copy of the server's database; every column read is text.
func dbCopy(t *testing.T, s *Server) func(query string, args ...any) [][]string {
	t.Helper()
	for _, e := range s.Env {
		if u, ok := strings.CutPrefix(e, "COGNATE_DATABASE_URL="); ok && u != "" {
			return func(query string, args ...any) [][]string {
				conn, err := pgx.Connect(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close(context.Background())
				rows, err := conn.Query(context.Background(), pgPlaceholders(query), args...)
				if err != nil {
					t.Fatal(err)
				}
				var out [][]string
				for rows.Next() {
					vals, err := rows.Values()
					if err != nil {
						t.Fatal(err)
					}
					row := make([]string, len(vals))
					for i, v := range vals {
						row[i], _ = v.(string)
					}
					out = append(out, row)
				}
				if rows.Err() != nil {
					t.Fatal(rows.Err())
				}
				return out
			}
		}
	}
	src, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "cognate.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, err := src.Exec(`VACUUM INTO ?`, dst); err != nil {
		t.Fatalf("VACUUM INTO: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+dst+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(query string, args ...any) [][]string {
		rows, err := db.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]string
		for rows.Next() {
			row := make([]string, len(cols))
			dest := make([]any, len(cols))
			for i := range row {
				dest[i] = &row[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			out = append(out, row)
		}
		return out
	}
}

// dbExec writes to the database of a stopped server, as an older version
// of Cognate would have.
func dbExec(t *testing.T, s *Server, query string, args ...any) {
	t.Helper()
	for _, e := range s.Env {
		if u, ok := strings.CutPrefix(e, "COGNATE_DATABASE_URL="); ok && u != "" {
			conn, err := pgx.Connect(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), pgPlaceholders(query), args...); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "cognate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// pgPlaceholders turns ? into $1, $2, ….
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// signInOnForm signs alice in through the hosted login page and returns the
// session cookie it set.
func signInOnForm(t *testing.T, c *webClient, f *fixture) string {
	t.Helper()
	if code, page := signInThroughForm(t, c, f, "", testPassword); code == "" {
		t.Fatalf("hosted sign-in failed: %s", page)
	}
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "cognito" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// implicitWith asks /oauth2/authorize for tokens with only the given session
// cookie, and returns where it redirects.
func implicitWith(t *testing.T, s *Server, f *fixture, session string) string {
	t.Helper()
	q := url.Values{"client_id": {f.ClientID}, "response_type": {"token"}, "redirect_uri": {callbackURL}, "scope": {"openid"}}
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/authorize?"+q.Encode(), nil)
	req.AddCookie(&http.Cookie{Name: "cognito", Value: session})
	resp, _ := newWebClient(t, s.URL).do(req)
	return resp.Header.Get("Location")
}

func TestAtRestHostedSessionIDs(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	cookie := signInOnForm(t, c, f)
	// The legitimate path: the cookie signs in silently.
	if loc := implicitWith(t, s, f, cookie); !strings.Contains(loc, "access_token=") {
		t.Fatalf("the session cookie no longer signs in: %s", loc)
	}
	rows := dbCopy(t, s)(`SELECT id FROM web_sessions WHERE ended_ns = 0`)
	if len(rows) != 1 {
		t.Fatalf("copy holds %d live sessions", len(rows))
	}
	stored := rows[0][0]
	if strings.Contains(stored, cookie) {
		t.Errorf("web_sessions.id holds the cookie value in plain text")
	}
	if loc := implicitWith(t, s, f, stored); strings.Contains(loc, "access_token=") {
		t.Fatalf("a session id read from a database copy got tokens: %.80s…", loc)
	}
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

func TestAtRestOutboxCodes(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	if _, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	rows := dbCopy(t, s)(`SELECT code, body FROM outbox WHERE username = ? ORDER BY id DESC`, "alice")
	if len(rows) != 1 {
		t.Fatalf("copy holds %d messages", len(rows))
	}
	code, body := rows[0][0], rows[0][1]
	if sixDigits.MatchString(code) || sixDigits.MatchString(body) {
		t.Errorf("outbox row holds the code in plain text: code %q, body %q", code, body)
	}
	for _, guess := range append([]string{code}, sixDigits.FindAllString(body, -1)...) {
		_, err := f.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice"),
			ConfirmationCode: aws.String(guess), Password: aws.String("Stolen-Reset-1")})
		if err == nil {
			t.Fatalf("a code read from a database copy reset the password (%q)", guess)
		}
	}
	// The legitimate path: the outbox API shows the code and its message.
	r := s.Cognate("outbox", "--user-pool-id", f.PoolID, "--username", "alice")
	var out struct {
		Messages []struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out.Messages) != 1 {
		t.Fatalf("outbox: %v %s %s", err, r.Stdout, r.Stderr)
	}
	m := out.Messages[0]
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(m.Code) || !strings.Contains(m.Message, m.Code) {
		t.Fatalf("outbox API shows %+v", m)
	}
	if _, err := f.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice"),
		ConfirmationCode: aws.String(m.Code), Password: aws.String("Reset-Horse-2")}); err != nil {
		t.Fatalf("the outbox's code: %v", err)
	}
	f.signIn(t, "alice", "Reset-Horse-2")
}

// storedSecretValues returns every secret value the clients.secret column
// of a copy holds (a JSON list, or one plain value in old rows).
func storedSecretValues(t *testing.T, col string) []string {
	t.Helper()
	if !strings.HasPrefix(col, "[") {
		return []string{col}
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(col), &list); err != nil {
		t.Fatalf("clients.secret %q: %v", col, err)
	}
	var out []string
	for _, s := range list {
		for k, v := range s {
			if str, ok := v.(string); ok && k != "id" {
				out = append(out, str)
			}
		}
	}
	return out
}

func TestAtRestClientSecrets(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.GenerateSecret = true
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
		in.AllowedOAuthScopes = []string{"https://api.example/read"}
	})
	if _, err := f.api.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &f.PoolID, Identifier: aws.String("https://api.example"),
		Name: aws.String("api"), Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}}}); err != nil {
		t.Fatal(err)
	}
	// A second secret, given by the caller (AddUserPoolClientSecret).
	second := "SecondSecret0123456789abcdefghijklmnopqrstuvwxyzABC"
	if r := s.AWS("add-user-pool-client-secret", "--user-pool-id", f.PoolID, "--client-id", f.ClientID, "--client-secret", second); r.Code != 0 {
		t.Fatalf("add secret: %s", r.Stderr)
	}
	clientCredentials := func(secret string) int {
		resp, _ := newWebClient(t, s.URL).postForm("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, f.ClientID, secret)
		return resp.StatusCode
	}
	secretHashSignIn := func(secret string) error {
		_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "SECRET_HASH": userpool.SecretHash(secret, "alice", f.ClientID)}})
		return err
	}
	// The legitimate paths, with both secrets.
	for _, secret := range []string{f.Secret, second} {
		if code := clientCredentials(secret); code != 200 {
			t.Fatalf("client_credentials with the real secret: %d", code)
		}
		if err := secretHashSignIn(secret); err != nil {
			t.Fatalf("SECRET_HASH with the real secret: %v", err)
		}
	}
	rows := dbCopy(t, s)(`SELECT secret FROM clients WHERE id = ?`, f.ClientID)
	if len(rows) != 1 {
		t.Fatal("client not in the copy")
	}
	col := rows[0][0]
	for _, secret := range []string{f.Secret, second} {
		if strings.Contains(col, secret) {
			t.Errorf("clients.secret holds a secret in plain text")
		}
	}
	for _, v := range storedSecretValues(t, col) {
		if code := clientCredentials(v); code == 200 {
			t.Fatalf("a secret read from a database copy got client_credentials tokens (%.12s…)", v)
		}
		if err := secretHashSignIn(v); err == nil {
			t.Fatalf("a secret read from a database copy made a valid SECRET_HASH (%.12s…)", v)
		}
	}
}

// A database from before secrets were sealed holds them in plain text: they
// keep working after the upgrade, and the first start seals them.
func TestAtRestPlaintextSecretsSealedOnUpgrade(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	s.Stop()
	dbExec(t, s, `UPDATE clients SET secret = ? WHERE id = ?`, f.Secret, f.ClientID) // the oldest form: one plain secret
	s.Start()
	if !s.WaitLog("sealed app-client secrets stored in plain text") {
		t.Fatalf("no sealing logged:\n%s", s.Logs())
	}
	col := dbCopy(t, s)(`SELECT secret FROM clients WHERE id = ?`, f.ClientID)[0][0]
	if strings.Contains(col, f.Secret) {
		t.Fatalf("still in plain text after the upgrade: %s", col)
	}
	if _, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "SECRET_HASH": userpool.SecretHash(f.Secret, "alice", f.ClientID)}}); err != nil {
		t.Fatalf("the old secret after the upgrade: %v", err)
	}
}
