package userpool

import "context"

// GrantRequest is a call of the token endpoint, after client
// authentication (AuthenticateClient).
type GrantRequest struct {
	GrantType    string
	Code         string // authorization_code
	RedirectURI  string // authorization_code
	CodeVerifier string // authorization_code, with PKCE
	RefreshToken string // refresh_token
	Scope        string // client_credentials
}

// GrantTokens runs the grant a token-endpoint call asks for. Every refusal
// is an *OAuthError (other errors are internal).
func (a *Auth) GrantTokens(ctx context.Context, pool *Pool, client *Client, req GrantRequest) (Tokens, error) {
	var t Tokens
	var err error
	switch req.GrantType {
	case "authorization_code":
		t, err = a.redeemCode(ctx, pool, client, req.Code, req.RedirectURI, req.CodeVerifier)
	case "refresh_token":
		t, err = a.refreshGrant(ctx, pool, client, req.RefreshToken)
	case "client_credentials":
		t, err = a.clientCredentials(ctx, pool, client, req.Scope)
	default:
		return Tokens{}, oauthErr("unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials.")
	}
	return t, lambdaFailureAsOAuth(err)
}

// lambdaFailureAsOAuth tells a PreTokenGeneration failure as an RFC 6749
// error carrying Cognito's message (the endpoint answers nothing else).
// Cognito's error code here is not documented; invalid_request is Cognate's.
func lambdaFailureAsOAuth(err error) error {
	switch ErrorType(err) {
	case "UserLambdaValidationException", "UnexpectedLambdaException", "InvalidLambdaResponseException":
		return oauthErr("invalid_request", ErrorMessage(err))
	}
	return err
}

// refreshGrant is the refresh_token grant: REFRESH_TOKEN_AUTH's rules
// (RefreshOAuth), its refusals told as RFC 6749 errors with Cognito's
// messages.
func (a *Auth) refreshGrant(ctx context.Context, pool *Pool, client *Client, token string) (Tokens, error) {
	t, err := a.RefreshOAuth(ctx, pool, client, token)
	switch ErrorType(err) {
	case NotAuthorized, RefreshTokenReuse:
		return t, oauthErr("invalid_grant", ErrorMessage(err))
	case InvalidParameter:
		return t, oauthErr("invalid_request", ErrorMessage(err))
	}
	return t, err
}
