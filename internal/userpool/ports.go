package userpool

import (
	"context"
	"time"
)

// The ports: what the domain needs from outside (time, keys, password
// hashing, sealing, logs, metrics), as small interfaces the wiring fills.

// Clock returns the current time; injected so tests control time.
type Clock func() time.Time

// KeyMaker creates a sealed signing key for a new pool ("id" or "access").
type KeyMaker func(poolID, use string, now time.Time) (SigningKey, error)

// Credentials turns passwords into what is stored, and checks them.
type Credentials interface {
	Make(poolID, username, password string, now time.Time) (PasswordCredential, error)
	Check(c PasswordCredential, password string) bool
	// NeedsRehash reports a hash made under older parameters; Rehash
	// replaces it once the password has been proven.
	NeedsRehash(c PasswordCredential) bool
	Rehash(c PasswordCredential, password string) PasswordCredential
	// Verifier opens the SRP salt and verifier of a credential.
	Verifier(c PasswordCredential, poolID, username string) (salt, verifier []byte, err error)
}

// Auditor records security events (sign-outs, revocations) as structured
// log lines.
type Auditor interface {
	Audit(ctx context.Context, event string, fields ...any)
}

// Which token a revocation check was about.
const (
	CheckedAccessToken  = "access"
	CheckedRefreshToken = "refresh"
)

// Observer hears of revocation checks and sign-outs where the domain makes
// them, so that what the metrics count is what happened: an edge cannot
// tell from an operation's name whether it checked a token, nor from a
// body whether it was a refresh.
type Observer interface {
	// RevocationChecked: a token (CheckedAccessToken for a token-authorized
	// call, CheckedRefreshToken for a refresh) was checked against
	// revocation, expiry and its user; err is the outcome (nil: accepted).
	RevocationChecked(ctx context.Context, token string, err error)
	// SignedOut: op (AdminUserGlobalSignOut, GlobalSignOut,
	// AdminDisableUser, RevokeToken) ended sessions.
	SignedOut(ctx context.Context, op string)
}

// observeCheck reports a check to o, when there is one.
func observeCheck(ctx context.Context, o Observer, token string, err error) {
	if o != nil {
		o.RevocationChecked(ctx, token, err)
	}
}
