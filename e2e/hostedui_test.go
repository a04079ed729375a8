package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const (
	callbackURL = "https://app.example/callback"
	signedOut   = "https://app.example/signed-out"
)

// webClient is a browser-like HTTP client: cookies kept, redirects shown.
type webClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *webClient) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (c *webClient) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

func (c *webClient) postForm(path string, form url.Values, basicUser, basicPass string) (*http.Response, string) {
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// webFixture is a pool whose client may use the hosted UI.
func webFixture(t *testing.T, s *Server, tags map[string]string) *fixture {
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit}
		in.AllowedOAuthScopes = []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}
		in.CallbackURLs = []string{callbackURL}
		in.LogoutURLs = []string{signedOut}
		in.SupportedIdentityProviders = []string{"COGNITO"}
	})
	if tags != nil {
		if _, err := f.api.UpdateUserPool(context.Background(), &cip.UpdateUserPoolInput{UserPoolId: &f.PoolID, UserPoolTags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func pkce() (verifier, challenge string) {
	verifier = "verifier-" + strings.Repeat("x", 50)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizePath(f *fixture, challenge string) string {
	q := url.Values{"client_id": {f.ClientID}, "response_type": {"code"}, "redirect_uri": {callbackURL},
		"scope": {"openid email aws.cognito.signin.user.admin"}, "state": {"st-1"}, "nonce": {"n-1"}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	return "/oauth2/authorize?" + q.Encode()
}

// signInThroughForm walks authorize → login form → callback and returns the code.
func signInThroughForm(t *testing.T, c *webClient, f *fixture, challenge, password string) (string, string) {
	t.Helper()
	resp, _ := c.get(authorizePath(f, challenge))
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("authorize without session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := c.get(resp.Header.Get("Location"))
	m := csrfField.FindStringSubmatch(page)
	a := formAction.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || a == nil || !strings.Contains(page, `name="username"`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	action := html.UnescapeString(a[1])
	resp, page = c.postForm(action, url.Values{"_csrf": {m[1]}, "username": {"alice"}, "password": {password}}, "", "")
	if resp.StatusCode != 302 {
		return "", page
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Scheme+"://"+loc.Host+loc.Path != callbackURL || loc.Query().Get("state") != "st-1" {
		t.Fatalf("callback %s", loc)
	}
	return loc.Query().Get("code"), ""
}

func exchange(t *testing.T, c *webClient, f *fixture, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, body := c.postForm("/oauth2/token", form, "", "")
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return resp.StatusCode, m
}

func TestHostedUIFlow(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	verifier, challenge := pkce()

	if code, page := signInThroughForm(t, c, f, challenge, "Wrong-Pass-1"); code != "" || !strings.Contains(page, "Incorrect username or password.") {
		t.Fatalf("wrong password: code %q page %s", code, page)
	}
	code, _ := signInThroughForm(t, c, f, challenge, testPassword)
	if code == "" {
		t.Fatal("no code")
	}
	// PKCE: a wrong verifier fails; the right one works once.
	status, body := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code},
		"redirect_uri": {callbackURL}, "code_verifier": {"wrong"}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", status, body)
	}
	status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code},
		"redirect_uri": {callbackURL}, "code_verifier": {verifier}})
	if status != 200 || tokens["id_token"] == nil || tokens["refresh_token"] == nil || tokens["token_type"] != "Bearer" {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	status, body = exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code},
		"redirect_uri": {callbackURL}, "code_verifier": {verifier}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("code reuse: %d %v", status, body)
	}
	idClaims, _, err := independentVerify(t, s.URL, f.PoolID, tokens["id_token"].(string))
	if err != nil || idClaims["nonce"] != "n-1" {
		t.Fatalf("ID token: %v %v", idClaims, err)
	}
	atSum := sha256.Sum256([]byte(tokens["access_token"].(string)))
	if idClaims["at_hash"] != base64.RawURLEncoding.EncodeToString(atSum[:16]) {
		t.Fatalf("at_hash %v", idClaims["at_hash"])
	}
	// userInfo with the access token.
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["access_token"].(string))
	resp, info := c.do(req)
	if resp.StatusCode != 200 || !strings.Contains(info, `"email":"alice@example.com"`) {
		t.Fatalf("userInfo: %d %s", resp.StatusCode, info)
	}
	// Global sign-out revokes the refresh token but not the hosted-UI session.
	if _, err := f.api.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	status, body = exchange(t, c, f, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.ClientID}, "refresh_token": {tokens["refresh_token"].(string)}})
	if status != 400 || body["error"] != "invalid_grant" || body["error_description"] != "Refresh Token has been revoked" {
		t.Fatalf("refresh after sign-out: %d %v", status, body)
	}
	resp, _ = c.get(authorizePath(f, ""))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" {
		t.Fatalf("the session should still sign in silently: %d %s", resp.StatusCode, loc)
	}
	status, fresh := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {loc.Query().Get("code")},
		"redirect_uri": {callbackURL}})
	if status != 200 {
		t.Fatalf("silent code exchange: %d %v", status, fresh)
	}
	if _, err := f.getUser(fresh["access_token"].(string)); err != nil {
		t.Fatalf("tokens from the silent sign-in: %v", err)
	}
	// /logout ends the session server-side: a replayed cookie signs in no more.
	u, _ := url.Parse(s.URL)
	old := c.http.Jar.Cookies(u)
	resp, _ = c.get("/logout?" + url.Values{"client_id": {f.ClientID}, "logout_uri": {signedOut}}.Encode())
	if resp.StatusCode != 302 || resp.Header.Get("Location") != signedOut {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.http.Jar.SetCookies(u, old)
	resp, _ = c.get(authorizePath(f, ""))
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("replayed cookie after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestHostedUIRejectsBadRequests(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	q := func(mod func(url.Values)) string {
		v := url.Values{"client_id": {f.ClientID}, "response_type": {"code"}, "redirect_uri": {callbackURL}, "state": {"s"}}
		mod(v)
		return "/oauth2/authorize?" + v.Encode()
	}
	// Never redirect to an unregistered URL.
	for name, path := range map[string]string{
		"unregistered redirect": q(func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }),
		"unknown client":        q(func(v url.Values) { v.Set("client_id", "nosuchclient") }),
		"missing redirect":      q(func(v url.Values) { v.Del("redirect_uri") }),
	} {
		resp, page := c.get(path)
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(page, `role="alert"`) {
			t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for name, tc := range map[string]struct{ path, want string }{
		"bad scope":          {q(func(v url.Values) { v.Set("scope", "openid admin:all") }), "invalid_scope"},
		"bad response type":  {q(func(v url.Values) { v.Set("response_type", "id_token") }), "unsupported_response_type"},
		"plain PKCE refused": {q(func(v url.Values) { v.Set("code_challenge", "abc"); v.Set("code_challenge_method", "plain") }), "invalid_request"},
	} {
		resp, _ := c.get(tc.path)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("error") != tc.want || loc.Query().Get("state") != "s" || !strings.HasPrefix(loc.String(), callbackURL) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, loc)
		}
	}
	resp, _ := c.get("/logout?" + url.Values{"client_id": {f.ClientID}, "logout_uri": {"https://evil.example/"}}.Encode())
	if resp.StatusCode != 400 {
		t.Errorf("unregistered logout_uri: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A login POST without the CSRF token is refused.
	resp, _ = c.postForm("/login?"+url.Values{"client_id": {f.ClientID}, "response_type": {"code"}, "redirect_uri": {callbackURL}}.Encode(),
		url.Values{"username": {"alice"}, "password": {testPassword}}, "", "")
	if resp.StatusCode != 403 {
		t.Errorf("login without CSRF: %d", resp.StatusCode)
	}
	status, body := exchange(t, c, f, url.Values{"grant_type": {"password"}, "client_id": {f.ClientID}})
	if status != 400 || body["error"] != "unsupported_grant_type" {
		t.Errorf("unsupported grant: %d %v", status, body)
	}
	status, body = exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {"forged"}, "redirect_uri": {callbackURL}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("forged code: %d %v", status, body)
	}
}

