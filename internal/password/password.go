// Package password turns passwords into stored credentials for the domain:
// an argon2id hash of the peppered password for the password flows and a
// sealed SRP verifier for USER_SRP_AUTH. Both depend on the master key,
// which is not in the database, and the hash is memory-hard besides, so a
// stolen copy of both yields few guesses per second (docs/passwords.md).
package password

import (
	"bytes"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

// Credentials implements userpool.Credentials.
type Credentials struct {
	Keeper *secret.Keeper
	// Argon2 are the parameters of new hashes (zero: DefaultArgon2).
	// Hashes made under other parameters, and the HMAC-only hashes of
	// earlier versions, still verify, and NeedsRehash reports them.
	Argon2 Argon2
	// Workers bounds concurrent hashing (nil: unbounded).
	Workers Workers
}

var _ userpool.Credentials = Credentials{}

func (c Credentials) params() Argon2 {
	if c.Argon2 == (Argon2{}) {
		return DefaultArgon2
	}
	return c.Argon2
}

// srpRealm is the SRP realm: the name part of the pool id.
func srpRealm(poolID string) string {
	_, name := userpool.SplitPoolID(poolID)
	return name
}

func srpLabel(poolID, username string) string { return "srp-verifier:" + poolID + ":" + username }

// Make hashes password and computes its sealed SRP verifier, with the
// internal username as Cognito does (USER_ID_FOR_SRP).
func (c Credentials) Make(poolID, username, password string, now time.Time) (userpool.PasswordCredential, error) {
	cred := userpool.PasswordCredential{Hash: c.hash(password, c.params()), SetAt: now}
	if poolID == "" {
		return cred, nil // a dummy credential, used only for timing
	}
	salt, v, err := srp.NewVerifier(srpRealm(poolID), username, password)
	if err != nil {
		return cred, err
	}
	cred.SRPSalt = salt
	cred.SRPVerifier = c.Keeper.Seal(v, srpLabel(poolID, username))
	return cred, nil
}

// Check compares password with the stored hash in constant time.
func (c Credentials) Check(cred userpool.PasswordCredential, password string) bool {
	if bytes.HasPrefix(cred.Hash, []byte(phcPrefix)) {
		return c.checkArgon2(cred.Hash, password)
	}
	return c.Keeper.CheckPassword(cred.Hash, password) // before argon2id
}

// NeedsRehash reports a hash made under other parameters than today's, or
// before argon2id: the next successful sign-in replaces it.
func (c Credentials) NeedsRehash(cred userpool.PasswordCredential) bool {
	params, _, _, ok := parsePHC(cred.Hash)
	return !ok || params != c.params()
}

// Rehash replaces the hash of a credential whose password was just proven;
// the SRP verifier does not depend on it and is kept.
func (c Credentials) Rehash(cred userpool.PasswordCredential, password string) userpool.PasswordCredential {
	cred.Hash = c.hash(password, c.params())
	return cred
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
