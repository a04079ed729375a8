package passkey_test

import (
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/passkey"
	"github.com/cognate/cognate/internal/passkey/passkeytest"
	"github.com/cognate/cognate/internal/userpool"
)

var (
	rp       = userpool.RelyingParty{ID: "localhost", UserVerification: "preferred"}
	alice    = userpool.PasskeyUser{Handle: []byte("sub-alice"), Name: "alice", DisplayName: "alice"}
	ceremony = passkey.Ceremony{}
)

const origin = "http://localhost:3000"

func register(t *testing.T, a *passkeytest.Authenticator, rp userpool.RelyingParty) userpool.Passkey {
	t.Helper()
	challenge := []byte("registration-challenge-0123456789")
	opts, err := ceremony.CreationOptions(rp, alice, challenge, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Register(opts, origin)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ceremony.RegistrationChallenge(resp); err != nil || string(got) != string(challenge) {
		t.Fatalf("challenge %q %v", got, err)
	}
	k, err := ceremony.VerifyRegistration(rp, alice, challenge, resp)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func assert(t *testing.T, a *passkeytest.Authenticator, rp userpool.RelyingParty, challenge []byte, from string, keys []userpool.Passkey) (userpool.Passkey, error) {
	t.Helper()
	opts, err := ceremony.RequestOptions(rp, []byte("assertion-challenge-0123456789ab"), keys)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Sign(opts, from)
	if err != nil {
		t.Fatal(err)
	}
	return ceremony.VerifyAssertion(rp, alice, challenge, resp, keys)
}

// TestAssertionRefusalsSayWhy: the domain answers every refusal with one
// NotAuthorizedException; here each one is seen failing for its own reason.
func TestAssertionRefusalsSayWhy(t *testing.T) {
	good := []byte("assertion-challenge-0123456789ab")
	a := passkeytest.New()
	k := register(t, a, rp)
	if k.ID != a.ID() || k.SignCount != 0 || len(k.PublicKey) == 0 || string(k.AAGUID) != "cognate-softauth" {
		t.Fatalf("registered %+v", k)
	}
	used, err := assert(t, a, rp, good, origin, []userpool.Passkey{k})
	if err != nil || used.ID != k.ID || used.SignCount != 1 {
		t.Fatalf("assertion %+v %v", used, err)
	}
	k.SignCount = used.SignCount

	stale := *a
	stale.SignCount = 0
	otherRP := *a
	otherRP.RPID = "example.com"
	noUV := *a
	noUV.NoUserVerification = true
	imposter := passkeytest.New()
	imposter.CredentialID, imposter.UserHandle = a.CredentialID, a.UserHandle
	stranger := passkeytest.New()
	stranger.UserHandle = a.UserHandle
	strict := rp
	strict.UserVerification = "required"
	for _, c := range []struct {
		name      string
		auth      *passkeytest.Authenticator
		rp        userpool.RelyingParty
		challenge []byte
		origin    string
		want      string
	}{
		{"wrong origin", a, rp, good, "https://evil.example", "is not allowed for the relying party id"},
		{"wrong rp id", &otherRP, rp, good, origin, "another relying party"},
		{"another challenge", a, rp, []byte("some-other-challenge-0123456789ab"), origin, "Error validating challenge"},
		{"stale sign count", &stale, rp, good, origin, "sign count did not grow"},
		{"forged signature", imposter, rp, good, origin, "Error validating the assertion signature"},
		{"unknown credential", stranger, rp, good, origin, "not one of the user's passkeys"},
		{"user verification required", &noUV, strict, good, origin, "User verification required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := assert(t, c.auth, c.rp, c.challenge, c.origin, []userpool.Passkey{k})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want …%s…", err, c.want)
			}
		})
	}
}
