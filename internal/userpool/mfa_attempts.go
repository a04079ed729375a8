package userpool

import (
	"context"
	"errors"
	"time"
)

// Limits on SOFTWARE_TOKEN_MFA answers. Cognito limits MFA retries but
// publishes no numbers; Cognate takes these:
//
//   - a challenge session takes at most maxMFAAnswers answers; after that,
//     or after its one success, it is spent ("Invalid session for the
//     user."), and a spent session is refused before any code is compared;
//   - every answer is an attempt in the user's lockout (lockout.go),
//     claimed before the code is compared: wrong codes across sessions lock
//     the user out as wrong passwords do, and a password proven on the way
//     to the software token does not clear them (only the token does).
const maxMFAAnswers = 3

func errSpentSession() error { return Errorf(NotAuthorized, "Invalid session for the user.") }

// claimMFAAnswer counts one answer to the session whose nonce is given.
func claimMFAAnswer(ctx context.Context, st Store, poolID, sub, nonce string, now, expires time.Time) error {
	ok, err := st.ClaimAttempt(ctx, poolID, sub, "mfa:"+nonce, maxMFAAnswers, now, expires)
	if err != nil {
		return err
	}
	if !ok {
		return errSpentSession()
	}
	return nil
}

// spendMFASession makes a session single-use once it signed in: its nonce
// is consumed (a second success loses), and its answers are used up so that
// later answers are refused before their code is compared.
func spendMFASession(ctx context.Context, st Store, poolID, sub, nonce string, now, expires time.Time) error {
	if err := st.ConsumeNonce(ctx, "mfa:"+nonce, expires); errors.Is(err, ErrAlreadyExists) {
		return errSpentSession()
	} else if err != nil {
		return err
	}
	for range maxMFAAnswers {
		if ok, err := st.ClaimAttempt(ctx, poolID, sub, "mfa:"+nonce, maxMFAAnswers, now, expires); err != nil || !ok {
			return err
		}
	}
	return nil
}

// answerChallenge is one counted answer to a challenge session (its nonce
// and expiry) of user, stored under key: claimed among the session's
// answers and in the user's lockout before check compares it; a right
// answer spends the session. It returns the user as claimed and whether the
// answer was right. event is the auth event's challenge (Password or Mfa).
func (a *Auth) answerChallenge(ctx context.Context, pool *Pool, client *Client, user User, key, nonce string, expires time.Time, event string, check func(*User) (bool, error)) (User, bool, error) {
	now := a.Now()
	if err := claimMFAAnswer(ctx, a.Store, pool.ID, user.Sub, nonce, now, expires); err != nil {
		return User{}, false, err
	}
	if err := a.lockedOut(&user); err != nil {
		return User{}, false, err
	}
	var cerr error
	user, ok, err := a.lockout().attempt(ctx, pool, key, false, func(u *User) bool {
		var ok bool
		ok, cerr = check(u)
		return ok
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return User{}, false, err
	}
	if err := recordEvent(ctx, a.Store, a.Now, pool, &user, "SignIn", event, ok); err != nil {
		return User{}, false, err
	}
	if !ok {
		a.audit(ctx, "sign-in-failed", pool, client, &user)
		return user, false, nil
	}
	return user, true, spendMFASession(ctx, a.Store, pool.ID, user.Sub, nonce, now, expires)
}
