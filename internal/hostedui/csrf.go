package hostedui

import (
	"crypto/hmac"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/secret"
)

// csrfTokens mints and checks the CSRF tokens of the hosted UI's forms. The
// CSRF cookie holds a random pre-session id; a form carries the time it
// was minted and a MAC, under a key derived from the master key, of that
// id and time. A token is valid only with the cookie it was minted for and
// for csrfLifetime: a cookie planted with an equal form field (the bare
// double-submit) is refused, and nobody without the key can make a token
// for a cookie of their choosing.
type csrfTokens struct {
	mac func([]byte) []byte // secret.Keeper.MAC
}

const (
	csrfLifetime = time.Hour
	csrfSkew     = time.Minute // a token minted by a replica whose clock runs ahead
	csrfLabel    = "cognate hosted-ui csrf v1\x00"
	// preSessionLen characters of preSessionAlphabet: 258 bits.
	preSessionLen      = 43
	preSessionAlphabet = secret.URLSafe
)

// validPreSession reports whether id has the form of a pre-session id.
func validPreSession(id string) bool {
	if len(id) != preSessionLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(preSessionAlphabet, id[i]) < 0 {
			return false
		}
	}
	return true
}

func (c csrfTokens) sum(preSession, issued string) string {
	return base64.RawURLEncoding.EncodeToString(c.mac([]byte(csrfLabel + preSession + "\x00" + issued)))
}

// mint returns the token of preSession at now.
func (c csrfTokens) mint(preSession string, now time.Time) string {
	issued := strconv.FormatInt(now.Unix(), 10)
	return issued + "." + c.sum(preSession, issued)
}

// valid reports whether token was minted for preSession, recently. The MAC
// is compared in constant time.
func (c csrfTokens) valid(preSession, token string, now time.Time) bool {
	if !validPreSession(preSession) {
		return false
	}
	issued, sum, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(issued, 10, 64)
	if err != nil || strconv.FormatInt(secs, 10) != issued {
		return false
	}
	at := time.Unix(secs, 0)
	if now.Sub(at) > csrfLifetime || at.Sub(now) > csrfSkew {
		return false
	}
	return hmac.Equal([]byte(sum), []byte(c.sum(preSession, issued)))
}
