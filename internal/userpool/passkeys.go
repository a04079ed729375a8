package userpool

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Passkeys (WebAuthn credentials): the pool's relying-party configuration,
// registration (StartWebAuthnRegistration, CompleteWebAuthnRegistration),
// listing and deletion. The protocol itself (CBOR, COSE keys, signatures)
// is behind the PasskeyCeremony port (internal/passkey over go-webauthn),
// so this package decides who may do what and the adapter checks bytes.

// The WebAuthn exception types (the model's error lists).
const (
	WebAuthnConfigurationMissing   = "WebAuthnConfigurationMissingException"
	WebAuthnChallengeNotFound      = "WebAuthnChallengeNotFoundException"
	WebAuthnClientMismatch         = "WebAuthnClientMismatchException"
	WebAuthnRelyingPartyMismatch   = "WebAuthnRelyingPartyMismatchException"
	WebAuthnOriginNotAllowed       = "WebAuthnOriginNotAllowedException"
	WebAuthnCredentialNotSupported = "WebAuthnCredentialNotSupportedException"
)

const (
	// maxPasskeysPerUser: Cognito documents no number; ListWebAuthnCredentials
	// pages at most 20 (WebAuthnCredentialsQueryLimitType), and Cognate takes
	// that as the limit of one user's passkeys (LimitExceededException past it).
	maxPasskeysPerUser = 20
	// passkeyChallengeValidity is how long a Start (or a WEB_AUTHN
	// challenge) may be answered; Cognito publishes none, Cognate takes the
	// options' timeout, five minutes.
	passkeyChallengeValidity = 5 * time.Minute
	registrationLabel        = "webauthn-registration"
)

// WebAuthnConfig is WebAuthnConfigurationType as the pool stores it.
type WebAuthnConfig struct {
	RelyingPartyId      string `json:"RelyingPartyId,omitempty"`
	UserVerification    string `json:"UserVerification,omitempty"`
	FactorConfiguration string `json:"FactorConfiguration,omitempty"`
}

// Effective is the configuration with Cognito's defaults filled in
// (preferred user verification, passkeys a single factor), as
// GetUserPoolMfaConfig shows it.
func (c *WebAuthnConfig) Effective() WebAuthnConfig {
	var out WebAuthnConfig
	if c != nil {
		out = *c
	}
	if out.UserVerification == "" {
		out.UserVerification = "preferred"
	}
	if out.FactorConfiguration == "" {
		out.FactorConfiguration = "SINGLE_FACTOR"
	}
	return out
}

// checkWebAuthnConfig applies what the model's enums and lengths leave
// open: a relying party id is a host name (no scheme, port or path), as
// the WebAuthn rpId is.
func checkWebAuthnConfig(c *WebAuthnConfig) error {
	if c == nil || c.RelyingPartyId == "" {
		return nil
	}
	id := c.RelyingPartyId
	if strings.ContainsAny(id, ":/?#@ ") || strings.HasPrefix(id, ".") || strings.HasSuffix(id, ".") || strings.Contains(id, "..") {
		return Errorf(InvalidParameter, "RelyingPartyId must be a domain name such as auth.example.com, not %q.", truncate(id, 64))
	}
	c.RelyingPartyId = strings.ToLower(id)
	return nil
}

// Passkey is one registered WebAuthn credential of a user.
type Passkey struct {
	PoolID  string
	UserSub string
	// ID is the credential id, base64url without padding (the wire's
	// CredentialId and the authenticator's rawId encoded).
	ID             string
	PublicKey      []byte // COSE_Key
	SignCount      uint32
	AAGUID         []byte
	Transports     []string
	Attachment     string
	FriendlyName   string
	RelyingPartyID string
	// BackupEligible and BackupState are the credential's BE and BS flags;
	// the BE flag may not change between ceremonies (WebAuthn §7.2 step 18).
	BackupEligible bool
	BackupState    bool
	CreatedAt      time.Time
	LastUsedAt     time.Time
}

// RelyingParty is what a ceremony checks a credential against.
type RelyingParty struct {
	ID string
	// UserVerification is "required" or "preferred".
	UserVerification string
}

