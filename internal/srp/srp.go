package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"time"
)

const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	bigN, _ = new(big.Int).SetString(nHex, 16)
	bigG    = big.NewInt(2)
	bigK    = new(big.Int).SetBytes(hash(pad(bigN), pad(bigG)))
)

// pad is Cognito's padHex on integers: minimal big-endian bytes, with a
// leading zero byte when the top bit is set (Java BigInteger.toByteArray).
func pad(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) == 0 {
		return []byte{0}
	}
	if b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

func hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// K returns the multiplier k = H(PAD(N) ‖ PAD(g)).
func K() *big.Int { return new(big.Int).Set(bigK) }

// x = H(PAD(salt) ‖ H(realm ‖ user ‖ ":" ‖ password)).
func computeX(realm, user, password string, salt []byte) *big.Int {
	inner := hash([]byte(realm + user + ":" + password))
	return new(big.Int).SetBytes(hash(pad(new(big.Int).SetBytes(salt)), inner))
}

// ComputeVerifier returns v = g^x mod N for the given salt.
func ComputeVerifier(realm, user, password string, salt []byte) []byte {
	return new(big.Int).Exp(bigG, computeX(realm, user, password, salt), bigN).Bytes()
}

// NewVerifier draws a fresh 16-byte salt and returns it with the verifier.
func NewVerifier(realm, user, password string) (salt, verifier []byte, err error) {
	salt = make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, nil, err
	}
	return salt, ComputeVerifier(realm, user, password, salt), nil
}

// SaltHex renders a salt as minimal lowercase hex, as clients re-parse it.
func SaltHex(salt []byte) string { return new(big.Int).SetBytes(salt).Text(16) }

// Challenge is the server half of one SRP exchange.
type Challenge struct {
	b *big.Int
	B *big.Int
}

// NewChallenge draws b and computes B = k·v + g^b mod N.
func NewChallenge(verifier []byte) (*Challenge, error) {
	for {
		// 256 bits, as RFC 5054 recommends: a longer b only costs time.
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		c, err := NewChallengeWithSecret(verifier, new(big.Int).SetBytes(raw))
		if err == nil {
			return c, nil
		}
	}
}

var errDegenerate = errors.New("srp: degenerate value")

// NewChallengeWithSecret is NewChallenge with a given b (test vectors).
func NewChallengeWithSecret(verifier []byte, b *big.Int) (*Challenge, error) {
	v := new(big.Int).SetBytes(verifier)
	B := new(big.Int).Mul(bigK, v)
	B.Add(B, new(big.Int).Exp(bigG, b, bigN))
	B.Mod(B, bigN)
	if B.Sign() == 0 {
		return nil, errDegenerate
	}
	return &Challenge{b: b, B: B}, nil
}

// Secret returns b, so that a challenge can be resumed from sealed state.
func (c *Challenge) Secret() []byte { return c.b.Bytes() }

// BHex is SRP_B as sent to the client.
func (c *Challenge) BHex() string { return c.B.Text(16) }

// ParseA validates SRP_A: hex, bounded, and A mod N ≠ 0.
func ParseA(hexA string) (*big.Int, error) {
	if hexA == "" || len(hexA) > 1024 {
		return nil, errors.New("SRP_A has an invalid length")
	}
	A, ok := new(big.Int).SetString(hexA, 16)
	if !ok || A.Sign() <= 0 || strings.HasPrefix(hexA, "-") || strings.HasPrefix(hexA, "+") {
		return nil, errors.New("SRP_A is not a positive hex number")
	}
	if new(big.Int).Mod(A, bigN).Sign() == 0 {
		return nil, errors.New("SRP_A mod N is zero")
	}
	return A, nil
}

// hkdf derives Cognito's 16-byte key from S with salt u.
func hkdf(u, S *big.Int) []byte {
	prk := hmac.New(sha256.New, pad(u))
	prk.Write(pad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte("Caldera Derived Key\x01"))
	return m.Sum(nil)[:16]
}

func claim(key []byte, realm, user string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(realm))
	m.Write([]byte(user))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// ExpectedSignature computes the PASSWORD_CLAIM_SIGNATURE the client must
// send: S = (A·v^u)^b, K = HKDF(u, S), HMAC(K, realm‖user‖block‖timestamp).
func (c *Challenge) ExpectedSignature(realm, user string, A *big.Int, verifier, secretBlock []byte, timestamp string) ([]byte, error) {
	u := new(big.Int).SetBytes(hash(pad(A), pad(c.B)))
	if u.Sign() == 0 {
		return nil, errDegenerate
	}
	v := new(big.Int).SetBytes(verifier)
	S := new(big.Int).Exp(v, u, bigN)
	S.Mul(S, A)
	S.Mod(S, bigN)
	S.Exp(S, c.b, bigN)
	return claim(hkdf(u, S), realm, user, secretBlock, timestamp), nil
}

// VerifySignature compares the client's base64 claim with the expected
// signature in constant time.
func VerifySignature(expected []byte, claimB64 string) bool {
	got, err := base64.StdEncoding.DecodeString(claimB64)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(expected, got) == 1
}

// timestampLayout is Cognito's TIMESTAMP: "Tue Jan 2 15:04:05 UTC 2024".
const timestampLayout = "Mon Jan 2 15:04:05 MST 2006"

// ParseTimestamp parses TIMESTAMP and returns the canonical form that
// enters the signature, as Cognito re-formats the parsed time (a zero-padded
// day therefore fails the signature rather than the parse).
func ParseTimestamp(s string) (time.Time, string, error) {
	t, err := time.Parse(timestampLayout, s)
	if err != nil {
		t, err = time.Parse("Mon Jan _2 15:04:05 MST 2006", s)
	}
	if err != nil {
		return time.Time{}, "", errors.New("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	}
	return t, t.UTC().Format("Mon Jan 2 15:04:05 UTC 2006"), nil
}

// Client-side helpers, for tests and benchmarks of the server.

// ClientA returns A = g^a mod N.
func ClientA(a *big.Int) *big.Int { return new(big.Int).Exp(bigG, a, bigN) }

// ClientSignature computes what a client sends for the given challenge.
func ClientSignature(realm, user, password string, salt []byte, a, B *big.Int, secretBlock []byte, timestamp string) ([]byte, error) {
	A := ClientA(a)
	u := new(big.Int).SetBytes(hash(pad(A), pad(B)))
	if u.Sign() == 0 {
		return nil, errDegenerate
	}
	x := computeX(realm, user, password, salt)
	gx := new(big.Int).Exp(bigG, x, bigN)
	base := new(big.Int).Sub(B, new(big.Int).Mul(bigK, gx))
	base.Mod(base, bigN)
	exp := new(big.Int).Add(a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, bigN)
	return claim(hkdf(u, S), realm, user, secretBlock, timestamp), nil
}

// DecodeHex is a helper for test vectors.
func DecodeHex(s string) *big.Int {
	n, _ := new(big.Int).SetString(strings.Join(strings.Fields(s), ""), 16)
	return n
}
