package userpool

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/cognate/cognate/internal/secret"
)

// Clock returns the current time; injected so tests control time.
type Clock func() time.Time

// KeyMaker creates a sealed signing key for a new pool ("id" or "access").
type KeyMaker func(poolID, use string, now time.Time) (SigningKey, error)

// Credentials turns passwords into what is stored, and checks them.
type Credentials interface {
	Make(poolID, username, password string, now time.Time) (PasswordCredential, error)
	Check(c PasswordCredential, password string) bool
	// Verifier opens the SRP salt and verifier of a credential.
	Verifier(c PasswordCredential, poolID, username string) (salt, verifier []byte, err error)
}

// Auditor records security events (sign-outs, revocations) as structured
// log lines.
type Auditor interface {
	Audit(ctx context.Context, event string, fields ...any)
}

// Caller is who made a request: an admin access key, or a user by token.
type Caller struct {
	AccessKeyID string // set for SigV4-signed admin calls
	Region      string // the call's region (credential scope, or from an id)
	Account     string
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int, alphabet string) string { return secret.RandomString(n, alphabet) }

var pageTokenEncoding = base64.RawURLEncoding
