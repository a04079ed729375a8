package passkey

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cognate/cognate/internal/userpool"
)

// timeout is the options' timeout: the validity of the domain's challenges.
const timeout = 5 * time.Minute

// Ceremony implements userpool.PasskeyCeremony.
type Ceremony struct{}

var _ userpool.PasskeyCeremony = Ceremony{}

// relyingParty is a go-webauthn instance for rp; origin is the one origin
// the ceremony accepts (the response's, once AllowsOrigin passed), as
// go-webauthn matches origins exactly and Cognate's rule is wider.
func relyingParty(rp userpool.RelyingParty, origin string) (*webauthn.WebAuthn, error) {
	if origin == "" {
		origin = "https://" + rp.ID
	}
	return webauthn.New(&webauthn.Config{
		RPID: rp.ID, RPDisplayName: rp.ID, RPOrigins: []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		// The ceremony's session is rebuilt from the domain's state, not kept
		// from Begin, so it does not list the extensions asked for (credProps);
		// outputs are not refused for that (go-webauthn's advice for such RPs).
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
		Timeouts: webauthn.TimeoutsConfig{
			Registration: webauthn.TimeoutConfig{Timeout: timeout, TimeoutUVD: timeout},
			Login:        webauthn.TimeoutConfig{Timeout: timeout, TimeoutUVD: timeout},
		},
	})
}

// user is the webauthn.User of a ceremony.
type user struct {
	userpool.PasskeyUser
	creds []webauthn.Credential
}

func (u user) WebAuthnID() []byte                         { return u.Handle }
func (u user) WebAuthnName() string                       { return u.Name }
func (u user) WebAuthnDisplayName() string                { return u.DisplayName }
func (u user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func uv(rp userpool.RelyingParty) protocol.UserVerificationRequirement {
	if rp.UserVerification == "required" {
		return protocol.VerificationRequired
	}
	return protocol.VerificationPreferred
}

func descriptors(keys []userpool.Passkey) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(keys))
	for _, k := range keys {
		id, err := base64.RawURLEncoding.DecodeString(k.ID)
		if err != nil {
			continue
		}
		d := protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: id}
		for _, t := range k.Transports {
			d.Transport = append(d.Transport, protocol.AuthenticatorTransport(t))
		}
		out = append(out, d)
	}
	return out
}

// withChallenge makes the domain's challenge (a sealed registration state)
// the creation options' challenge.
func withChallenge(challenge []byte) webauthn.RegistrationOption {
	return func(o *protocol.PublicKeyCredentialCreationOptions) error {
		o.Challenge = challenge
		return nil
	}
}

// CreationOptions implements userpool.PasskeyCeremony: a discoverable
// credential (passkey), no attestation, the user's passkeys excluded.
func (Ceremony) CreationOptions(rp userpool.RelyingParty, u userpool.PasskeyUser, challenge []byte, exclude []userpool.Passkey) (json.RawMessage, error) {
	w, err := relyingParty(rp, "")
	if err != nil {
		return nil, invalidRP(err)
	}
	required := true
	creation, _, err := w.BeginRegistration(user{PasskeyUser: u}, withChallenge(challenge),
		webauthn.WithExclusions(descriptors(exclude)),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			RequireResidentKey: &required, ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: uv(rp)}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps())) // as Cognito asks
	if err != nil {
		return nil, invalidRP(err)
	}
	return json.Marshal(creation.Response)
}

func invalidRP(err error) error {
	return userpool.Errorf(userpool.WebAuthnConfigurationMissing, "The relying party id is not usable for passkeys: %v", err)
}

// RegistrationChallenge implements userpool.PasskeyCeremony.
func (Ceremony) RegistrationChallenge(response []byte) ([]byte, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, malformed(err)
	}
	c, err := base64.RawURLEncoding.DecodeString(parsed.Response.CollectedClientData.Challenge)
	if err != nil {
		return nil, userpool.Errorf(userpool.WebAuthnChallengeNotFound, "The credential's challenge is not base64url.")
	}
	return c, nil
}

func malformed(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.DevInfo != "" {
		return userpool.Errorf(userpool.InvalidParameter, "Credential is not a valid RegistrationResponseJSON: %s (%s)", pe.Details, pe.DevInfo)
	}
	return userpool.Errorf(userpool.InvalidParameter, "Credential is not a valid RegistrationResponseJSON: %v", err)
}

// checkClient applies the checks whose failures have their own exception,
// before go-webauthn's (whose errors do not say which check failed).
func checkClient(rp userpool.RelyingParty, client protocol.CollectedClientData, rpIDHash []byte) error {
	if !rp.AllowsOrigin(client.Origin) {
		return userpool.Errorf(userpool.WebAuthnOriginNotAllowed, "The origin %q is not allowed for the relying party id %q.", client.Origin, rp.ID)
	}
	want := sha256.Sum256([]byte(rp.ID))
	if !bytes.Equal(rpIDHash, want[:]) {
		return userpool.Errorf(userpool.WebAuthnRelyingPartyMismatch, "The credential is for another relying party than %q.", rp.ID)
	}
	return nil
}

