package userpool

import (
	"context"
	"errors"
)

// UserInfo is the OIDC userInfo endpoint: an access token with the openid
// scope, still valid (AuthorizeScope), of a client that still exists,
// yields the user's claims that the client may read and the scope covers.
func (s *Sessions) UserInfo(ctx context.Context, accessToken string) (map[string]string, error) {
	a, err := s.AuthorizeScope(ctx, accessToken, "openid")
	if err != nil {
		return nil, err
	}
	client, err := s.Store.GetClient(ctx, a.Claims.ClientID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(NotAuthorized, "Access Token has been revoked")
	} else if err != nil {
		return nil, err
	}
	return UserInfoClaims(&a.User, client.Settings.ReadAttributes, a.Claims.Scope), nil
}
