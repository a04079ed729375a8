package userpool

import (
	"encoding/json"
	"time"
)

// Pool is a user pool. Settings carry what CreateUserPool/UpdateUserPool set;
// the fields Cognate interprets are typed, the rest are kept verbatim so that
// DescribeUserPool echoes them.
type Pool struct {
	ID         string
	Name       string
	Settings   PoolSettings
	Schema     []SchemaAttribute
	CreatedAt  time.Time
	ModifiedAt time.Time
}

// PoolSettings mirrors the writable members of UserPoolType. JSON names are
// the model's, so the struct round-trips through the wire unchanged.
type PoolSettings struct {
	Policies                    *PoolPolicies          `json:"Policies,omitempty"`
	DeletionProtection          string                 `json:"DeletionProtection,omitempty"`
	LambdaConfig                json.RawMessage        `json:"LambdaConfig,omitempty"`
	AutoVerifiedAttributes      []string               `json:"AutoVerifiedAttributes,omitempty"`
	AliasAttributes             []string               `json:"AliasAttributes,omitempty"`
	UsernameAttributes          []string               `json:"UsernameAttributes,omitempty"`
	SmsVerificationMessage      string                 `json:"SmsVerificationMessage,omitempty"`
	EmailVerificationMessage    string                 `json:"EmailVerificationMessage,omitempty"`
	EmailVerificationSubject    string                 `json:"EmailVerificationSubject,omitempty"`
	VerificationMessageTemplate json.RawMessage        `json:"VerificationMessageTemplate,omitempty"`
	SmsAuthenticationMessage    string                 `json:"SmsAuthenticationMessage,omitempty"`
	UserAttributeUpdateSettings json.RawMessage        `json:"UserAttributeUpdateSettings,omitempty"`
	MfaConfiguration            string                 `json:"MfaConfiguration,omitempty"`
	DeviceConfiguration         *DeviceConfiguration   `json:"DeviceConfiguration,omitempty"`
	EmailConfiguration          json.RawMessage        `json:"EmailConfiguration,omitempty"`
	SmsConfiguration            json.RawMessage        `json:"SmsConfiguration,omitempty"`
	UserPoolTags                map[string]string      `json:"UserPoolTags,omitempty"`
	AdminCreateUserConfig       *AdminCreateUserConfig `json:"AdminCreateUserConfig,omitempty"`
	UserPoolAddOns              json.RawMessage        `json:"UserPoolAddOns,omitempty"`
	UsernameConfiguration       *UsernameConfiguration `json:"UsernameConfiguration,omitempty"`
	AccountRecoverySetting      json.RawMessage        `json:"AccountRecoverySetting,omitempty"`
	UserPoolTier                string                 `json:"UserPoolTier,omitempty"`
	// SoftwareTokenMfaEnabled is SetUserPoolMfaConfig's
	// SoftwareTokenMfaConfiguration.Enabled: domain state stored with the
	// settings, not a UserPoolType member. Only SetPoolConfig sets it (the
	// pool requests cannot) and the wire never shows it (renderPool).
	SoftwareTokenMfaEnabled bool `json:"SoftwareTokenMfaEnabled,omitempty"`
	// WebAuthn is SetUserPoolMfaConfig's WebAuthnConfiguration (passkeys.go),
	// kept like SoftwareTokenMfaEnabled: not a UserPoolType member.
	WebAuthn *WebAuthnConfig `json:"WebAuthnConfiguration,omitempty"`
	// LogDeliveryConfiguration is SetLogDeliveryConfiguration's
	// (log_delivery.go), stored with the settings like
	// SoftwareTokenMfaEnabled and shown only by GetLogDeliveryConfiguration.
	LogDeliveryConfiguration []LogConfiguration `json:"LogDeliveryConfiguration,omitempty"`
	// EmailMfa is SetUserPoolMfaConfig's EmailMfaConfiguration (nil: no
	// email MFA), domain state as SoftwareTokenMfaEnabled is.
	EmailMfa *EmailMfaConfig `json:"EmailMfa,omitempty"`
}

// EmailMfaConfig is EmailMfaConfigType: the message of sign-in and MFA
// codes by email.
type EmailMfaConfig struct {
	Message string `json:",omitempty"`
	Subject string `json:",omitempty"`
}

