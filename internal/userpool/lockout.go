package userpool

import (
	"context"
	"time"
)

// Cognito locks a user out after five failed sign-ins: for one second,
// doubling with each further failure, up to about fifteen minutes. A
// successful sign-in or a new password clears the count.
const (
	freeAttempts   = 5
	maxLockout     = 15 * time.Minute
	errLockedOutMS = "Password attempts exceeded"
)

func (a *Auth) lockedOut(u *User) error {
	if a.Now().Before(u.Password.LockedUntil) {
		return Errorf(NotAuthorized, errLockedOutMS)
	}
	return nil
}

// recordFailure counts a failed attempt and sets the lockout it earns.
func (a *Auth) recordFailure(ctx context.Context, pool *Pool, u *User) error {
	now := a.Now()
	_, err := a.Store.UpdateUser(ctx, pool.ID, UsernameKey(pool, u.Username), func(u User) (User, error) {
		u.Password.FailedAttempts++
		if over := u.Password.FailedAttempts - freeAttempts; over >= 0 {
			d := maxLockout
			if over < 20 {
				d = min(time.Second<<over, maxLockout)
			}
			u.Password.LockedUntil = now.Add(d)
		}
		return u, nil
	})
	return err
}

// recordSuccess clears the count after a successful sign-in.
func (a *Auth) recordSuccess(ctx context.Context, pool *Pool, u *User) error {
	if u.Password.FailedAttempts == 0 {
		return nil
	}
	_, err := a.Store.UpdateUser(ctx, pool.ID, UsernameKey(pool, u.Username), func(u User) (User, error) {
		u.Password.FailedAttempts, u.Password.LockedUntil = 0, time.Time{}
		return u, nil
	})
	return err
}
