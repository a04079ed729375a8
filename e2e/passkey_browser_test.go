package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// Passkeys in a real browser: headless Chromium with the DevTools
// protocol's virtual authenticator (a platform authenticator that holds
// discoverable credentials and verifies its user), on a test app served
// from http://localhost:<port> (localhost is a secure context, so WebAuthn
// works there; the relying party id is "localhost"). The app's page,
// e2e/testdata/passkey/, calls Cognate with fetch as Amplify does.

// passkeyBrowser is a Chromium tab with a virtual authenticator.
type passkeyBrowser struct {
	ctx           context.Context
	authenticator webauthn.AuthenticatorID
}

// newPasskeyBrowser opens Chromium with a virtual authenticator attached
// to its tab (the authenticator belongs to the tab, so it is added after
// the tab exists).
func newPasskeyBrowser(t *testing.T) *passkeyBrowser {
	t.Helper()
	b := &passkeyBrowser{ctx: newChromium(t)}
	err := chromedp.Run(b.ctx, chromedp.Navigate("about:blank"), chromedp.ActionFunc(func(ctx context.Context) error {
		if err := webauthn.Enable().Do(ctx); err != nil {
			return err
		}
		var err error
		b.authenticator, err = webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true,
			// The struct sends every field; this one defaults to true only when absent.
			AutomaticPresenceSimulation: true,
		}).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	return b
}

// credentials are the passkeys the authenticator holds.
func (b *passkeyBrowser) credentials(t *testing.T) []*webauthn.Credential {
	t.Helper()
	var creds []*webauthn.Credential
	if err := chromedp.Run(b.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		creds, err = webauthn.GetCredentials(b.authenticator).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("credentials of the authenticator: %v", err)
	}
	return creds
}

// setUserVerified makes the authenticator's user verification succeed or fail.
func (b *passkeyBrowser) setUserVerified(t *testing.T, ok bool) {
	t.Helper()
	if err := chromedp.Run(b.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		return webauthn.SetUserVerified(b.authenticator, ok).Do(ctx)
	})); err != nil {
		t.Fatal(err)
	}
}

// call evaluates a call to one of the page's async functions and decodes
// what its promise resolves to into out; a rejection is the error.
func (b *passkeyBrowser) call(out any, fn string, args ...string) error {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	expr := fn + "(" + strings.Join(quoted, ", ") + ")"
	return chromedp.Run(b.ctx, chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

// passkeyApp serves e2e/testdata/passkey on http://localhost:<port>, the
// origin WebAuthn accepts without TLS.
func passkeyApp(t *testing.T) string {
	t.Helper()
	app := httptest.NewServer(http.FileServer(http.Dir("testdata/passkey")))
	t.Cleanup(app.Close)
	_, port, err := net.SplitHostPort(app.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "http://localhost:" + port + "/"
}

// TestPasskeyHarnessInChromium proves the harness without Cognate: the
// page creates a passkey on the virtual authenticator and signs a challenge
// with it, through the conversions the Cognate tests use.
func TestPasskeyHarnessInChromium(t *testing.T) {
	t.Parallel()
	b := newPasskeyBrowser(t)
	if err := chromedp.Run(b.ctx, chromedp.Navigate(passkeyApp(t)), chromedp.WaitVisible(`#status`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var got struct{ Created, Asserted, ClientDataType string }
	if err := b.call(&got, "selfTest"); err != nil {
		t.Fatalf("create and get: %v", err)
	}
	if got.Created == "" || got.Asserted != got.Created || got.ClientDataType != "webauthn.get" {
		t.Fatalf("self test %+v", got)
	}
	creds := b.credentials(t)
	if len(creds) != 1 {
		t.Fatalf("authenticator holds %d credentials", len(creds))
	}
	// The get counted: Chromium's authenticator counts every signature.
	if c := creds[0]; !c.IsResidentCredential || c.RpID != "localhost" || c.SignCount == 0 {
		t.Fatalf("authenticator holds %+v", *c)
	}
	// DevTools gives the id in standard base64, the page in base64url.
	if id, err := base64.StdEncoding.DecodeString(creds[0].CredentialID); err != nil || base64.RawURLEncoding.EncodeToString(id) != got.Created {
		t.Fatalf("credential id %s, the page made %s", creds[0].CredentialID, got.Created)
	}
}

// passkeyFixture is a pool whose users may sign in with a passkey first
// (SignInPolicy with WEB_AUTHN, a client with ALLOW_USER_AUTH), for the
// relying party "localhost", and alice.
func passkeyFixture(t *testing.T, s *Server, mutate func(*cip.CreateUserPoolClientInput)) *fixture {
	t.Helper()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("passkeys"), Policies: &types.UserPoolPolicyType{
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}},
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(append([]types.ExplicitAuthFlowsType{}, allFlows...), types.ExplicitAuthFlowsTypeAllowUserAuth)
			if mutate != nil {
				mutate(in)
			}
		})
	if _, err := f.api.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
			UserVerification: types.UserVerificationTypeRequired}}); err != nil {
		t.Fatalf("WebAuthnConfiguration: %v", err)
	}
	f.Username = "alice"
	f.addUser(t, "alice", testPassword)
	return f
}