// PoolPolicies is PolicyType.
type PoolPolicies struct {
	PasswordPolicy *PasswordPolicy `json:"PasswordPolicy,omitempty"`
	SignInPolicy   json.RawMessage `json:"SignInPolicy,omitempty"`
}

// PasswordPolicy is PasswordPolicyType.
type PasswordPolicy struct {
	MinimumLength                 int  `json:"MinimumLength"`
	RequireUppercase              bool `json:"RequireUppercase"`
	RequireLowercase              bool `json:"RequireLowercase"`
	RequireNumbers                bool `json:"RequireNumbers"`
	RequireSymbols                bool `json:"RequireSymbols"`
	PasswordHistorySize           *int `json:"PasswordHistorySize,omitempty"`
	TemporaryPasswordValidityDays int  `json:"TemporaryPasswordValidityDays"`
}

// DeviceConfiguration is DeviceConfigurationType.
type DeviceConfiguration struct {
	ChallengeRequiredOnNewDevice     bool `json:"ChallengeRequiredOnNewDevice"`
	DeviceOnlyRememberedOnUserPrompt bool `json:"DeviceOnlyRememberedOnUserPrompt"`
}

// AdminCreateUserConfig is AdminCreateUserConfigType.
type AdminCreateUserConfig struct {
	AllowAdminCreateUserOnly  bool            `json:"AllowAdminCreateUserOnly"`
	UnusedAccountValidityDays *int            `json:"UnusedAccountValidityDays,omitempty"`
	InviteMessageTemplate     json.RawMessage `json:"InviteMessageTemplate,omitempty"`
}

// UsernameConfiguration is UsernameConfigurationType.
type UsernameConfiguration struct {
	CaseSensitive bool `json:"CaseSensitive"`
}

// SchemaAttribute is SchemaAttributeType.
type SchemaAttribute struct {
	Name                       string          `json:"Name"`
	AttributeDataType          string          `json:"AttributeDataType,omitempty"`
	DeveloperOnlyAttribute     bool            `json:"DeveloperOnlyAttribute"`
	Mutable                    bool            `json:"Mutable"`
	Required                   bool            `json:"Required"`
	NumberAttributeConstraints json.RawMessage `json:"NumberAttributeConstraints,omitempty"`
	StringAttributeConstraints json.RawMessage `json:"StringAttributeConstraints,omitempty"`
}

// Client is an app client of a pool.
type Client struct {
	ID         string
	PoolID     string
	Secrets    []ClientSecret // none for public clients; at most two, oldest first
	Settings   ClientSettings
	CreatedAt  time.Time
	ModifiedAt time.Time
}

// ClientSecret is one secret of a confidential client. A client holds up to
// two so that a secret can be replaced without downtime.
type ClientSecret struct {
	ID        string // <client-id>--<creation time in Unix milliseconds>
	Value     string
	CreatedAt time.Time
}

// ClientSettings mirrors the writable members of UserPoolClientType.
type ClientSettings struct {
	ClientName                               string                `json:"ClientName"`
	RefreshTokenValidity                     int                   `json:"RefreshTokenValidity"`
	AccessTokenValidity                      int                   `json:"AccessTokenValidity,omitempty"`
	IdTokenValidity                          int                   `json:"IdTokenValidity,omitempty"`
	TokenValidityUnits                       *TokenValidityUnits   `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                           []string              `json:"ReadAttributes,omitempty"`
	WriteAttributes                          []string              `json:"WriteAttributes,omitempty"`
	ExplicitAuthFlows                        []string              `json:"ExplicitAuthFlows,omitempty"`
	SupportedIdentityProviders               []string              `json:"SupportedIdentityProviders,omitempty"`
	CallbackURLs                             []string              `json:"CallbackURLs,omitempty"`
	LogoutURLs                               []string              `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI                       string                `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows                        []string              `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes                       []string              `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient          bool                  `json:"AllowedOAuthFlowsUserPoolClient"`
	AnalyticsConfiguration                   json.RawMessage       `json:"AnalyticsConfiguration,omitempty"`
	PreventUserExistenceErrors               string                `json:"PreventUserExistenceErrors,omitempty"`
	EnableTokenRevocation                    bool                  `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData bool                  `json:"EnablePropagateAdditionalUserContextData"`
	AuthSessionValidity                      int                   `json:"AuthSessionValidity,omitempty"`
	RefreshTokenRotation                     *RefreshTokenRotation `json:"RefreshTokenRotation,omitempty"`
}

