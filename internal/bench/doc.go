// Package bench is `cognate bench`: a load generator that drives any
// Cognito-compatible endpoint (Cognate, moto_server, AWS) through
// aws-sdk-go-v2 and reports throughput, latency percentiles and errors per
// workload, sign-out latency as sessions grow, and the machine's RSA-2048
// signing rate (the ceiling of sign-in and refresh, which sign two JWTs).
// Refresh is measured three ways: InitiateAuth REFRESH_TOKEN_AUTH
// (refresh), GetTokensFromRefreshToken on the same client (gettokens), and
// GetTokensFromRefreshToken on a client that rotates refresh tokens with no
// grace period (rotate), where each worker sends the token its previous
// call got back and every call writes the rotation durably.
package bench
