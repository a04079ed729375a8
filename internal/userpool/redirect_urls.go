package userpool

import (
	"net"
	"net/url"
	"strings"
)

// Redirect URLs (an app client's CallbackURLs, LogoutURLs and
// DefaultRedirectURI) are checked when they are registered, as Cognito
// does: absolute, no fragment, no wildcard, HTTPS except for http on the
// local machine, or an app's own scheme (myapp://callback) — but never a
// scheme that runs or embeds content in the browser.

// forbiddenSchemes would turn a redirect into script or inline content.
var forbiddenSchemes = map[string]bool{"javascript": true, "data": true, "vbscript": true, "file": true, "blob": true}

// checkRedirectURL validates one registered redirect URL; what names the
// member (CallbackURLs, LogoutURLs, DefaultRedirectURI) for the message.
func checkRedirectURL(what, raw string) error {
	bad := func(why string) error {
		return Errorf(InvalidParameter, "Invalid %s %q: %s.", what, truncate(raw, 128), why)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Scheme == "":
		return bad("it must be an absolute URL")
	case forbiddenSchemes[strings.ToLower(u.Scheme)]:
		return bad("the " + u.Scheme + " scheme is not allowed")
	case u.Opaque != "":
		return bad("it must be an absolute URL")
	case strings.Contains(raw, "#"):
		return bad("it must not contain a fragment")
	case strings.Contains(raw, "*"):
		return bad("it must not contain a wildcard")
	case u.Scheme == "http" && !isLocalHost(u.Hostname()):
		return bad("HTTPS is required except for http://localhost")
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
		return bad("it must name a host")
	}
	return nil
}

func isLocalHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkRedirectURLs validates a client's redirect settings.
func checkRedirectURLs(st *ClientSettings) error {
	for _, u := range st.CallbackURLs {
		if err := checkRedirectURL("CallbackURLs", u); err != nil {
			return err
		}
	}
	for _, u := range st.LogoutURLs {
		if err := checkRedirectURL("LogoutURLs", u); err != nil {
			return err
		}
	}
	if st.DefaultRedirectURI != "" {
		return checkRedirectURL("DefaultRedirectURI", st.DefaultRedirectURI)
	}
	return nil
}
