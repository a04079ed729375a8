package hostedui

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/cognate/cognate/internal/userpool"
)

// /oauth2/token and /oauth2/revoke: client authentication (HTTP Basic or
// the body), then the domain's grant or revocation; answers and refusals
// are JSON (RFC 6749 §5).

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
