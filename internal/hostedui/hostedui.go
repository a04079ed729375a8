package hostedui

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// Handler serves the hosted-UI endpoints.
type Handler struct {
	Store    userpool.Store
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

// authRequest is the validated query of /oauth2/authorize (and /login).
type authRequest struct {
	pool          userpool.Pool
	client        userpool.Client
	responseType  string
	redirectURI   string
	scope         string
	state         string
	nonce         string
	challenge     string
	challengeMeth string
}

// query renders the request back into a query string for /login.
func (ar *authRequest) query() url.Values {
	q := url.Values{"client_id": {ar.client.ID}, "response_type": {ar.responseType}, "redirect_uri": {ar.redirectURI}, "scope": {ar.scope}}
	for k, v := range map[string]string{"state": ar.state, "nonce": ar.nonce, "code_challenge": ar.challenge, "code_challenge_method": ar.challengeMeth} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// pageError is shown to the browser when no redirect can be trusted.
type pageError struct {
	status int
	msg    string
}

// parseAuth validates an authorization request. Errors before the redirect
// URI is known to be registered are pages (never redirects: no open
// redirect); later errors redirect with an RFC 6749 error.
func (h *Handler) parseAuth(r *http.Request, q url.Values) (*authRequest, *pageError, string) {
	ctx := r.Context()
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, &pageError{400, "The request is missing client_id."}, ""
	}
	client, err := h.Store.GetClient(ctx, clientID)
	if err != nil {
		return nil, &pageError{400, "Unknown client_id."}, ""
	}
	if d, ok := h.domainPool(ctx, r); ok && d != client.PoolID {
		return nil, &pageError{400, "This client does not belong to this domain's user pool."}, ""
	}
	pool, err := h.Store.GetPool(ctx, client.PoolID)
	if err != nil {
		return nil, &pageError{400, "Unknown client_id."}, ""
	}
	ar := &authRequest{pool: pool, client: client, responseType: q.Get("response_type"), redirectURI: q.Get("redirect_uri"),
		scope: q.Get("scope"), state: q.Get("state"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge"),
		challengeMeth: q.Get("code_challenge_method")}
	if ar.redirectURI == "" || !slices.Contains(client.Settings.CallbackURLs, ar.redirectURI) {
		return nil, &pageError{400, "redirect_mismatch: the redirect_uri is not registered for this client."}, ""
	}
	if !client.Settings.AllowedOAuthFlowsUserPoolClient {
		return ar, nil, "unauthorized_client"
	}
	switch ar.responseType {
	case "code":
		if !slices.Contains(client.Settings.AllowedOAuthFlows, "code") {
			return ar, nil, "unauthorized_client"
		}
	case "token":
		if !slices.Contains(client.Settings.AllowedOAuthFlows, "implicit") {
			return ar, nil, "unauthorized_client"
		}
	default:
		return ar, nil, "unsupported_response_type"
	}
	allowed := client.Settings.AllowedOAuthScopes
	if ar.scope == "" {
		ar.scope = strings.Join(allowed, " ")
	}
	for _, s := range strings.Fields(ar.scope) {
		if !slices.Contains(allowed, s) {
			return ar, nil, "invalid_scope"
		}
	}
	if ar.challenge != "" && ar.challengeMeth != "S256" {
		return ar, nil, "invalid_request"
	}
	return ar, nil, ""
}

// validAuth parses an authorization request and answers its error itself
// (a page, or a redirect to the registered URI) when it is not valid.
func (h *Handler) validAuth(w http.ResponseWriter, r *http.Request, q url.Values) (*authRequest, bool) {
	ar, perr, oerr := h.parseAuth(r, q)
	if perr != nil {
		h.errorPage(w, perr.status, perr.msg)
		return nil, false
	}
	if oerr != "" {
		h.redirectError(w, r, ar, oerr)
		return nil, false
	}
	return ar, true
}

// domainPool maps a request's Host to a pool when its first label is a
// registered domain prefix (my-app.auth.us-east-1.amazoncognito.com, or
// my-app.localhost:9229 locally).
func (h *Handler) domainPool(ctx context.Context, r *http.Request) (string, bool) {
	host := r.Host
	if i := strings.IndexByte(host, '.'); i > 0 {
		if d, err := h.Store.GetDomain(ctx, host[:i]); err == nil {
			return d.PoolID, true
		}
	}
	return "", false
}

func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, ar *authRequest, code string) {
	u, _ := url.Parse(ar.redirectURI)
	q := u.Query()
	q.Set("error", code)
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.validAuth(w, r, r.URL.Query())
	if !ok {
		return
	}
	if id := h.readCookie(r, sessionCookie); id != "" {
		if user, err := h.Auth.WebSessionUser(r.Context(), &ar.pool, id); err == nil {
			h.complete(w, r, ar, &user, id)
			return
		}
	}
	http.Redirect(w, r, "/login?"+ar.query().Encode(), http.StatusFound)
}

// complete ends an authorization: a code, or tokens in the fragment.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, ar *authRequest, user *userpool.User, sessionID string) {
	u, _ := url.Parse(ar.redirectURI)
	if ar.responseType == "token" {
		t, err := h.Auth.IssueImplicit(r.Context(), &ar.pool, &ar.client, user, ar.scope, ar.nonce)
		if err != nil {
			h.internal(w, err)
			return
		}
		frag := url.Values{"access_token": {t.AccessToken}, "id_token": {t.IDToken}, "token_type": {"Bearer"},
			"expires_in": {strconv.Itoa(t.ExpiresIn)}}
		if ar.state != "" {
			frag.Set("state", ar.state)
		}
		u.Fragment = ""
		http.Redirect(w, r, u.String()+"#"+frag.Encode(), http.StatusFound)
		return
	}
	code := h.Auth.NewCode(userpool.CodeGrant{Pool: ar.pool.ID, Client: ar.client.ID, Sub: user.Sub, RedirectURI: ar.redirectURI,
		Scope: ar.scope, Nonce: ar.nonce, Challenge: ar.challenge, ChallengeMeth: ar.challengeMeth, SessionID: sessionID})
	q := u.Query()
	q.Set("code", code)
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
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
func (h *Handler) checkedForm(w http.ResponseWriter, r *http.Request) (*authRequest, bool) {
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

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, ar *authRequest, username, message string, status int) {
	h.renderPage(w, r, status, "login", map[string]any{"Action": "/login?" + ar.query().Encode(), "Username": username,
		"Message": message, "Client": ar.client.Settings.ClientName})
}

// loginSubmit checks the password, then runs the sign-in's challenges
// (advance): the session cookie and the code come only after the last.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ar, ok := h.checkedForm(w, r)
	if !ok {
		return
	}
	username := r.PostForm.Get("username")
	step, err := h.Auth.HostedSignIn(r.Context(), &ar.pool, &ar.client, username, r.PostForm.Get("password"))
	if err != nil {
		msg := userpool.ErrorMessage(err)
		if userpool.ErrorType(err) == userpool.UserNotFound {
			msg = "Incorrect username or password."
		}
		if userpool.ErrorType(err) == userpool.InternalError {
			h.internal(w, err)
			return
		}
		h.renderLogin(w, r, ar, username, msg, http.StatusBadRequest)
		return
	}
	h.advance(w, r, ar, step)
}

