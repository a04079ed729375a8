package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
