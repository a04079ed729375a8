package secret

import (
	"strings"
	"testing"
)

func TestSealString(t *testing.T) {
	k := testKeeper(t)
	const secret = "abc123secretvalue"
	s := SealString(k, secret, "label-a")
	if !IsSealedString(s) || strings.Contains(s, secret) {
		t.Fatalf("sealed form %q", s)
	}
	if got, err := OpenString(k, s, "label-a"); err != nil || got != secret {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := OpenString(k, s, "label-b"); err == nil {
		t.Fatal("opened under another label")
	}
	if _, err := OpenString(k, secret, "label-a"); err != ErrNotSealed || IsSealedString(secret) {
		t.Fatalf("plain value: %v", err)
	}
	other, _ := New([]byte(strings.Repeat("k", KeySize)))
	if _, err := OpenString(other, s, "label-a"); err == nil {
		t.Fatal("opened with another master key")
	}
}

// BenchmarkOpenClientSecret is the cost of opening one sealed 51-character
// client secret (what a store pays per secret when it reads a client row).
func BenchmarkOpenClientSecret(b *testing.B) {
	k, _ := New(make([]byte, KeySize))
	label := "cognate client secret\x00abcdefghijklmnopqrstuvwxyz\x00abcdefghijklmnopqrstuvwxyz--1767322445123"
	s := SealString(k, strings.Repeat("x", 51), label)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenString(k, s, label); err != nil {
			b.Fatal(err)
		}
	}
}
