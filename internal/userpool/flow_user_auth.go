package userpool

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
)

// USER_AUTH is Cognito's choice-based sign-in: the first factor is one of
// the pool's SignInPolicy.AllowedFirstAuthFactors that the user has — a
// password (answered plainly or by SRP), a one-time code by email or SMS
// (one_time_codes.go), or a passkey (passkey_sign_in.go). InitiateAuth
// names a PREFERRED_CHALLENGE or gets SELECT_CHALLENGE with the
// AvailableChallenges; RespondToAuthChallenge answers SELECT_CHALLENGE with
// ANSWER (and, for a password, PASSWORD or SRP_A in the same call), then the
// chosen factor's challenge.
//
// Decisions where Cognito's documents are silent or vague:
//   - a one-time code is offered only to a verified email / phone number
//     (the code proves the address; an unverified one proves nothing);
//   - a PREFERRED_CHALLENGE the user cannot answer falls back to
//     SELECT_CHALLENGE (Amplify's documented fallback to first-factor
//     selection); one that is not a first factor at all is refused;
//   - after a password, MFA is asked as in the other password flows; after
//     a code or a passkey none is (the factor is possession already);
//   - an unknown name, when the client prevents user-existence errors, is
//     offered what a usual user is (the pool's PASSWORD and EMAIL_OTP), its
//     code is "sent" to a simulated address and every answer fails.
const (
	challengeSelect   = "SELECT_CHALLENGE"
	factorPassword    = "PASSWORD"
	factorPasswordSRP = "PASSWORD_SRP"
	factorEmailOTP    = "EMAIL_OTP"
	factorSMSOTP      = "SMS_OTP"
	factorWebAuthn    = "WEB_AUTHN"
	// challengeUserAuthVerifier marks the Session of USER_AUTH's
	// PASSWORD_VERIFIER (CUSTOM_AUTH's has one too).
	challengeUserAuthVerifier = "USER_AUTH_PASSWORD_VERIFIER"
)

// firstFactorChallenges are the challenges USER_AUTH may start with.
var firstFactorChallenges = []string{factorPassword, factorPasswordSRP, factorEmailOTP, factorSMSOTP, factorWebAuthn}

// signInPolicy is SignInPolicyType.
type signInPolicy struct {
	AllowedFirstAuthFactors []string
}

// allowedFirstAuthFactors is the pool's policy; ["PASSWORD"] when unset,
// Cognito's default SignInPolicy.
func allowedFirstAuthFactors(pool *Pool) []string {
	if pool.Settings.Policies != nil && len(pool.Settings.Policies.SignInPolicy) > 0 {
		var p signInPolicy
		if json.Unmarshal(pool.Settings.Policies.SignInPolicy, &p) == nil && len(p.AllowedFirstAuthFactors) > 0 {
			return p.AllowedFirstAuthFactors
		}
	}
	return []string{factorPassword}
}

// passwordlessSignUp reports whether a SignUp with this password makes a
// user without one: "Users can sign up without a password when your user
// pool supports passwordless sign-in with email or SMS OTPs. To create a
// user with no password, omit this parameter or submit a blank value"
// (botocore SignUpRequest.Password). Elsewhere a blank password is a weak
// one, refused by the policy.
func passwordlessSignUp(pool *Pool, password string) bool {
	if password != "" {
		return false
	}
	factors := allowedFirstAuthFactors(pool)
	return slices.Contains(factors, factorEmailOTP) || slices.Contains(factors, factorSMSOTP)
}

// verifiedAttribute reports whether u has attr, verified.
func verifiedAttribute(u *User, attr string) bool {
	v, _ := u.Attribute(attr)
	ok, _ := u.Attribute(attr + "_verified")
	return v != "" && ok == "true"
}

