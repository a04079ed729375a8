package server_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// GetSigningCertificate answers a certificate of the pool's ID-token key
// (the key its JWKS publishes for ID tokens), self-signed, ten years, the
// same bytes on every call.
func TestSigningCertificateIsThePoolsKey(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	poolID := w.pool("saml", nil)
	get := func() []byte {
		t.Helper()
		out, err := w.api.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: &poolID})
		w.check(err)
		der, err := base64.StdEncoding.DecodeString(*out.Certificate)
		if err != nil {
			t.Fatalf("not base64 DER: %v", err)
		}
		return der
	}
	der := get()
	if again := get(); !bytes.Equal(der, again) {
		t.Fatal("two calls answered different certificates")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Fatalf("not self-signed: %v", err)
	}
	if years := cert.NotAfter.Sub(cert.NotBefore); years < 3650*24*time.Hour {
		t.Fatalf("valid for %v", years)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("public key %T", cert.PublicKey)
	}

	resp, err := http.Get(w.URL + "/" + poolID + "/.well-known/jwks.json")
	w.check(err)
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kid, N, Use string }
	}
	w.check(json.NewDecoder(resp.Body).Decode(&jwks))
	found := false
	for _, k := range jwks.Keys {
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		if new(big.Int).SetBytes(n).Cmp(pub.N) == 0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the certificate's key is not in the pool's JWKS (%d keys)", len(jwks.Keys))
	}

	_, err = w.api.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_nothere")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nothere does not exist.")
}
