package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cognate/cognate/internal/throttle"
)

// clientOf is the app client a call is counted against: its ClientId, or
// for token-authorized calls the client_id claim of its access token, read
// without verifying it (a forged token only picks the bucket it is counted
// in; the per-IP bucket counts it too, and the call then fails). "" when
// neither is there: the call is counted per IP only.
func clientOf(body []byte) string {
	var in struct{ ClientId, AccessToken string }
	json.Unmarshal(body, &in) // a malformed body fails validation later
	if in.ClientId != "" || in.AccessToken == "" {
		return in.ClientId
	}
	parts := strings.Split(in.AccessToken, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		ClientID string `json:"client_id"`
	}
	json.Unmarshal(raw, &claims)
	return claims.ClientID
}

// limitHostedUI puts the hosted UI's sign-in endpoints (POST /login and
// POST /oauth2/token, Cognito's UserAuthentication) under the quotas, per
// app client (client_id of the query, Basic authentication or the form)
// and per client IP: past the quota they answer 429.
func (s *Server) limitHostedUI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (r.URL.Path == "/login" || r.URL.Path == "/oauth2/token") {
			client := r.URL.Query().Get("client_id")
			if client == "" {
				if id, _, ok := r.BasicAuth(); ok {
					client = id
				} else if r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes); r.ParseForm() == nil {
					client = r.PostForm.Get("client_id")
				}
			}
			if !s.Quotas.Allow(throttle.UserAuthentication, client, s.Proxies.ClientIP(r)) {
				w.Header().Set("Retry-After", "1")
				if r.URL.Path == "/oauth2/token" {
					writeJSONStatus(w, http.StatusTooManyRequests, map[string]string{"error": "Rate exceeded"})
				} else {
					http.Error(w, "Rate exceeded", http.StatusTooManyRequests)
				}
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
