package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Sealer encrypts and authenticates small values (challenge sessions) with
// a key outside the database, so sessions need no storage and work on any
// replica.
type Sealer interface {
	Seal(plaintext []byte, label string) []byte
	Open(sealed []byte, label string) ([]byte, error)
	MAC(data []byte) []byte
}

// Auth runs the sign-in flows: InitiateAuth, AdminInitiateAuth and the
// challenges that follow them, and refresh.
type Auth struct {
	Store       Store
	Now         Clock
	Credentials Credentials
	Tokens      TokenService
	Sealer      Sealer
	// Audit receives failed sign-ins and lockouts (nil: none).
	Audit Auditor
	// Observer hears each refresh's revocation check (nil: none).
	Observer Observer
	// Triggers are the pools' Lambda triggers (nil: none run).
	Triggers *Triggers
	// Passkeys are the users' WebAuthn credentials (nil: none).
	Passkeys *Passkeys
	// Accounts sends the one-time codes of sign-in (one_time_codes.go).
	Accounts *Accounts
	// DummyCredential is checked when the user does not exist, so that
	// failures take the same time either way (no enumeration by timing).
	DummyCredential PasswordCredential

	simOnce     sync.Once
	simVerifier []byte
	signingIn   atomic.Int64 // sign-ins between their session write and their answer
}

// InitiateInput is InitiateAuthRequest / AdminInitiateAuthRequest.
type InitiateInput struct {
	UserPoolId     string // AdminInitiateAuth only
	ClientId       string
	AuthFlow       string
	AuthParameters map[string]string
	ClientMetadata map[string]string
	Session        string
}

// AuthResult is the answer of an auth call: tokens, or the next challenge.
type AuthResult struct {
	ChallengeName       string
	ChallengeParameters map[string]string
	Session             string
	Tokens              *Tokens
	// AvailableChallenges are USER_AUTH's first factors the user may
	// choose from (with SELECT_CHALLENGE; flow_user_auth.go).
	AvailableChallenges []string
}

// poolAndClient resolves the client of a call: admin calls name the pool
// (checked first, as Cognito does), public calls find it through the client.
func (a *Auth) poolAndClient(ctx context.Context, poolID, clientID string, admin bool) (Pool, Client, error) {
	if admin {
		if _, err := GetPool(ctx, a.Store, poolID); err != nil {
			return Pool{}, Client{}, err
		}
	} else {
		poolID = ""
	}
	client, err := GetClient(ctx, a.Store, poolID, clientID)
	if err != nil {
		return Pool{}, Client{}, err
	}
	pool, err := GetPool(ctx, a.Store, client.PoolID)
	return pool, client, err
}

// Initiate starts a sign-in. admin is true for AdminInitiateAuth.
func (a *Auth) Initiate(ctx context.Context, in InitiateInput, admin bool) (AuthResult, error) {
	pool, client, err := a.poolAndClient(ctx, in.UserPoolId, in.ClientId, admin)
	if err != nil {
		return AuthResult{}, err
	}
	ctx = WithClientMetadata(ctx, in.ClientMetadata) // for the triggers (trigger_authentication.go)
	params := in.AuthParameters
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		if admin {
			return AuthResult{}, Errorf(InvalidParameter, "Initiate Auth method not supported.")
		}
		if !flowAllowed(&client, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH") {
			return AuthResult{}, Errorf(InvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client")
		}
		return a.passwordAuth(ctx, &pool, &client, params)
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		if !admin {
			return AuthResult{}, Errorf(InvalidParameter, "Initiate Auth method not supported.")
		}
		if !flowAllowed(&client, "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH") {
			return AuthResult{}, Errorf(InvalidParameter, "Auth flow not enabled for this client")
		}
		return a.passwordAuth(ctx, &pool, &client, params)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !flowAllowed(&client, "ALLOW_REFRESH_TOKEN_AUTH", "") {
			return AuthResult{}, Errorf(InvalidParameter, "Auth flow not enabled for this client")
		}
		return a.refreshTokenAuth(ctx, &pool, &client, params)
	case "CUSTOM_AUTH":
		return a.customAuthInitiate(ctx, &pool, &client, params) // flow_custom_auth.go
	case "USER_SRP_AUTH":
		if !flowAllowed(&client, "ALLOW_USER_SRP_AUTH", "") && !legacySRP(&client) {
			return AuthResult{}, Errorf(InvalidParameter, "USER_SRP_AUTH is not enabled for the client.")
		}
		return a.srpInitiate(ctx, &pool, &client, params)
	case "USER_AUTH":
		if !flowAllowed(&client, "ALLOW_USER_AUTH", "") {
			return AuthResult{}, Errorf(InvalidParameter, "USER_AUTH flow not enabled for this client")
		}
		return a.userAuthInitiate(ctx, &pool, &client, params, in.Session) // flow_user_auth.go
	default:
		return AuthResult{}, Errorf(InvalidParameter, "Initiate Auth method not supported.")
	}
}

