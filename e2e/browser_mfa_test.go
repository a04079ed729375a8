package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// newChromium starts a headless Chromium with a throwaway profile; the
// browser ends with the test. The profile is not a t.TempDir: Chromium may
// still write into it while it exits, which fails the TempDir check.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "cognate-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(profile),
		chromedp.WindowSize(800, 700))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

// appServer is the app a browser returns to: it shows the path it got.
func appServer(t *testing.T) *httptest.Server {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><title>app</title><p id="page">` + r.URL.Path + `</p>`))
	}))
	t.Cleanup(app.Close)
	return app
}

// mfaPool makes the fixture's pool require software-token MFA.
func mfaPool(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.api.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID,
		MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
}

// enrolTOTP enrols user in software-token MFA through the API (MFA_SETUP in
// a pool that requires it) and returns the secret.
func enrolTOTP(t *testing.T, f *fixture, user string) string {
	t.Helper()
	ctx := context.Background()
	init, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": testPassword}})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("want MFA_SETUP: %v %+v", err, init)
	}
	assoc, err := f.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: init.Session})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session,
		UserCode: aws.String(authenticatorCode(t, *assoc.SecretCode, time.Now()))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, ChallengeName: types.ChallengeNameTypeMfaSetup,
		Session: v.Session, ChallengeResponses: map[string]string{"USERNAME": user}}); err != nil {
		t.Fatal(err)
	}
	// The API now asks for the code: the hosted UI must too.
	again, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": testPassword}})
	if err != nil || again.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("the API should ask for the software token: %v %+v", err, again)
	}
	return *assoc.SecretCode
}

// notTheCode is a six-digit code that the secret does not show around now.
func notTheCode(t *testing.T, secret string) string {
	now := time.Now()
	bad := "000000"
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second, 60 * time.Second} {
		if authenticatorCode(t, secret, now.Add(d)) == bad {
			bad = "111111"
		}
	}
	return bad
}

// screenshot saves the browser's page as a PNG (for a person to look at).
func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		png, err = page.CaptureScreenshot().Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// browserMFAFixture is a browser, a server, and on it a pool with MFA ON
// whose code-flow client returns to an app at callback.
func browserMFAFixture(t *testing.T) (context.Context, *Server, *fixture, string) {
	ctx := newChromium(t)
	s := StartServer(t)
	callback := appServer(t).URL + "/callback"
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
		in.AllowedOAuthScopes = []string{"openid", "email", "aws.cognito.signin.user.admin"}
		in.CallbackURLs = []string{callback}
	})
	mfaPool(t, f)
	return ctx, s, f, callback
}

// signInInBrowser opens the authorize URL, submits the password and waits
// for what comes next: a page with #code (a challenge) or the app.
func signInInBrowser(t *testing.T, ctx context.Context, s *Server, f *fixture, callback, user string) string {
	t.Helper()
	authorize := s.URL + "/oauth2/authorize?" + url.Values{"client_id": {f.ClientID}, "response_type": {"code"},
		"redirect_uri": {callback}, "scope": {"openid email aws.cognito.signin.user.admin"}, "state": {"mfa"}}.Encode()
	var location string
	err := chromedp.Run(ctx,
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		chromedp.Click(`#signin`, chromedp.ByQuery),
		chromedp.WaitVisible(`#code, #page`, chromedp.ByQuery),
		chromedp.Location(&location),
	)
	if err != nil {
		t.Fatalf("password step: %v", err)
	}
	return location
}

// codeOnCallback returns the code of a location on the app's callback.
func codeOnCallback(t *testing.T, location string) string {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil || u.Path != "/callback" || u.Query().Get("state") != "mfa" || u.Query().Get("code") == "" {
		t.Fatalf("not on the callback with a code: %s", location)
	}
	return u.Query().Get("code")
}

// enterCode types a code into the challenge page and submits it.
func enterCode(ctx context.Context, code, waitFor string, location *string) error {
	return chromedp.Run(ctx,
		chromedp.SendKeys(`#code`, code, chromedp.ByQuery),
		chromedp.Click(`#verify`, chromedp.ByQuery),
		chromedp.WaitVisible(waitFor, chromedp.ByQuery),
		chromedp.Location(location),
	)
}

