package userpool

import (
	"context"
	"time"
)

// Cognito locks a user out after five failed sign-ins: for one second,
// doubling with each further failure, up to about fifteen minutes. A
// successful sign-in or a new password clears the count.
//
// Every attempt at a secret of the user (password, SRP proof, ChangePassword's
// previous password, a software-token code) claims its place in the count
// with one compare-and-swap of the user before the secret is compared: the
// claim is refused while a lockout runs, and it sets the lockout the attempt
// earns if it fails. Concurrent attempts therefore see each other, and a
// burst of N wrong secrets evaluates no more than the policy allows (five,
// then one per lockout), on any number of replicas.
const (
	freeAttempts   = 5
	maxLockout     = 15 * time.Minute
	errLockedOutMS = "Password attempts exceeded"
)

// lockout counts a user's attempts at secrets.
type lockout struct {
	Store Store
	Now   Clock
}

func (a *Auth) lockout() lockout { return lockout{Store: a.Store, Now: a.Now} }

// errLocked is the answer of a sign-in attempt during a lockout.
func errLocked() error { return Errorf(NotAuthorized, errLockedOutMS) }

func (a *Auth) lockedOut(u *User) error {
	if a.Now().Before(u.Password.LockedUntil) {
		return errLocked()
	}
	return nil
}

// lockoutFor is how long the n-th failure locks the user out.
func lockoutFor(n int) time.Duration {
	over := n - freeAttempts
	switch {
	case over < 0:
		return 0
	case over >= 20:
		return maxLockout
	}
	return min(time.Second<<over, maxLockout)
}

// attemptClaim is the count before and after a claim.
type attemptClaim struct {
	before, after PasswordCredential
}

// claim counts one attempt as failed, with the lockout that earns; it
// returns the user as claimed, or errLocked during a lockout.
func (l lockout) claim(ctx context.Context, pool *Pool, key string) (User, attemptClaim, error) {
	now := l.Now()
	var c attemptClaim
	u, err := l.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		if now.Before(u.Password.LockedUntil) {
			return u, errLocked()
		}
		c.before = u.Password
		u.Password.FailedAttempts++
		if d := lockoutFor(u.Password.FailedAttempts); d > 0 {
			u.Password.LockedUntil = now.Add(d)
		}
		c.after = u.Password
		return u, nil
	})
	return u, c, err
}

// clear ends the count after a successful sign-in.
func (l lockout) clear(ctx context.Context, pool *Pool, key string) error {
	_, err := l.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		u.Password.FailedAttempts, u.Password.LockedUntil = 0, time.Time{}
		return u, nil
	})
	return err
}

// release takes back a claim whose secret was right while the sign-in goes
// on (to the software token, whose answer clears the count): failures of
// earlier attempts stay counted. The lockout the claim set is lifted only
// if no other claim came after it.
func (l lockout) release(ctx context.Context, pool *Pool, key string, c attemptClaim) error {
	_, err := l.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		if u.Password.FailedAttempts == c.after.FailedAttempts && u.Password.LockedUntil.Equal(c.after.LockedUntil) {
			u.Password.FailedAttempts, u.Password.LockedUntil = c.before.FailedAttempts, c.before.LockedUntil
		} else if u.Password.FailedAttempts > 0 {
			u.Password.FailedAttempts--
		}
		return u, nil
	})
	return err
}

// attempt is one counted attempt at a secret of the user: claimed, then
// proven by check on the user as claimed. A wrong secret stays counted. A
// right one clears the count, or, when more follows (keep), takes back only
// its own claim. It returns the user and whether the secret was right.
func (l lockout) attempt(ctx context.Context, pool *Pool, key string, keep bool, check func(*User) bool) (User, bool, error) {
	u, c, err := l.claim(ctx, pool, key)
	if err != nil {
		return User{}, false, err
	}
	if !check(&u) {
		return u, false, nil
	}
	if keep {
		err = l.release(ctx, pool, key, c)
	} else {
		err = l.clear(ctx, pool, key)
	}
	u.Password.FailedAttempts, u.Password.LockedUntil = c.before.FailedAttempts, c.before.LockedUntil
	return u, true, err
}

// continuesWithMFA: after the password, this user's sign-in asks for the
// software token (mfaChallenge), whose answer then settles the count.
func continuesWithMFA(pool *Pool, u *User) bool {
	m := pool.Settings.MfaConfiguration
	return (m == "ON" || m == "OPTIONAL") && (u.MFA.TOTPEnabled || asksEmailMFA(pool, u))
}

// checkPrevious is ChangePassword's proof of the previous password: an
// attempt counted in the same lockout as sign-in, so that an access token
// is no password oracle. During a lockout Cognito answers
// LimitExceededException.
func (s *Accounts) checkPrevious(ctx context.Context, pool *Pool, key, previous string) error {
	_, ok, err := lockout{Store: s.Store, Now: s.Now}.attempt(ctx, pool, key, false, func(u *User) bool {
		return s.Credentials.Check(u.Password, previous)
	})
	if IsType(err, NotAuthorized) {
		return errAttemptLimit
	} else if err != nil {
		return err
	}
	if !ok {
		return Errorf(NotAuthorized, "Incorrect username or password.")
	}
	return nil
}