// flowAllowed honours ExplicitAuthFlows. Legacy names (without ALLOW_)
// also imply refresh, as in Cognito.
func flowAllowed(c *Client, modern, legacy string) bool {
	flows := c.Settings.ExplicitAuthFlows
	if slices.Contains(flows, modern) || (legacy != "" && slices.Contains(flows, legacy)) {
		return true
	}
	if modern == "ALLOW_REFRESH_TOKEN_AUTH" {
		for _, f := range flows {
			if !strings.HasPrefix(f, "ALLOW_") {
				return true
			}
		}
	}
	return false
}

// legacySRP: clients configured with legacy flow names allow SRP unless
// they are limited to custom auth.
func legacySRP(c *Client) bool {
	for _, f := range c.Settings.ExplicitAuthFlows {
		if strings.HasPrefix(f, "ALLOW_") || f == "CUSTOM_AUTH_FLOW_ONLY" {
			return false
		}
	}
	return true
}

func missing(name string) error {
	return Errorf(InvalidParameter, "Missing required parameter %s", name)
}

func (a *Auth) passwordAuth(ctx context.Context, pool *Pool, client *Client, params map[string]string) (AuthResult, error) {
	username, password := params["USERNAME"], params["PASSWORD"]
	if username == "" {
		return AuthResult{}, missing("USERNAME")
	}
	if password == "" {
		return AuthResult{}, missing("PASSWORD")
	}
	if err := checkSecretHash(client, params["SECRET_HASH"], username); err != nil {
		return AuthResult{}, err
	}
	user, err := a.CheckPassword(ctx, pool, client, username, password)
	if err != nil {
		return AuthResult{}, err
	}
	return a.afterPassword(ctx, pool, client, &user, params["DEVICE_KEY"], false)
}

// CheckPassword proves a user's password: existence (an unknown user may be
// migrated by the UserMigration trigger; else hidden behind "Incorrect
// username or password." when the client prevents user-existence errors),
// the PreAuthentication trigger, confirmation, lockout, then the
// password itself.
func (a *Auth) CheckPassword(ctx context.Context, pool *Pool, client *Client, username, password string) (User, error) {
	user, key, err := userMigration{store: a.Store, creds: a.Credentials, now: a.Now(), triggers: a.Triggers, messages: a.Accounts}.
		findUser(ctx, pool, client.ID, sourceMigrateAuthentication, username, password, clientMetadataOf(ctx))
	if IsType(err, UserNotFound) {
		if client.Settings.PreventUserExistenceErrors == "ENABLED" {
			if err := a.preAuthentication(ctx, pool, client, &User{Username: username}, true); err != nil {
				return User{}, err
			}
			return User{}, a.failUnknown(ctx, pool, client, username, func() { a.Credentials.Check(a.DummyCredential, password) })
		}
		a.Credentials.Check(a.DummyCredential, password)
		a.audit(ctx, "sign-in-failed", pool, client, &User{Username: username})
		return User{}, err
	} else if err != nil {
		return User{}, err
	}
	if err := a.preAuthentication(ctx, pool, client, &user, false); err != nil {
		return User{}, err
	}
	// An unconfirmed user is told so only with the right password (as
	// Cognito does): before, the answer would tell that the name exists.
	if err := a.lockedOut(&user); err != nil {
		a.audit(ctx, "sign-in-locked-out", pool, client, &user)
		return User{}, err
	}
	if err := a.refuseResetRequired(ctx, pool, client, &user); err != nil {
		return User{}, err
	}
	user, ok, err := a.signInAttempt(ctx, pool, client, key, user, func(u *User) bool {
		return a.Credentials.Check(u.Password, password)
	})
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, Errorf(NotAuthorized, "Incorrect username or password.")
	}
	if user.Status == StatusUnconfirmed {
		return User{}, errNotConfirmed
	}
	if err := a.upgradePassword(ctx, pool, key, &user, password); err != nil {
		return User{}, err
	}
	return user, nil
}