// userFirstFactors are the pool's first factors (AuthFactorType) that u
// can use: GetUserAuthFactors' ConfiguredUserAuthFactors.
//
// When the pool requires MFA, only a password (which MFA then follows) and
// a passkey that satisfies MFA may start a sign-in: passkey sign-in "is
// available when MFA is required" only with passkey MFA (botocore
// WebAuthnMfaSettingsType; here the pool's FactorConfiguration
// MULTI_FACTOR_WITH_USER_VERIFICATION, passkeySatisfiesMFA), and a one-time
// code first factor would skip the second factor the pool requires
// (decided the same way: no single factor signs in where MFA is required).
func (a *Auth) userFirstFactors(ctx context.Context, pool *Pool, u *User) ([]string, error) {
	mfaRequired := pool.Settings.MfaConfiguration == mfaOn
	var out []string
	for _, f := range allowedFirstAuthFactors(pool) {
		if mfaRequired && (f == factorEmailOTP || f == factorSMSOTP || f == factorWebAuthn && !passkeySatisfiesMFA(pool)) {
			continue
		}
		ok := false
		switch f {
		case factorPassword:
			ok = len(u.Password.Hash) > 0
		case factorEmailOTP:
			ok = verifiedAttribute(u, "email")
		case factorSMSOTP:
			ok = verifiedAttribute(u, "phone_number")
		case factorWebAuthn:
			if a.Passkeys != nil {
				var err error
				if ok, err = a.Passkeys.has(ctx, pool, u); err != nil {
					return nil, err
				}
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// challengesOf turns first factors into AvailableChallenges: a password
// is answered plainly or by SRP.
func challengesOf(factors []string) []string {
	out := []string{}
	for _, f := range factors {
		if f == factorPassword {
			out = append(out, factorPasswordSRP)
		}
		out = append(out, f)
	}
	return out
}

// userAuthSignIn is whom a USER_AUTH sign-in is for: a user, or (user nil)
// an unknown name under PreventUserExistenceErrors.
type userAuthSignIn struct {
	user   *User
	asked  string // the name as given
	device string
}

// state is the session of the sign-in's next challenge.
func (s userAuthSignIn) state(pool *Pool, client *Client, challenge string) challengeState {
	st := challengeState{Pool: pool.ID, Client: client.ID, Challenge: challenge, Device: s.device}
	if s.user != nil {
		st.Username = s.user.Username
	} else {
		st.Unknown = s.asked
	}
	return st
}

// challenges are what the sign-in may choose from.
func (a *Auth) challenges(ctx context.Context, pool *Pool, s userAuthSignIn) ([]string, error) {
	if s.user == nil {
		var usual []string
		for _, f := range allowedFirstAuthFactors(pool) {
			if f == factorPassword || f == factorEmailOTP {
				usual = append(usual, f)
			}
		}
		return challengesOf(usual), nil
	}
	factors, err := a.userFirstFactors(ctx, pool, s.user)
	return challengesOf(factors), err
}

// userAuthInitiate is InitiateAuth with AuthFlow USER_AUTH.
func (a *Auth) userAuthInitiate(ctx context.Context, pool *Pool, client *Client, params map[string]string, session string) (AuthResult, error) {
	username := params["USERNAME"]
	if username == "" {
		return AuthResult{}, missing("USERNAME")
	}
	if err := checkSecretHash(client, params["SECRET_HASH"], username); err != nil {
		return AuthResult{}, err
	}
	if session != "" {
		return a.signUpSessionSignIn(ctx, pool, client, username, session, params["DEVICE_KEY"]) // flow_user_auth_session.go
	}
	preferred := params["PREFERRED_CHALLENGE"]
	if preferred != "" && !slices.Contains(firstFactorChallenges, preferred) {
		return AuthResult{}, Errorf(InvalidParameter, "Invalid value for PREFERRED_CHALLENGE: %s", preferred)
	}
	// A password given at once is checked as USER_PASSWORD_AUTH checks it
	// (an unknown name may be migrated by the UserMigration trigger).
	if preferred == factorPassword && params["PASSWORD"] != "" && slices.Contains(allowedFirstAuthFactors(pool), factorPassword) {
		return a.startFactor(ctx, pool, client, userAuthSignIn{asked: username, device: params["DEVICE_KEY"]}, factorPassword, params)
	}
	s, err := a.userAuthParty(ctx, pool, client, username, params["DEVICE_KEY"])
	if err != nil {
		return AuthResult{}, err
	}
	available, err := a.challenges(ctx, pool, s)
	if err != nil {
		return AuthResult{}, err
	}
	if preferred != "" && slices.Contains(available, preferred) {
		return a.startFactor(ctx, pool, client, s, preferred, params)
	}
	st := s.state(pool, client, challengeSelect)
	st.Expires, st.Nonce = a.Now().Add(authSessionValidity(client)).Unix(), uuid.NewString()
	return AuthResult{ChallengeName: challengeSelect, ChallengeParameters: map[string]string{}, Session: a.sealSession(st),
		AvailableChallenges: available}, nil
}

// userAuthParty finds whom username names, or an unknown name when the
// client prevents user-existence errors.
func (a *Auth) userAuthParty(ctx context.Context, pool *Pool, client *Client, username, device string) (userAuthSignIn, error) {
	user, _, err := FindUser(ctx, a.Store, pool, username)
	if IsType(err, UserNotFound) {
		if err := a.unknownSignIn(ctx, pool, client, username, err); err != nil {
			return userAuthSignIn{}, err
		}
		return userAuthSignIn{asked: username, device: device}, nil
	} else if err != nil {
		return userAuthSignIn{}, err
	}
	return userAuthSignIn{user: &user, asked: username, device: device}, nil
}

// startFactor starts the first factor challenge for s, or completes it
// when params already carry its answer (PASSWORD, SRP_A).
func (a *Auth) startFactor(ctx context.Context, pool *Pool, client *Client, s userAuthSignIn, challenge string, params map[string]string) (AuthResult, error) {
	switch challenge {
	case factorPassword:
		if params["PASSWORD"] == "" {
			return a.factorChallenge(pool, client, s, factorPassword), nil
		}
		user, err := a.CheckPassword(ctx, pool, client, s.asked, params["PASSWORD"])
		if err != nil {
			return AuthResult{}, err
		}
		return a.afterPassword(ctx, pool, client, &user, s.device, false)
	case factorPasswordSRP:
		if params["SRP_A"] == "" {
			return a.factorChallenge(pool, client, s, factorPasswordSRP), nil
		}
		r, err := a.srpInitiate(ctx, pool, client, map[string]string{"USERNAME": s.asked, "SRP_A": params["SRP_A"],
			"SECRET_HASH": params["SECRET_HASH"], "DEVICE_KEY": s.device})
		if err != nil {
			return AuthResult{}, err
		}
		st := s.state(pool, client, challengeUserAuthVerifier)
		st.Expires, st.Nonce = a.Now().Add(srpWindow).Unix(), uuid.NewString()
		r.Session = a.sealSession(st)
		return r, nil
	case factorEmailOTP, factorSMSOTP:
		return a.startCode(ctx, pool, client, s, challenge)
	default:
		return a.startPasskey(ctx, pool, client, s)
	}
}

// factorChallenge asks for the chosen factor's secret in a next call.
func (a *Auth) factorChallenge(pool *Pool, client *Client, s userAuthSignIn, challenge string) AuthResult {
	st := s.state(pool, client, challenge)
	st.Expires, st.Nonce = a.Now().Add(authSessionValidity(client)).Unix(), uuid.NewString()
	return AuthResult{ChallengeName: challenge, ChallengeParameters: map[string]string{}, Session: a.sealSession(st)}
}

// beforeFactor is what a code or passkey challenge checks before it
// starts: PreAuthentication and the lockout. A disabled user is told so
// only after the factor is proven (afterFirstFactor), as a password
// sign-in tells it only after the right password: before, the answer
// would tell anyone that the name exists.
func (a *Auth) beforeFactor(ctx context.Context, pool *Pool, client *Client, u *User) error {
	if err := a.preAuthentication(ctx, pool, client, u, false); err != nil {
		return err
	}
	return a.lockedOut(u)
}

// startCode sends a one-time code for EMAIL_OTP or SMS_OTP.
func (a *Auth) startCode(ctx context.Context, pool *Pool, client *Client, s userAuthSignIn, challenge string) (AuthResult, error) {
	if a.Accounts == nil {
		return AuthResult{}, Errorf(InternalError, "one-time codes are not configured")
	}
	if s.user == nil {
		d, err := a.Accounts.simulatedSend(ctx, pool, s.asked, purposeSignIn)
		if err != nil {
			return AuthResult{}, err
		}
		return a.codeChallenge(client, s.state(pool, client, challenge), d), nil
	}
	if err := a.beforeFactor(ctx, pool, client, s.user); err != nil {
		return AuthResult{}, err
	}
	attr := "email"
	if challenge == factorSMSOTP {
		attr = "phone_number"
	}
	return a.sendSignInCode(ctx, pool, client, s.user, attr, s.state(pool, client, challenge))
}

// startPasskey starts the WEB_AUTHN ceremony; its state rides in the
// Session.
func (a *Auth) startPasskey(ctx context.Context, pool *Pool, client *Client, s userAuthSignIn) (AuthResult, error) {
	if s.user == nil || a.Passkeys == nil {
		return AuthResult{}, Errorf(WebAuthnNotEnabled, "Passkeys are not enabled for this user pool.")
	}
	if err := a.beforeFactor(ctx, pool, client, s.user); err != nil {
		return AuthResult{}, err
	}
	options, state, err := a.Passkeys.begin(ctx, pool, client, s.user)
	if err != nil {
		return AuthResult{}, err
	}
	st := s.state(pool, client, factorWebAuthn)
	st.Expires, st.Nonce, st.Passkey = a.Now().Add(authSessionValidity(client)).Unix(), uuid.NewString(), state
	return AuthResult{ChallengeName: factorWebAuthn, ChallengeParameters: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": options},
		Session: a.sealSession(st)}, nil
}

// userAuthVerifier reports whether session is USER_AUTH's
// PASSWORD_VERIFIER session (answered as USER_SRP_AUTH's).
func (a *Auth) userAuthVerifier(session string, client *Client) bool {
	st, err := a.openAnySession(session)
	return err == nil && st.Challenge == challengeUserAuthVerifier && st.Client == client.ID
}

// openUserAuth opens the Session of a USER_AUTH challenge and checks that
// USERNAME (any sign-in name of the user) and SECRET_HASH are the
// session's.
func (a *Auth) openUserAuth(ctx context.Context, pool *Pool, client *Client, in RespondInput) (challengeState, userAuthSignIn, error) {
	r := in.ChallengeResponses
	if in.Session == "" {
		return challengeState{}, userAuthSignIn{}, missing("Session")
	}
	st, err := a.openSession(in.Session, client, in.ChallengeName)
	if err != nil {
		return challengeState{}, userAuthSignIn{}, err
	}
	if r["USERNAME"] == "" {
		return challengeState{}, userAuthSignIn{}, missing("USERNAME")
	}
	bad := Errorf(NotAuthorized, "Invalid session for the user.")
	if st.Pool != pool.ID {
		return challengeState{}, userAuthSignIn{}, bad
	}
	device := st.Device
	if device == "" {
		device = r["DEVICE_KEY"]
	}
	if st.Username == "" {
		if UsernameKey(pool, r["USERNAME"]) != UsernameKey(pool, st.Unknown) {
			return challengeState{}, userAuthSignIn{}, bad
		}
		if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"]); err != nil {
			return challengeState{}, userAuthSignIn{}, err
		}
		return st, userAuthSignIn{asked: st.Unknown, device: device}, nil
	}
	user, _, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return challengeState{}, userAuthSignIn{}, bad
	}
	named, _, err := FindUser(ctx, a.Store, pool, r["USERNAME"])
	if err != nil || named.Sub != user.Sub {
		return challengeState{}, userAuthSignIn{}, bad
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return challengeState{}, userAuthSignIn{}, err
	}
	return st, userAuthSignIn{user: &user, asked: r["USERNAME"], device: device}, nil
}

// userAuthRespond answers SELECT_CHALLENGE and the first factors'
// challenges (EMAIL_OTP also answers email MFA after a password).
func (a *Auth) userAuthRespond(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	st, s, err := a.openUserAuth(ctx, pool, client, in)
	if err != nil {
		return AuthResult{}, err
	}
	r := in.ChallengeResponses
	switch in.ChallengeName {
	case challengeSelect:
		answer := r["ANSWER"]
		if answer == "" {
			return AuthResult{}, missing("ANSWER")
		}
		available, err := a.challenges(ctx, pool, s)
		if err != nil {
			return AuthResult{}, err
		}
		if !slices.Contains(available, answer) {
			return AuthResult{}, Errorf(InvalidParameter, "The challenge %s is not available for the user.", answer)
		}
		return a.startFactor(ctx, pool, client, s, answer, r)
	case factorPassword, factorPasswordSRP:
		field := "PASSWORD"
		if in.ChallengeName == factorPasswordSRP {
			field = "SRP_A"
		}
		if r[field] == "" {
			return AuthResult{}, missing(field)
		}
		return a.startFactor(ctx, pool, client, s, in.ChallengeName, r)
	case factorEmailOTP, factorSMSOTP:
		field := in.ChallengeName + "_CODE"
		if r[field] == "" {
			return AuthResult{}, missing(field)
		}
		user, err := a.checkSignInCode(ctx, pool, client, st, r[field])
		if err != nil {
			return AuthResult{}, err
		}
		if st.SetUpEmail != "" {
			if user, err = a.enableEmailMFA(ctx, pool, &user, st.SetUpEmail); err != nil {
				return AuthResult{}, err
			}
		}
		return a.afterFirstFactor(ctx, pool, client, &user, s.device)
	default: // WEB_AUTHN
		if r["CREDENTIAL"] == "" {
			return AuthResult{}, missing("CREDENTIAL")
		}
		user, err := a.checkPasskey(ctx, pool, client, st, s, r["CREDENTIAL"])
		if err != nil {
			return AuthResult{}, err
		}
		return a.afterFirstFactor(ctx, pool, client, &user, s.device)
	}
}

// checkPasskey is one answer to a WEB_AUTHN challenge, counted in the
// user's lockout; a session proves one passkey once.
func (a *Auth) checkPasskey(ctx context.Context, pool *Pool, client *Client, st challengeState, s userAuthSignIn, credential string) (User, error) {
	if s.user == nil || a.Passkeys == nil {
		return User{}, errIncorrect
	}
	var ferr error
	user, ok, err := a.answerChallenge(ctx, pool, client, *s.user, UsernameKey(pool, s.user.Username), st.Nonce,
		time.Unix(st.Expires, 0).Add(time.Second), "Password", func(u *User) (bool, error) {
			ferr = a.Passkeys.finish(ctx, pool, client, u, st.Passkey, credential)
			return ferr == nil, nil
		})
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, ferr
	}
	return user, nil
}

// afterFirstFactor finishes a sign-in whose code or passkey was proven:
// the account's state, the device, then tokens (no MFA: see above).
func (a *Auth) afterFirstFactor(ctx context.Context, pool *Pool, client *Client, user *User, deviceKey string) (AuthResult, error) {
	if !user.Enabled {
		return AuthResult{}, Errorf(NotAuthorized, "User is disabled.")
	}
	switch user.Status {
	case StatusResetRequired:
		return AuthResult{}, Errorf(PasswordResetRequired, "Password reset required for the user")
	case StatusUnconfirmed:
		return AuthResult{}, errNotConfirmed
	}
	if !tracksDevices(pool) {
		deviceKey = ""
	}
	if deviceKey != "" {
		if _, err := userDevice(ctx, a.Store, pool.ID, user.Sub, deviceKey); err != nil {
			return AuthResult{}, err
		}
	}
	tokens, err := a.signIn(ctx, pool, client, user, a.Now(), deviceKey)
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}
