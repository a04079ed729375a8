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
	dir, _ := filepath.Abs("../jstest")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "amazon-cognito-identity-js")); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("COGNATE_REQUIRE_JS") != "" {
			t.Fatalf("jstest dependencies are not installed (scripts/test runs npm ci): %v", err)
		}
		t.Skip("jstest/node_modules missing: run `npm ci --prefix jstest` (scripts/test does)")
	}
	s := StartServer(t, "COGNATE_ISSUER_BASE_URL=https://cognito-idp.us-east-1.amazonaws.com")
	cmd := exec.Command("node", "--test", "--test-reporter=spec", "cognito.test.js", "devices.test.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COGNATE_URL="+s.URL, "AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecretKey, "AWS_REGION="+testRegion)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("JavaScript client tests failed: %v\nserver log:\n%s", err, s.Logs())
	}
}