// refuseResetRequired answers a RESET_REQUIRED user's sign-in with
// PasswordResetRequiredException before any password is compared: an
// imported user has no password of their own, and Cognito answers their
// first sign-in so, whatever they typed, for the app to start the
// forgot-password flow (developer guide, "Requiring imported users to
// reset their passwords"). It tells that the name exists, as Cognito's
// answer does; the refusal is audited like a failed sign-in.
func (a *Auth) refuseResetRequired(ctx context.Context, pool *Pool, client *Client, u *User) error {
	if u.Status != StatusResetRequired {
		return nil
	}
	a.audit(ctx, "sign-in-failed", pool, client, u)
	return Errorf(PasswordResetRequired, "Password reset required for the user")
}

// signInAttempt is one counted attempt at a sign-in secret of user (the
// password, or an SRP proof): the lockout's claim and check, the audit
// line of a failure or refusal, and the user's auth event.
func (a *Auth) signInAttempt(ctx context.Context, pool *Pool, client *Client, key string, user User, check func(*User) bool) (User, bool, error) {
	claimed, ok, err := a.lockout().attempt(ctx, pool, key, continuesWithMFA(pool, &user), check)
	if err != nil {
		if IsType(err, NotAuthorized) {
			a.audit(ctx, "sign-in-locked-out", pool, client, &user)
		}
		return User{}, false, err
	}
	if !ok {
		a.audit(ctx, "sign-in-failed", pool, client, &claimed)
	}
	if err := recordEvent(ctx, a.Store, a.Now, pool, &claimed, "SignIn", "Password", ok); err != nil {
		return User{}, false, err
	}
	return claimed, ok, nil
}

var errNotConfirmed = Errorf(UserNotConfirmed, "User is not confirmed.")

// audit records a failed or refused sign-in of an existing user.
func (a *Auth) audit(ctx context.Context, event string, pool *Pool, client *Client, u *User) {
	if a.Audit != nil {
		a.Audit.Audit(ctx, event, "pool", pool.ID, "client", client.ID, "username", u.Username, "sub", u.Sub, "ip", clientIP(ctx))
	}
}

// afterPassword continues a sign-in whose password was proven (by password
// or SRP): account state, challenges (a remembered device proves itself
// with DEVICE_SRP_AUTH after SRP), then tokens.
func (a *Auth) afterPassword(ctx context.Context, pool *Pool, client *Client, user *User, deviceKey string, srpFlow bool) (AuthResult, error) {
	if !user.Enabled {
		return AuthResult{}, Errorf(NotAuthorized, "User is disabled.")
	}
	switch user.Status {
	case StatusResetRequired:
		return AuthResult{}, Errorf(PasswordResetRequired, "Password reset required for the user")
	case StatusForceChangePassword:
		return a.newPasswordChallenge(pool, client, user)
	}
	if !tracksDevices(pool) {
		deviceKey = ""
	}
	if deviceKey != "" {
		d, err := userDevice(ctx, a.Store, pool.ID, user.Sub, deviceKey)
		if err != nil {
			return AuthResult{}, err
		}
		remembered := !pool.Settings.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt || d.Remembered == DeviceRemembered
		if srpFlow && len(d.Verifier) > 0 && remembered {
			session := a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username,
				Challenge: "DEVICE_SRP_AUTH", Device: d.Key, Expires: a.Now().Add(srpWindow).Unix(), Nonce: uuid.NewString()})
			return AuthResult{ChallengeName: "DEVICE_SRP_AUTH", ChallengeParameters: map[string]string{}, Session: session}, nil
		}
	}
	// A remembered device (above) skips MFA, as in Cognito.
	if r, ok, err := a.mfaChallenge(ctx, pool, client, user, deviceKey); ok || err != nil {
		return r, err
	}
	tokens, err := a.signIn(ctx, pool, client, user, a.Now(), deviceKey)
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}

