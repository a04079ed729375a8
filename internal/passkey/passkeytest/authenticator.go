// Package passkeytest is a software WebAuthn authenticator for tests: a
// P-256 key, "none" attestation, CBOR by github.com/fxamacker/cbor/v2. It
// answers the options documents Cognate sends (creation and request
// options JSON) with RegistrationResponseJSON and
// AuthenticationResponseJSON, as a browser with a platform authenticator
// would, and can be told to misbehave (another RP id, no user
// verification, a stale counter) so that tests see each refusal.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator holds one credential.
type Authenticator struct {
	Key          *ecdsa.PrivateKey
	CredentialID []byte
	AAGUID       [16]byte
	// SignCount is the counter the next assertion reports (then it grows
	// by one). Set it back to replay an old count; keep it 0 with
	// NoCounter for an authenticator that keeps none.
	SignCount uint32
	NoCounter bool
	// UserHandle is what registration was given (user.id), sent back in
	// assertions.
	UserHandle []byte
	// RPID, when set, is the RP id the authenticator hashes into its data
	// instead of the options' (a credential for another relying party).
	RPID string
	// NoUserVerification clears the UV flag (a key without PIN or biometrics).
	NoUserVerification bool
}

// New is an authenticator with a fresh key and credential id.
func New() *Authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	a := &Authenticator{Key: key, CredentialID: id}
	copy(a.AAGUID[:], "cognate-softauth")
	return a
}

// ID is the credential id as the wire shows it (base64url).
func (a *Authenticator) ID() string { return b64(a.CredentialID) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// options is what both options documents carry that an authenticator reads.
type options struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

func parseOptions(doc []byte) (options, error) {
	var o options
	if err := json.Unmarshal(doc, &o); err != nil {
		return o, fmt.Errorf("options: %w", err)
	}
	if o.RPID == "" {
		o.RPID = o.RP.ID
	}
	return o, nil
}

func (a *Authenticator) authData(rpID string, extra []byte, attested bool) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	flags := byte(0x01) // UP
	if !a.NoUserVerification {
		flags |= 0x04 // UV
	}
	if attested {
		flags |= 0x40 // AT
	}
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.SignCount)
	return append(out, extra...)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// coseKey is the credential's public key as a COSE_Key (EC2, ES256).
func (a *Authenticator) coseKey() []byte {
	pub, err := a.Key.PublicKey.ECDH()
	if err != nil {
		panic(err)
	}
	raw := pub.Bytes() // 0x04 || X || Y
	b, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
	if err != nil {
		panic(err)
	}
	return b
}

// Register answers PublicKeyCredentialCreationOptionsJSON (what
// StartWebAuthnRegistration returns) as a page at origin would get it from
// navigator.credentials.create: RegistrationResponseJSON.
func (a *Authenticator) Register(creationOptions []byte, origin string) ([]byte, error) {
	o, err := parseOptions(creationOptions)
	if err != nil {
		return nil, err
	}
	if a.UserHandle, err = base64.RawURLEncoding.DecodeString(o.User.ID); err != nil {
		return nil, fmt.Errorf("user.id: %w", err)
	}
	attested := append([]byte{}, a.AAGUID[:]...)
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.CredentialID)))
	attested = append(attested, a.CredentialID...)
	attested = append(attested, a.coseKey()...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(o.RPID, attested, true)})
	if err != nil {
		return nil, err
	}
	return a.credential(map[string]any{"credProps": map[string]any{"rk": true}}, map[string]any{
		"clientDataJSON":    b64(clientData("webauthn.create", o.Challenge, origin)),
		"attestationObject": b64(att),
		"transports":        []string{"internal", "hybrid"},
	})
}

// Sign answers PublicKeyCredentialRequestOptionsJSON (USER_AUTH's
// CREDENTIAL_REQUEST_OPTIONS) from origin: AuthenticationResponseJSON.
func (a *Authenticator) Sign(requestOptions []byte, origin string) ([]byte, error) {
	o, err := parseOptions(requestOptions)
	if err != nil {
		return nil, err
	}
	if !a.NoCounter {
		a.SignCount++
	}
	data := a.authData(o.RPID, nil, false)
	cd := clientData("webauthn.get", o.Challenge, origin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, data...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return a.credential(map[string]any{}, map[string]any{
		"clientDataJSON":    b64(cd),
		"authenticatorData": b64(data),
		"signature":         b64(sig),
		"userHandle":        b64(a.UserHandle),
	})
}

// credential is a PublicKeyCredential's JSON around response (with the
// client extension results a browser reports: credProps on registration).
func (a *Authenticator) credential(extensions, response map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{
		"id": a.ID(), "rawId": a.ID(), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": extensions, "response": response,
	})
}
