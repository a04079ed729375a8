package hostedui

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// The domain refuses with values; these tests pin how each is answered.

func TestRefuseAuthorize(t *testing.T) {
	h := &Handler{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ar := &userpool.AuthorizeRequest{AuthorizeParams: userpool.AuthorizeParams{RedirectURI: "https://app.example/cb?x=1", State: "st"}}
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		location string
		body     string
	}{
		{name: "no trusted redirect: a page", err: &userpool.UntrustedRedirectError{Message: "Unknown client_id."},
			status: http.StatusBadRequest, body: "Unknown client_id."},
		{name: "an OAuth error: back to the app with the state", err: &userpool.OAuthError{Code: "invalid_scope"},
			status: http.StatusFound, location: "https://app.example/cb?error=invalid_scope&state=st&x=1"},
		{name: "a fault: a page that tells nothing", err: errors.New("database is locked"),
			status: http.StatusInternalServerError, body: "Something went wrong. Please try again."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.refuseAuthorize(rec, httptest.NewRequest("GET", "/oauth2/authorize", nil), ar, tc.err)
			body := rec.Body.String()
			if rec.Code != tc.status || rec.Header().Get("Location") != tc.location || !strings.Contains(body, tc.body) ||
				strings.Contains(body, "database") {
				t.Fatalf("%d, Location %q, body %q", rec.Code, rec.Header().Get("Location"), body)
			}
		})
	}
}

func TestOAuthJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   map[string]string
		basic  bool // WWW-Authenticate: Basic
	}{
		{name: "invalid_client is 401 with a challenge", err: &userpool.OAuthError{Code: "invalid_client", Description: "Client authentication failed."},
			status: 401, basic: true, body: map[string]string{"error": "invalid_client", "error_description": "Client authentication failed."}},
		{name: "other refusals are 400", err: &userpool.OAuthError{Code: "invalid_grant", Description: "Invalid authorization code."},
			status: 400, body: map[string]string{"error": "invalid_grant", "error_description": "Invalid authorization code."}},
		{name: "a fault is server_error, undescribed", err: errors.New("database is locked"),
			status: 500, body: map[string]string{"error": "server_error"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			oauthJSON(rec, tc.err)
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status || (rec.Header().Get("WWW-Authenticate") != "") != tc.basic || len(body) != len(tc.body) {
				t.Fatalf("%d %v %v", rec.Code, rec.Header(), body)
			}
			for k, v := range tc.body {
				if body[k] != v {
					t.Fatalf("%s = %q, want %q", k, body[k], v)
				}
			}
		})
	}
}
