package userpool

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// ClientTokenIssuer signs access tokens for client_credentials grants.
type ClientTokenIssuer interface {
	// changes are a V3_0 PreTokenGeneration trigger's (empty without one).
	IssueClientToken(ctx context.Context, pool *Pool, client *Client, scope string, changes ClaimChanges, now time.Time) (string, error)
}

// clientCredentials is the client_credentials grant: a confidential client
// gets an access token for resource-server scopes (those with a "/"), with
// no user. No scope asks for all the client is allowed.
func (a *Auth) clientCredentials(ctx context.Context, pool *Pool, client *Client, scope string) (Tokens, error) {
	if !client.Confidential() || !slices.Contains(client.Settings.AllowedOAuthFlows, "client_credentials") {
		return Tokens{}, oauthErr("unauthorized_client", "The client is not allowed the client_credentials grant.")
	}
	var custom []string
	for _, s := range client.Settings.AllowedOAuthScopes {
		if strings.Contains(s, "/") {
			custom = append(custom, s)
		}
	}
	requested := strings.Fields(scope)
	if len(requested) == 0 {
		requested = custom
	}
	if len(requested) == 0 {
		return Tokens{}, oauthErr("invalid_scope", "No resource-server scope is allowed for this client.")
	}
	for _, s := range requested {
		if !slices.Contains(custom, s) {
			return Tokens{}, oauthErr("invalid_scope", "Scope "+s+" is not allowed for this client.")
		}
	}
	issuer, ok := a.Tokens.(ClientTokenIssuer)
	if !ok {
		return Tokens{}, errors.New("token service cannot issue client tokens")
	}
	granted, changes, err := a.Triggers.clientTokenGeneration(ctx, pool, client, strings.Join(requested, " "))
	if err != nil {
		return Tokens{}, err
	}
	tok, err := issuer.IssueClientToken(ctx, pool, client, granted, changes, a.Now())
	if err != nil {
		return Tokens{}, err
	}
	v := ValiditiesOf(client.Settings)
	return Tokens{AccessToken: tok, ExpiresIn: int(v.Access / time.Second), TokenType: "Bearer"}, nil
}
