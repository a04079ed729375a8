package hostedui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

// /oauth2/authorize: the request is checked by the domain
// (CheckAuthorizeRequest); a live session cookie signs in silently, else
// the browser goes to /login. The end of a sign-in is a redirect with a
// code, or with tokens in the fragment (implicit).

// authorizeParams reads an authorization request from a query.
func authorizeParams(r *http.Request, q url.Values) userpool.AuthorizeParams {
	return userpool.AuthorizeParams{Domain: domainPrefix(r), ClientID: q.Get("client_id"), ResponseType: q.Get("response_type"),
		RedirectURI: q.Get("redirect_uri"), Scope: q.Get("scope"), State: q.Get("state"), Nonce: q.Get("nonce"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method")}
}

// query renders a request back into a query string for /login.
func query(ar *userpool.AuthorizeRequest) url.Values {
	q := url.Values{"client_id": {ar.Client.ID}, "response_type": {ar.ResponseType}, "redirect_uri": {ar.RedirectURI}, "scope": {ar.Scope}}
	for k, v := range map[string]string{"state": ar.State, "nonce": ar.Nonce, "code_challenge": ar.CodeChallenge, "code_challenge_method": ar.CodeChallengeMethod} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// domainPrefix is the first label of the request's Host, which may be a
// registered domain prefix (my-app.auth.us-east-1.amazoncognito.com, or
// my-app.localhost:9229 locally); the domain decides whether it is one.
func domainPrefix(r *http.Request) string {
	if i := strings.IndexByte(r.Host, '.'); i > 0 {
		return r.Host[:i]
	}
	return ""
}

// validAuth checks an authorization request and answers its refusal
// itself when it is not valid.
func (h *Handler) validAuth(w http.ResponseWriter, r *http.Request, q url.Values) (*userpool.AuthorizeRequest, bool) {
	ar, err := h.Auth.CheckAuthorizeRequest(r.Context(), authorizeParams(r, q))
	if err != nil {
		h.refuseAuthorize(w, r, &ar, err)
		return nil, false
	}
	return &ar, true
}

// refuseAuthorize answers a refused authorization request: a page when no
// redirect can be trusted, else a redirect to the registered URI with the
// RFC 6749 error.
func (h *Handler) refuseAuthorize(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, err error) {
	var untrusted *userpool.UntrustedRedirectError
	var oe *userpool.OAuthError
	switch {
	case errors.As(err, &untrusted):
		h.errorPage(w, http.StatusBadRequest, untrusted.Message)
	case errors.As(err, &oe):
		h.redirectError(w, r, ar, oe.Code)
	default:
		h.internal(w, err)
	}
}

// redirectQuery sends the browser back to the app's redirect URI with one
// parameter (code, or error) and the request's state.
func (h *Handler) redirectQuery(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, key, value string) {
	u, _ := url.Parse(ar.RedirectURI)
	q := u.Query()
	q.Set(key, value)
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, code string) {
	h.redirectQuery(w, r, ar, "error", code)
}

func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.validAuth(w, r, r.URL.Query())
	if !ok {
		return
	}
	if id := h.readCookie(r, sessionCookie); id != "" {
		if user, err := h.Auth.WebSessionUser(r.Context(), &ar.Pool, id); err == nil {
			h.complete(w, r, ar, &user, id)
			return
		}
	}
	http.Redirect(w, r, "/login?"+query(ar).Encode(), http.StatusFound)
}

// complete ends an authorization: a code, or tokens in the fragment.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, ar *userpool.AuthorizeRequest, user *userpool.User, sessionID string) {
	if ar.ResponseType != "token" {
		h.redirectQuery(w, r, ar, "code", h.Auth.IssueCode(ar, user, sessionID))
		return
	}
	t, err := h.Auth.IssueImplicit(r.Context(), ar, user)
	if err != nil {
		h.internal(w, err)
		return
	}
	frag := url.Values{"access_token": {t.AccessToken}, "id_token": {t.IDToken}, "token_type": {"Bearer"},
		"expires_in": {strconv.Itoa(t.ExpiresIn)}}
	if ar.State != "" {
		frag.Set("state", ar.State)
	}
	u, _ := url.Parse(ar.RedirectURI)
	u.Fragment = ""
	http.Redirect(w, r, u.String()+"#"+frag.Encode(), http.StatusFound)
}
