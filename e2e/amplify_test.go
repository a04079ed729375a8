package e2e

import "testing"

// TestAmplify runs jstest/amplify.test.js: AWS Amplify JS v6 (sign-up,
// SRP sign-in, forced refreshes through GetTokensFromRefreshToken on a
// rotating and a non-rotating client, attributes, global and admin
// sign-out) against a real server. Amplify does not verify token
// signatures, so the server keeps its own issuer.
func TestAmplify(t *testing.T) {
	t.Parallel()
	dir := jsTestDir(t, "aws-amplify")
	runNodeTests(t, StartServer(t), dir, "amplify.test.js")
}