// RefreshTokenRotation is RefreshTokenRotationType: with Feature ENABLED
// every refresh answers with a new refresh token, and the submitted one
// stays usable for RetryGracePeriodSeconds (0–60).
type RefreshTokenRotation struct {
	Feature                 string `json:"Feature"`
	RetryGracePeriodSeconds int    `json:"RetryGracePeriodSeconds"`
}

// Rotates reports whether the client's refresh tokens rotate.
func (s *ClientSettings) Rotates() bool {
	return s.RefreshTokenRotation != nil && s.RefreshTokenRotation.Feature == "ENABLED"
}

// RetryGrace is how long a rotated-out refresh token stays usable.
func (s *ClientSettings) RetryGrace() time.Duration {
	if s.RefreshTokenRotation == nil {
		return 0
	}
	return time.Duration(s.RefreshTokenRotation.RetryGracePeriodSeconds) * time.Second
}

// TokenValidityUnits is TokenValidityUnitsType.
type TokenValidityUnits struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// Attribute is one user attribute; values are strings on the wire even for
// booleans ("email_verified": "true").
type Attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// User statuses (UserStatusType).
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
)

// User is one user of a pool.
type User struct {
	PoolID     string
	Username   string // as created; lookups go through UsernameKey
	Sub        string
	Attributes []Attribute
	Status     string
	Enabled    bool
	Password   PasswordCredential
	// SignOutEpoch counts global sign-outs. A token family is alive only
	// while its Epoch equals the user's: one increment revokes every family
	// of the user at once, whatever their number (O(1) sign-out).
	SignOutEpoch int64
	// SignedOutAt is the time of the latest sign-out (or disabling): access
	// tokens without a family (clients with token revocation off) issued
	// before it are refused. Zero when the user never signed out.
	SignedOutAt time.Time
	MFA         UserMFA
	// SignInNames are the sign-in names the user holds (sign_in_names.go),
	// unique in the pool; the store keeps them. nil: not computed (users
	// stored before names existed, until the store's backfill).
	SignInNames []string
	CreatedAt   time.Time
	ModifiedAt  time.Time
	// NoGroups is set by a store read that found the user in no group, so
	// that issuing tokens can skip the group lookup; writes ignore it. The
	// zero value (false) only costs that lookup.
	NoGroups bool
}

// UserMFA is a user's software-token (TOTP) state. Secrets are sealed.
type UserMFA struct {
	TOTPSecret    []byte `json:"s,omitempty"`
	PendingSecret []byte `json:"p,omitempty"` // associated, not yet verified
	TOTPEnabled   bool   `json:"e,omitempty"`
	Preferred     string `json:"f,omitempty"` // "SOFTWARE_TOKEN_MFA", "EMAIL_OTP" or ""
	EmailEnabled  bool   `json:"m,omitempty"` // email MFA (EmailMfaSettings)
}