// redeem exchanges a code from the browser and proves the tokens work.
func redeem(t *testing.T, s *Server, f *fixture, callback, code string) {
	t.Helper()
	c := newWebClient(t, s.URL)
	status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code},
		"redirect_uri": {callback}})
	if status != 200 || tokens["access_token"] == nil {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	if _, err := f.getUser(tokens["access_token"].(string)); err != nil {
		t.Fatalf("GetUser with the hosted UI's tokens: %v", err)
	}
}

// Security review #1: a TOTP-enrolled user of a pool with MFA ON signs in
// on the hosted login page. The browser must be asked for the code; a wrong
// code is refused; the right one lands on the callback with a code that
// exchanges for tokens.
func TestBrowserHostedUIAsksForTOTP(t *testing.T) {
	t.Parallel()
	ctx, s, f, callback := browserMFAFixture(t)
	secret := enrolTOTP(t, f, "alice")

	location := signInInBrowser(t, ctx, s, f, callback, "alice")
	if strings.HasPrefix(location, callback) {
		code := codeOnCallback(t, location)
		redeem(t, s, f, callback, code)
		t.Fatalf("MFA bypass: after the password alone the browser is on the callback (%s), and its code exchanges for working tokens", location)
	}
	var heading string
	if err := chromedp.Run(ctx, chromedp.Text(`h1`, &heading, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(location, "/login") || !strings.Contains(strings.ToLower(heading), "code") {
		t.Fatalf("want the code page, got %s (%q)", location, heading)
	}
	screenshot(t, ctx, "/tmp/cognate-hostedui-totp.png")
	if err := enterCode(ctx, notTheCode(t, secret), `#error`, &location); err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	screenshot(t, ctx, "/tmp/cognate-hostedui-totp-error.png")
	var msg string
	chromedp.Run(ctx, chromedp.Text(`#error`, &msg, chromedp.ByQuery))
	if strings.HasPrefix(location, callback) || msg == "" {
		t.Fatalf("a wrong code was not refused: %s %q", location, msg)
	}
	t.Logf("wrong code: %q", msg)
	if err := enterCode(ctx, authenticatorCode(t, secret, time.Now().Add(30*time.Second)), `#page`, &location); err != nil {
		t.Fatalf("right code: %v", err)
	}
	redeem(t, s, f, callback, codeOnCallback(t, location))
}

// A pool with MFA ON and a user without it: the hosted UI walks the user
// through setting up an authenticator (the secret on the page), then signs
// in; the next sign-in asks for the code.
func TestBrowserHostedUIMFASetup(t *testing.T) {
	t.Parallel()
	ctx, s, f, callback := browserMFAFixture(t)

	location := signInInBrowser(t, ctx, s, f, callback, "alice")
	if strings.HasPrefix(location, callback) {
		t.Fatalf("MFA bypass: a pool that requires MFA signed in a user without it, after the password alone (%s)", location)
	}
	var secret, link string
	var ok bool
	if err := chromedp.Run(ctx, chromedp.Text(`#secret`, &secret, chromedp.ByQuery),
		chromedp.AttributeValue(`#otpauth`, "href", &link, &ok, chromedp.ByQuery)); err != nil {
		t.Fatalf("set-up page: %v", err)
	}
	secret = strings.ReplaceAll(strings.TrimSpace(secret), " ", "")
	u, err := url.Parse(link)
	if !ok || err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret || !strings.Contains(u.Path, "alice") {
		t.Fatalf("otpauth link %q for secret %q", link, secret)
	}
	screenshot(t, ctx, "/tmp/cognate-hostedui-mfa-setup.png")
	if err := enterCode(ctx, notTheCode(t, secret), `#error`, &location); err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	var again string
	chromedp.Run(ctx, chromedp.Text(`#secret`, &again, chromedp.ByQuery))
	if strings.ReplaceAll(strings.TrimSpace(again), " ", "") != secret {
		t.Fatalf("after a wrong code the page shows another secret: %q, was %q", again, secret)
	}
	screenshot(t, ctx, "/tmp/cognate-hostedui-mfa-setup-error.png")
	if err := enterCode(ctx, authenticatorCode(t, secret, time.Now()), `#page`, &location); err != nil {
		t.Fatalf("right code: %v", err)
	}
	redeem(t, s, f, callback, codeOnCallback(t, location))
	// The API now asks alice for the code she enrolled.
	init, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("after the hosted set-up the API should ask for the code: %v %+v", err, init)
	}
}
