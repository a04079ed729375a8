package hostedui

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/cognate/cognate/internal/userpool"
)

// Passkey sign-in on the login page. The page offers it when the pool
// allows WEB_AUTHN as a first factor (userpool.HostedPasskeyOffered): the
// username, then "Sign in with passkey" starts USER_AUTH's WEB_AUTHN
// challenge (userpool.HostedPasskeySignIn). Its page runs
// navigator.credentials.get with the challenge's request options and posts
// the signed answer to the challenge endpoint with the sealed session, as
// the other challenge pages do; from there the sign-in ends as a password
// sign-in does (session cookie, redirect with a code).
//
// The page's one script is inline and allowed by its hash alone
// (script-src 'sha256-…'): no other script runs on any hosted page.
//
// Decision (Cognito's managed login is not documented this far): the
// username comes first, so that the options list the user's passkeys
// (allowCredentials) as USER_AUTH gives them; a discoverable-credential
// sign-in without a username is not offered.

//go:embed passkey.js
var passkeyScript string

// pageScripts are the inline scripts of the pages that have one, by page,
// with the CSP source that allows exactly that script.
var pageScripts = map[string]struct {
	Code   template.JS
	Source string
}{
	userpool.ChallengeWebAuthn: {template.JS(passkeyScript), scriptHashSource(passkeyScript)},
}

func scriptHashSource(code string) string {
	sum := sha256.Sum256([]byte(code))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// passkeySignIn answers the login form's "Sign in with passkey".
func (h *Handler) passkeySignIn(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest) {
	username := r.PostForm.Get("username")
	if !userpool.HostedPasskeyOffered(&ar.Pool, &ar.Client) {
		h.renderLogin(w, r, ar, username, "Sign-in with a passkey is not offered here.", http.StatusBadRequest)
		return
	}
	step, err := h.Auth.HostedPasskeySignIn(r.Context(), &ar.Pool, &ar.Client, username)
	h.firstStep(w, r, ar, username, step, err)
}

// passkeyPage adds what the WEB_AUTHN page shows to data.
func passkeyPage(data map[string]any, ar *userpool.AuthorizeRequest, step userpool.HostedStep) {
	data["Options"] = step.Parameters["CREDENTIAL_REQUEST_OPTIONS"]
	data["Script"] = pageScripts[userpool.ChallengeWebAuthn].Code
	data["Login"] = "/login?" + query(ar).Encode()
}

var _ = template.Must(pages.New(userpool.ChallengeWebAuthn).Parse(`{{template "head" "Sign in with your passkey"}}
<body><main><h1>Sign in with your passkey</h1>
<p>Use your passkey{{with .Account}} for {{.}}{{end}}: your device asks you to confirm it is you.</p>
{{template "error-line" .}}<p class="error" role="alert" id="passkey-error" hidden></p>
<form method="post" action="{{.Action}}" id="passkey-form">
{{template "challenge-fields" .}}<input type="hidden" id="options" value="{{.Options}}">
<input type="hidden" name="credential" id="credential">
<button type="button" id="usepasskey">Use passkey</button>
</form>
<p><a href="{{.Login}}" id="use-password">Sign in with your password instead</a></p>
<script>{{.Script}}</script>
</main></body></html>
`))
