package hostedui

import (
	"net/http"
	"strings"
)

// Cookie names: Cognito calls its session cookie "cognito" and its CSRF
// cookie "XSRF-TOKEN". When the cookies are Secure they carry the __Host-
// prefix: the browser then accepts them only from this origin over TLS,
// with Path=/ and no Domain, so neither a sibling subdomain nor a
// plain-HTTP attacker can plant or overwrite them. Only the name that fits
// the request is read, so a planted unprefixed cookie is never consulted.
const (
	sessionCookie = "cognito"
	csrfCookie    = "XSRF-TOKEN"
	hostPrefix    = "__Host-"
)

// secure reports whether the browser reached this server over TLS: the
// request came over TLS itself, or the server's public base URL is https
// (a TLS-terminating proxy in front; the proxy's plain-HTTP hop says
// nothing). X-Forwarded-Proto is not read: no proxy is configured as
// trusted, and anyone can send that header.
func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(h.IssuerBase), "https://")
}

func (h *Handler) cookieName(r *http.Request, name string) string {
	if h.secure(r) {
		return hostPrefix + name
	}
	return name
}

// readCookie returns the value of the cookie name under the name that fits
// the request.
func (h *Handler) readCookie(r *http.Request, name string) string {
	c, err := r.Cookie(h.cookieName(r, name))
	if err != nil {
		return ""
	}
	return c.Value
}

// setCookie sets (maxAge 0: for the browser session; negative: deletes) a
// hosted-UI cookie: HttpOnly, SameSite=Lax, Path=/, no Domain.
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}