// signIn starts a new token family and issues its first tokens. In pools
// that track devices, a sign-in without a known device registers a new one.
func (a *Auth) signIn(ctx context.Context, pool *Pool, client *Client, user *User, now time.Time, deviceKey string) (Tokens, error) {
	if err := a.postAuthentication(ctx, pool, client, user, tracksDevices(pool) && deviceKey == ""); err != nil {
		return Tokens{}, err // no tokens: a failed PostAuthentication fails the sign-in (trigger_authentication.go)
	}
	if finishHosted(ctx, user) {
		return Tokens{}, nil // a hosted-UI sign-in: its code grant issues the tokens (hosted_login.go)
	}
	return a.signInScoped(ctx, pool, client, user, now, deviceKey, "", "", tokenCauseOf(ctx, tokenSourceAuthentication))
}

// signInScoped is signIn with the OAuth scope and OIDC nonce of a hosted-UI
// sign-in ("" scope: aws.cognito.signin.user.admin) and the cause of the
// tokens (the PreTokenGeneration trigger's source).
func (a *Auth) signInScoped(ctx context.Context, pool *Pool, client *Client, user *User, now time.Time, deviceKey, scope, nonce string, cause tokenCause) (Tokens, error) {
	v := ValiditiesOf(client.Settings)
	tokenScope := scope
	if tokenScope == "" {
		tokenScope = ScopeUserAdmin
	}
	// Before anything is written: a failing trigger leaves no session and
	// no new device behind.
	req, err := a.tokenRequest(ctx, pool, client, user, tokenScope, nonce, cause)
	if err != nil {
		return Tokens{}, err
	}
	var fresh *NewDevice
	if tracksDevices(pool) && deviceKey == "" {
		d, err := newDevice(ctx, a.Store, pool, user, a.Now)
		if err != nil {
			return Tokens{}, err
		}
		deviceKey = d.Key
		fresh = &NewDevice{DeviceKey: d.Key, DeviceGroupKey: d.GroupKey}
	}
	refresh, hash := newRefreshToken()
	fam := Family{
		ID:          uuid.NewString(),
		PoolID:      pool.ID,
		ClientID:    client.ID,
		UserSub:     user.Sub,
		RefreshHash: hash,
		Epoch:       user.SignOutEpoch,
		AuthTime:    now.Truncate(time.Second),
		CreatedAt:   now,
		ExpiresAt:   now.Add(v.Refresh),
		DeviceKey:   deviceKey,
		Scope:       scope,
	}
	// The session's durable write and the two signatures overlap: the
	// tokens are signed while the write waits for its fsync, and nothing is
	// answered before the write is on disk. When other sign-ins are under
	// way the store may hold the write to share their fsync; a lone
	// sign-in's write goes at once.
	wctx := ctx
	if a.signingIn.Add(1) > 1 {
		wctx = WithPatience(ctx)
	}
	defer a.signingIn.Add(-1)
	stored := make(chan error, 1)
	go func() { stored <- a.Store.CreateFamily(wctx, fam) }()
	access, id, err := a.issue(ctx, req, &fam, now)
	if werr := <-stored; werr != nil {
		return Tokens{}, werr
	}
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, IDToken: id, RefreshToken: refresh, ExpiresIn: int(v.Access / time.Second),
		TokenType: "Bearer", NewDevice: fresh}, nil
}

// tokenRequest is what the user's next tokens are made of: the scope, the
// user's groups, and the PreTokenGeneration trigger's changes. Every path
// that issues user tokens (sign-in, challenges, hosted UI, refresh) comes
// through here before it writes anything.
func (a *Auth) tokenRequest(ctx context.Context, pool *Pool, client *Client, user *User, scope, nonce string, cause tokenCause) (TokenRequest, error) {
	req := TokenRequest{Pool: pool, Client: client, User: user, Scope: scope, Nonce: nonce}
	var err error
	if req.Groups, req.Roles, req.Role, err = groupClaims(ctx, a.Store, pool.ID, user); err != nil {
		return TokenRequest{}, err
	}
	if err := a.Triggers.preTokenGeneration(ctx, &req, cause); err != nil {
		return TokenRequest{}, err
	}
	return req, nil
}

// issue signs req's access and ID token as tokens of the family fam, for a
// sign-in or a refresh. Clients with token revocation off get tokens
// without origin_jti.
func (a *Auth) issue(ctx context.Context, req TokenRequest, fam *Family, now time.Time) (access, id string, err error) {
	req.EventID, req.Now = uuid.NewString(), now
	if req.Client.Settings.EnableTokenRevocation {
		req.Family = fam
	} else {
		req.Family = &Family{AuthTime: fam.AuthTime, DeviceKey: fam.DeviceKey}
	}
	return a.Tokens.Issue(ctx, req)
}

