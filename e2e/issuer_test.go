package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
)

// listening returns the fields of the server's "cognate listening" line.
func listening(t *testing.T, s *Server) (addr, issuerBase string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(s.Logs()))
	for sc.Scan() {
		var line struct{ Msg, Addr, Issuer_base string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "cognate listening" {
			return line.Addr, line.Issuer_base
		}
	}
	t.Fatalf("no listening line:\n%s", s.Logs())
	return "", ""
}

// startAt starts the server listening on bind (as given to --addr) and
// points its clients at the issuer base it logs.
func startAt(t *testing.T, s *Server, bind string) (addr, base string) {
	t.Helper()
	s.Addr = bind
	s.Start()
	addr, base = listening(t, s)
	s.URL = base
	return addr, base
}

// signInAdmin signs alice in through AdminInitiateAuth.
func signInAdmin(t *testing.T, f *fixture) *types.AuthenticationResultType {
	t.Helper()
	out, err := f.api.AdminInitiateAuth(context.Background(), &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("AdminInitiateAuth: %v", err)
	}
	return out.AuthenticationResult
}

// checkOIDC discovers the pool's issuer as a strict relying party does
// (go-oidc refuses a document whose issuer is not the URL it fetched) and
// verifies an ID token from a real sign-in against it.
func checkOIDC(t *testing.T, f *fixture, base string) {
	t.Helper()
	ctx := context.Background()
	iss := base + "/" + f.PoolID
	provider, err := oidc.NewProvider(ctx, iss)
	if err != nil {
		t.Fatalf("discovery of %s: %v", iss, err)
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: f.ClientID}).Verify(ctx, *signInAdmin(t, f).IdToken)
	if err != nil {
		t.Fatalf("ID token refused by go-oidc: %v", err)
	}
	if idToken.Issuer != iss {
		t.Fatalf("ID token iss %q, want %q", idToken.Issuer, iss)
	}
	doc := discovery(t, iss, "")
	for _, k := range []string{"issuer", "jwks_uri", "authorization_endpoint", "token_endpoint", "userinfo_endpoint",
		"revocation_endpoint", "end_session_endpoint"} {
		if v, _ := doc[k].(string); !strings.HasPrefix(v, base+"/") && v != iss {
			t.Errorf("discovery %s = %q, not under %s", k, doc[k], base)
		}
	}
	resp, err := http.Get(doc["jwks_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct{ Keys []map[string]any }
	json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(jwks.Keys) != 2 {
		t.Fatalf("jwks_uri answered %d with %d keys", resp.StatusCode, len(jwks.Keys))
	}
}

// discovery fetches the pool's discovery document, with another Host
// header when host is not "".
func discovery(t *testing.T, iss, host string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", iss+"/.well-known/openid-configuration", nil)
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("discovery: status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func hasIPv6Loopback() bool {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// Under every form of --addr the issuer is a URL that reaches the server,
// go-oidc accepts its discovery document and its ID tokens, and a restart
// (same data dir, same flags) keeps the issuer and the live access tokens.
func TestIssuerBindForms(t *testing.T) {
	t.Parallel()
	port := func() string { _, p, _ := net.SplitHostPort(freePort(t)); return p }
	for _, tc := range []struct {
		name, bind, wantHost string
		ipv6                 bool
	}{
		{"loopback", "127.0.0.1:" + port(), "127.0.0.1", false},
		{"localhost", "localhost:" + port(), "localhost", false},
		{"IPv4 wildcard", "0.0.0.0:" + port(), "localhost", false},
		{"IPv6 wildcard", "[::]:" + port(), "localhost", true},
		{"kernel-chosen port", "127.0.0.1:0", "127.0.0.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ipv6 && !hasIPv6Loopback() {
				t.Skip("no IPv6 loopback on this machine")
			}
			s := newServer(t)
			addr, base := startAt(t, s, tc.bind)
			_, actualPort, _ := net.SplitHostPort(addr)
			if want := "http://" + tc.wantHost + ":" + actualPort; base != want || actualPort == "0" {
				t.Fatalf("--addr %s: issuer base %q (listening on %s), want %q", tc.bind, base, addr, want)
			}
			f := newFixture(t, s, nil)
			checkOIDC(t, f, base)
			before := signInAdmin(t, f)

			s.Stop()
			if _, again := startAt(t, s, tc.bind); again != base {
				t.Fatalf("after a restart the issuer base is %q, was %q", again, base)
			}
			if _, err := f.getUser(*before.AccessToken); err != nil {
				t.Fatalf("an access token from before the restart: %v", err)
			}
			checkOIDC(t, f, base)
		})
	}
}

// The discovery document names only the configured base, whatever Host the
// request claims: a cache in front cannot be poisoned into sending codes
// and secrets elsewhere. The base here is aws-jwt-verify's (Cognito's own
// host, given with a trailing slash): tokens still work against Cognate.
func TestIssuerDiscoveryIgnoresHost(t *testing.T) {
	t.Parallel()
	const aws = "https://cognito-idp.us-east-1.amazonaws.com"
	s := StartServer(t, "COGNATE_ISSUER_BASE_URL="+aws+"/")
	if _, base := listening(t, s); base != aws {
		t.Fatalf("issuer base %q, want %q", base, aws)
	}
	f := newFixture(t, s, nil)
	if _, err := f.getUser(*signInAdmin(t, f).AccessToken); err != nil {
		t.Fatalf("GetUser under Cognito's issuer: %v", err)
	}
	for _, host := range []string{"", "evil.example"} {
		doc := discovery(t, s.URL+"/"+f.PoolID, host)
		for k, v := range doc {
			if str, ok := v.(string); ok && !strings.HasPrefix(str, aws+"/") {
				t.Errorf("Host %q: discovery %s = %q, not under the configured base", host, k, str)
			}
		}
		if doc["issuer"] != aws+"/"+f.PoolID {
			t.Fatalf("issuer %v", doc["issuer"])
		}
	}
}

// serveRefused runs `cognate serve` on s's data dir and address with more
// environment and arguments, and returns what it printed when it refused
// to start (exited non-zero).
func serveRefused(t *testing.T, s *Server, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cognateBinary(t), append([]string{"serve", "--addr", s.Addr}, args...)...)
	cmd.Env = append(append(os.Environ(), s.Env...), env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("cognate started instead of refusing:\n%s", out)
	}
	if err == nil {
		t.Fatalf("cognate exited 0:\n%s", out)
	}
	return string(out)
}