func TestClientCredentialsAndResourceServers(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, _ := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("m2m")})
	rs, err := api.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool.UserPool.Id, Identifier: aws.String("https://api.example"),
		Name: aws.String("api"), Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}}})
	if err != nil || *rs.ResourceServer.Identifier != "https://api.example" {
		t.Fatalf("create resource server: %v", err)
	}
	if _, err := api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: pool.UserPool.Id, Identifier: aws.String("https://nope")}); err == nil {
		t.Fatal("unknown resource server described")
	}
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("svc"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"https://api.example/read"}})
	if err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t, s.URL)
	id, secret := *client.UserPoolClient.ClientId, *client.UserPoolClient.ClientSecret
	resp, body := c.postForm("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example/read"}}, id, secret)
	var tok map[string]any
	json.Unmarshal([]byte(body), &tok)
	if resp.StatusCode != 200 || tok["access_token"] == nil || tok["id_token"] != nil {
		t.Fatalf("client_credentials: %d %s", resp.StatusCode, body)
	}
	claims, _, err := independentVerify(t, s.URL, *pool.UserPool.Id, tok["access_token"].(string))
	if err != nil || claims["scope"] != "https://api.example/read" || claims["sub"] != id {
		t.Fatalf("claims %v %v", claims, err)
	}
	resp, _ = c.postForm("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, "wrong")
	if resp.StatusCode != 401 {
		t.Fatalf("wrong secret: %d", resp.StatusCode)
	}
	// Domains.
	if _, err := api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{Domain: aws.String("my-app"), UserPoolId: pool.UserPool.Id}); err != nil {
		t.Fatal(err)
	}
	d, err := api.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if err != nil || *d.DomainDescription.UserPoolId != *pool.UserPool.Id || d.DomainDescription.Status != types.DomainStatusTypeActive {
		t.Fatalf("describe domain: %v %+v", err, d)
	}
	if _, err := api.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{Domain: aws.String("my-app"), UserPoolId: pool.UserPool.Id}); err != nil {
		t.Fatal(err)
	}
}

