// Package token makes and checks Cognito's JWTs: RSA-2048 keys with their
// kids, compact RS256 signing with a precomputed header (signing is the cost
// that bounds sign-in and refresh), verification that accepts RS256 only,
// the claim sets of ID and access tokens, and the JWKS document. It knows
// nothing of storage or pools.
package token
