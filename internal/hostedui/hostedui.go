package hostedui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// Handler serves the hosted-UI endpoints. The rules are the domain's
// (userpool: CheckAuthorizeRequest, AuthenticateClient, GrantTokens,
// Logout, the web session); this package reads requests, sets cookies and
// renders the answers.
type Handler struct {
	Auth     *userpool.Auth
	Sessions *userpool.Sessions
	Log      *slog.Logger
	// IssuerBase is the server's public base URL; when it is https the
	// cookies are Secure (a TLS-terminating proxy is in front).
	IssuerBase string
}

// Mount registers the endpoints.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /oauth2/authorize", h.authorize)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.loginSubmit)
	mux.HandleFunc("POST "+challengePath, h.challengeSubmit)
	mux.HandleFunc("POST /oauth2/token", h.token)
	mux.HandleFunc("GET /oauth2/userInfo", h.userInfo)
	mux.HandleFunc("POST /oauth2/userInfo", h.userInfo)
	mux.HandleFunc("POST /oauth2/revoke", h.revoke)
	mux.HandleFunc("GET /logout", h.logout)
}

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
		"Message": message, "Client": ar.Client.Settings.ClientName})
}

// loginSubmit checks the password, then runs the sign-in's challenges
// (advance): the session cookie and the code come only after the last.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.checkedForm(w, r)
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	step, err := h.Auth.HostedSignIn(r.Context(), &ar.Pool, &ar.Client, username, r.PostForm.Get("password"))
	if isInternal(err) {
		h.internal(w, err)
		return
	} else if err != nil {
		h.renderLogin(w, r, ar, username, userpool.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	h.advance(w, r, ar, step)
}

// clientAuth authenticates the client of a token or revocation call, by
// HTTP Basic or client_id/client_secret in the body.
func (h *Handler) clientAuth(r *http.Request) (userpool.Client, userpool.Pool, error) {
	id, sec, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		sec, _ = url.QueryUnescape(sec)
	} else {
		id, sec = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return h.Auth.AuthenticateClient(r.Context(), domainPrefix(r), id, sec)
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	noStore(w.Header())
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthJSON(w, &userpool.OAuthError{Code: "invalid_request", Description: "The body must be application/x-www-form-urlencoded."})
		return
	}
	client, pool, err := h.clientAuth(r)
	if err != nil {
		oauthJSON(w, err)
		return
	}
	f := r.PostForm
	t, err := h.Auth.GrantTokens(r.Context(), &pool, &client, userpool.GrantRequest{GrantType: f.Get("grant_type"),
		Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"), CodeVerifier: f.Get("code_verifier"),
		RefreshToken: f.Get("refresh_token"), Scope: f.Get("scope")})
	if err != nil {
		oauthJSON(w, err)
		return
	}
	out := map[string]any{"access_token": t.AccessToken, "token_type": "Bearer", "expires_in": t.ExpiresIn}
	if t.IDToken != "" {
		out["id_token"] = t.IDToken
	}
	if t.RefreshToken != "" {
		out["refresh_token"] = t.RefreshToken
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) userInfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "Access token is missing."})
		return
	}
	claims, err := h.Sessions.UserInfo(r.Context(), tok)
	if isInternal(err) {
		h.internal(w, err)
		return
	} else if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": userpool.ErrorMessage(err)})
		return
	}
	writeJSON(w, http.StatusOK, claims)
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		oauthJSON(w, &userpool.OAuthError{Code: "invalid_request", Description: "token is required."})
		return
	}
	client, _, err := h.clientAuth(r)
	if err == nil {
		err = h.Sessions.RevokeOAuth(r.Context(), &client, r.PostForm.Get("token"))
	}
	if err != nil {
		oauthJSON(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// logout ends the hosted-UI session (userpool.Auth.Logout), clears its
// cookie and sends the browser on: to the logout_uri, or to sign in again.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := userpool.LogoutParams{AuthorizeParams: authorizeParams(r, q), LogoutURI: q.Get("logout_uri")}
	to, err := h.Auth.Logout(r.Context(), p, h.readCookie(r, sessionCookie))
	if err != nil {
		h.refuseAuthorize(w, r, to.SignInAgain, err)
		return
	}
	target := to.LogoutURI
	if to.SignInAgain != nil {
		target = "/login?" + query(to.SignInAgain).Encode()
	}
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, target, http.StatusFound)
}

// noStore marks a response that carries tokens, or an error about them, as
// never to be cached (RFC 6749 §5.1).
func noStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

func oauthJSON(w http.ResponseWriter, err error) {
	var oe *userpool.OAuthError
	if !errors.As(err, &oe) {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	status := http.StatusBadRequest
	if oe.Code == "invalid_client" {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="cognate"`)
	}
	writeJSON(w, status, map[string]string{"error": oe.Code, "error_description": oe.Description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// isInternal reports an error that is no refusal but a fault of the server.
func isInternal(err error) bool {
	return err != nil && userpool.ErrorType(err) == userpool.InternalError
}

func (h *Handler) internal(w http.ResponseWriter, err error) {
	h.Log.Error("hosted UI", "error", err.Error())
	h.errorPage(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
}

func (h *Handler) errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	pages.ExecuteTemplate(w, "error", msg)
}
