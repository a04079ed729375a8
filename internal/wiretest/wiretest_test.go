package wiretest

import (
	"slices"
	"testing"
)

func TestOffModel(t *testing.T) {
	off := `{"level":"ERROR","msg":"wire conformance","operation":"DescribeUserPool","violations":["UserPool.X: not a member of UserPoolType"]}`
	known := `{"level":"ERROR","msg":"wire conformance","operation":"GetTokensFromRefreshToken","violations":["ChallengeParameters: not a member of GetTokensFromRefreshTokenResponse"]}`
	mixed := `{"level":"ERROR","msg":"wire conformance","operation":"GetTokensFromRefreshToken","violations":["ChallengeParameters: not a member of GetTokensFromRefreshTokenResponse","AuthenticationResult.X: not a member of AuthenticationResultType"]}`
	other := `{"level":"INFO","msg":"cognate listening","operation":"x","violations":["y"]}`
	logs := off + "\n" + known + "\nnot json\n" + other + "\n" + mixed + "\n"
	if got := OffModel(logs); !slices.Equal(got, []string{off, mixed}) {
		t.Fatalf("got %q", got)
	}
}
