package hostedui

import (
	"net/http"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// /login: the password form (and, where the pool allows it, the way to a
// passkey: passkey.go). Every POSTed form carries the authorization
// request in its URL and a CSRF token minted for this browser (csrf.go).

// csrfToken returns the CSRF token for this browser's forms, setting its
// pre-session cookie when it has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	pre := h.readCookie(r, csrfCookie)
	if !validPreSession(pre) {
		pre = secret.RandomString(preSessionLen, preSessionAlphabet)
		h.setCookie(w, r, csrfCookie, pre, 0)
	}
	return h.csrf().mint(pre, h.Auth.Now())
}

func (h *Handler) csrf() csrfTokens { return csrfTokens{mac: h.Auth.Sealer.MAC} }

// checkedForm reads a POSTed form of the hosted UI: the authorization
// request in its URL, and a CSRF token minted for this browser's cookie.
// It answers the error itself when either is wrong.
func (h *Handler) checkedForm(w http.ResponseWriter, r *http.Request) (*userpool.AuthorizeRequest, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, http.StatusBadRequest, "The form could not be read.")
		return nil, false
	}
	ar, ok := h.validAuth(w, r, r.URL.Query())
	if !ok {
		return nil, false
	}
	if !h.csrf().valid(h.readCookie(r, csrfCookie), r.PostForm.Get("_csrf"), h.Auth.Now()) {
		h.errorPage(w, http.StatusForbidden, "The form expired or was not sent by this site. Go back and try again.")
		return nil, false
	}
	return ar, true
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.validAuth(w, r, r.URL.Query())
	if !ok {
		return
	}
	h.renderLogin(w, r, ar, "", "", http.StatusOK)
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, username, message string, status int) {
	h.renderPage(w, r, status, "login", map[string]any{"Action": "/login?" + query(ar).Encode(), "Username": username,
		"Message": message, "Client": ar.Client.Settings.ClientName, "Passkey": userpool.HostedPasskeyOffered(&ar.Pool, &ar.Client)})
}

// loginSubmit checks the password, then runs the sign-in's challenges
// (advance): the session cookie and the code come only after the last.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.checkedForm(w, r)
	if !ok {
		return
	}
	if r.PostForm.Get("method") == "passkey" {
		h.passkeySignIn(w, r, ar) // passkey.go
		return
	}
	username := r.PostForm.Get("username")
	step, err := h.Auth.HostedSignIn(r.Context(), &ar.Pool, &ar.Client, username, r.PostForm.Get("password"))
	h.firstStep(w, r, ar, username, step, err)
}

// firstStep answers the login form's first step, by password or passkey:
// the form again with the refusal, or on to the next step.
func (h *Handler) firstStep(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, username string, step userpool.HostedStep, err error) {
	if isInternal(err) {
		h.internal(w, err)
		return
	} else if err != nil {
		h.renderLogin(w, r, ar, username, userpool.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	h.advance(w, r, ar, step)
}