func wantRefusal(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(out, sub) {
			t.Errorf("refusal lacks %q:\n%s", sub, out)
		}
	}
}

// A database remembers the issuer base it was first served with: another
// one is refused with what to set, --change-issuer-base-url moves it (and
// the old tokens die), and a derived base is refused on another port.
func TestIssuerBaseChangeRefused(t *testing.T) {
	t.Parallel()
	s := StartServer(t, "COGNATE_ISSUER_BASE_URL=https://auth.example.com")
	f := newFixture(t, s, nil)
	old := signInAdmin(t, f)
	s.Stop()

	out := serveRefused(t, s, []string{"COGNATE_ISSUER_BASE_URL=https://other.example.com"})
	wantRefusal(t, out, `issuer base URL "https://other.example.com" differs from "https://auth.example.com"`,
		"start with --issuer-base-url https://auth.example.com (COGNATE_ISSUER_BASE_URL)",
		"add --change-issuer-base-url to move this database to https://other.example.com for good")

	// Without the flag the remembered base holds.
	s.Env = append(s.Env, "COGNATE_ISSUER_BASE_URL=")
	s.Start()
	if _, base := listening(t, s); base != "https://auth.example.com" {
		t.Fatalf("without --issuer-base-url the base is %q", base)
	}
	if _, err := f.getUser(*old.AccessToken); err != nil {
		t.Fatalf("token under the remembered base: %v", err)
	}
	s.Stop()

	s.Env = append(s.Env, "COGNATE_ISSUER_BASE_URL=https://other.example.com")
	s.Args = []string{"--change-issuer-base-url"}
	s.Start()
	if _, base := listening(t, s); base != "https://other.example.com" {
		t.Fatalf("after --change-issuer-base-url the base is %q", base)
	}
	_, err := f.getUser(*old.AccessToken)
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	s.Stop()
	s.Args = nil
	s.Start() // the move is for good: the same base needs no flag now
	if _, base := listening(t, s); base != "https://other.example.com" {
		t.Fatalf("after the move the base is %q", base)
	}
	s.Stop()

	// A base derived from --addr is refused on another fixed port.
	d := StartServer(t)
	d.Stop()
	first := d.URL
	d.Addr = freePort(t)
	out = serveRefused(t, d, nil)
	wantRefusal(t, out, `derived from --addr`, `differs from "`+first+`"`, "--issuer-base-url "+first, "--change-issuer-base-url")

	// A kernel-chosen port takes the remembered one again; when it is taken,
	// the refusal says so.
	k := newServer(t)
	_, base := startAt(t, k, "127.0.0.1:0")
	k.Stop()
	l, err := net.Listen("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out = serveRefused(t, k, nil)
	wantRefusal(t, out, "free that port", base)
}

// A replica whose master key cannot open what the database holds refuses to
// start, naming COGNATE_MASTER_KEY, instead of failing every sign-in.
func TestIssuerMasterKeyMismatchRefused(t *testing.T) {
	t.Parallel()
	s := StartServer(t) // the key comes from the data dir's master.key
	f := newFixture(t, s, nil)
	s.Stop()
	raw := make([]byte, 32)
	rand.Read(raw)
	out := serveRefused(t, s, []string{"COGNATE_MASTER_KEY=" + base64.StdEncoding.EncodeToString(raw)})
	wantRefusal(t, out, "COGNATE_MASTER_KEY", "not the one this database was first served with")
	s.Start()
	signInAdmin(t, f)
}
