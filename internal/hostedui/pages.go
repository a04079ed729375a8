package hostedui

import (
	"html/template"
	"net/http"
)

// The hosted UI's pages: plain HTML forms, no JavaScript but the passkey
// page's (passkey.go). Every form posts back with the authorization request
// in its action URL and a CSRF token.

// renderPage writes one of the pages with the headers every page carries.
// data gets the form's CSRF token as "CSRF".
func (h *Handler) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	// No form-action: browsers apply it to the redirect that follows the
	// POST, which goes to the app's callback on another origin.
	csp := "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
	if script, ok := pageScripts[name]; ok { // passkey.go: the page's own script, by its hash
		csp += "; script-src " + script.Source
	}
	w.Header().Set("Content-Security-Policy", csp)
	data["CSRF"] = h.csrfToken(w, r)
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		h.Log.Error("hosted UI page", "page", name, "error", err.Error())
	}
}

var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;line-height:1.4}label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}
h1{font-size:1.6rem;line-height:1.2}
.error{color:#a40000;border:1px solid #a40000;padding:.5rem;margin-top:1rem}
.key{display:block;font-family:ui-monospace,monospace;font-size:1.15rem;letter-spacing:.05em;background:#f3f3f3;padding:.6rem;margin:.5rem 0;word-break:break-all}
.hint{color:#555;font-size:.9rem}</style></head>
{{end}}
{{define "error-line"}}{{if .Message}}<p class="error" role="alert" id="error">{{.Message}}</p>{{end}}{{end}}
{{define "challenge-fields"}}<input type="hidden" name="_csrf" value="{{.CSRF}}">
<input type="hidden" name="challenge" value="{{.Challenge}}">
<input type="hidden" name="session" value="{{.Session}}">
{{end}}

{{define "login"}}{{template "head" "Sign in"}}
<body><main><h1>Sign in</h1>{{if .Client}}<p>to {{.Client}}</p>{{end}}
{{template "error-line" .}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="{{.Username}}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="signin">Sign in</button>
{{if .Passkey}}<button type="submit" name="method" value="passkey" id="passkey" formnovalidate>Sign in with passkey</button>{{end}}
</form></main></body></html>
{{end}}

{{define "SOFTWARE_TOKEN_MFA"}}{{template "head" "Enter your authentication code"}}
<body><main><h1>Enter your authentication code</h1>
<p>Open your authenticator app and enter the 6-digit code it shows{{with .Account}} for {{.}}{{end}}.</p>
{{template "error-line" .}}
<form method="post" action="{{.Action}}">
{{template "challenge-fields" .}}<label for="code">Authentication code</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus>
<button type="submit" id="verify">Sign in</button>
</form></main></body></html>
{{end}}

{{define "MFA_SETUP"}}{{template "head" "Set up an authenticator app"}}
<body><main><h1>Set up an authenticator app</h1>
<p>This account needs a second step to sign in. In your authenticator app, add an account with this setup key:</p>
<code class="key" id="secret">{{.SecretGroups}}</code>
<p class="hint">Key type: time-based. On the device with the app you can also <a id="otpauth" href="{{.OTPAuth}}">open this account in your authenticator app</a>.</p>
{{template "error-line" .}}
<form method="post" action="{{.Action}}">
{{template "challenge-fields" .}}<label for="code">Code from your app</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus>
<button type="submit" id="verify">Verify and sign in</button>
</form></main></body></html>
{{end}}

{{define "NEW_PASSWORD_REQUIRED"}}{{template "head" "Change your password"}}
<body><main><h1>Change your password</h1>
<p>You must choose a new password{{with .Account}} for {{.}}{{end}} before you can sign in.</p>
{{template "error-line" .}}
<form method="post" action="{{.Action}}">
{{template "challenge-fields" .}}<input type="hidden" name="required" value="{{.Required}}">
<label for="new_password">New password</label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" required autofocus>
<label for="confirm_password">Confirm the new password</label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required>
{{range .Attributes}}<label for="attr-{{.}}">{{.}}</label>
<input id="attr-{{.}}" name="attr.{{.}}" required>
{{end}}<button type="submit" id="change">Change password and sign in</button>
</form></main></body></html>
{{end}}

{{define "error"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><main><h1>Something is wrong with this request</h1><p role="alert" id="error">{{.}}</p></main></body></html>
{{end}}
`))
