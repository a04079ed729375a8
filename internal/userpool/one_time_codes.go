package userpool

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/google/uuid"
)

// One-time sign-in codes: the EMAIL_OTP and SMS_OTP challenges, as a first
// factor of USER_AUTH (flow_user_auth.go) and as email MFA after a
// password (mfa.go). Where Cognito publishes no rule, Cognate decides:
//
//   - the code is the one Accounts.send makes for every Cognate message (six
//     digits), delivered like the others: outbox, SMTP, and the pool's
//     CustomMessage function with triggerSource CustomMessage_Authentication;
//   - a user holds one sign-in code at a time (a new one replaces it), and it
//     lives as long as its challenge session (the client's
//     AuthSessionValidity, three minutes by default);
//   - the session seals the MAC of its code, so a session accepts only the
//     code sent for it, and only for its user;
//   - answers are limited as SOFTWARE_TOKEN_MFA's are (mfa_attempts.go):
//     maxMFAAnswers per session, each one an attempt in the user's lockout,
//     claimed before the code is compared (in constant time, MAC to MAC);
//   - a right code signs in once: the code is deleted and the session spent.
const (
	purposeSignIn                     = "sign-in"
	sourceCustomMessageAuthentication = "CustomMessage_Authentication"
)

// otpChallengeOf is the challenge of a code sent to attr.
func otpChallengeOf(attr string) string {
	if attr == "phone_number" {
		return "SMS_OTP"
	}
	return "EMAIL_OTP"
}

// sendSignInCode sends u a sign-in code at attr (email or phone_number) and
// opens the challenge that takes it, with st (user, device) as its session.
func (a *Auth) sendSignInCode(ctx context.Context, pool *Pool, client *Client, u *User, attr string, st challengeState) (AuthResult, error) {
	if a.Accounts == nil {
		return AuthResult{}, Errorf(InternalError, "one-time codes are not configured")
	}
	validity := authSessionValidity(client)
	d, err := a.Accounts.send(ctx, signInMessages(pool), u, purposeSignIn, attr, validity,
		messageCause{source: sourceCustomMessageAuthentication, clientID: client.ID, metadata: clientMetadataOf(ctx)})
	if err != nil {
		return AuthResult{}, err
	}
	code, err := a.Store.GetCode(ctx, pool.ID, u.Sub, purposeSignIn)
	if err != nil {
		return AuthResult{}, err
	}
	st.Challenge, st.Code = otpChallengeOf(attr), code.Hash
	return a.codeChallenge(client, st, d), nil
}

// signInMessages is pool as send sees it for a sign-in code: send words
// every code with the pool's verification messages, and sign-in codes have
// their own — EmailMfaConfiguration.Message by email, SmsAuthenticationMessage
// by SMS (the default when unset). EmailMfaConfiguration.Subject is not
// used yet: send takes no subject.
func signInMessages(pool *Pool) *Pool {
	p := *pool
	p.Settings.EmailVerificationMessage, p.Settings.SmsVerificationMessage = "", pool.Settings.SmsAuthenticationMessage
	if pool.Settings.EmailMfa != nil {
		p.Settings.EmailVerificationMessage = pool.Settings.EmailMfa.Message
	}
	return &p
}

// codeChallenge is the challenge answer of a code delivered as d.
func (a *Auth) codeChallenge(client *Client, st challengeState, d CodeDelivery) AuthResult {
	st.Expires, st.Nonce = a.Now().Add(authSessionValidity(client)).Unix(), uuid.NewString()
	return AuthResult{ChallengeName: st.Challenge, Session: a.sealSession(st), ChallengeParameters: map[string]string{
		"CODE_DELIVERY_DELIVERY_MEDIUM": d.DeliveryMedium,
		"CODE_DELIVERY_DESTINATION":     d.Destination,
	}}
}

var errWrongCode = Errorf(CodeMismatch, "Invalid code or auth state for the user.")

// checkSignInCode is one answer to the code challenge of session st: the
// user it proves, or errWrongCode (counted).
func (a *Auth) checkSignInCode(ctx context.Context, pool *Pool, client *Client, st challengeState, answer string) (User, error) {
	now, expires := a.Now(), time.Unix(st.Expires, 0).Add(time.Second)
	if st.Username == "" { // an unknown name's simulated challenge (flow_user_auth.go)
		if err := claimMFAAnswer(ctx, a.Store, pool.ID, unknownNameID(a.Sealer, pool, st.Unknown), st.Nonce, now, expires); err != nil {
			return User{}, err
		}
		if err := a.lockout().claimName(ctx, pool, unknownNameID(a.Sealer, pool, st.Unknown)); err != nil {
			return User{}, err
		}
		a.audit(ctx, "sign-in-failed", pool, client, &User{Username: st.Unknown})
		return User{}, errWrongCode
	}
	user, key, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return User{}, errSpentSession()
	}
	user, ok, err := a.answerChallenge(ctx, pool, client, user, key, st.Nonce, expires, "Mfa", func(u *User) (bool, error) {
		return a.codeMatches(ctx, pool, u, st.Code, answer, now)
	})
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, errWrongCode
	}
	if err := a.Store.DeleteCode(ctx, pool.ID, user.Sub, purposeSignIn); err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	return user, nil
}

// codeMatches compares answer with u's sign-in code, which must be the one
// sent for the session (bound: the MAC the session sealed) and unexpired.
// Both comparisons are of MACs, in constant time.
func (a *Auth) codeMatches(ctx context.Context, pool *Pool, u *User, bound []byte, answer string, now time.Time) (bool, error) {
	c, err := a.Store.GetCode(ctx, pool.ID, u.Sub, purposeSignIn)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !now.Before(c.ExpiresAt) || len(bound) == 0 {
		return false, nil
	}
	same := subtle.ConstantTimeCompare(c.Hash, bound)
	right := subtle.ConstantTimeCompare(c.Hash, a.Accounts.codeHash(pool.ID, u.Sub, purposeSignIn, answer))
	return same&right == 1, nil
}
