package awsjson

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"sync"
)

// matcher tells whether a whole value satisfies a model pattern.
type matcher interface {
	MatchString(string) bool
}

var patterns sync.Map // pattern → matcher (nil when RE2 cannot express it)

// compiled returns the whole-value matcher of a Java pattern, or nil for
// patterns RE2 cannot compile (lookbehind), which are then not enforced.
func compiled(p string) matcher {
	if m, ok := patterns.Load(p); ok {
		return m.(matcher)
	}
	var m matcher
	if re, err := regexp.Compile(`^(?:` + p + `)$`); err == nil {
		m = re
		if cm := newClassMatcher(p); cm != nil {
			m = cm
		}
	}
	patterns.Store(p, m)
	return m
}

// classMatcher matches one character class repeated (`[…]+` or `[…]*`),
// the shape of most of the model's patterns, by table lookup: the regexp
// engine cost ≈9 % of GetUser's server CPU for the access token alone.
// Its answers equal the regexp's (pattern_test.go checks every pattern in
// the model).
type classMatcher struct {
	ascii    [128]bool
	ranges   []rune // lo, hi pairs, sorted, as regexp/syntax gives them
	nonEmpty bool   // `+`
}

// newClassMatcher returns nil when p is not a repeated character class.
func newClassMatcher(p string) *classMatcher {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if (re.Op != syntax.OpPlus && re.Op != syntax.OpStar) || len(re.Sub) != 1 || re.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	m := &classMatcher{ranges: re.Sub[0].Rune, nonEmpty: re.Op == syntax.OpPlus}
	for c := rune(0); c < 128; c++ {
		m.ascii[c] = m.inRanges(c)
	}
	return m
}

func (m *classMatcher) inRanges(r rune) bool {
	// The first pair whose upper bound is ≥ r.
	i := sort.Search(len(m.ranges)/2, func(i int) bool { return m.ranges[2*i+1] >= r })
	return i < len(m.ranges)/2 && m.ranges[2*i] <= r
}

func (m *classMatcher) MatchString(s string) bool {
	if m.nonEmpty && s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 128 {
			// Invalid UTF-8 decodes to U+FFFD here, as in package regexp.
			for _, r := range s[i:] {
				if (r < 128 && !m.ascii[r]) || (r >= 128 && !m.inRanges(r)) {
					return false
				}
			}
			return true
		}
		if !m.ascii[c] {
			return false
		}
	}
	return true
}