// registerFromBrowser signs alice in with her password and registers a passkey
// from the test app's page; it returns the credential id (base64url).
func registerFromBrowser(t *testing.T, b *passkeyBrowser, s *Server, f *fixture) (credentialID, accessToken string) {
	t.Helper()
	accessToken = *f.signIn(t, "alice", testPassword).AccessToken
	if err := chromedp.Run(b.ctx, chromedp.Navigate(passkeyApp(t)), chromedp.WaitVisible(`#status`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if err := b.call(&credentialID, "register", s.URL, accessToken); err != nil {
		t.Fatalf("register: %v", err)
	}
	creds := b.credentials(t)
	if len(creds) != 1 || creds[0].RpID != "localhost" || !creds[0].IsResidentCredential {
		t.Fatalf("the authenticator holds %d credentials after registering", len(creds))
	}
	if id, _ := base64.StdEncoding.DecodeString(creds[0].CredentialID); base64.RawURLEncoding.EncodeToString(id) != credentialID {
		t.Fatalf("the authenticator holds %s, the page registered %s", creds[0].CredentialID, credentialID)
	}
	return credentialID, accessToken
}

// TestPasskeyInChromium registers a passkey from a page in Chromium,
// lists it through aws-sdk-go-v2, signs in with it (USER_AUTH, WEB_AUTHN)
// to tokens that verify against the JWKS; once it is deleted, an answer
// signed with it no longer signs in, and neither does a new attempt.
func TestPasskeyInChromium(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := passkeyFixture(t, s, nil)
	b := newPasskeyBrowser(t)
	credentialID, access := registerFromBrowser(t, b, s, f)
	ctx := context.Background()

	list, err := f.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &access})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].CredentialId) != credentialID ||
		aws.ToString(list.Credentials[0].RelyingPartyId) != "localhost" {
		t.Fatalf("ListWebAuthnCredentials: %d credentials, want the one registered (%s)", len(list.Credentials), credentialID)
	}

	var tokens struct{ AccessToken, IdToken, RefreshToken string }
	if err := b.call(&tokens, "signIn", s.URL, f.ClientID, "alice"); err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	for name, tok := range map[string]string{"id": tokens.IdToken, "access": tokens.AccessToken} {
		claims, _, err := independentVerify(t, s.URL, f.PoolID, tok)
		if err != nil {
			t.Fatalf("%s token does not verify against the JWKS: %v", name, err)
		}
		if claims["token_use"] != name || (claims["cognito:username"] != "alice" && claims["username"] != "alice") {
			t.Fatalf("%s token claims %v", name, claims)
		}
	}
	if tokens.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	var shown string
	chromedp.Run(b.ctx, chromedp.Text(`#status`, &shown, chromedp.ByQuery))
	if shown != "signed in" {
		t.Fatalf("the page says %q", shown)
	}

	// A challenge taken while the passkey exists, answered after it is deleted.
	var pending json.RawMessage
	if err := b.call(&pending, "beginSignIn", s.URL, f.ClientID, "alice"); err != nil {
		t.Fatalf("second sign-in: %v", err)
	}
	if _, err := f.api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: &access, CredentialId: &credentialID}); err != nil {
		t.Fatal(err)
	}
	if list, err := f.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &access}); err != nil || len(list.Credentials) != 0 {
		t.Fatalf("after delete: %v %+v", err, list)
	}
	err = b.call(&tokens, "finishSignIn", string(pending))
	if err == nil || !strings.Contains(err.Error(), "NotAuthorizedException") {
		t.Fatalf("an answer signed with the deleted passkey: %v, want NotAuthorizedException", err)
	}
	err = b.call(&tokens, "signIn", s.URL, f.ClientID, "alice")
	if err == nil || strings.Contains(err.Error(), "InternalError") {
		t.Fatalf("a new passkey sign-in after delete: %v, want a refusal", err)
	}
	t.Logf("after delete, a new passkey sign-in: %v", err)
}