// challengeState is sealed into the Session string of a challenge.
type challengeState struct {
	Pool      string `json:"p"`
	Client    string `json:"c"`
	Username  string `json:"u"`
	Challenge string `json:"n"`
	Expires   int64  `json:"e"`
	Nonce     string `json:"r"`
	Device    string `json:"d,omitempty"`
	// Custom is a CUSTOM_AUTH sign-in's state (flow_custom_auth.go).
	Custom *customAuthState `json:"x,omitempty"`
	// Unknown is the name of a USER_AUTH sign-in by an unknown name
	// (Username ""), whose challenges are simulated (flow_user_auth.go).
	Unknown string `json:"q,omitempty"`
	// Code is the MAC of the one-time code sent for this session
	// (one_time_codes.go); Passkey is the WebAuthn ceremony's state.
	Code    []byte `json:"k,omitempty"`
	Passkey []byte `json:"w,omitempty"`
	// SetUpEmail is the address an MFA_SETUP's code went to: proven by
	// the code, it becomes the user's verified email and email MFA.
	SetUpEmail string `json:"s,omitempty"`
}

const sessionLabel = "cognate challenge session"

func (a *Auth) sealSession(st challengeState) string {
	raw, _ := json.Marshal(st)
	return base64.RawURLEncoding.EncodeToString(a.Sealer.Seal(raw, sessionLabel))
}

func (a *Auth) openSession(s string, client *Client, challenge string) (challengeState, error) {
	st, err := a.openAnySession(s)
	if err != nil {
		return challengeState{}, err
	}
	if st.Client != client.ID || st.Challenge != challenge {
		return challengeState{}, Errorf(NotAuthorized, "Invalid session for the user.")
	}
	return st, nil
}

// openAnySession opens a sealed challenge session and checks its expiry.
func (a *Auth) openAnySession(s string) (challengeState, error) {
	bad := Errorf(NotAuthorized, "Invalid session for the user.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return challengeState{}, bad
	}
	plain, err := a.Sealer.Open(raw, sessionLabel)
	if err != nil {
		return challengeState{}, bad
	}
	var st challengeState
	if json.Unmarshal(plain, &st) != nil {
		return challengeState{}, bad
	}
	if a.Now().Unix() > st.Expires {
		return challengeState{}, Errorf(NotAuthorized, "Invalid session for the user, session is expired.")
	}
	return st, nil
}

// authSessionValidity is how long a challenge's Session may be answered:
// the client's AuthSessionValidity (minutes), 3 by default.
func authSessionValidity(client *Client) time.Duration {
	if client.Settings.AuthSessionValidity == 0 {
		return 3 * time.Minute
	}
	return time.Duration(client.Settings.AuthSessionValidity) * time.Minute
}

func (a *Auth) newPasswordChallenge(pool *Pool, client *Client, user *User) (AuthResult, error) {
	attrs := map[string]string{}
	for _, at := range user.Attributes {
		if at.Name != "sub" {
			attrs[at.Name] = at.Value
		}
	}
	required := []string{}
	for _, name := range missingRequiredAttributes(pool, user.Attributes) {
		required = append(required, "userAttributes."+name)
	}
	attrJSON, _ := json.Marshal(attrs)
	reqJSON, _ := json.Marshal(required)
	session := a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username,
		Challenge: "NEW_PASSWORD_REQUIRED", Expires: a.Now().Add(authSessionValidity(client)).Unix(), Nonce: uuid.NewString()})
	return AuthResult{
		ChallengeName: "NEW_PASSWORD_REQUIRED",
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP":    user.Username,
			"requiredAttributes": string(reqJSON),
			"userAttributes":     string(attrJSON),
		},
		Session: session,
	}, nil
}

// RespondInput is RespondToAuthChallengeRequest / the admin variant.
type RespondInput struct {
	UserPoolId         string
	ClientId           string
	ChallengeName      string
	Session            string
	ChallengeResponses map[string]string
	ClientMetadata     map[string]string
}

