package userpool

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"
)

// Limits on one-time codes (sign-up confirmation, password reset, attribute
// verification), per user and purpose. Cognito: "In a given hour, we allow
// between 5 and 20 attempts for a user to request or enter a password reset
// code", then LimitExceededException. A fresh code does not bring a fresh
// budget: the hourly window counts across codes, so requesting codes and
// guessing each one a few times gains nothing.
//
//   - at most maxCodesPerHour codes are issued in the hour;
//   - at most maxCodeEntriesPerHour entries are evaluated in the hour (a
//     right code clears the window: the budget is for mistakes);
//   - at most maxCodeAttempts entries of one code are evaluated.
//
// Every entry claims its attempt in one conditional write before the code
// is compared, so a burst of concurrent guesses evaluates no more than
// these numbers.
const (
	maxCodesPerHour       = 5
	maxCodeEntriesPerHour = 10
	maxCodeAttempts       = 5
	codeLimitWindow       = time.Hour
)

var errAttemptLimit = Errorf(LimitExceeded, "Attempt limit exceeded, please try after some time.")

// claimCodeIssue counts one code issued for the purpose.
func (s *Accounts) claimCodeIssue(ctx context.Context, poolID, sub, purpose string) error {
	now := s.Now()
	ok, err := s.Store.ClaimAttempt(ctx, poolID, sub, "issue:"+purpose, maxCodesPerHour, now, now.Add(codeLimitWindow))
	if err != nil {
		return err
	}
	if !ok {
		return errAttemptLimit
	}
	return nil
}

// checkCode verifies a code in constant time. The attempt is claimed, in
// the user's hourly window and on the code itself, before the comparison.
func (s *Accounts) checkCode(ctx context.Context, poolID, sub, purpose, code string) error {
	mismatch := Errorf(CodeMismatch, "Invalid verification code provided, please try again.")
	c, err := s.Store.GetCode(ctx, poolID, sub, purpose)
	if errors.Is(err, ErrNotFound) {
		return mismatch
	} else if err != nil {
		return err
	}
	if c.Attempts >= maxCodeAttempts {
		return errAttemptLimit
	}
	now := s.Now()
	if !now.Before(c.ExpiresAt) {
		return Errorf(ExpiredCode, "Invalid code provided, please request a code again.")
	}
	kind := "enter:" + purpose
	if ok, err := s.Store.ClaimAttempt(ctx, poolID, sub, kind, maxCodeEntriesPerHour, now, now.Add(codeLimitWindow)); err != nil {
		return err
	} else if !ok {
		return errAttemptLimit
	}
	// The code as claimed: a code issued meanwhile is compared, not the
	// one read above.
	c, err = s.Store.ClaimCodeAttempt(ctx, poolID, sub, purpose, maxCodeAttempts)
	if errors.Is(err, ErrNotFound) {
		if _, gerr := s.Store.GetCode(ctx, poolID, sub, purpose); errors.Is(gerr, ErrNotFound) {
			return mismatch // used meanwhile
		}
		return errAttemptLimit
	} else if err != nil {
		return err
	}
	if !now.Before(c.ExpiresAt) {
		return Errorf(ExpiredCode, "Invalid code provided, please request a code again.")
	}
	if subtle.ConstantTimeCompare(c.Hash, s.codeHash(poolID, sub, purpose, code)) != 1 {
		return mismatch
	}
	if err := s.Store.DeleteCode(ctx, poolID, sub, purpose); err != nil {
		return err
	}
	return s.Store.ClearAttempts(ctx, poolID, sub, kind)
}
