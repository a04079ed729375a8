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
