// Package password turns passwords into stored credentials for the domain:
// a keyed hash for the password flows and a sealed SRP verifier for
// USER_SRP_AUTH. Both depend on the master key, which is not in the
// database, so a database copy alone gives an attacker nothing to test
// guesses against.
package password

import (
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// Credentials implements userpool.Credentials.
type Credentials struct {
	Keeper *secret.Keeper
}

var _ userpool.Credentials = Credentials{}

// Make hashes password for the user.
func (c Credentials) Make(poolID, username, password string, now time.Time) (userpool.PasswordCredential, error) {
	return userpool.PasswordCredential{Hash: c.Keeper.HashPassword(password), SetAt: now}, nil
}

// Check compares password with the stored hash in constant time.
func (c Credentials) Check(cred userpool.PasswordCredential, password string) bool {
	return c.Keeper.CheckPassword(cred.Hash, password)
}
