package e2e

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Hosted-UI findings of the security review (#1 new password, #15, #17,
// #19) against a real server, over plain HTTP.

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// pageForm is a page's form: where it posts and its hidden fields.
func pageForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	a := formAction.FindStringSubmatch(page)
	if a == nil {
		t.Fatalf("no form on the page:\n%s", page)
	}
	fields := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	return html.UnescapeString(a[1]), fields
}

// submitForm posts a page's form with its hidden fields and more.
func submitForm(t *testing.T, c *webClient, page string, more url.Values) (*http.Response, string) {
	t.Helper()
	action, fields := pageForm(t, page)
	for k, v := range more {
		fields[k] = v
	}
	return c.postForm(action, fields, "", "")
}

// loginPage follows /oauth2/authorize to the login form.
func loginPage(t *testing.T, c *webClient, q url.Values) string {
	t.Helper()
	resp, _ := c.get("/oauth2/authorize?" + q.Encode())
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("authorize without session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := c.get(resp.Header.Get("Location"))
	if resp.StatusCode != 200 {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	return page
}

func codeQuery(f *fixture, scope string) url.Values {
	return url.Values{"client_id": {f.ClientID}, "response_type": {"code"}, "redirect_uri": {callbackURL}, "scope": {scope}, "state": {"st-1"}}
}

// callbackCode returns the code of a redirect to the callback.
func callbackCode(t *testing.T, resp *http.Response, page string) string {
	t.Helper()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc == nil || loc.Scheme+"://"+loc.Host+loc.Path != callbackURL || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-1" {
		t.Fatalf("want a redirect to the callback with a code: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	return loc.Query().Get("code")
}

func errorLine(page string) string {
	m := regexp.MustCompile(`id="error">([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// #1: an admin-created user with a temporary password is asked for a new
// password on the hosted UI (NEW_PASSWORD_REQUIRED), then signed in.
func TestHostedUINewPasswordRequired(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	ctx := context.Background()
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("carol"),
		TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("carol@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, s.URL)
	login := loginPage(t, c, codeQuery(f, "openid email"))
	resp, page := submitForm(t, c, login, url.Values{"username": {"carol"}, "password": {"Temp-Pass-123"}})
	if resp.StatusCode != 200 || !strings.Contains(page, `name="new_password"`) {
		t.Fatalf("want the new-password page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	resp, again := submitForm(t, c, page, url.Values{"new_password": {"New-Pass-456"}, "confirm_password": {"New-Pass-457"}})
	if resp.StatusCode != 400 || !strings.Contains(again, `name="new_password"`) || errorLine(again) == "" {
		t.Fatalf("mismatched confirmation: %d\n%s", resp.StatusCode, again)
	}
	resp, again = submitForm(t, c, again, url.Values{"new_password": {"short"}, "confirm_password": {"short"}})
	if resp.StatusCode != 400 || !strings.Contains(errorLine(again), "Password") {
		t.Fatalf("weak password: %d %q\n%s", resp.StatusCode, errorLine(again), again)
	}
	resp, done := submitForm(t, c, again, url.Values{"new_password": {"New-Pass-456"}, "confirm_password": {"New-Pass-456"}})
	code := callbackCode(t, resp, done)
	if status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code},
		"redirect_uri": {callbackURL}}); status != 200 {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	f.signIn(t, "carol", "New-Pass-456")
	// The session was spent: posting the page again is refused.
	resp, stale := submitForm(t, c, again, url.Values{"new_password": {"New-Pass-789"}, "confirm_password": {"New-Pass-789"}})
	if resp.StatusCode == 302 {
		t.Fatalf("a spent new-password session signed in again: %s\n%s", resp.Header.Get("Location"), stale)
	}
}

// #1 over plain HTTP: a pool with MFA ON and a user who set up nothing:
// the set-up page, then a code; a TOTP user gets the code page, and a
// session of one client is refused on another.
func TestHostedUIMFAChallengesOverHTTP(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	mfaPool(t, f)
	c := newWebClient(t, s.URL)
	resp, page := submitForm(t, c, loginPage(t, c, codeQuery(f, "openid")), url.Values{"username": {"alice"}, "password": {testPassword}})
	secretM := regexp.MustCompile(`id="secret">([^<]+)<`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || secretM == nil {
		t.Fatalf("want the MFA set-up page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	secret := strings.ReplaceAll(secretM[1], " ", "")
	resp, page = submitForm(t, c, page, url.Values{"code": {authenticatorCode(t, secret, time.Now())}})
	callbackCode(t, resp, page)

	// The next sign-in asks for the code; the session is bound to its client.
	c = newWebClient(t, s.URL)
	resp, page = submitForm(t, c, loginPage(t, c, codeQuery(f, "openid")), url.Values{"username": {"alice"}, "password": {testPassword}})
	if resp.StatusCode != 200 || !strings.Contains(page, `name="code"`) || strings.Contains(page, `id="secret"`) {
		t.Fatalf("want the code page: %d\n%s", resp.StatusCode, page)
	}
	other, err := f.api.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("other"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{callbackURL}})
	if err != nil {
		t.Fatal(err)
	}
	action, fields := pageForm(t, page)
	u, _ := url.Parse(action)
	q := u.Query()
	q.Set("client_id", *other.UserPoolClient.ClientId)
	fields.Set("code", authenticatorCode(t, secret, time.Now().Add(30*time.Second)))
	resp, moved := c.postForm(u.Path+"?"+q.Encode(), fields, "", "")
	if resp.StatusCode == 302 {
		t.Fatalf("a challenge session of one client signed in on another: %s\n%s", resp.Header.Get("Location"), moved)
	}
	resp, page = submitForm(t, c, page, url.Values{"code": {authenticatorCode(t, secret, time.Now().Add(30*time.Second))}})
	callbackCode(t, resp, page)
}

// #15: behind a TLS-terminating proxy (an https issuer base URL), the
// hosted UI's cookies are Secure, with the __Host- prefix.
func TestHostedUICookiesSecureBehindTLSProxy(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.Args = []string{"--issuer-base-url", "https://auth.example.test"}
	s.Start()
	f := webFixture(t, s, nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := codeQuery(f, "openid").Encode()
	resp, err := noRedirect.Get(s.URL + "/login?" + q)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	csrf := csrfField.FindStringSubmatch(body.String())
	setCookies := resp.Header.Values("Set-Cookie")
	if len(setCookies) != 1 || csrf == nil {
		t.Fatalf("login page: %d %v", resp.StatusCode, setCookies)
	}
	if !strings.Contains(setCookies[0], "; Secure") || !strings.HasPrefix(setCookies[0], "__Host-") {
		t.Fatalf("CSRF cookie behind an https base URL: %q (want Secure and the __Host- prefix)", setCookies[0])
	}
	form := url.Values{"_csrf": {html.UnescapeString(csrf[1])}, "username": {"alice"}, "password": {testPassword}}
	req, _ := http.NewRequest("POST", s.URL+"/login?"+q, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", strings.SplitN(setCookies[0], ";", 2)[0])
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.Contains(h, "cognito=") {
			session = h
		}
	}
	if resp.StatusCode != 302 || !strings.Contains(session, "; Secure") || !strings.HasPrefix(session, "__Host-cognito=") ||
		!strings.Contains(session, "Path=/") || strings.Contains(session, "Domain=") {
		t.Fatalf("session cookie behind an https base URL: %d %q", resp.StatusCode, session)
	}
}

// #17: userInfo answers the attributes the token's scopes cover and the
// client may read, as Cognito documents.
func TestHostedUIUserInfoFollowsScopes(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	ctx := context.Background()
	if _, err := f.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String("+15555550100")},
			{Name: aws.String("name"), Value: aws.String("Alice A")}}}); err != nil {
		t.Fatal(err)
	}
	limited, err := f.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("limited"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{callbackURL},
		ReadAttributes: []string{"email", "name"}})
	if err != nil {
		t.Fatal(err)
	}
	limitedF := *f
	limitedF.ClientID = *limited.UserPoolClient.ClientId
	for _, tc := range []struct {
		name, scope string
		client      *fixture
		want, not   []string
	}{
		{"openid email", "openid email", f, []string{"sub", "username", "email", "email_verified"}, []string{"phone_number", "phone_number_verified", "name"}},
		{"openid profile", "openid profile", f, []string{"sub", "username", "name"}, []string{"email", "phone_number"}},
		{"openid alone: all readable", "openid", f, []string{"sub", "username", "email", "email_verified", "phone_number", "name"}, nil},
		{"ReadAttributes limit openid", "openid", &limitedF, []string{"sub", "username", "email", "name"}, []string{"phone_number", "email_verified"}},
		{"ReadAttributes limit email", "openid email", &limitedF, []string{"sub", "username", "email"}, []string{"email_verified", "name", "phone_number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newWebClient(t, s.URL)
			resp, page := submitForm(t, c, loginPage(t, c, codeQuery(tc.client, tc.scope)), url.Values{"username": {"alice"}, "password": {testPassword}})
			status, tokens := exchange(t, c, tc.client, url.Values{"grant_type": {"authorization_code"}, "client_id": {tc.client.ClientID},
				"code": {callbackCode(t, resp, page)}, "redirect_uri": {callbackURL}})
			if status != 200 {
				t.Fatalf("exchange: %d %v", status, tokens)
			}
			req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
			req.Header.Set("Authorization", "Bearer "+tokens["access_token"].(string))
			resp, body := c.do(req)
			var info map[string]any
			if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &info) != nil {
				t.Fatalf("userInfo: %d %s", resp.StatusCode, body)
			}
			for _, k := range tc.want {
				if _, ok := info[k]; !ok {
					t.Errorf("scope %q: userInfo lacks %s: %s", tc.scope, k, body)
				}
			}
			for _, k := range tc.not {
				if _, ok := info[k]; ok {
					t.Errorf("scope %q: userInfo returns %s: %s", tc.scope, k, body)
				}
			}
		})
	}
}

// #19: the login form's CSRF token is bound server-side: a planted cookie
// with an equal form field is refused, and so is a genuine token with
// another browser's cookie.
func TestHostedUICSRFIsBoundServerSide(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	q := codeQuery(f, "openid").Encode()
	post := func(cookie, token string) *http.Response {
		form := url.Values{"_csrf": {token}, "username": {"alice"}, "password": {testPassword}}
		req, _ := http.NewRequest("POST", s.URL+"/login?"+q, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "XSRF-TOKEN="+cookie)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	planted := strings.Repeat("A", 40)
	if resp := post(planted, planted); resp.StatusCode != 403 {
		t.Fatalf("planted cookie equal to the form field: %d %s (want 403)", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A genuine token, minted for browser A, with browser B's cookie.
	a, b := newWebClient(t, s.URL), newWebClient(t, s.URL)
	tokenA := html.UnescapeString(csrfField.FindStringSubmatch(loginPage(t, a, codeQuery(f, "openid")))[1])
	loginPage(t, b, codeQuery(f, "openid"))
	csrfCookieOf := func(c *webClient) string {
		u, _ := url.Parse(s.URL)
		for _, ck := range c.http.Jar.Cookies(u) {
			if ck.Name == "XSRF-TOKEN" {
				return ck.Value
			}
		}
		return ""
	}
	if resp := post(csrfCookieOf(b), tokenA); resp.StatusCode != 403 {
		t.Fatalf("another browser's token: %d (want 403)", resp.StatusCode)
	}
	// The genuine pair still signs in.
	cookieA := csrfCookieOf(a)
	if resp := post(cookieA, tokenA); resp.StatusCode != 302 {
		t.Fatalf("genuine token: %d", resp.StatusCode)
	}
}

// #1, the steps chained: in a pool with MFA ON an admin-created user sets a
// new password, then an authenticator app, then lands on the callback; the
// implicit flow gets its tokens only then.
func TestHostedUINewPasswordThenMFASetup(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	mfaPool(t, f)
	if _, err := f.api.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("dave"),
		TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, s.URL)
	q := codeQuery(f, "openid")
	q.Set("response_type", "token")
	resp, page := submitForm(t, c, loginPage(t, c, q), url.Values{"username": {"dave"}, "password": {"Temp-Pass-123"}})
	if resp.StatusCode != 200 || !strings.Contains(page, `name="new_password"`) {
		t.Fatalf("want the new-password page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page = submitForm(t, c, page, url.Values{"new_password": {"New-Pass-456"}, "confirm_password": {"New-Pass-456"}})
	secretM := regexp.MustCompile(`id="secret">([^<]+)<`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || secretM == nil {
		t.Fatalf("after the new password, want the MFA set-up page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	resp, _ = submitForm(t, c, page, url.Values{"code": {authenticatorCode(t, strings.ReplaceAll(secretM[1], " ", ""), time.Now())}})
	loc, _ := url.Parse(resp.Header.Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	if resp.StatusCode != 302 || !strings.HasPrefix(loc.String(), callbackURL) || frag.Get("access_token") == "" {
		t.Fatalf("implicit tokens after the last step: %d %s", resp.StatusCode, loc)
	}
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+frag.Get("access_token"))
	if resp, info := c.do(req); resp.StatusCode != 200 || !strings.Contains(info, `"username":"dave"`) {
		t.Fatalf("userInfo with the implicit token: %d %s", resp.StatusCode, info)
	}
}
