package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestAdminGlobalSignOutEndsEveryDevice(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	f.addUser(t, "bob", testPassword)
	phone := f.signIn(t, "alice", testPassword)
	laptop := f.signIn(t, "alice", testPassword)
	bob := f.signIn(t, "bob", testPassword)

	mustCLI(t, s.AWS("admin-user-global-sign-out", "--user-pool-id", f.PoolID, "--username", "alice"))
	// The audit record: who, which user, how many families.
	if !s.WaitLog(`"operation":"AdminUserGlobalSignOut","by":"access-key:`+testAccessKey+`","pool":"`+f.PoolID) ||
		!s.WaitLog(`"event":"sign-out","request_id":"`) ||
		!s.WaitLog(`"username":"alice","epoch":1,"families":2`) {
		t.Fatalf("no audit record in:\n%s", s.Logs())
	}
	// The same second: a new sign-in after the 200 must work.
	fresh := f.signIn(t, "alice", testPassword)

	for name, dev := range map[string]*types.AuthenticationResultType{"phone": phone, "laptop": laptop} {
		_, err := f.refresh(*dev.RefreshToken)
		expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = f.getUser(*dev.AccessToken)
		expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
		// Stateless verifiers still accept the JWT until it expires.
		if _, _, err := independentVerify(t, s.URL, f.PoolID, *dev.AccessToken); err != nil {
			t.Fatalf("%s access token no longer verifies against the JWKS: %v", name, err)
		}
		if _, _, err := independentVerify(t, s.URL, f.PoolID, *dev.IdToken); err != nil {
			t.Fatalf("%s ID token no longer verifies: %v", name, err)
		}
	}
	if _, err := f.getUser(*bob.AccessToken); err != nil {
		t.Fatalf("another user was signed out: %v", err)
	}
	if _, err := f.refresh(*bob.RefreshToken); err != nil {
		t.Fatalf("another user's refresh failed: %v", err)
	}
	if _, err := f.getUser(*fresh.AccessToken); err != nil {
		t.Fatalf("sign-in after sign-out does not work: %v", err)
	}
	if _, err := f.refresh(*fresh.RefreshToken); err != nil {
		t.Fatalf("refresh after sign-out does not work: %v", err)
	}
	// Secrets never reach the logs.
	for _, secret := range []string{testPassword, *phone.RefreshToken, *phone.AccessToken, testSecretKey} {
		if strings.Contains(s.Logs(), secret) {
			t.Fatalf("a secret was logged: %.20s…", secret)
		}
	}

	// Errors.
	expectCLIError(t, s.AWS("admin-user-global-sign-out", "--user-pool-id", f.PoolID, "--username", "nobody"),
		"UserNotFoundException", "AdminUserGlobalSignOut", "User does not exist.")
	expectCLIError(t, s.AWS("admin-user-global-sign-out", "--user-pool-id", "us-east-1_missing", "--username", "alice"),
		"ResourceNotFoundException", "AdminUserGlobalSignOut", "User pool us-east-1_missing does not exist.")
}

func TestGlobalSignOutWithOwnToken(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	a := f.signIn(t, "alice", testPassword)
	b := f.signIn(t, "alice", testPassword)
	ctx := context.Background()
	if _, err := f.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err := f.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken})
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = f.refresh(*b.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = f.getUser(*b.AccessToken)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
}

func TestRevokeTokenRevokesOneFamily(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	one := f.signIn(t, "alice", testPassword)
	two := f.signIn(t, "alice", testPassword)
	refreshed, err := f.refresh(*one.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &f.ClientID, Token: one.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	_, err = f.refresh(*one.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	for _, at := range []string{*one.AccessToken, *refreshed.AccessToken} {
		_, err = f.getUser(at)
		expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}
	if _, err := f.getUser(*two.AccessToken); err != nil {
		t.Fatalf("the other family was revoked too: %v", err)
	}
	if _, err := f.refresh(*two.RefreshToken); err != nil {
		t.Fatalf("the other family's refresh failed: %v", err)
	}
	// Revoking an access token is not supported; a client with revocation off refuses.
	_, err = f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &f.ClientID, Token: two.AccessToken})
	expectAPIError(t, err, "UnsupportedTokenTypeException", "The token type is not supported for revocation; only refresh tokens can be revoked.")
	off := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) })
	offTokens := off.signIn(t, "alice", testPassword)
	_, err = f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &off.ClientID, Token: offTokens.RefreshToken})
	expectAPIError(t, err, "UnsupportedOperationException", "Token revocation is not enabled for this app client.")
	secret := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	_, err = f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &secret.ClientID, Token: two.RefreshToken, ClientSecret: aws.String("wrongsecretwrongsecret123")})
	expectAPIError(t, err, "UnauthorizedException", "Client authentication failed.")
}