// Attribute returns the value of the named attribute and whether it is set.
func (u *User) Attribute(name string) (string, bool) {
	for _, a := range u.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// PasswordCredential is what is stored of a password: never the password
// itself. Hash is a keyed hash (see internal/secret); the SRP verifier is
// encrypted with a key that does not live in the database.
type PasswordCredential struct {
	Hash        []byte
	SRPSalt     []byte
	SRPVerifier []byte // sealed
	SetAt       time.Time
	// Failed sign-ins since the last success, and the lockout they caused.
	FailedAttempts int
	LockedUntil    time.Time
}

// Family is one sign-in session: the refresh token and every access and ID
// token descended from one authentication share its ID (origin_jti).
type Family struct {
	ID          string // origin_jti
	PoolID      string
	ClientID    string
	UserSub     string
	RefreshHash []byte // SHA-256 of the refresh token; the token itself is never stored
	Epoch       int64  // the user's SignOutEpoch when the family was created
	AuthTime    time.Time
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   time.Time // zero while alive
	DeviceKey   string
	Scope       string // OAuth scopes of hosted-UI sign-ins; "" means aws.cognito.signin.user.admin
}

// RetiredRefresh is a refresh token that rotation replaced: it names its
// family, and it still refreshes until GraceUntil (the client's retry
// grace period after the rotation that retired it).
type RetiredRefresh struct {
	Hash       []byte
	FamilyID   string
	PoolID     string
	ClientID   string
	UserSub    string
	GraceUntil time.Time
}

// Rotation replaces a family's refresh token (RefreshHash) with To. From
// is the token the caller presented: the current one, or a retired one
// still in its grace period. The token replaced stays usable until
// GraceUntil; a zero GraceUntil retires it at once.
type Rotation struct {
	FamilyID   string
	From, To   []byte
	Now        time.Time
	GraceUntil time.Time
}

// SigningKey is a pool's RSA key for one token use ("id" or "access").
// PrivateKey is sealed (encrypted) as stored.
type SigningKey struct {
	PoolID     string
	Kid        string
	Use        string
	PrivateKey []byte
	CreatedAt  time.Time
}

// Device is a device a user signed in from, tracked when the pool's
// DeviceConfiguration asks for it. A confirmed device holds an SRP verifier
// of the device's own random password (DEVICE_SRP_AUTH).
type Device struct {
	PoolID     string
	Key        string // <region>_<uuid>
	GroupKey   string
	UserSub    string
	Name       string
	Salt       []byte
	Verifier   []byte // empty until ConfirmDevice
	Remembered string // "remembered", "not_remembered" or "" (not set)
	CreatedAt  time.Time
	ModifiedAt time.Time
	LastAuthAt time.Time
}

// WebSession is a hosted-UI sign-in session, behind the session cookie. It is
// separate from token families: signing out revokes families, not this (as
// in Cognito), unless the pool opts in (see SignOutEndsHostedSessions).
// Stores hold only Key, the SHA-256 of the cookie value (WebSessionKey), so
// that a copy of the database holds no usable session.
type WebSession struct {
	ID        string // the cookie value: set by StartWebSession, never stored
	Key       string // WebSessionKey(ID): what stores keep and look up
	PoolID    string
	UserSub   string
	CreatedAt time.Time
	ExpiresAt time.Time
	EndedAt   time.Time // zero while alive
}

// Domain is a hosted-UI domain prefix of a pool.
type Domain struct {
	Domain    string
	PoolID    string
	CreatedAt time.Time
	// ManagedLoginVersion is 1 (the classic hosted UI, which Cognate
	// serves either way) or 2 (managed login).
	ManagedLoginVersion int
}

// ResourceServer defines custom OAuth scopes (<identifier>/<scope>).
type ResourceServer struct {
	PoolID     string
	Identifier string
	Name       string
	Scopes     []ResourceServerScope
}

// ResourceServerScope is ResourceServerScopeType.
type ResourceServerScope struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

// Group is a user group; its precedence orders cognito:groups and chooses
// cognito:preferred_role (lower wins).
type Group struct {
	PoolID      string
	Name        string
	Description string
	RoleArn     string
	Precedence  *int
	CreatedAt   time.Time
	ModifiedAt  time.Time
}

// Code is a one-time confirmation code (sign-up, forgotten password,
// attribute verification). Only its MAC is stored.
type Code struct {
	PoolID    string
	UserSub   string
	Purpose   string // "signup", "forgot", "verify:email", "verify:phone_number"
	Hash      []byte
	ExpiresAt time.Time
	Attempts  int
}

// Message is a message Cognate would have sent by email or SMS; it lands in
// the local outbox so that tests can read the codes.
type Message struct {
	ID          int64
	PoolID      string
	Username    string
	Medium      string // EMAIL or SMS
	Destination string
	Purpose     string
	Code        string
	Body        string
	Subject     string // EMAIL: the CustomMessage function's emailSubject ("": the default); for SMTP, not stored
	CreatedAt   time.Time
}

// AuthEvent is one recorded authentication attempt (pools with advanced
// security, AUDIT or ENFORCED).
type AuthEvent struct {
	PoolID     string
	UserSub    string
	ID         string
	Type       string // SignIn, PasswordChange, ForgotPassword
	Response   string // Pass or Fail
	Challenges []ChallengeResult
	IP         string
	CreatedAt  time.Time
}

// ChallengeResult is ChallengeResponseType.
type ChallengeResult struct {
	ChallengeName     string `json:"ChallengeName"`     // Password, Mfa
	ChallengeResponse string `json:"ChallengeResponse"` // Success, Failure
}