// VerifyRegistration implements userpool.PasskeyCeremony.
func (Ceremony) VerifyRegistration(rp userpool.RelyingParty, u userpool.PasskeyUser, challenge, response []byte) (userpool.Passkey, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return userpool.Passkey{}, malformed(err)
	}
	client := parsed.Response.CollectedClientData
	if err := checkClient(rp, client, parsed.Response.AttestationObject.AuthData.RPIDHash); err != nil {
		return userpool.Passkey{}, err
	}
	w, err := relyingParty(rp, client.Origin)
	if err != nil {
		return userpool.Passkey{}, invalidRP(err)
	}
	session := webauthn.SessionData{Challenge: base64.RawURLEncoding.EncodeToString(challenge), RelyingPartyID: rp.ID,
		UserID: u.Handle, UserVerification: uv(rp), CredParams: webauthn.CredentialParametersDefault()}
	cred, err := w.CreateCredential(user{PasskeyUser: u}, session, parsed)
	if err != nil {
		return userpool.Passkey{}, userpool.Errorf(userpool.WebAuthnCredentialNotSupported, "The passkey was not accepted: %s", describe(err))
	}
	k := userpool.Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Attachment: string(parsed.AuthenticatorAttachment),
		BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState}
	for _, t := range cred.Transport {
		k.Transports = append(k.Transports, string(t))
	}
	return k, nil
}

// describe is a go-webauthn error as a sentence.
func describe(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.DevInfo != "" {
			return pe.Details + " (" + pe.DevInfo + ")"
		}
		return pe.Details
	}
	return err.Error()
}

// RequestOptions implements userpool.PasskeyCeremony.
func (Ceremony) RequestOptions(rp userpool.RelyingParty, challenge []byte, allow []userpool.Passkey) (json.RawMessage, error) {
	w, err := relyingParty(rp, "")
	if err != nil {
		return nil, invalidRP(err)
	}
	assertion, _, err := w.BeginDiscoverableLogin(webauthn.WithChallenge(challenge), webauthn.WithUserVerification(uv(rp)),
		webauthn.WithAllowedCredentials(descriptors(allow)))
	if err != nil {
		return nil, invalidRP(err)
	}
	return json.Marshal(assertion.Response)
}

// VerifyAssertion implements userpool.PasskeyCeremony. Every refusal is a
// *userpool.Error (the domain answers them all alike).
func (Ceremony) VerifyAssertion(rp userpool.RelyingParty, u userpool.PasskeyUser, challenge, response []byte, keys []userpool.Passkey) (userpool.Passkey, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return userpool.Passkey{}, userpool.Errorf(userpool.InvalidParameter, "CREDENTIAL is not a valid AuthenticationResponseJSON: %s", describe(err))
	}
	if err := checkClient(rp, parsed.Response.CollectedClientData, parsed.Response.AuthenticatorData.RPIDHash); err != nil {
		return userpool.Passkey{}, err
	}
	var used *userpool.Passkey
	creds := make([]webauthn.Credential, 0, len(keys))
	for i, k := range keys {
		id, err := base64.RawURLEncoding.DecodeString(k.ID)
		if err != nil {
			continue
		}
		if bytes.Equal(id, parsed.RawID) {
			used = &keys[i]
		}
		creds = append(creds, webauthn.Credential{ID: id, PublicKey: k.PublicKey,
			Flags:         webauthn.CredentialFlags{BackupEligible: k.BackupEligible, BackupState: k.BackupState},
			Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount}})
	}
	if used == nil {
		return userpool.Passkey{}, userpool.Errorf(userpool.NotAuthorized, "The credential is not one of the user's passkeys.")
	}
	w, err := relyingParty(rp, parsed.Response.CollectedClientData.Origin)
	if err != nil {
		return userpool.Passkey{}, invalidRP(err)
	}
	session := webauthn.SessionData{Challenge: base64.RawURLEncoding.EncodeToString(challenge), RelyingPartyID: rp.ID,
		UserID: u.Handle, UserVerification: uv(rp)}
	cred, err := w.ValidateLogin(user{PasskeyUser: u, creds: creds}, session, parsed)
	if err != nil {
		return userpool.Passkey{}, userpool.Errorf(userpool.NotAuthorized, "The passkey assertion failed: %s", describe(err))
	}
	if cred.Authenticator.CloneWarning {
		return userpool.Passkey{}, userpool.Errorf(userpool.NotAuthorized, "The passkey's sign count did not grow (a replay or a cloned authenticator).")
	}
	out := *used
	out.SignCount = cred.Authenticator.SignCount
	return out, nil
}
