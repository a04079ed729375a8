package wiretest

import (
	"slices"
	"testing"
)

func TestOffModel(t *testing.T) {
	off := `{"level":"ERROR","msg":"wire conformance","operation":"DescribeUserPool","violations":["UserPool.X: not a member of UserPoolType"]}`
	second := `{"level":"ERROR","msg":"wire conformance","operation":"GetTokensFromRefreshToken","violations":["ChallengeParameters: not a member of GetTokensFromRefreshTokenResponse"]}`
	other := `{"level":"INFO","msg":"cognate listening","operation":"x","violations":["y"]}`
	logs := off + "\nnot json\n" + other + "\n" + second + "\n"
	if got := OffModel(logs); !slices.Equal(got, []string{off, second}) {
		t.Fatalf("got %q", got)
	}
}
