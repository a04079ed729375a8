package userpool

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Signing in straight from sign-up: SignUp answers a Session, ConfirmSignUp
// given it answers another once the code confirmed the user, and
// InitiateAuth(USER_AUTH) with that one signs the user in "without a second
// code" (botocore InitiateAuthRequest.Session: the confirmation code is the
// first factor), once, within the client's AuthSessionValidity.
//
// Decisions: SignUp's Session lasts as long as the confirmation code (it
// signs nobody in by itself); a user auto-confirmed by PreSignUp gets the
// signing-in Session from SignUp at once (no code will come); ConfirmSignUp
// answers a Session whenever its client allows USER_AUTH, given SignUp's
// Session or not — Amplify's confirmSignUp sends none and signs in with the
// one answered (amplify-js confirmSignUp.ts, autoSignIn) — since the code
// is the proof.
const (
	challengeSignedUp  = "SIGNED_UP"
	challengeConfirmed = "CONFIRMED_SIGN_UP"
)

// SignUpSession is SignUpResponse.Session for the user just signed up
// ("" for a client without USER_AUTH).
func (a *Auth) SignUpSession(ctx context.Context, clientID, username string) (string, error) {
	return a.signUpSession(ctx, clientID, username, func(u *User, client *Client) (string, time.Duration) {
		if u.Status == StatusConfirmed {
			return challengeConfirmed, authSessionValidity(client)
		}
		return challengeSignedUp, signUpCodeLifetime
	})
}

// ConfirmedSession is ConfirmSignUpResponse.Session: after ConfirmSignUp
// confirmed username ("" for a client without USER_AUTH).
func (a *Auth) ConfirmedSession(ctx context.Context, clientID, username string) (string, error) {
	return a.signUpSession(ctx, clientID, username, func(_ *User, client *Client) (string, time.Duration) {
		return challengeConfirmed, authSessionValidity(client)
	})
}

// signUpSession seals a session for username on a USER_AUTH client, its
// stage and lifetime chosen by stage.
func (a *Auth) signUpSession(ctx context.Context, clientID, username string, stage func(*User, *Client) (string, time.Duration)) (string, error) {
	pool, client, err := a.poolAndClient(ctx, "", clientID, false)
	if err != nil || !flowAllowed(&client, "ALLOW_USER_AUTH", "") {
		return "", err
	}
	u, _, err := FindUser(ctx, a.Store, &pool, username)
	if err != nil {
		return "", err
	}
	challenge, lifetime := stage(&u, &client)
	return a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: u.Username, Challenge: challenge,
		Nonce: uuid.NewString(), Expires: a.Now().Add(lifetime).Unix()}), nil
}

// signUpSessionSignIn is InitiateAuth(USER_AUTH) with ConfirmSignUp's
// Session: the user's first sign-in, with the code as its first factor.
func (a *Auth) signUpSessionSignIn(ctx context.Context, pool *Pool, client *Client, username, session, deviceKey string) (AuthResult, error) {
	bad := Errorf(NotAuthorized, "Invalid session for the user.")
	st, err := a.openSession(session, client, challengeConfirmed)
	if err != nil {
		return AuthResult{}, err
	}
	u, _, err := FindUser(ctx, a.Store, pool, username)
	if err != nil || u.Username != st.Username || st.Pool != pool.ID {
		return AuthResult{}, bad
	}
	if err := a.preAuthentication(ctx, pool, client, &u, false); err != nil {
		return AuthResult{}, err
	}
	// Once: one claim per session, in one conditional write.
	if ok, err := a.Store.ClaimAttempt(ctx, pool.ID, u.Sub, "sign-up-session:"+st.Nonce, 1, a.Now(), time.Unix(st.Expires, 0).Add(time.Second)); err != nil {
		return AuthResult{}, err
	} else if !ok {
		return AuthResult{}, bad
	}
	return a.afterFirstFactor(ctx, pool, client, &u, deviceKey)
}

// UserAuthFactors is GetUserAuthFactors' ConfiguredUserAuthFactors: the
// first factors of the pool's policy that u can use.
func (a *Auth) UserAuthFactors(ctx context.Context, pool *Pool, u *User) ([]string, error) {
	factors, err := a.userFirstFactors(ctx, pool, u)
	if factors == nil {
		factors = []string{}
	}
	return factors, err
}
