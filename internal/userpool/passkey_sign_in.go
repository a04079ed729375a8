package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// has reports whether u has registered a passkey (AvailableChallenges and
// GetUserAuthFactors list WEB_AUTHN only then). A nil *Passkeys has none,
// and a pool that does not allow WEB_AUTHN offers none.
func (p *Passkeys) has(ctx context.Context, pool *Pool, u *User) (bool, error) {
	if p == nil || !allowsWebAuthn(pool) {
		return false, nil
	}
	keys, err := p.Store.ListPasskeys(ctx, pool.ID, u.Sub, "", 1)
	return len(keys) > 0, err
}

// assertionState is begin's state, which USER_AUTH seals into the
// challenge's Session and hands back to finish.
type assertionState struct {
	Challenge []byte
	RP        string
	UV        string
	Client    string
	Sub       string
	Expires   int64
}

// begin starts a WEB_AUTHN challenge for u: the CREDENTIAL_REQUEST_OPTIONS
// parameter (PublicKeyCredentialRequestOptions as JSON, allowing u's
// passkeys) and the state that USER_AUTH seals into the challenge's
// Session for finish.
func (p *Passkeys) begin(ctx context.Context, pool *Pool, client *Client, u *User) (options string, state []byte, err error) {
	if p == nil || !allowsWebAuthn(pool) {
		return "", nil, Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool.")
	}
	rp, err := p.relyingParty(ctx, pool)
	if err != nil {
		return "", nil, err
	}
	keys, err := p.Store.ListPasskeys(ctx, pool.ID, u.Sub, "", maxPasskeysPerUser)
	if err != nil {
		return "", nil, err
	}
	challenge := randomChallenge()
	opts, err := p.Ceremony.RequestOptions(rp, challenge, keys)
	if err != nil {
		return "", nil, err
	}
	state, _ = json.Marshal(assertionState{Challenge: challenge, RP: rp.ID, UV: rp.UserVerification, Client: client.ID, Sub: u.Sub,
		Expires: p.Now().Add(passkeyChallengeValidity).Unix()})
	return string(opts), state, nil
}

// errPasskeySignIn is every failed assertion: RespondToAuthChallenge has no
// WebAuthn* exception in its list, so an unknown credential, another
// user's, a wrong origin or RP id, a replay, or user verification missing
// where required all answer NotAuthorizedException (Cognate's decision;
// the message does not say which, as a wrong password does not).
func errPasskeySignIn() error {
	return Errorf(NotAuthorized, "Incorrect passkey credential.")
}

// finish checks the CREDENTIAL answer (AuthenticationResponseJSON) against
// begin's state; nil means u proved one of their passkeys. Each challenge
// is answered once, and the credential's sign count must grow (or stay 0).
func (p *Passkeys) finish(ctx context.Context, pool *Pool, client *Client, u *User, state []byte, credential string) error {
	if p == nil || !allowsWebAuthn(pool) {
		return Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool.")
	}
	var st assertionState
	if json.Unmarshal(state, &st) != nil || len(st.Challenge) == 0 || st.Client != client.ID || st.Sub != u.Sub {
		return Errorf(NotAuthorized, "Invalid session for the user.")
	}
	now := p.Now()
	if now.Unix() >= st.Expires {
		return Errorf(NotAuthorized, "Invalid session for the user, session is expired.")
	}
	keys, err := p.Store.ListPasskeys(ctx, pool.ID, u.Sub, "", maxPasskeysPerUser)
	if err != nil {
		return err
	}
	used, err := p.Ceremony.VerifyAssertion(RelyingParty{ID: st.RP, UserVerification: st.UV}, passkeyUserOf(u), st.Challenge, []byte(credential), keys)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return errPasskeySignIn()
		}
		return err
	}
	if err := p.Store.ConsumeNonce(ctx, challengeKey(st.Challenge), time.Unix(st.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return errPasskeySignIn()
	} else if err != nil {
		return err
	}
	ok, err := p.Store.UsePasskey(ctx, pool.ID, used.ID, used.SignCount, now)
	if err != nil {
		return err
	}
	if !ok {
		return errPasskeySignIn()
	}
	return nil
}
