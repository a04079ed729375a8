package secret

import (
	"encoding/base64"
	"errors"
	"strings"
)

// Sealer is what seals values at rest: a Keeper, or a stand-in in tests.
type Sealer interface {
	Seal(plaintext []byte, label string) []byte
	Open(sealed []byte, label string) ([]byte, error)
}

// sealedPrefix marks a text column value sealed by SealString. No value
// Cognate stores in plain text begins with it (client secrets match
// [\w+]+, codes are digits), so old plaintext rows are told apart.
const sealedPrefix = "sealed:v1:"

// SealString seals plaintext under label into text: sealedPrefix and the
// base64 of the ciphertext.
func SealString(s Sealer, plaintext, label string) string {
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.Seal([]byte(plaintext), label))
}

// IsSealedString reports whether v is in SealString's form.
func IsSealedString(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// ErrNotSealed is OpenString's answer for a value not in SealString's form.
var ErrNotSealed = errors.New("value is not sealed")

// OpenString opens what SealString made with the same label.
func OpenString(s Sealer, stored, label string) (string, error) {
	rest, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return "", ErrNotSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", err
	}
	plain, err := s.Open(raw, label)
	return string(plain), err
}
