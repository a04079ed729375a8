package password

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

var light = Argon2{MemoryKiB: 64, Iterations: 1, Threads: 1}

func credentials(t *testing.T, a Argon2) Credentials {
	t.Helper()
	k, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return Credentials{Keeper: k, Argon2: a}
}

func TestArgon2idHashes(t *testing.T) {
	c := credentials(t, light)
	cred, err := c.Make("us-east-1_abc", "alice", "Passw0rd!", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cred.Hash, []byte("$argon2id$v=19$m=64,t=1,p=1$")) {
		t.Fatalf("hash %q is not argon2id in PHC form", cred.Hash)
	}
	if !c.Check(cred, "Passw0rd!") || c.Check(cred, "Passw0rd") || c.Check(cred, "") {
		t.Fatal("Check")
	}
	if c.NeedsRehash(cred) {
		t.Fatal("a hash under today's parameters needs no rehash")
	}
	// The pepper is part of the hash: another master key does not verify it.
	other := credentials(t, light)
	other.Keeper, _ = secret.New(bytes.Repeat([]byte{8}, secret.KeySize))
	if other.Check(cred, "Passw0rd!") {
		t.Fatal("a hash verified without its master key")
	}
	// Two hashes of one password differ (salted).
	again, _ := c.Make("us-east-1_abc", "alice", "Passw0rd!", time.Now())
	if bytes.Equal(again.Hash, cred.Hash) {
		t.Fatal("unsalted")
	}
	for _, bad := range [][]byte{nil, []byte("$argon2id$v=19$m=64,t=1,p=1$AAAA"), []byte("$argon2id$v=19$m=0,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")} {
		if c.Check(userpool.PasswordCredential{Hash: bad}, "Passw0rd!") {
			t.Fatalf("malformed hash %q verified", bad)
		}
	}
}

// Hashes made before argon2id, or under other parameters, still verify and
// are reported for a rehash, which keeps the SRP verifier.
func TestOlderHashesUpgrade(t *testing.T) {
	c := credentials(t, light)
	legacy := userpool.PasswordCredential{Hash: c.Keeper.HashPassword("Passw0rd!"), SRPSalt: []byte{1}, SRPVerifier: []byte{2}}
	if !c.Check(legacy, "Passw0rd!") || c.Check(legacy, "wrong") {
		t.Fatal("legacy HMAC hash no longer verifies")
	}
	if !c.NeedsRehash(legacy) {
		t.Fatal("legacy hash not reported for a rehash")
	}
	up := c.Rehash(legacy, "Passw0rd!")
	if c.NeedsRehash(up) || !c.Check(up, "Passw0rd!") || !bytes.Equal(up.SRPVerifier, legacy.SRPVerifier) {
		t.Fatalf("rehash: %q", up.Hash)
	}
	stronger := c
	stronger.Argon2 = Argon2{MemoryKiB: 128, Iterations: 2, Threads: 1}
	if !stronger.NeedsRehash(up) || !stronger.Check(up, "Passw0rd!") {
		t.Fatal("a hash under older parameters must verify and need a rehash")
	}
}

func TestDefaultParameters(t *testing.T) {
	c := Credentials{}
	if c.params() != DefaultArgon2 || DefaultArgon2.MemoryKiB < 19*1024 || DefaultArgon2.Iterations < 2 {
		t.Fatalf("default %v is below OWASP's minimum (m=19 MiB, t=2)", c.params())
	}
}

func TestParseArgon2(t *testing.T) {
	for s, want := range map[string]*Argon2{
		"m=19456,t=2,p=1":   {19456, 2, 1},
		" m=64, t=1 ,p=2 ":  {64, 1, 2},
		"m=7,t=1,p=1":       nil, // under 8 KiB per lane
		"m=64,t=1":          nil,
		"m=64,t=1,p=1,x=2":  nil,
		"m=64,t=0,p=1":      nil,
		"m=64,t=1,p=1,m=65": nil,
		"":                  nil,
	} {
		got, err := ParseArgon2(s)
		if want == nil {
			if err == nil {
				t.Errorf("%q: accepted as %v", s, got)
			}
			continue
		}
		if err != nil || got != *want {
			t.Errorf("%q: got %v, %v; want %v", s, got, err, *want)
		}
	}
}

// Workers bound how many hashes run at once.
func TestWorkersBoundConcurrency(t *testing.T) {
	w := NewWorkers(2)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(func() {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				entered <- struct{}{}
				<-release
				running.Add(-1)
			})
		}()
	}
	<-entered
	<-entered // two are inside, holding both slots; the other six wait
	if len(w) != 2 {
		t.Fatalf("%d of 2 slots held while two hashes run", len(w))
	}
	close(release)
	wg.Wait()
	if peak.Load() != 2 {
		t.Fatalf("peak concurrency %d, want 2", peak.Load())
	}
}

// BenchmarkOfflineGuess is what one guess costs an attacker who holds both
// the database and the master key: one Check at the default parameters
// (SECURITY.md quotes it as guesses per second per core).
func BenchmarkOfflineGuess(b *testing.B) {
	c := credentials(&testing.T{}, DefaultArgon2)
	cred, _ := c.Make("", "", "Passw0rd!", time.Now())
	b.ResetTimer()
	for range b.N {
		c.Check(cred, "guess")
	}
}

// BenchmarkOfflineGuessLegacy is the same guess against a hash of the
// versions before argon2id (one HMAC).
func BenchmarkOfflineGuessLegacy(b *testing.B) {
	c := credentials(&testing.T{}, DefaultArgon2)
	cred := userpool.PasswordCredential{Hash: c.Keeper.HashPassword("Passw0rd!")}
	b.ResetTimer()
	for range b.N {
		c.Check(cred, "guess")
	}
}
