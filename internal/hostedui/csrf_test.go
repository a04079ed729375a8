package hostedui

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
	"time"
)

func testMAC(key string) func([]byte) []byte {
	return func(data []byte) []byte {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(data)
		return m.Sum(nil)
	}
}

func TestCSRFTokenVerification(t *testing.T) {
	c := csrfTokens{mac: testMAC("key one")}
	now := time.Unix(1_700_000_000, 0)
	pre := strings.Repeat("a", preSessionLen)
	other := strings.Repeat("b", preSessionLen)
	genuine := c.mint(pre, now)
	issued, sum, _ := strings.Cut(genuine, ".")
	for _, tc := range []struct {
		name       string
		preSession string
		token      string
		at         time.Time
		want       bool
	}{
		{"genuine", pre, genuine, now, true},
		{"genuine, near the end of its life", pre, genuine, now.Add(csrfLifetime), true},
		{"minted by a replica slightly ahead", pre, c.mint(pre, now.Add(csrfSkew)), now, true},
		{"expired", pre, genuine, now.Add(csrfLifetime + time.Second), false},
		{"minted too far in the future", pre, c.mint(pre, now.Add(csrfSkew+time.Second)), now, false},
		{"planted cookie equal to the field (bare double-submit)", pre, pre, now, false},
		{"another browser's cookie", other, genuine, now, false},
		{"another key", pre, csrfTokens{mac: testMAC("key two")}.mint(pre, now), now, false},
		{"time rewritten", pre, "1700000100." + sum, now, false},
		{"time respelled", pre, "+" + issued + "." + sum, now, false},
		{"time with a leading zero", pre, "0" + issued + "." + sum, now, false},
		{"no separator", pre, issued + sum, now, false},
		{"MAC cut short", pre, genuine[:len(genuine)-1], now, false},
		{"empty token", pre, "", now, false},
		{"no cookie", "", genuine, now, false},
		{"short cookie", pre[:32], c.mint(pre[:32], now), now, false},
		{"cookie outside the alphabet", strings.Repeat("!", preSessionLen), c.mint(strings.Repeat("!", preSessionLen), now), now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.valid(tc.preSession, tc.token, tc.at); got != tc.want {
				t.Fatalf("valid(%q, %q) = %v, want %v", tc.preSession, tc.token, got, tc.want)
			}
		})
	}
}
