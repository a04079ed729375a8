package hostedui

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

// The challenge pages: after the password, the hosted UI runs the same
// challenges as InitiateAuth (userpool.HostedSignIn), one page each: the
// TOTP code (SOFTWARE_TOKEN_MFA), setting up an authenticator app
// (MFA_SETUP), a new password (NEW_PASSWORD_REQUIRED) and a passkey
// (WEB_AUTHN, passkey.go). The sealed
// challenge session travels in a hidden field, the authorization request in
// the form's action URL; the CSRF token guards the form as on the login page.
// Only after the last challenge does the browser get the session cookie and
// the redirect with a code (or tokens).

const challengePath = "/login/challenge"

// advance shows the next step of a sign-in, or ends it: the session cookie,
// then the redirect to the app.
func (h *Handler) advance(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, step userpool.HostedStep) {
	if step.Challenge != "" {
		h.renderChallenge(w, r, ar, step, requiredAttributes(step.Parameters), "", http.StatusOK)
		return
	}
	ws, err := h.Auth.StartWebSession(r.Context(), &ar.Pool, &step.User)
	if err != nil {
		h.internal(w, err)
		return
	}
	h.setCookie(w, r, sessionCookie, ws.ID, int(userpool.WebSessionLifetime.Seconds()))
	h.complete(w, r, ar, &step.User, ws.ID)
}

// requiredAttributes are the attribute names NEW_PASSWORD_REQUIRED asks for
// (its requiredAttributes parameter, a JSON list of "userAttributes.<name>").
func requiredAttributes(params map[string]string) []string {
	var raw []string
	if json.Unmarshal([]byte(params["requiredAttributes"]), &raw) != nil {
		return nil
	}
	var names []string
	for _, n := range raw {
		if name, ok := strings.CutPrefix(n, "userAttributes."); ok {
			names = append(names, name)
		}
	}
	return names
}

func (h *Handler) renderChallenge(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, step userpool.HostedStep, required []string, message string, status int) {
	data := map[string]any{"Action": challengePath + "?" + query(ar).Encode(), "Challenge": step.Challenge, "Session": step.Session,
		"Account": step.Username, "Message": message}
	switch step.Challenge {
	case userpool.ChallengeMFASetup:
		data["SecretGroups"] = groupsOf(step.SecretCode, 4)
		data["OTPAuth"] = otpauthURI(ar.Pool.Name, step.Username, step.SecretCode)
	case userpool.ChallengeWebAuthn:
		passkeyPage(data, ar, step)
	case userpool.ChallengeNewPassword:
		data["Attributes"] = required
		data["Required"] = strings.Join(required, " ")
	}
	h.renderPage(w, r, status, step.Challenge, data)
}

// groupsOf splits a setup key into groups of n characters, to be read and
// typed without losing one's place.
func groupsOf(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

// otpauthURI is the Key URI authenticator apps read: the pool's name is
// the issuer, the username the account.
func otpauthURI(issuer, username, secret string) template.URL {
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	// Only escaped names and a base32 key: safe as an href.
	return template.URL("otpauth://totp/" + url.PathEscape(issuer+":"+username) + "?" + q.Encode())
}

// challengeMessage is the error line of a challenge page.
func challengeMessage(err error) string {
	if userpool.ErrorType(err) == userpool.CodeMismatch {
		return "That code is not right. Enter the 6-digit code your authenticator app shows now."
	}
	return userpool.ErrorMessage(err)
}

func (h *Handler) challengeSubmit(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.checkedForm(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	step := userpool.HostedStep{Challenge: f.Get("challenge"), Session: f.Get("session")}
	required := strings.Fields(f.Get("required"))
	ans := userpool.HostedAnswer{Code: strings.TrimSpace(f.Get("code")), NewPassword: f.Get("new_password"),
		Credential: f.Get("credential")}
	if step.Challenge == userpool.ChallengeNewPassword {
		if f.Get("new_password") != f.Get("confirm_password") {
			h.renderChallenge(w, r, ar, step, required, "The two passwords are not the same.", http.StatusBadRequest)
			return
		}
		ans.Attributes = map[string]string{}
		for _, name := range required {
			ans.Attributes[name] = f.Get("attr." + name)
		}
	}
	next, err := h.Auth.HostedRespond(r.Context(), &ar.Pool, &ar.Client, step.Challenge, step.Session, ans)
	switch {
	case isInternal(err):
		h.internal(w, err)
	case err != nil && next.Challenge != "":
		h.renderChallenge(w, r, ar, next, required, challengeMessage(err), http.StatusBadRequest)
	case err != nil:
		// The session is spent or expired: sign in again.
		h.renderLogin(w, r, ar, "", userpool.ErrorMessage(err), http.StatusBadRequest)
	default:
		h.advance(w, r, ar, next)
	}
}
