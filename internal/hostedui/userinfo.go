package hostedui

import (
	"net/http"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

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
