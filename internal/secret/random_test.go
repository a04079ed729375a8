package secret

import (
	"strings"
	"testing"
)

func TestRandomAlphanumeric(t *testing.T) {
	if len(Alphanumeric) != 62 {
		t.Fatalf("Alphanumeric has %d characters", len(Alphanumeric))
	}
	seen := map[rune]bool{}
	for i := 0; i < 50; i++ {
		s := RandomAlphanumeric(40)
		if len(s) != 40 || strings.Trim(s, Alphanumeric) != "" {
			t.Fatalf("RandomAlphanumeric(40) = %q", s)
		}
		for _, r := range s {
			seen[r] = true
		}
	}
	if len(seen) < 55 { // in 2,000 draws each character is missing with odds near 1e-14
		t.Errorf("only %d of 62 characters drawn", len(seen))
	}
}
