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
//
// srp signs in with USER_SRP_AUTH and PASSWORD_VERIFIER (InitiateAuth, then
// RespondToAuthChallenge), the client's side computed with internal/srp.
// getuser-flood is getuser while --flood-concurrency other workers send
// wrong passwords (InitiateAuth USER_PASSWORD_AUTH) for --flood-users users
// of their own, in turn; it reports GetUser's latency and, of the flood,
// how many answers compared the password and how many were refused during
// a lockout (after five failures a user is locked out, for one second and
// then twice as long each time).
//
// signin-pretoken, refresh-pretoken (and srp, gettokens and rotate with the
// suffix) are those workloads with the pool's PreTokenGeneration trigger set
// to --pre-token-generation (UpdateUserPool before the workload, cleared
// before the next one without the suffix), so that one run reports a
// trigger's cost beside its absence.
package bench
