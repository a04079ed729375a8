package userpool

import (
	"context"
	"slices"
)

// LogoutParams is a /logout request: client_id with logout_uri, or the
// parameters of a new authorization request (redirect_uri, response_type, …).
type LogoutParams struct {
	AuthorizeParams
	LogoutURI string
}

// LogoutTarget is where the browser goes once signed out: a registered
// sign-out URL, or (SignInAgain) a new sign-in.
type LogoutTarget struct {
	LogoutURI   string
	SignInAgain *AuthorizeRequest
}

// Logout ends the hosted-UI session sessionID (the cookie's value) when
// the request is valid. With logout_uri the browser returns there (one of
// the client's LogoutURLs); with redirect_uri it signs in again, which is
// checked as an authorization request. The client must belong to the
// domain's pool, as at /oauth2/authorize. Refusals are as
// CheckAuthorizeRequest's; with an *OAuthError, SignInAgain holds where to
// send it, and the session is left alive.
func (a *Auth) Logout(ctx context.Context, p LogoutParams, sessionID string) (LogoutTarget, error) {
	client, err := a.clientOfDomain(ctx, p.Domain, p.ClientID)
	if err != nil {
		return LogoutTarget{}, err
	}
	var to LogoutTarget
	switch {
	case p.LogoutURI != "":
		if !slices.Contains(client.Settings.LogoutURLs, p.LogoutURI) {
			return LogoutTarget{}, untrusted("The logout_uri is not registered for this client.")
		}
		to.LogoutURI = p.LogoutURI
	case p.RedirectURI != "":
		ar, err := a.CheckAuthorizeRequest(ctx, p.AuthorizeParams)
		if err != nil {
			return LogoutTarget{SignInAgain: &ar}, err
		}
		to.SignInAgain = &ar
	default:
		return LogoutTarget{}, untrusted("logout needs logout_uri, or redirect_uri and response_type.")
	}
	return to, a.EndWebSession(ctx, sessionID)
}
