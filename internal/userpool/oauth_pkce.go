package userpool

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE (RFC 7636): a public client proves at the token endpoint that it
// made the authorization request. Only S256 is accepted: the plain method
// puts the verifier itself in the browser's URL.

// pkceMethodAllowed reports whether an authorization request's
// code_challenge_method may go with its code_challenge.
func pkceMethodAllowed(challenge, method string) bool {
	return challenge == "" || method == "S256"
}

// pkceVerifies reports whether verifier is the one behind an S256
// challenge, compared in constant time.
func pkceVerifies(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}
