package srp

import (
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"testing"
)

const (
	vPool      = "ExAmPlE12"
	vUser      = "alice"
	vPassword  = "Passw0rd!"
	vSalt      = "b2a4e6c8d0f1a3b5c7d9e1f3a5b7c9d1"
	vBlock     = "b3BhcXVlLXNlY3JldC1ibG9jay1leGFtcGxl"
	vTimestamp = "Tue Jan 2 15:04:05 UTC 2024"
	vClaim     = "3UDDfoDoPP3JvGXF9kDz6kVnd/AgCyTWIS0CHoPG+3c="
)

func TestSpecVector(t *testing.T) {
	if got := hex.EncodeToString(bigK.Bytes()); got != "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6" {
		t.Fatalf("k = %s", got)
	}
	salt, _ := hex.DecodeString(vSalt)
	if got := hex.EncodeToString(pad(new(big.Int).SetBytes(salt))); got != "00"+vSalt {
		t.Fatalf("PAD(salt) = %s", got)
	}
	x := computeX(vPool, vUser, vPassword, salt)
	if got := x.Text(16); got != "4ae2ec920a55d7cd98142bd68c35f7bfbfe8fb8d3f49bb03ba97bb729ae4c59a" {
		t.Fatalf("x = %s", got)
	}
	v := ComputeVerifier(vPool, vUser, vPassword, salt)
	if got := new(big.Int).SetBytes(v).Text(16); got != vectorV {
		t.Fatalf("v = %s", got)
	}
	a, b := DecodeHex(vectorSmallA), DecodeHex(vectorSmallB)
	A := ClientA(a)
	if A.Text(16) != vectorBigA {
		t.Fatalf("A = %s", A.Text(16))
	}
	c, err := NewChallengeWithSecret(v, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.BHex() != vectorBigB {
		t.Fatalf("B = %s", c.BHex())
	}
	u := new(big.Int).SetBytes(hash(pad(A), pad(c.B)))
	if u.Text(16) != "f8da231773a145e6ed1f3e72b312c4148141b49eddf1844ae92135d13248f7de" || len(pad(u)) != 33 {
		t.Fatalf("u = %s", u.Text(16))
	}
	// S from the server's formula.
	S := new(big.Int).Exp(new(big.Int).SetBytes(v), u, bigN)
	S.Mul(S, A).Mod(S, bigN).Exp(S, b, bigN)
	if S.Text(16) != vectorS {
		t.Fatalf("S = %s", S.Text(16))
	}
	if got := hex.EncodeToString(hkdf(u, S)); got != "9d632e0d91dcb045284e6ed906afa932" {
		t.Fatalf("K = %s", got)
	}
	block, _ := base64.StdEncoding.DecodeString(vBlock)
	_, canonical, err := ParseTimestamp(vTimestamp)
	if err != nil || canonical != vTimestamp {
		t.Fatalf("timestamp %q %v", canonical, err)
	}
	want, err := c.ExpectedSignature(vPool, vUser, A, v, block, canonical)
	if err != nil {
		t.Fatal(err)
	}
	if base64.StdEncoding.EncodeToString(want) != vClaim {
		t.Fatalf("signature %s", base64.StdEncoding.EncodeToString(want))
	}
	if !VerifySignature(want, vClaim) {
		t.Fatal("VerifySignature rejects the vector")
	}
	// The client formula agrees (S from both sides).
	cs, err := ClientSignature(vPool, vUser, vPassword, salt, a, c.B, block, canonical)
	if err != nil || base64.StdEncoding.EncodeToString(cs) != vClaim {
		t.Fatalf("client signature %x %v", cs, err)
	}
	if SaltHex(salt) != vSalt {
		t.Fatalf("SaltHex %s", SaltHex(salt))
	}
}

func TestRoundTripAndWrongPassword(t *testing.T) {
	salt, v, err := NewVerifier("Pool1", "bob", "Right-Pass-1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChallenge(v)
	if err != nil {
		t.Fatal(err)
	}
	a := DecodeHex("1234567890abcdef1234567890abcdef1234567890abcdef")
	A := ClientA(a)
	ts := "Wed Mar 4 05:06:07 UTC 2026"
	want, err := c.ExpectedSignature("Pool1", "bob", A, v, []byte("block"), ts)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := ClientSignature("Pool1", "bob", "Right-Pass-1", salt, a, c.B, []byte("block"), ts)
	bad, _ := ClientSignature("Pool1", "bob", "Wrong-Pass-1", salt, a, c.B, []byte("block"), ts)
	if !VerifySignature(want, base64.StdEncoding.EncodeToString(good)) {
		t.Fatal("right password rejected")
	}
	if VerifySignature(want, base64.StdEncoding.EncodeToString(bad)) {
		t.Fatal("wrong password accepted")
	}
	if VerifySignature(want, "not base64!") {
		t.Fatal("garbage accepted")
	}
	// Device flavour: same math, other realm/user.
	dsalt, dv, _ := NewVerifier("devgroup", "us-east-1_dev", "devpass")
	dc, _ := NewChallenge(dv)
	dwant, _ := dc.ExpectedSignature("devgroup", "us-east-1_dev", A, dv, []byte("b"), ts)
	dgot, _ := ClientSignature("devgroup", "us-east-1_dev", "devpass", dsalt, a, dc.B, []byte("b"), ts)
	if !VerifySignature(dwant, base64.StdEncoding.EncodeToString(dgot)) {
		t.Fatal("device flavour")
	}
}

func TestParseA(t *testing.T) {
	for name, in := range map[string]string{
		"zero": "0", "N": bigN.Text(16), "2N": new(big.Int).Lsh(bigN, 1).Text(16), "not hex": "xyz",
		"negative": "-5", "empty": "", "too long": string(make([]byte, 1025)),
	} {
		if _, err := ParseA(in); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := ParseA(ClientA(big.NewInt(12345)).Text(16)); err != nil {
		t.Fatal(err)
	}
}

func TestParseTimestamp(t *testing.T) {
	cases := map[string]string{
		"Tue Jan 2 15:04:05 UTC 2024":  "Tue Jan 2 15:04:05 UTC 2024",
		"Tue Jan 02 15:04:05 UTC 2024": "Tue Jan 2 15:04:05 UTC 2024", // re-formatted: the signature then fails, as in AWS
		"Tue Jan  2 15:04:05 UTC 2024": "Tue Jan 2 15:04:05 UTC 2024",
	}
	for in, want := range cases {
		_, got, err := ParseTimestamp(in)
		if err != nil || got != want {
			t.Errorf("%q → %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "2024-01-02T15:04:05Z", "Tue Jan 2 15:04:05 2024"} {
		if _, _, err := ParseTimestamp(bad); err == nil || err.Error() != "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english." {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzChallengeInputs(f *testing.F) {
	f.Add(vectorBigA, vTimestamp, vClaim)
	f.Add("0", "", "")
	f.Add(bigN.Text(16), "Mon Jan 1 00:00:00 UTC 0000", "====")
	f.Add("-1", "Tue Feb 30 25:61:61 UTC 2024", "AAAA")
	_, v, _ := NewVerifier("p", "u", "pw")
	c, _ := NewChallenge(v)
	f.Fuzz(func(t *testing.T, hexA, ts, sig string) {
		A, err := ParseA(hexA)
		if err != nil {
			return
		}
		_, canonical, err := ParseTimestamp(ts)
		if err != nil {
			return
		}
		want, err := c.ExpectedSignature("p", "u", A, v, []byte("blk"), canonical)
		if err != nil {
			return
		}
		if VerifySignature(want, sig) {
			t.Fatalf("forged signature accepted: A=%s sig=%s", hexA, sig)
		}
	})
}

func BenchmarkServerVerify(b *testing.B) {
	salt, v, _ := NewVerifier("Pool1", "bob", "Right-Pass-1")
	a := DecodeHex(vectorSmallA)
	A := ClientA(a)
	ts := "Wed Mar 4 05:06:07 UTC 2026"
	c0, _ := NewChallenge(v)
	sig, _ := ClientSignature("Pool1", "bob", "Right-Pass-1", salt, a, c0.B, []byte("blk"), ts)
	claimB64 := base64.StdEncoding.EncodeToString(sig)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := NewChallenge(v) // InitiateAuth's cost
		want, _ := c0.ExpectedSignature("Pool1", "bob", A, v, []byte("blk"), ts)
		if !VerifySignature(want, claimB64) {
			b.Fatal("rejected")
		}
		_ = c
	}
}
