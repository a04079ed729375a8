package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func testKeeper(t *testing.T) *Keeper {
	t.Helper()
	k, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPasswordHash(t *testing.T) {
	k := testKeeper(t)
	h := k.HashPassword("Passw0rd!")
	if !k.CheckPassword(h, "Passw0rd!") {
		t.Fatal("right password rejected")
	}
	if k.CheckPassword(h, "Passw0rd?") {
		t.Fatal("wrong password accepted")
	}
	if bytes.Equal(h, k.HashPassword("Passw0rd!")) {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if other.CheckPassword(h, "Passw0rd!") {
		t.Fatal("hash verified under another master key")
	}
}

func TestSealOpen(t *testing.T) {
	k := testKeeper(t)
	s := k.Seal([]byte("verifier"), "srp:a")
	got, err := k.Open(s, "srp:a")
	if err != nil || string(got) != "verifier" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := k.Open(s, "srp:b"); err == nil {
		t.Fatal("opened under another label")
	}
	s[len(s)-1] ^= 1
	if _, err := k.Open(s, "srp:a"); err == nil {
		t.Fatal("opened tampered value")
	}
	if _, err := k.Open([]byte{1, 2}, "x"); err == nil {
		t.Fatal("opened short value")
	}
}

func TestLoadOrCreate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "d", "master.key")
	a, err := LoadOrCreate("", file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	b, err := LoadOrCreate("", file)
	if err != nil {
		t.Fatal(err)
	}
	if !b.CheckPassword(a.HashPassword("x"), "x") {
		t.Fatal("reloaded key differs")
	}
	if _, err := LoadOrCreate("not base64!", file); err == nil {
		t.Fatal("bad env key accepted")
	}
}
