package hostedui

import (
	"log/slog"
	"net/http"

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