func TestDisableAndDeleteEndTokens(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	res := f.signIn(t, "alice", testPassword)
	if _, err := f.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.refresh(*res.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	if _, err := f.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	res = f.signIn(t, "alice", testPassword)
	if _, err := f.api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: res.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = f.refresh(*res.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")
	_, err = f.getUser(*res.AccessToken)
	expectAPIError(t, err, "NotAuthorizedException", "User does not exist.")
}

// A SIGKILL right after the sign-out's 200 does not bring the tokens back.
func TestSignOutSurvivesKill(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	res := f.signIn(t, "alice", testPassword)
	if _, err := f.api.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s.Start()
	_, err := f.refresh(*res.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = f.getUser(*res.AccessToken)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
}

// Calls that start after the sign-out's 200 never succeed with old tokens,
// however many are in flight while it lands.
func TestSignOutRaceWithRefreshAndGetUser(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	res := f.signIn(t, "alice", testPassword)
	var acked atomic.Bool
	var violations, refusedAfter atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				startedAfter := acked.Load()
				var err error
				if w%2 == 0 {
					_, err = f.refresh(*res.RefreshToken)
				} else {
					_, err = f.getUser(*res.AccessToken)
				}
				if startedAfter {
					if err == nil {
						violations.Add(1)
					} else {
						refusedAfter.Add(1)
					}
				}
				if startedAfter && refusedAfter.Load() > 200 {
					return
				}
			}
		}(w)
	}
	// Let the workers get going: wait until some calls have succeeded.
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		if _, err := f.getUser(*res.AccessToken); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	acked.Store(true)
	deadline := time.After(60 * time.Second)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-deadline:
		close(stop)
		<-done
	}
	if v := violations.Load(); v != 0 {
		t.Fatalf("%d calls that started after the sign-out's 200 succeeded", v)
	}
	if refusedAfter.Load() == 0 {
		t.Fatal("no call ran after the sign-out")
	}
	t.Logf("calls refused after the 200: %d, violations: 0", refusedAfter.Load())
}

func TestCognateCLISignOut(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	res := f.signIn(t, "alice", testPassword)

	sk := s.Cognate("admin-user-global-sign-out", "--generate-cli-skeleton")
	if sk.Code != 0 || sk.Stdout != "{\n    \"UserPoolId\": \"\",\n    \"Username\": \"\"\n}\n" {
		t.Fatalf("skeleton %d %q %s", sk.Code, sk.Stdout, sk.Stderr)
	}
	if in := s.Cognate("admin-user-global-sign-out", "--generate-cli-skeleton", "input"); in.Stdout != sk.Stdout {
		t.Fatalf("input skeleton differs: %q", in.Stdout)
	}
	out := s.Cognate("admin-user-global-sign-out", "--generate-cli-skeleton", "output", "--user-pool-id", "x_y", "--username", "u")
	if out.Code != 0 || out.Stdout != "" {
		t.Fatalf("output skeleton %d %q", out.Code, out.Stdout)
	}
	bad := s.Cognate("admin-user-global-sign-out", "--generate-cli-skeleton", "bogus")
	if bad.Code != 2 {
		t.Fatalf("bogus skeleton exit %d", bad.Code)
	}
	miss := s.Cognate("admin-user-global-sign-out")
	if miss.Code != 2 || lastLine(miss.Stderr) != "cognate: error: the following arguments are required: --user-pool-id, --username" {
		t.Fatalf("missing args: %d %q", miss.Code, miss.Stderr)
	}
	// --cli-input-json from a file; the explicit flag overrides it.
	in := filepath.Join(t.TempDir(), "in.json")
	os.WriteFile(in, []byte(`{"UserPoolId":"`+f.PoolID+`","Username":"nobody"}`), 0o600)
	e := s.Cognate("admin-user-global-sign-out", "--cli-input-json", "file://"+in)
	if e.Code != 255 || lastLine(e.Stderr) != awsErrorLine("UserNotFoundException", "AdminUserGlobalSignOut", "User does not exist.") {
		t.Fatalf("error output: %d %q", e.Code, e.Stderr)
	}
	ok := s.Cognate("admin-user-global-sign-out", "--cli-input-json", "file://"+in, "--username", "alice")
	if ok.Code != 0 || ok.Stdout != "" {
		t.Fatalf("sign-out: %d %q %q", ok.Code, ok.Stdout, ok.Stderr)
	}
	_, err := f.refresh(*res.RefreshToken)
	expectAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")

	// global-sign-out and revoke-token are there too.
	res = f.signIn(t, "alice", testPassword)
	if r := s.Cognate("revoke-token", "--client-id", f.ClientID, "--token", *res.RefreshToken); r.Code != 0 {
		t.Fatalf("revoke-token: %d %s", r.Code, r.Stderr)
	}
	res = f.signIn(t, "alice", testPassword)
	if r := s.Cognate("global-sign-out", "--access-token", *res.AccessToken); r.Code != 0 {
		t.Fatalf("global-sign-out: %d %s", r.Code, r.Stderr)
	}
	if r := s.Cognate("global-sign-out", "--access-token", *res.AccessToken); r.Code != 255 ||
		lastLine(r.Stderr) != awsErrorLine("NotAuthorizedException", "GlobalSignOut", "Access Token has been revoked") {
		t.Fatalf("second global-sign-out: %d %s", r.Code, r.Stderr)
	}
	if h := s.Cognate("admin-user-global-sign-out", "--help"); h.Code != 0 || !strings.Contains(h.Stdout, "--user-pool-id <value>") {
		t.Fatalf("help: %d %s", h.Code, h.Stdout)
	}
}
