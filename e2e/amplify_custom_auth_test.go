package e2e

import "testing"

// TestAmplifyCustomAuth runs jstest/amplify_customauth.test.js: AWS
// Amplify JS v6's CUSTOM_WITH_SRP and CUSTOM_WITHOUT_SRP sign-ins, wrong
// and right answers through confirmSignIn, against a pool whose
// Define/Create/Verify functions are testdata/lambdas/customauth under the
// real Lambda RIE. Without the RIE it skips (fails with
// COGNATE_REQUIRE_LAMBDA=1). Not parallel: the function's ARN reaches node
// through the environment.
func TestAmplifyCustomAuth(t *testing.T) {
	runNodeTestsWithCustomAuth(t, jsTestDir(t, "aws-amplify"), "amplify_customauth.test.js")
}