// AllowsOrigin is Cognate's origin rule, where Cognito only says the
// origin must "align with the user pool relying party id": https on the
// RP id or a subdomain of it, any port; for the RP id localhost also http
// (browsers treat http://localhost as a secure context), any port.
func (rp RelyingParty) AllowsOrigin(origin string) bool {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || strings.ContainsAny(rest, "/?#@") {
		return false
	}
	host := rest
	if h, port, found := strings.Cut(rest, ":"); found {
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return false
		}
		host = h
	}
	host = strings.ToLower(host)
	if host != rp.ID && !strings.HasSuffix(host, "."+rp.ID) {
		return false
	}
	return scheme == "https" || (scheme == "http" && rp.ID == "localhost" && host == "localhost")
}

// PasskeyUser is the user entity of a ceremony: the WebAuthn user handle
// is the user's sub.
type PasskeyUser struct {
	Handle      []byte
	Name        string
	DisplayName string
}

// PasskeyCeremony is the WebAuthn protocol. Its errors for a failed
// registration are *Error of the WebAuthn* and InvalidParameter kinds.
type PasskeyCeremony interface {
	// CreationOptions is PublicKeyCredentialCreationOptionsJSON.
	CreationOptions(rp RelyingParty, user PasskeyUser, challenge []byte, exclude []Passkey) (json.RawMessage, error)
	// RegistrationChallenge reads, unverified, the challenge that a
	// RegistrationResponseJSON answers.
	RegistrationChallenge(response []byte) ([]byte, error)
	// VerifyRegistration checks response against the challenge, the RP and
	// its origins, and returns the new credential (ID, key, flags, …).
	VerifyRegistration(rp RelyingParty, user PasskeyUser, challenge, response []byte) (Passkey, error)
	// RequestOptions is PublicKeyCredentialRequestOptionsJSON.
	RequestOptions(rp RelyingParty, challenge []byte, allow []Passkey) (json.RawMessage, error)
	// VerifyAssertion checks an AuthenticationResponseJSON made with one of
	// creds and returns that credential with its new sign count; an error
	// when it fails, a *Error with ReplayedAssertion's message when the
	// sign count did not grow.
	VerifyAssertion(rp RelyingParty, user PasskeyUser, challenge, response []byte, creds []Passkey) (Passkey, error)
}

// PasskeyStore persists passkeys. DeleteUser and DeletePool remove them.
type PasskeyStore interface {
	// CreatePasskey adds p when its user has fewer than max passkeys, in
	// one transaction; false (and nothing written) at the limit;
	// ErrAlreadyExists when the credential id is registered in the pool.
	CreatePasskey(ctx context.Context, p Passkey, max int) (bool, error)
	GetPasskey(ctx context.Context, poolID, id string) (Passkey, error)
	// ListPasskeys returns up to limit passkeys of the user with id > after,
	// ordered by id.
	ListPasskeys(ctx context.Context, poolID, sub, after string, limit int) ([]Passkey, error)
	// UsePasskey records a sign-in: the sign count becomes signCount when
	// it is greater than the stored one, or when both are 0 (authenticators
	// that keep no counter). false when neither holds (a replayed or cloned
	// authenticator): nothing is written.
	UsePasskey(ctx context.Context, poolID, id string, signCount uint32, at time.Time) (bool, error)
	// DeletePasskey removes the user's passkey; ErrNotFound when the user
	// has none with that id.
	DeletePasskey(ctx context.Context, poolID, sub, id string) error
	// DomainOfPool is the pool's domain prefix; ErrNotFound when it has none.
	DomainOfPool(ctx context.Context, poolID string) (string, error)
}

// Passkeys serves the passkey operations and USER_AUTH's WEB_AUTHN
// challenge (passkey_sign_in.go).
type Passkeys struct {
	Store    Store
	Now      Clock
	Sealer   Sealer
	Sessions *Sessions
	Ceremony PasskeyCeremony
}

// allowsWebAuthn reports whether the pool lets passkeys be a first factor
// (Policies.SignInPolicy.AllowedFirstAuthFactors has WEB_AUTHN), which is
// Cognate's reading of WebAuthnNotEnabledException's "the passkey feature
// isn't enabled for the user pool". Unset, Cognito allows PASSWORD alone.
func allowsWebAuthn(pool *Pool) bool {
	if pool.Settings.Policies == nil || len(pool.Settings.Policies.SignInPolicy) == 0 {
		return false
	}
	var policy struct{ AllowedFirstAuthFactors []string }
	if json.Unmarshal(pool.Settings.Policies.SignInPolicy, &policy) != nil {
		return false
	}
	return slices.Contains(policy.AllowedFirstAuthFactors, "WEB_AUTHN")
}

