package awsmodel

import "testing"

func TestTarget(t *testing.T) {
	if got := Default().Target("GetUser"); got != "AWSCognitoIdentityProviderService.GetUser" {
		t.Fatalf("Target(GetUser) = %q", got)
	}
}
