package userpool

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Clock returns the current time; injected so tests control time.
type Clock func() time.Time

// KeyMaker creates a sealed signing key for a new pool ("id" or "access").
type KeyMaker func(poolID, use string, now time.Time) (SigningKey, error)

// Credentials turns passwords into what is stored, and checks them.
type Credentials interface {
	Make(poolID, username, password string, now time.Time) (PasswordCredential, error)
	Check(c PasswordCredential, password string) bool
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

// randomString returns n characters from alphabet, uniformly (rejection
// sampling avoids modulo bias).
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

var pageTokenEncoding = base64.RawURLEncoding
