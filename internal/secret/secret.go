// Package secret holds Cognate's master key and what it protects: the keyed
// password hash, and the sealing (AES-256-GCM) of SRP verifiers and token
// signing keys. The master key never lives in the database, so a copy of the
// database alone lets an attacker neither test password guesses nor forge
// tokens.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key length in bytes.
const KeySize = 32

// Keeper derives purpose-specific keys from one master key.
type Keeper struct {
	pepper []byte
	macKey []byte
	aead   cipher.AEAD
}

// New builds a Keeper from a 32-byte master key.
func New(master []byte) (*Keeper, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", KeySize, len(master))
	}
	// Separate keys per purpose, so that no output of one use helps attack another.
	pepper := derive(master, "cognate password pepper v1")
	block, err := aes.NewCipher(derive(master, "cognate sealing key v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keeper{pepper: pepper, macKey: derive(master, "cognate mac key v1"), aead: aead}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadOrCreate reads the master key from env (base64, when non-empty) or
// from file, creating the file with a fresh random key (mode 0600) when it
// does not exist.
func LoadOrCreate(env, file string) (*Keeper, error) {
	if env != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil {
			return nil, fmt.Errorf("master key: not base64: %w", err)
		}
		return New(raw)
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, KeySize)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(raw) + "\n"
		if err := os.WriteFile(file, []byte(enc), 0o600); err != nil {
			return nil, err
		}
		return New(raw)
	}
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: not base64: %w", file, err)
	}
	return New(raw)
}

// HashPassword returns salt‖HMAC-SHA256(pepper, salt‖password). The pepper
// comes from the master key, which is why a fast MAC is safe here: without
// the key a stolen hash cannot be tested against any guess, and sign-in stays
// cheap enough to be bounded by token signing rather than hashing.
func (k *Keeper) HashPassword(password string) []byte {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return append(salt, k.mac(salt, password)...)
}

// CheckPassword compares in constant time.
func (k *Keeper) CheckPassword(stored []byte, password string) bool {
	if len(stored) != 16+sha256.Size {
		return false
	}
	return hmac.Equal(stored[16:], k.mac(stored[:16], password))
}

// Pepper is HMAC-SHA256(pepper, password): the input of the memory-hard
// hash, so that a stolen hash cannot be tested without the master key.
func (k *Keeper) Pepper(password string) []byte { return k.mac(nil, password) }

func (k *Keeper) mac(salt []byte, password string) []byte {
	m := hmac.New(sha256.New, k.pepper)
	m.Write(salt)
	m.Write([]byte(password))
	return m.Sum(nil)
}

// Seal encrypts plaintext; label binds the ciphertext to its purpose and
// owner (e.g. "srp:<pool>:<sub>"), so a sealed value moved elsewhere fails.
func (k *Keeper) Seal(plaintext []byte, label string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return k.aead.Seal(nonce, nonce, plaintext, []byte(label))
}

// Open decrypts what Seal produced with the same label.
func (k *Keeper) Open(sealed []byte, label string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	return k.aead.Open(nil, sealed[:n], sealed[n:], []byte(label))
}

// Alphanumeric is the 62 ASCII letters and digits.
const Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// URLSafe is Alphanumeric with "-" and "_": 64 characters, 6 bits each,
// safe in cookies and URLs unescaped (session and pre-session ids).
const URLSafe = Alphanumeric + "-_"

// RandomAlphanumeric returns n characters drawn uniformly from Alphanumeric
// (pool ids, device group keys, generated credentials).
func RandomAlphanumeric(n int) string { return RandomString(n, Alphanumeric) }

// RandomString returns n characters drawn uniformly from alphabet (rejection
// sampling avoids the modulo bias of byte % len).
func RandomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// MAC returns a keyed digest of data: stable per input, unpredictable
// without the master key (used to simulate users that do not exist).
func (k *Keeper) MAC(data []byte) []byte {
	m := hmac.New(sha256.New, k.macKey)
	m.Write(data)
	return m.Sum(nil)
}
