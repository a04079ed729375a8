package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// ScopeUserAdmin is the scope Cognito's token-authorized operations require.
const ScopeUserAdmin = "aws.cognito.signin.user.admin"

// TokenRequest is what a pair of ID and access tokens is made from.
type TokenRequest struct {
	Pool    *Pool
	Client  *Client
	User    *User
	Family  *Family // nil only for tokens that belong to no session
	Scope   string
	Groups  []string // cognito:groups, by precedence
	Roles   []string // cognito:roles
	Role    string   // cognito:preferred_role
	EventID string
	Nonce   string
	Now     time.Time
	// The PreTokenGeneration trigger's changes to each token's claims
	// (applied over the claims above; empty without a trigger).
	IDChanges, AccessChanges ClaimChanges
}

// AccessClaims are the verified claims of an access token.
type AccessClaims struct {
	PoolID    string
	Sub       string
	ClientID  string
	OriginJTI string
	Username  string
	Scope     string
	JTI       string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// HasScope reports whether the token carries scope.
func (c AccessClaims) HasScope(scope string) bool {
	for _, s := range strings.Fields(c.Scope) {
		if s == scope {
			return true
		}
	}
	return false
}

// TokenService signs a pool's JWTs and verifies access tokens (signature,
// expiry, token_use). Failures are NotAuthorizedException errors.
type TokenService interface {
	Issue(ctx context.Context, r TokenRequest) (access, id string, err error)
	VerifyAccess(ctx context.Context, token string) (AccessClaims, error)
}

// Tokens is an AuthenticationResult.
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string // empty on refresh
	ExpiresIn    int
	TokenType    string
	NewDevice    *NewDevice // set on a sign-in from a new device
}

// newRefreshToken returns an opaque 256-bit token and the hash that is
// stored in its place.
func newRefreshToken() (string, []byte) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(err)
	}
	tok := base64.RawURLEncoding.EncodeToString(raw)
	return tok, HashRefreshToken(tok)
}

// HashRefreshToken is the lookup key of a refresh token. A fast hash is
// enough: the token has 256 bits of entropy, so a stolen hash cannot be
// reversed by guessing.
func HashRefreshToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// SecretHash is base64(HMAC-SHA256(secret, username‖clientID)).
func SecretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// checkSecretHash verifies SECRET_HASH for clients with a secret, in
// constant time, against any of the names the client may have used.
func checkSecretHash(c *Client, given string, names ...string) error {
	if !c.Confidential() {
		return nil
	}
	if given == "" {
		return Errorf(NotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received", c.ID)
	}
	for _, n := range names {
		if n != "" && c.secretHashMatches(given, n) {
			return nil
		}
	}
	return Errorf(NotAuthorized, "Unable to verify secret hash for client %s", c.ID)
}
