package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestJavaScriptClients runs jstest/ (amazon-cognito-identity-js,
// aws-jwt-verify, AWS SDK v3) under Node against a real server. The server
// issues tokens with AWS's issuer form so that aws-jwt-verify's
// CognitoJwtVerifier accepts them unmodified.
func TestJavaScriptClients(t *testing.T) {
	t.Parallel()
	dir := jsTestDir(t, "amazon-cognito-identity-js")
	s := StartServer(t, "COGNATE_ISSUER_BASE_URL=https://cognito-idp.us-east-1.amazonaws.com")
	runNodeTests(t, s, dir, "cognito.test.js", "devices.test.js")
}

// jsTestDir is jstest/, once the npm package it needs is installed: the test
// skips without it, or fails in CI and with COGNATE_REQUIRE_JS set.
func jsTestDir(t *testing.T, pkg string) string {
	t.Helper()
	dir, _ := filepath.Abs("../jstest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg)); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("COGNATE_REQUIRE_JS") != "" {
			t.Fatalf("jstest dependencies are not installed (scripts/test runs npm ci): %v", err)
		}
		t.Skip("jstest/node_modules missing: run `npm ci --prefix jstest` (scripts/test does)")
	}
	return dir
}

// runNodeTests runs `node --test` on files in dir against s, with the
// server's URL and the admin credentials in the environment.
func runNodeTests(t *testing.T, s *Server, dir string, files ...string) {
	t.Helper()
	cmd := exec.Command("node", append([]string{"--test", "--test-reporter=spec"}, files...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COGNATE_URL="+s.URL, "AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecretKey, "AWS_REGION="+testRegion)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("JavaScript client tests failed: %v\nserver log:\n%s", err, s.Logs())
	}
}
