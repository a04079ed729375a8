package password

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 are the argon2id parameters of new password hashes.
type Argon2 struct {
	MemoryKiB  uint32
	Iterations uint32
	Threads    uint8
}

// DefaultArgon2 is OWASP's minimum for argon2id (m=19 MiB, t=2, p=1):
// ≈40 ms of one core per hash on the reference VM (BENCHMARKS.md).
var DefaultArgon2 = Argon2{MemoryKiB: 19 * 1024, Iterations: 2, Threads: 1}

// ParseArgon2 reads "m=<KiB>,t=<iterations>,p=<threads>".
func ParseArgon2(s string) (Argon2, error) {
	var a Argon2
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || n == 0 || seen[k] {
			return Argon2{}, fmt.Errorf("argon2 parameters %q: want m=<KiB>,t=<iterations>,p=<threads>", s)
		}
		seen[k] = true
		switch k {
		case "m":
			a.MemoryKiB = uint32(n)
		case "t":
			a.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return Argon2{}, fmt.Errorf("argon2 parameters %q: p is at most 255", s)
			}
			a.Threads = uint8(n)
		default:
			return Argon2{}, fmt.Errorf("argon2 parameters %q: unknown %q", s, k)
		}
	}
	if len(seen) != 3 {
		return Argon2{}, fmt.Errorf("argon2 parameters %q: want m, t and p", s)
	}
	if a.MemoryKiB < 8*uint32(a.Threads) {
		return Argon2{}, fmt.Errorf("argon2 parameters %q: m must be at least 8×p KiB", s)
	}
	return a, nil
}

func (a Argon2) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", a.MemoryKiB, a.Iterations, a.Threads)
}

// phcPrefix starts an argon2id hash in the PHC string format, which is how
// it is stored: "$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>".
const phcPrefix = "$argon2id$v=19$"

var phcEncoding = base64.RawStdEncoding

const saltSize, keySize = 16, 32

// Workers bounds how many password hashes run at once: each takes a core
// for tens of milliseconds and m KiB of memory, so a flood of wrong
// passwords queues here instead of starving refresh, GetUser and sign-out.
type Workers chan struct{}

// NewWorkers allows n hashes at once; n ≤ 0 means half the CPUs (at least
// one), which leaves the other half to everything else.
func NewWorkers(n int) Workers {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	return make(Workers, n)
}

func (w Workers) run(fn func()) {
	if w == nil {
		fn()
		return
	}
	w <- struct{}{}
	defer func() { <-w }()
	fn()
}

// hash is argon2id of the peppered password under params, in PHC form.
func (c Credentials) hash(password string, params Argon2) []byte {
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	var key []byte
	c.Workers.run(func() {
		key = argon2.IDKey(c.Keeper.Pepper(password), salt, params.Iterations, params.MemoryKiB, params.Threads, keySize)
	})
	return fmt.Appendf(nil, "%sm=%d,t=%d,p=%d$%s$%s", phcPrefix, params.MemoryKiB, params.Iterations, params.Threads,
		phcEncoding.EncodeToString(salt), phcEncoding.EncodeToString(key))
}

// checkArgon2 verifies a PHC argon2id hash; ok is false for a malformed one.
func (c Credentials) checkArgon2(stored []byte, password string) (match bool) {
	params, salt, want, ok := parsePHC(stored)
	if !ok {
		return false
	}
	c.Workers.run(func() {
		got := argon2.IDKey(c.Keeper.Pepper(password), salt, params.Iterations, params.MemoryKiB, params.Threads, uint32(len(want)))
		match = subtle.ConstantTimeCompare(got, want) == 1
	})
	return match
}

// parsePHC splits "$argon2id$v=19$m=…,t=…,p=…$salt$hash".
func parsePHC(stored []byte) (params Argon2, salt, key []byte, ok bool) {
	rest, found := bytes.CutPrefix(stored, []byte(phcPrefix))
	if !found {
		return Argon2{}, nil, nil, false
	}
	parts := strings.Split(string(rest), "$")
	if len(parts) != 3 {
		return Argon2{}, nil, nil, false
	}
	params, err := ParseArgon2(parts[0])
	if err != nil {
		return Argon2{}, nil, nil, false
	}
	salt, err1 := phcEncoding.DecodeString(parts[1])
	key, err2 := phcEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return Argon2{}, nil, nil, false
	}
	return params, salt, key, true
}
