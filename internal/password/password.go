// Package password turns passwords into stored credentials for the domain:
// a keyed hash for the password flows and a sealed SRP verifier for
// USER_SRP_AUTH. Both depend on the master key, which is not in the
// database, so a database copy alone gives an attacker nothing to test
// guesses against (docs/passwords.md).
package password

import (
	"errors"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

// Credentials implements userpool.Credentials.
type Credentials struct {
	Keeper *secret.Keeper
}

var _ userpool.Credentials = Credentials{}

// poolName is the SRP realm: the part of the pool id after "_".
func poolName(poolID string) string {
	_, name, _ := strings.Cut(poolID, "_")
	return name
}

func srpLabel(poolID, username string) string { return "srp-verifier:" + poolID + ":" + username }

// Make hashes password and computes its sealed SRP verifier, with the
// internal username as Cognito does (USER_ID_FOR_SRP).
func (c Credentials) Make(poolID, username, password string, now time.Time) (userpool.PasswordCredential, error) {
	cred := userpool.PasswordCredential{Hash: c.Keeper.HashPassword(password), SetAt: now}
	if poolID == "" {
		return cred, nil // a dummy credential, used only for timing
	}
	salt, v, err := srp.NewVerifier(poolName(poolID), username, password)
	if err != nil {
		return cred, err
	}
	cred.SRPSalt = salt
	cred.SRPVerifier = c.Keeper.Seal(v, srpLabel(poolID, username))
	return cred, nil
}

// Check compares password with the stored hash in constant time.
func (c Credentials) Check(cred userpool.PasswordCredential, password string) bool {
	return c.Keeper.CheckPassword(cred.Hash, password)
}

// Verifier opens the user's SRP salt and verifier.
func (c Credentials) Verifier(cred userpool.PasswordCredential, poolID, username string) ([]byte, []byte, error) {
	if len(cred.SRPVerifier) == 0 {
		return nil, nil, errors.New("no SRP verifier stored")
	}
	v, err := c.Keeper.Open(cred.SRPVerifier, srpLabel(poolID, username))
	if err != nil {
		return nil, nil, err
	}
	return cred.SRPSalt, v, nil
}
