package token

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

type keyset map[string]*Key

func (k keyset) PublicKey(kid string) (*rsa.PublicKey, Use, bool) {
	key, ok := k[kid]
	if !ok {
		return nil, "", false
	}
	return &key.Private.PublicKey, key.Use, true
}

var testKeys = func() [2]*Key {
	a, _ := GenerateKey(UseID, time.Unix(1, 0))
	b, _ := GenerateKey(UseAccess, time.Unix(1, 0))
	return [2]*Key{a, b}
}()

func TestSignVerifyAndIndependentCheck(t *testing.T) {
	idKey, accessKey := testKeys[0], testKeys[1]
	if idKey.Kid == accessKey.Kid {
		t.Fatal("two keys share a kid")
	}
	s, err := NewSigner(accessKey)
	if err != nil {
		t.Fatal(err)
	}
	claims := &AccessClaims{Sub: "s", Iss: "https://x/us-east-1_a", ClientID: "c", TokenUse: "access", Exp: 2, Iat: 1, JTI: "j", Username: "u"}
	tok, err := s.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`).MatchString(tok) {
		t.Fatalf("token is not unpadded base64url: %s", tok)
	}
	h, payload, err := Verify(tok, keyset{accessKey.Kid: accessKey})
	if err != nil || h.Kid != accessKey.Kid || h.Use != UseAccess {
		t.Fatalf("verify: %v %+v", err, h)
	}
	got, _ := ParseAccessClaims(payload)
	if got.Username != "u" || got.ClientID != "c" {
		t.Fatalf("claims %+v", got)
	}
	// Independent check: go-jose with the key from the JWKS document.
	doc, err := JWKS([]*Key{idKey, accessKey})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(accessKey.Kid)
	if len(keys) != 1 {
		t.Fatalf("kid not in JWKS")
	}
	if _, err := jws.Verify(keys[0].Public()); err != nil {
		t.Fatalf("go-jose rejects our token: %v", err)
	}
}

func TestJWKSFields(t *testing.T) {
	doc, _ := JWKS([]*Key{testKeys[0]})
	var set struct{ Keys []map[string]any }
	json.Unmarshal(doc, &set)
	if len(set.Keys) != 1 {
		t.Fatal(string(doc))
	}
	for _, f := range []string{"alg", "e", "kid", "kty", "n", "use"} {
		if _, ok := set.Keys[0][f].(string); !ok {
			t.Fatalf("missing %s: %s", f, doc)
		}
	}
	if set.Keys[0]["e"] != "AQAB" || set.Keys[0]["use"] != "sig" || set.Keys[0]["alg"] != "RS256" || set.Keys[0]["kty"] != "RSA" {
		t.Fatalf("jwk %v", set.Keys[0])
	}
}

// respell sets a padding bit of a base64url segment's last character: a
// lenient decoder reads the same bytes, a strict one refuses.
func respell(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		panic("segment has no padding bits")
	}
	i := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[i^1])
}

func TestVerifyRejects(t *testing.T) {
	k := testKeys[1]
	s, _ := NewSigner(k)
	tok, _ := s.Sign(map[string]any{"sub": "x"})
	parts := strings.Split(tok, ".")
	ks := keyset{k.Kid: k}
	enc := base64.RawURLEncoding
	hdr := func(v any) string { b, _ := json.Marshal(v); return enc.EncodeToString(b) }
	cases := map[string]struct {
		tok  string
		want error
	}{
		"alg none":         {hdr(map[string]string{"alg": "none", "kid": k.Kid}) + "." + parts[1] + ".", ErrBadSignature},
		"HS256 confusion":  {hdr(map[string]string{"alg": "HS256", "kid": k.Kid}) + "." + parts[1] + "." + parts[2], ErrBadSignature},
		"tampered payload": {parts[0] + "." + enc.EncodeToString([]byte(`{"sub":"y"}`)) + "." + parts[2], ErrBadSignature},
		"unknown kid":      {hdr(map[string]string{"alg": "RS256", "kid": "nope"}) + "." + parts[1] + "." + parts[2], ErrUnknownKey},
		"two parts":        {parts[0] + "." + parts[1], ErrMalformed},
		"four parts":       {parts[0] + "." + parts[1] + ".x." + parts[2], ErrBadSignature},
		"garbage header":   {"!!!." + parts[1] + "." + parts[2], ErrMalformed},
		"empty":            {"", ErrMalformed},
		// Non-zero padding bits: the same signature bytes, another spelling
		// (header and payload are covered by the signature as spelled).
		"respelled signature": {parts[0] + "." + parts[1] + "." + respell(parts[2]), ErrMalformed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Verify(c.tok, ks); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestIDClaimsMergeAttributes(t *testing.T) {
	c := &IDClaims{Sub: "s", Iss: "i", Aud: "a", TokenUse: "id", CognitoUsername: "u", Exp: 2, Iat: 1, JTI: "j",
		Attributes: map[string]any{"email": "e@x", "email_verified": true, "custom:tier": "7", "sub": "evil", "iss": "evil"}}
	raw, _ := json.Marshal(c)
	var m map[string]any
	json.Unmarshal(raw, &m)
	if m["sub"] != "s" || m["iss"] != "i" || m["email"] != "e@x" || m["email_verified"] != true || m["custom:tier"] != "7" {
		t.Fatalf("%s", raw)
	}
	if _, ok := m["cognito:groups"]; ok {
		t.Fatal("empty groups rendered")
	}
}

func TestPrivateKeyRoundTrip(t *testing.T) {
	der := MarshalPrivateKey(testKeys[0].Private)
	k, err := ParsePrivateKey(der)
	if err != nil || !k.Equal(testKeys[0].Private) {
		t.Fatalf("round trip: %v", err)
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := NewSigner(testKeys[1])
	c := &AccessClaims{Sub: "5f0e6a8e-1b2c-4d3e-8f90-123456789abc", Iss: "http://127.0.0.1:9229/us-east-1_abcdefghi", ClientID: "abcdefghijklmnopqrstuvwxyz",
		TokenUse: "access", Scope: "aws.cognito.signin.user.admin", Exp: 2, Iat: 1, JTI: "j", Username: "user"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	s, _ := NewSigner(testKeys[1])
	tok, _ := s.Sign(map[string]any{"sub": "x"})
	ks := keyset{testKeys[1].Kid: testKeys[1]}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := Verify(tok, ks); err != nil {
				b.Fatal(err)
			}
		}
	})
}