// clientAuth finds the client of a token-endpoint call: HTTP Basic or
// client_id/client_secret in the body. Confidential clients must prove
// their secret.
func (h *Handler) clientAuth(r *http.Request) (userpool.Client, userpool.Pool, error) {
	id, sec, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		sec, _ = url.QueryUnescape(sec)
	} else {
		id, sec = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	bad := &userpool.OAuthError{Code: "invalid_client", Description: "Client authentication failed."}
	client, err := h.Store.GetClient(r.Context(), id)
	if err != nil {
		return client, userpool.Pool{}, bad
	}
	if client.Confidential() && !client.SecretMatches(sec) {
		return client, userpool.Pool{}, bad
	}
	if d, ok := h.domainPool(r.Context(), r); ok && d != client.PoolID {
		return client, userpool.Pool{}, bad
	}
	pool, err := h.Store.GetPool(r.Context(), client.PoolID)
	if err != nil {
		return client, pool, bad
	}
	return client, pool, nil
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
	var t userpool.Tokens
	switch f.Get("grant_type") {
	case "authorization_code":
		if f.Get("code") == "" || f.Get("redirect_uri") == "" {
			oauthJSON(w, &userpool.OAuthError{Code: "invalid_request", Description: "code and redirect_uri are required."})
			return
		}
		t, err = h.Auth.RedeemCode(r.Context(), &pool, &client, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"))
	case "refresh_token":
		t, err = h.Auth.RefreshOAuth(r.Context(), &pool, &client, f.Get("refresh_token"))
		switch userpool.ErrorType(err) {
		case userpool.NotAuthorized, userpool.RefreshTokenReuse:
			err = &userpool.OAuthError{Code: "invalid_grant", Description: userpool.ErrorMessage(err)}
		case userpool.InvalidParameter:
			err = &userpool.OAuthError{Code: "invalid_request", Description: userpool.ErrorMessage(err)}
		}
	case "client_credentials":
		t, err = h.Auth.ClientCredentials(r.Context(), &pool, &client, f.Get("scope"))
	default:
		err = &userpool.OAuthError{Code: "unsupported_grant_type", Description: "grant_type must be authorization_code, refresh_token or client_credentials."}
	}
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
	a, err := h.Sessions.AuthorizeScope(r.Context(), tok, "openid")
	if err != nil {
		if userpool.ErrorType(err) == userpool.InternalError {
			h.internal(w, err)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": userpool.ErrorMessage(err)})
		return
	}
	client, err := h.Store.GetClient(r.Context(), a.Claims.ClientID)
	if err != nil && !errors.Is(err, userpool.ErrNotFound) {
		h.internal(w, err)
		return
	} else if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Access Token has been revoked"})
		return
	}
	writeJSON(w, http.StatusOK, userpool.UserInfoClaims(&a.User, client.Settings.ReadAttributes, a.Claims.Scope))
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		oauthJSON(w, &userpool.OAuthError{Code: "invalid_request", Description: "token is required."})
		return
	}
	client, _, err := h.clientAuth(r)
	if err != nil {
		oauthJSON(w, err)
		return
	}
	err = h.Sessions.RevokeTokenOf(r.Context(), &client, r.PostForm.Get("token"))
	switch userpool.ErrorType(err) {
	case "":
	case userpool.UnsupportedTokenType:
		err = &userpool.OAuthError{Code: "unsupported_token_type", Description: userpool.ErrorMessage(err)}
	case userpool.UnsupportedOperation, userpool.Unauthorized:
		err = &userpool.OAuthError{Code: "unauthorized_client", Description: userpool.ErrorMessage(err)}
	}
	if err != nil {
		oauthJSON(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// logout ends the hosted-UI session. With logout_uri it returns there (a
// registered sign-out URL); with redirect_uri and response_type it starts a
// new sign-in (a registered callback URL).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, err := h.Store.GetClient(r.Context(), q.Get("client_id"))
	if err != nil {
		h.errorPage(w, http.StatusBadRequest, "Unknown client_id.")
		return
	}
	var target string
	switch {
	case q.Get("logout_uri") != "":
		if !slices.Contains(client.Settings.LogoutURLs, q.Get("logout_uri")) {
			h.errorPage(w, http.StatusBadRequest, "The logout_uri is not registered for this client.")
			return
		}
		target = q.Get("logout_uri")
	case q.Get("redirect_uri") != "":
		ar, ok := h.validAuth(w, r, q)
		if !ok {
			return
		}
		target = "/login?" + ar.query().Encode()
	default:
		h.errorPage(w, http.StatusBadRequest, "logout needs logout_uri, or redirect_uri and response_type.")
		return
	}
	if id := h.readCookie(r, sessionCookie); id != "" {
		if err := h.Auth.EndWebSession(r.Context(), id); err != nil {
			h.internal(w, err)
			return
		}
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