// With the Cognate extension tag, global sign-out ends hosted-UI sessions too.
func TestSignOutEndsHostedSessionsWhenAsked(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, map[string]string{"cognate:SignOutEndsHostedSessions": "true"})
	c := newWebClient(t, s.URL)
	if code, _ := signInThroughForm(t, c, f, "", testPassword); code == "" {
		t.Fatal("no code")
	}
	if _, err := f.api.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	resp, _ := c.get(authorizePath(f, ""))
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("session survived the sign-out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestHostedUIMoreGrantsAndEndpoints(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	code, _ := signInThroughForm(t, c, f, "", testPassword)
	u, _ := url.Parse(s.URL)
	var session *http.Cookie
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "cognito" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {code}, "redirect_uri": {callbackURL}})
	if status != 200 {
		t.Fatalf("exchange %d %v", status, tokens)
	}
	// refresh_token grant keeps the OAuth scopes.
	status, refreshed := exchange(t, c, f, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.ClientID}, "refresh_token": {tokens["refresh_token"].(string)}})
	if status != 200 || refreshed["refresh_token"] != nil {
		t.Fatalf("refresh grant %d %v", status, refreshed)
	}
	claims, _, _ := independentVerify(t, s.URL, f.PoolID, refreshed["access_token"].(string))
	if claims["scope"] != "openid email aws.cognito.signin.user.admin" {
		t.Fatalf("scope after refresh: %v", claims["scope"])
	}
	// userInfo refuses garbage with 401 and a Bearer challenge.
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer not.a.token")
	if resp, _ := c.do(req); resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("userInfo with garbage: %d", resp.StatusCode)
	}
	// /oauth2/revoke ends the family.
	resp, _ := c.postForm("/oauth2/revoke", url.Values{"token": {tokens["refresh_token"].(string)}, "client_id": {f.ClientID}}, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("revoke %d", resp.StatusCode)
	}
	status, body := exchange(t, c, f, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.ClientID}, "refresh_token": {tokens["refresh_token"].(string)}})
	if status != 400 || body["error_description"] != "Refresh Token has been revoked" {
		t.Fatalf("refresh after revoke %d %v", status, body)
	}
	// Implicit flow: tokens in the fragment, never a refresh token.
	resp, _ = c.get("/oauth2/authorize?" + url.Values{"client_id": {f.ClientID}, "response_type": {"token"}, "redirect_uri": {callbackURL},
		"scope": {"openid"}, "state": {"imp"}}.Encode())
	loc, _ := url.Parse(resp.Header.Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	if resp.StatusCode != 302 || frag.Get("access_token") == "" || frag.Get("id_token") == "" || frag.Get("refresh_token") != "" || frag.Get("state") != "imp" {
		t.Fatalf("implicit: %d %s", resp.StatusCode, loc)
	}
	// logout with redirect_uri starts a new sign-in.
	resp, _ = c.get("/logout?" + url.Values{"client_id": {f.ClientID}, "redirect_uri": {callbackURL}, "response_type": {"code"}}.Encode())
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("logout to sign in again: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = c.get(authorizePath(f, ""))
	if !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatal("session alive after logout")
	}
}

// The session cookie is HttpOnly and SameSite=Lax, and lives one hour.
func TestHostedUISessionCookie(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	resp, _ := c.get(authorizePath(f, ""))
	resp, page := c.get(resp.Header.Get("Location"))
	m := csrfField.FindStringSubmatch(page)
	a := formAction.FindStringSubmatch(page)
	resp, _ = c.postForm(html.UnescapeString(a[1]), url.Values{"_csrf": {m[1]}, "username": {"alice"}, "password": {testPassword}}, "", "")
	var raw string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "cognito=") {
			raw = h
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Max-Age=3600", "Path=/"} {
		if !strings.Contains(raw, want) {
			t.Fatalf("session cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(raw, "Secure") {
		t.Fatal("Secure set on plain HTTP (the browser would drop the cookie)")
	}
}
