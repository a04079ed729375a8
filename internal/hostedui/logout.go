package hostedui

import (
	"net/http"

	"github.com/cognate/cognate/internal/userpool"
)

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
