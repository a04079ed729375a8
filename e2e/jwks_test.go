package e2e

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// independentVerify checks a JWT against the pool's published JWKS with
// golang-jwt, a library Cognate's own code does not use: what a stateless
// third-party verifier sees.
func independentVerify(t *testing.T, baseURL, poolID, token string) (jwt.MapClaims, string, error) {
	t.Helper()
	keys := fetchJWKS(t, baseURL, poolID)
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		k, ok := keys[kid]
		if !ok {
			return nil, fmt.Errorf("kid %q not in JWKS", kid)
		}
		return k, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return nil, "", err
	}
	kid, _ := parsed.Header["kid"].(string)
	return claims, kid, nil
}

func fetchJWKS(t *testing.T, baseURL, poolID string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(baseURL + "/" + poolID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("jwks status %d", resp.StatusCode)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		for _, f := range []string{"alg", "e", "kid", "kty", "n", "use"} {
			if _, ok := k[f].(string); !ok {
				t.Fatalf("JWK lacks string %q: %v", f, k)
			}
		}
		if k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" {
			t.Fatalf("JWK %v", k)
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k["n"].(string))
		e, err2 := base64.RawURLEncoding.DecodeString(k["e"].(string))
		if err1 != nil || err2 != nil {
			t.Fatalf("JWK n/e not base64url: %v %v", err1, err2)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 {
			t.Fatalf("key of %d bits", pub.N.BitLen())
		}
		out[k["kid"].(string)] = pub
	}
	return out
}
