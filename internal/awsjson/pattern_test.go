package awsjson

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/awsmodel"
)

// modelPatterns collects every pattern reachable from the model's inputs.
func modelPatterns() map[string]bool {
	out := map[string]bool{}
	seen := map[*awsmodel.Shape]bool{}
	var walk func(s *awsmodel.Shape)
	walk = func(s *awsmodel.Shape) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Pattern != "" {
			out[s.Pattern] = true
		}
		for _, m := range s.Members {
			walk(m.Shape)
		}
		walk(s.Member)
		walk(s.Key)
		walk(s.Value)
	}
	for _, op := range awsmodel.Default().Operations() {
		walk(op.Input)
	}
	return out
}

// The table matcher must answer exactly as the regexp it replaces, for
// every pattern of the model, on ASCII, Unicode and invalid UTF-8.
func TestClassMatcherAgreesWithRegexp(t *testing.T) {
	samples := []string{"", " ", "a", "alice", "us-east-1_abc", "bad pool", "a@b.co", "x+y=z/.", "eyJ.a-b_c=",
		"héllo", "日本語", "😀", "\xff", "a\xffb", "tab\there", "line\nbreak", "\x00", "Ωmega", "\u00a0", "\u2028"}
	for c := 0; c < 128; c++ {
		samples = append(samples, string(rune(c)), "a"+string(rune(c)))
	}
	pool := []rune("aZ09-_.=+/@ \t\n\x00éß日😀\u00a0\u200b\ufffd!#$%&'()*,:;<>?[]\\^`{|}~\"")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteRune(pool[rng.IntN(len(pool))])
		}
		samples = append(samples, b.String())
	}
	covered := 0
	for p := range modelPatterns() {
		cm := newClassMatcher(p)
		if cm == nil {
			continue
		}
		covered++
		re := regexp.MustCompile(`^(?:` + p + `)$`)
		for _, s := range samples {
			if got, want := cm.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("pattern %q on %q: table %v, regexp %v", p, s, got, want)
			}
		}
	}
	if covered < 10 {
		t.Fatalf("only %d patterns are character classes; the fast path is not exercised", covered)
	}
	t.Logf("%d of %d model patterns take the table path", covered, len(modelPatterns()))
}

func BenchmarkAccessTokenPattern(b *testing.B) {
	p := `[A-Za-z0-9-_=.]+`
	tok := strings.Repeat("eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.", 30)
	re, cm := regexp.MustCompile(`^(?:`+p+`)$`), newClassMatcher(p)
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			re.MatchString(tok)
		}
	})
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			cm.MatchString(tok)
		}
	})
}
