package userpool

import "context"

// signUpSessionSignIn signs in with the Session of ConfirmSignUp.
func (a *Auth) signUpSessionSignIn(ctx context.Context, pool *Pool, client *Client, username, session, deviceKey string) (AuthResult, error) {
	return AuthResult{}, Errorf(NotAuthorized, "Invalid session for the user.")
}
