package userpool

import (
	"bytes"
	"context"
)

// upgradePassword replaces a hash made under older parameters (or before
// argon2id) once a sign-in has proven the password: stored hashes reach
// today's cost without anyone setting a new password. The write applies
// only if the hash is still the one proven, so a password set meanwhile is
// never overwritten.
func (a *Auth) upgradePassword(ctx context.Context, pool *Pool, key string, user *User, password string) error {
	if !a.Credentials.NeedsRehash(user.Password) {
		return nil
	}
	proven := user.Password.Hash
	next := a.Credentials.Rehash(user.Password, password).Hash
	u, err := a.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		if bytes.Equal(u.Password.Hash, proven) {
			u.Password.Hash = next
		}
		return u, nil
	})
	if err == nil {
		user.Password.Hash = u.Password.Hash
	}
	return err
}