// TestHostedUIPasskeySignIn signs in through the hosted UI with a passkey
// registered through the API: the login page offers it, the passkey page
// runs navigator.credentials.get against the virtual authenticator, and the
// sign-in ends as a password sign-in does: the callback with a code that
// exchanges for tokens, and a session cookie that signs in silently. A
// name without a passkey is told so on the login page; a failed ceremony
// leaves the passkey page with its message and a retry. A client without
// USER_AUTH is not offered a passkey.
func TestHostedUIPasskeySignIn(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	app := appServer(t)
	callback := app.URL + "/callback"
	f := passkeyFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
		in.AllowedOAuthScopes = []string{"openid", "email", "aws.cognito.signin.user.admin"}
		in.CallbackURLs = []string{callback}
	})
	b := newPasskeyBrowser(t)
	registerFromBrowser(t, b, s, f)

	// The hosted UI as http://localhost:<port>: the relying party is
	// "localhost", which an IP address origin cannot use.
	_, port, _ := net.SplitHostPort(s.Addr)
	hosted := "http://localhost:" + port
	authorize := hosted + "/oauth2/authorize?" + url.Values{"client_id": {f.ClientID}, "response_type": {"code"},
		"redirect_uri": {callback}, "scope": {"openid email aws.cognito.signin.user.admin"}, "state": {"passkey"}}.Encode()
	var location string
	codeFrom := func() string {
		t.Helper()
		u, err := url.Parse(location)
		if err != nil || u.Path != "/callback" || u.Query().Get("state") != "passkey" || u.Query().Get("code") == "" {
			t.Fatalf("not on the callback with a code: %s", location)
		}
		return u.Query().Get("code")
	}
	startPasskey := func(username string) chromedp.Action {
		return chromedp.Tasks{chromedp.Navigate(authorize), chromedp.WaitVisible(`#passkey`, chromedp.ByQuery),
			chromedp.SendKeys(`#username`, username, chromedp.ByQuery), chromedp.Click(`#passkey`, chromedp.ByQuery)}
	}

	// A name without a passkey: the login page again, saying so.
	f.addUser(t, "bob", testPassword)
	var refusal string
	err := chromedp.Run(b.ctx, startPasskey("bob"), chromedp.WaitVisible(`#error`, chromedp.ByQuery), chromedp.Text(`#error`, &refusal, chromedp.ByQuery))
	if err != nil || refusal != "No passkey for this username. Sign in with your password." {
		t.Fatalf("passkey sign-in of a name without one: %v %q", err, refusal)
	}

	// The authenticator fails to verify alice: the passkey page stays and
	// says so; once it can, "Use passkey" signs her in.
	b.setUserVerified(t, false)
	err = chromedp.Run(b.ctx, startPasskey("alice"), chromedp.WaitVisible(`#passkey-error`, chromedp.ByQuery),
		chromedp.Text(`#passkey-error`, &refusal, chromedp.ByQuery))
	if err != nil || refusal != "Your passkey was not used. Try again, or sign in with your password." {
		t.Fatalf("passkey page when the authenticator fails: %v %q", err, refusal)
	}
	b.setUserVerified(t, true)
	err = chromedp.Run(b.ctx,
		chromedp.Click(`#usepasskey`, chromedp.ByQuery),
		// The app's page, or the login page again with its refusal.
		chromedp.WaitVisible(`#page, #error`, chromedp.ByQuery),
		chromedp.Location(&location),
	)
	if err != nil {
		t.Fatalf("passkey sign-in through the hosted UI: %v", err)
	}
	if !strings.Contains(location, "/callback") {
		var refusal string
		chromedp.Run(b.ctx, chromedp.Text(`#error`, &refusal, chromedp.ByQuery))
		t.Fatalf("the hosted UI refused the passkey: %q at %s", refusal, location)
	}
	c := newWebClient(t, s.URL)
	status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID},
		"code": {codeFrom()}, "redirect_uri": {callback}})
	if status != 200 {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	claims, _, err := independentVerify(t, s.URL, f.PoolID, tokens["id_token"].(string))
	if err != nil || claims["cognito:username"] != "alice" {
		t.Fatalf("ID token: %v %v", err, claims)
	}
	creds := b.credentials(t)
	if len(creds) != 1 || creds[0].SignCount < 2 {
		t.Fatalf("the passkey did not sign: %d credentials", len(creds))
	}

	// The session cookie: the next authorize signs in without a page.
	if err := chromedp.Run(b.ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(`#page`, chromedp.ByQuery), chromedp.Location(&location)); err != nil {
		t.Fatalf("silent sign-in: %v", err)
	}
	codeFrom()

	// A client without USER_AUTH gets the password form only.
	plain, err := f.api.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("plain"),
		ExplicitAuthFlows: allFlows, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{callback}})
	if err != nil {
		t.Fatal(err)
	}
	resp, page := newWebClient(t, s.URL).get("/login?" + url.Values{"client_id": {*plain.UserPoolClient.ClientId}, "response_type": {"code"},
		"redirect_uri": {callback}, "scope": {"openid"}}.Encode())
	if resp.StatusCode != 200 || !strings.Contains(page, `id="signin"`) || strings.Contains(page, `id="passkey"`) {
		t.Fatalf("login page of a client without USER_AUTH: %d %s", resp.StatusCode, page)
	}
}
