package userpool

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// AuthorizeParams is an authorization request as the browser sent it
// (/oauth2/authorize, and again on /login's forms).
type AuthorizeParams struct {
	Domain              string // the domain prefix the request came to; "" for none
	ClientID            string
	ResponseType        string
	RedirectURI         string
	Scope               string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// AuthorizeRequest is an authorization request the client may make: its
// RedirectURI is registered, ResponseType is code or token (implicit), and
// Scope is what will be granted.
type AuthorizeRequest struct {
	AuthorizeParams
	Pool   Pool
	Client Client
}

// CheckAuthorizeRequest validates an authorization request. Until the
// redirect URI is known to be registered the refusal is an
// *UntrustedRedirectError; after, it is an *OAuthError (its code only: the
// redirect back to the app carries no description) and the returned
// request holds the RedirectURI and State to send it to.
func (a *Auth) CheckAuthorizeRequest(ctx context.Context, p AuthorizeParams) (AuthorizeRequest, error) {
	if p.ClientID == "" {
		return AuthorizeRequest{}, untrusted("The request is missing client_id.")
	}
	client, err := a.clientOfDomain(ctx, p.Domain, p.ClientID)
	if err != nil {
		return AuthorizeRequest{}, err
	}
	pool, err := a.Store.GetPool(ctx, client.PoolID)
	if errors.Is(err, ErrNotFound) {
		return AuthorizeRequest{}, untrusted("Unknown client_id.")
	} else if err != nil {
		return AuthorizeRequest{}, err
	}
	st := &client.Settings
	if p.RedirectURI == "" || !slices.Contains(st.CallbackURLs, p.RedirectURI) {
		return AuthorizeRequest{}, untrusted("redirect_mismatch: the redirect_uri is not registered for this client.")
	}
	ar := AuthorizeRequest{AuthorizeParams: p, Pool: pool, Client: client}
	if !st.AllowedOAuthFlowsUserPoolClient {
		return ar, oauthErr("unauthorized_client", "")
	}
	// The response types map onto AllowedOAuthFlows: code, and implicit for token.
	switch flow := map[string]string{"code": "code", "token": "implicit"}[p.ResponseType]; {
	case flow == "":
		return ar, oauthErr("unsupported_response_type", "")
	case !slices.Contains(st.AllowedOAuthFlows, flow):
		return ar, oauthErr("unauthorized_client", "")
	}
	if ar.Scope == "" {
		ar.Scope = strings.Join(st.AllowedOAuthScopes, " ")
	}
	for _, s := range strings.Fields(ar.Scope) {
		if !slices.Contains(st.AllowedOAuthScopes, s) {
			return ar, oauthErr("invalid_scope", "")
		}
	}
	if !pkceMethodAllowed(ar.CodeChallenge, ar.CodeChallengeMethod) {
		return ar, oauthErr("invalid_request", "")
	}
	return ar, nil
}

// clientOfDomain reads the client a browser request names, and refuses it
// when the request came through another pool's domain.
func (a *Auth) clientOfDomain(ctx context.Context, domain, clientID string) (Client, error) {
	client, err := a.Store.GetClient(ctx, clientID)
	if errors.Is(err, ErrNotFound) {
		return Client{}, untrusted("Unknown client_id.")
	} else if err != nil {
		return Client{}, err
	}
	if ok, err := checkDomainOf(ctx, a.Store, domain, &client); err != nil {
		return Client{}, err
	} else if !ok {
		return Client{}, untrusted("This client does not belong to this domain's user pool.")
	}
	return client, nil
}