// passkeySatisfiesMFA reports whether a passkey sign-in counts as MFA in
// the pool (FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION; the
// ceremony then requires user verification). USER_AUTH asks it before it
// would ask for a second factor after a passkey.
func passkeySatisfiesMFA(pool *Pool) bool {
	return pool.Settings.WebAuthn.Effective().FactorConfiguration == "MULTI_FACTOR_WITH_USER_VERIFICATION"
}

// relyingParty is the pool's RP: the configured id, else (as Cognito) the
// pool's domain, <prefix>.auth.<region>.amazoncognito.com.
func (p *Passkeys) relyingParty(ctx context.Context, pool *Pool) (RelyingParty, error) {
	cfg := pool.Settings.WebAuthn.Effective()
	rp := RelyingParty{ID: cfg.RelyingPartyId, UserVerification: cfg.UserVerification}
	if passkeySatisfiesMFA(pool) {
		// "your user pool requires passkey authenticators to perform user
		// verification" (WebAuthnFactorConfigurationType).
		rp.UserVerification = "required"
	}
	if rp.ID != "" {
		return rp, nil
	}
	prefix, err := p.Store.DomainOfPool(ctx, pool.ID)
	if errors.Is(err, ErrNotFound) {
		return rp, Errorf(WebAuthnConfigurationMissing, "The user pool doesn't have a configured relying party id or a user pool domain.")
	} else if err != nil {
		return rp, err
	}
	region, _ := SplitPoolID(pool.ID)
	rp.ID = prefix + ".auth." + region + ".amazoncognito.com"
	return rp, nil
}

func passkeyUserOf(u *User) PasskeyUser {
	return PasskeyUser{Handle: []byte(u.Sub), Name: u.Username, DisplayName: u.Username}
}

// registrationChallenge is what a Start's challenge carries, sealed: the
// challenge itself is the state (the authenticator echoes it in
// clientDataJSON), so Complete needs no row, works on any replica, and
// the nonce makes it single-use. Several Starts may be open at once.
type registrationChallenge struct {
	Pool    string
	Sub     string
	Client  string
	RP      string
	UV      string
	Expires int64
	Nonce   string
}

// passkeyOperation is the prelude of the four operations: the token's
// user and pool, with passkeys enabled in the pool.
func (p *Passkeys) passkeyOperation(ctx context.Context, accessToken string) (Session, error) {
	a, err := p.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return a, err
	}
	if !allowsWebAuthn(&a.Pool) {
		return a, Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool: add WEB_AUTHN to Policies.SignInPolicy.AllowedFirstAuthFactors.")
	}
	return a, nil
}

