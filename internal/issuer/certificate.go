package issuer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"time"
)

// SigningCertificate is GetSigningCertificate's answer: an X.509
// certificate (DER) of the pool's ID-token key, which is what the pool
// signs with. Cognito publishes one per pool, valid for ten years, for
// identity providers to check the SAML requests it signs. The certificate
// is a pure function of the key (serial and validity come from the key's
// kid and creation time; RSA PKCS #1 v1.5 signatures are deterministic),
// so every replica and every call answers the same bytes.
func (i *Issuer) SigningCertificate(ctx context.Context, poolID string) ([]byte, error) {
	pk, err := i.keys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	pk.certOnce.Do(func() {
		key := pk.idKey
		serial := sha256.Sum256([]byte(key.Kid))
		template := &x509.Certificate{
			SerialNumber:          new(big.Int).SetBytes(serial[:16]),
			Subject:               pkix.Name{CommonName: poolID},
			NotBefore:             key.CreatedAt.Truncate(time.Second),
			NotAfter:              key.CreatedAt.Truncate(time.Second).AddDate(10, 0, 0),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
		}
		pk.cert, pk.certErr = x509.CreateCertificate(rand.Reader, template, template, &key.Private.PublicKey, key.Private)
	})
	return pk.cert, pk.certErr
}