// Respond answers a challenge.
func (a *Auth) Respond(ctx context.Context, in RespondInput, admin bool) (AuthResult, error) {
	pool, client, err := a.poolAndClient(ctx, in.UserPoolId, in.ClientId, admin)
	if err != nil {
		return AuthResult{}, err
	}
	ctx = WithClientMetadata(ctx, in.ClientMetadata) // for PostAuthentication (trigger_authentication.go)
	// Tokens this answer issues: the challenge's trigger source, and the
	// answer's ClientMetadata (which PreTokenGeneration receives).
	ctx = withTokenCause(ctx, tokenSourceOfChallenge(in.ChallengeName), in.ClientMetadata)
	switch in.ChallengeName {
	case "NEW_PASSWORD_REQUIRED":
		return a.respondNewPassword(ctx, &pool, &client, in)
	case "PASSWORD_VERIFIER":
		// CUSTOM_AUTH's SRP step has a session, and so has USER_AUTH's.
		if in.Session != "" && !a.userAuthVerifier(in.Session, &client) {
			return a.respondCustomPasswordVerifier(ctx, &pool, &client, in)
		}
		return a.srpRespond(ctx, &pool, &client, in)
	case "CUSTOM_CHALLENGE":
		return a.respondCustomChallenge(ctx, &pool, &client, in)
	case "MFA_SETUP":
		return a.respondMFASetup(ctx, &pool, &client, in)
	case "SOFTWARE_TOKEN_MFA":
		return a.respondMFA(ctx, &pool, &client, in, &MFA{Store: a.Store, Now: a.Now, Sealer: a.Sealer})
	case "DEVICE_SRP_AUTH":
		return a.deviceSRPRespond(ctx, &pool, &client, in)
	case challengeSelect, factorPassword, factorPasswordSRP, factorEmailOTP, factorSMSOTP, factorWebAuthn:
		return a.userAuthRespond(ctx, &pool, &client, in) // flow_user_auth.go
	case "DEVICE_PASSWORD_VERIFIER":
		return a.deviceVerifierRespond(ctx, &pool, &client, in)
	default:
		return AuthResult{}, Errorf(InvalidParameter, "Invalid challenge name: %s", in.ChallengeName)
	}
}

func (a *Auth) respondNewPassword(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	r := in.ChallengeResponses
	if in.Session == "" {
		return AuthResult{}, Errorf(InvalidParameter, "Missing required parameter Session")
	}
	st, err := a.openSession(in.Session, client, "NEW_PASSWORD_REQUIRED")
	if err != nil {
		return AuthResult{}, err
	}
	if r["USERNAME"] == "" {
		return AuthResult{}, missing("USERNAME")
	}
	if r["NEW_PASSWORD"] == "" {
		return AuthResult{}, missing("NEW_PASSWORD")
	}
	user, key, err := FindUser(ctx, a.Store, pool, r["USERNAME"])
	if err != nil {
		return AuthResult{}, err
	}
	if user.Username != st.Username || st.Pool != pool.ID {
		return AuthResult{}, Errorf(NotAuthorized, "Invalid session for the user.")
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	if err := CheckPasswordPolicy(passwordPolicy(pool), r["NEW_PASSWORD"]); err != nil {
		return AuthResult{}, err
	}
	var updates []Attribute
	for k, v := range r {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			updates = append(updates, Attribute{Name: name, Value: v})
		}
	}
	slices.SortFunc(updates, func(x, y Attribute) int { return strings.Compare(x.Name, y.Name) })
	if err := checkSelfWrite(pool, client, updates, true); err != nil {
		return AuthResult{}, err
	}
	now := a.Now()
	cred, err := a.Credentials.Make(pool.ID, user.Username, r["NEW_PASSWORD"], now)
	if err != nil {
		return AuthResult{}, err
	}
	user, err = a.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		if u.Status != StatusForceChangePassword {
			return u, Errorf(NotAuthorized, "Invalid session for the user.")
		}
		merged := mergeAttributes(u.Attributes, updates)
		if missing := missingRequiredAttributes(pool, merged); missing != nil {
			return u, Errorf(InvalidParameter, "Invalid attributes given, %s is missing", missing[0])
		}
		setAttributes(pool, &u, merged)
		u.Password = cred
		u.Status = StatusConfirmed
		u.ModifiedAt = now
		return u, nil
	})
	if err != nil {
		return AuthResult{}, nameTaken(err, AliasExists)
	}
	return a.afterPassword(ctx, pool, client, &user, r["DEVICE_KEY"], false)
}