// StartRegistration is StartWebAuthnRegistration: the creation options,
// with the user's passkeys excluded.
func (p *Passkeys) StartRegistration(ctx context.Context, accessToken string) (json.RawMessage, error) {
	a, err := p.passkeyOperation(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	rp, err := p.relyingParty(ctx, &a.Pool)
	if err != nil {
		return nil, err
	}
	existing, err := p.Store.ListPasskeys(ctx, a.Pool.ID, a.User.Sub, "", maxPasskeysPerUser+1)
	if err != nil {
		return nil, err
	}
	if len(existing) >= maxPasskeysPerUser {
		return nil, errPasskeyLimit()
	}
	raw, _ := json.Marshal(registrationChallenge{Pool: a.Pool.ID, Sub: a.User.Sub, Client: a.Claims.ClientID, RP: rp.ID,
		UV: rp.UserVerification, Expires: p.Now().Add(passkeyChallengeValidity).Unix(), Nonce: uuid.NewString()})
	challenge := p.Sealer.Seal(raw, registrationLabel)
	return p.Ceremony.CreationOptions(rp, passkeyUserOf(&a.User), challenge, existing)
}

func errPasskeyLimit() error {
	return Errorf(LimitExceeded, "The user has the most passkeys allowed (%d); delete one first.", maxPasskeysPerUser)
}

func errChallengeNotFound() error {
	return Errorf(WebAuthnChallengeNotFound, "The registration challenge was not found: it expired, was used, or was not issued by StartWebAuthnRegistration.")
}

// CompleteRegistration is CompleteWebAuthnRegistration: credential answers
// a Start of the same user and client, once, in time.
func (p *Passkeys) CompleteRegistration(ctx context.Context, accessToken string, credential []byte) error {
	a, err := p.passkeyOperation(ctx, accessToken)
	if err != nil {
		return err
	}
	challenge, err := p.Ceremony.RegistrationChallenge(credential)
	if err != nil {
		return err
	}
	raw, err := p.Sealer.Open(challenge, registrationLabel)
	var st registrationChallenge
	if err != nil || json.Unmarshal(raw, &st) != nil || st.Pool != a.Pool.ID || st.Sub != a.User.Sub {
		return errChallengeNotFound()
	}
	now := p.Now()
	if now.Unix() >= st.Expires {
		return errChallengeNotFound()
	}
	if st.Client != a.Claims.ClientID {
		return Errorf(WebAuthnClientMismatch, "The access token is for another app client than the one that started this registration.")
	}
	rp, err := p.relyingParty(ctx, &a.Pool)
	if err != nil {
		return err
	}
	if rp.ID != st.RP {
		return Errorf(WebAuthnRelyingPartyMismatch, "The user pool's relying party id changed since this registration started.")
	}
	rp.UserVerification = st.UV
	key, err := p.Ceremony.VerifyRegistration(rp, passkeyUserOf(&a.User), challenge, credential)
	if err != nil {
		return err
	}
	// Spent only once it verified: a malformed answer does not burn the
	// challenge, a second good one loses.
	if err := p.Store.ConsumeNonce(ctx, "webauthn-reg:"+st.Nonce, time.Unix(st.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return errChallengeNotFound()
	} else if err != nil {
		return err
	}
	key.PoolID, key.UserSub, key.RelyingPartyID, key.CreatedAt, key.LastUsedAt = a.Pool.ID, a.User.Sub, rp.ID, now, time.Time{}
	if key.FriendlyName == "" {
		key.FriendlyName = friendlyPasskeyName(key)
	}
	ok, err := p.Store.CreatePasskey(ctx, key, maxPasskeysPerUser)
	if errors.Is(err, ErrAlreadyExists) {
		return Errorf(InvalidParameter, "This passkey is already registered.")
	} else if err != nil {
		return err
	}
	if !ok {
		return errPasskeyLimit()
	}
	return nil
}

// friendlyPasskeyName is Cognito's "automatically-generated friendly
// name"; its scheme is not published, Cognate names the attachment and
// the credential id's start.
func friendlyPasskeyName(k Passkey) string {
	kind := "Passkey"
	switch k.Attachment {
	case "platform":
		kind = "Platform passkey"
	case "cross-platform":
		kind = "Security key"
	}
	id := k.ID
	if len(id) > 8 {
		id = id[:8]
	}
	return kind + " " + id
}

// ListRegistered is ListWebAuthnCredentials (at most 20 a page).
func (p *Passkeys) ListRegistered(ctx context.Context, accessToken string, limit int, token string) ([]Passkey, string, error) {
	a, err := p.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > maxPasskeysPerUser {
		limit = maxPasskeysPerUser
	}
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	keys, err := p.Store.ListPasskeys(ctx, a.User.PoolID, a.User.Sub, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	keys, next := page(keys, limit, func(k Passkey) string { return k.ID })
	return keys, next, nil
}

// DeleteRegistered is DeleteWebAuthnCredential.
func (p *Passkeys) DeleteRegistered(ctx context.Context, accessToken, id string) error {
	a, err := p.Sessions.Authorize(ctx, accessToken)
	if err != nil {
		return err
	}
	err = p.Store.DeletePasskey(ctx, a.User.PoolID, a.User.Sub, id)
	if errors.Is(err, ErrNotFound) {
		return Errorf(ResourceNotFound, "The user has no passkey with this credential id.")
	}
	return err
}

// randomChallenge is a WebAuthn challenge for sign-in (32 random bytes).
func randomChallenge() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func challengeKey(challenge []byte) string {
	return "webauthn-assert:" + base64.RawURLEncoding.EncodeToString(challenge)
}
