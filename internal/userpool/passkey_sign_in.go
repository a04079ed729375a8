package userpool

import "context"

// Passkeys are the pool's WebAuthn credentials as a first factor of
// USER_AUTH (flow_user_auth.go asks them; the registration operations and
// the ceremony live beside this file). A nil *Passkeys has none: no user
// has a passkey and WEB_AUTHN is never offered.
type Passkeys struct{}

// has reports whether u has registered a passkey (AvailableChallenges and
// GetUserAuthFactors list WEB_AUTHN only then).
func (p *Passkeys) has(ctx context.Context, pool *Pool, u *User) (bool, error) {
	return false, nil
}

// begin starts a WEB_AUTHN challenge for u: the CREDENTIAL_REQUEST_OPTIONS
// parameter (PublicKeyCredentialRequestOptions as JSON) and the state that
// USER_AUTH seals into the challenge's Session for finish.
func (p *Passkeys) begin(ctx context.Context, pool *Pool, client *Client, u *User) (options string, state []byte, err error) {
	return "", nil, Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool.")
}

// finish checks the CREDENTIAL answer (AuthenticationResponseJSON) against
// begin's state; nil means u proved one of their passkeys.
func (p *Passkeys) finish(ctx context.Context, pool *Pool, client *Client, u *User, state []byte, credential string) error {
	return Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool.")
}
