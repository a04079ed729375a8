package userpool

import "context"

// RevokeOAuth is the revocation endpoint (/oauth2/revoke, RFC 7009) for a
// client AuthenticateClient has let in: RevokeTokenOf, its refusals told
// as RFC 6749 errors with Cognito's messages.
func (s *Sessions) RevokeOAuth(ctx context.Context, client *Client, token string) error {
	err := s.RevokeTokenOf(ctx, client, token)
	switch ErrorType(err) {
	case UnsupportedTokenType:
		return oauthErr("unsupported_token_type", ErrorMessage(err))
	case UnsupportedOperation, Unauthorized:
		return oauthErr("unauthorized_client", ErrorMessage(err))
	}
	return err
}
