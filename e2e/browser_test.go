package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func chromiumPath(t *testing.T) string {
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("COGNATE_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is not installed (scripts/test installs Debian's chromium)")
	}
	t.Skip("Chromium is not installed: apt-get install chromium (scripts/test does)")
	return ""
}

// TestHostedUIInChromium signs in through the hosted UI in a real browser:
// the form, the callback with a code, the exchange and userInfo; after an
// admin sign-out the cookie still signs in silently (as in Cognito); after
// /logout a replayed cookie does not.
func TestHostedUIInChromium(t *testing.T) {
	t.Parallel()
	ctx := newChromium(t)
	s := StartServer(t)

	// The app the browser returns to.
	app := appServer(t)
	callback, signedOutURL := app.URL+"/callback", app.URL+"/signed-out"
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
		in.AllowedOAuthScopes = []string{"openid", "email", "aws.cognito.signin.user.admin"}
		in.CallbackURLs = []string{callback}
		in.LogoutURLs = []string{signedOutURL}
	})

	authorize := s.URL + "/oauth2/authorize?" + url.Values{"client_id": {f.ClientID}, "response_type": {"code"},
		"redirect_uri": {callback}, "scope": {"openid email aws.cognito.signin.user.admin"}, "state": {"browser"}}.Encode()
	var location string
	codeFrom := func() string {
		u, err := url.Parse(location)
		if err != nil || u.Path != "/callback" || u.Query().Get("state") != "browser" {
			t.Fatalf("not on the callback: %s", location)
		}
		return u.Query().Get("code")
	}

	// 1. Sign in through the form.
	err := chromedp.Run(ctx,
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, "alice", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "Wrong-Pass-1", chromedp.ByQuery),
		chromedp.Click(`#signin`, chromedp.ByQuery),
		chromedp.WaitVisible(`#error`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("wrong password round: %v", err)
	}
	var msg string
	chromedp.Run(ctx, chromedp.Text(`#error`, &msg, chromedp.ByQuery))
	if strings.TrimSpace(msg) != "Incorrect username or password." {
		t.Fatalf("error message %q", msg)
	}
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`#password`, testPassword, chromedp.ByQuery),
		chromedp.Click(`#signin`, chromedp.ByQuery),
		chromedp.WaitVisible(`#page`, chromedp.ByQuery),
		chromedp.Location(&location),
	)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	c := newWebClient(t, s.URL)
	status, tokens := exchange(t, c, f, url.Values{"grant_type": {"authorization_code"}, "client_id": {f.ClientID}, "code": {codeFrom()},
		"redirect_uri": {callback}})
	if status != 200 {
		t.Fatalf("exchange: %d %v", status, tokens)
	}
	req, _ := http.NewRequest("GET", s.URL+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["access_token"].(string))
	if resp, info := c.do(req); resp.StatusCode != 200 || !strings.Contains(info, "alice@example.com") {
		t.Fatalf("userInfo: %d %s", resp.StatusCode, info)
	}

	// 2. Admin sign-out: refresh tokens die, the browser session does not.
	if _, err := f.api.AdminUserGlobalSignOut(context.Background(), &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	var cookies []*network.Cookie
	err = chromedp.Run(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(`#page`, chromedp.ByQuery), chromedp.Location(&location),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			cookies, err = network.GetCookies().WithURLs([]string{s.URL}).Do(ctx)
			return err
		}))
	if err != nil {
		t.Fatalf("silent sign-in: %v", err)
	}
	if codeFrom() == "" {
		t.Fatal("no code from the silent sign-in")
	}

	// 3. /logout, then replay the old session cookie: the form again.
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/logout?"+url.Values{"client_id": {f.ClientID}, "logout_uri": {signedOutURL}}.Encode()),
		chromedp.WaitVisible(`#page`, chromedp.ByQuery), chromedp.Location(&location))
	if err != nil || !strings.HasSuffix(location, "/signed-out") {
		t.Fatalf("logout: %v %s", err, location)
	}
	err = chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		for _, ck := range cookies {
			if err := network.SetCookie(ck.Name, ck.Value).WithURL(s.URL).WithPath(ck.Path).WithHTTPOnly(ck.HTTPOnly).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	}), chromedp.Navigate(authorize), chromedp.WaitVisible(`#username`, chromedp.ByQuery), chromedp.Location(&location))
	if err != nil || !strings.Contains(location, "/login?") {
		t.Fatalf("replayed cookie after logout should land on the form: %v %s", err, location)
	}
}
