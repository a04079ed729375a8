package userpool

import (
	"context"
	"errors"
)

// Client authentication: who calls the token and revocation endpoints, or
// RevokeToken. A confidential client proves one of its secrets (every one
// is compared, in constant time: Client.SecretMatches); a public client has
// none to prove.

// errClientSecret: a confidential client presented none of its secrets.
var errClientSecret = errors.New("client secret does not match")

// authenticatedClient reads the client clientID and checks the secret it
// presented: ErrNotFound for an unknown client, errClientSecret for a
// wrong secret.
func authenticatedClient(ctx context.Context, st Store, clientID, secret string) (Client, error) {
	client, err := st.GetClient(ctx, clientID)
	if err != nil {
		return Client{}, err
	}
	if client.Confidential() && !client.SecretMatches(secret) {
		return Client{}, errClientSecret
	}
	return client, nil
}

// AuthenticateClient is client authentication at the hosted UI's endpoints
// (/oauth2/token, /oauth2/revoke), reached through domain: the client must
// exist, prove its secret and belong to the domain's pool. Every refusal is
// the same invalid_client, so that it tells nothing about which check failed.
func (a *Auth) AuthenticateClient(ctx context.Context, domain, clientID, secret string) (Client, Pool, error) {
	bad := oauthErr("invalid_client", "Client authentication failed.")
	client, err := authenticatedClient(ctx, a.Store, clientID, secret)
	if errors.Is(err, ErrNotFound) || errors.Is(err, errClientSecret) {
		return Client{}, Pool{}, bad
	} else if err != nil {
		return Client{}, Pool{}, err
	}
	if ok, err := checkDomainOf(ctx, a.Store, domain, &client); err != nil {
		return Client{}, Pool{}, err
	} else if !ok {
		return Client{}, Pool{}, bad
	}
	pool, err := a.Store.GetPool(ctx, client.PoolID)
	if errors.Is(err, ErrNotFound) {
		return Client{}, Pool{}, bad
	}
	return client, pool, err
}
