package userpool

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Software-token MFA (TOTP, RFC 6238: HMAC-SHA1, 6 digits, 30-second steps,
// one step of drift either way), as Cognito's authenticator-app MFA.

const (
	mfaSoftwareToken = "SOFTWARE_TOKEN_MFA"
	mfaEmail         = "EMAIL_OTP"
	totpStep         = 30 * time.Second
)

// TOTP returns the code of secret at t (exported for tests and tools).
func TOTP(secret []byte, t time.Time) string {
	return totpAt(secret, uint64(t.Unix()/int64(totpStep/time.Second)))
}

func totpAt(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1000000)
}

func totpLabel(poolID, sub string) string { return "totp:" + poolID + ":" + sub }

// MFA serves software-token association, verification and preferences.
type MFA struct {
	Store    Store
	Now      Clock
	Sealer   Sealer
	Sessions *Sessions
}

// Associate is AssociateSoftwareToken (with an access token): a fresh
// secret, pending until verified.
func (s *MFA) Associate(ctx context.Context, accessToken string) (string, error) {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return "", err
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	pool := a.Pool
	_, err = s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, a.User.Username), func(u User) (User, error) {
		u.MFA.PendingSecret = s.Sealer.Seal(secret, totpLabel(pool.ID, u.Sub))
		return u, nil
	})
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), err
}

// checkTOTP compares code with the secret's codes around now, and spends
// the step so that a code works once.
func (s *MFA) checkTOTP(ctx context.Context, st Store, sealed []byte, poolID, sub, code string, now time.Time) (bool, error) {
	secret, err := s.Sealer.Open(sealed, totpLabel(poolID, sub))
	if err != nil {
		return false, nil
	}
	step := uint64(now.Unix() / int64(totpStep/time.Second))
	for _, c := range []uint64{step - 1, step, step + 1} {
		if subtle.ConstantTimeCompare([]byte(totpAt(secret, c)), []byte(code)) == 1 {
			err := st.ConsumeNonce(ctx, "totp:"+poolID+":"+sub+":"+strconv.FormatUint(c, 10), now.Add(3*totpStep))
			if errors.Is(err, ErrAlreadyExists) {
				return false, nil
			}
			return err == nil, err
		}
	}
	return false, nil
}

// Verify is VerifySoftwareToken: the pending secret becomes the user's.
func (s *MFA) Verify(ctx context.Context, accessToken, code string) error {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return err
	}
	if len(a.User.MFA.PendingSecret) == 0 {
		return Errorf(InvalidParameter, "No software token is associated with this user; call AssociateSoftwareToken first.")
	}
	ok, err := s.checkTOTP(ctx, s.Store, a.User.MFA.PendingSecret, a.User.PoolID, a.User.Sub, code, s.Now())
	if err != nil {
		return err
	}
	if !ok {
		return Errorf("EnableSoftwareTokenMFAException", "Code mismatch")
	}
	pool := a.Pool
	_, err = s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, a.User.Username), func(u User) (User, error) {
		u.MFA.TOTPSecret, u.MFA.PendingSecret = u.MFA.PendingSecret, nil
		return u, nil
	})
	return err
}

// SoftwareTokenSettings is SoftwareTokenMfaSettingsType.
type SoftwareTokenSettings struct {
	Enabled      bool
	PreferredMfa bool
}

// MFAPreference is what SetUserMFAPreference sets: each method's
// settings (nil: unchanged). EmailMfaSettingsType has the same members as
// SoftwareTokenMfaSettingsType.
type MFAPreference struct {
	SoftwareToken *SoftwareTokenSettings
	Email         *SoftwareTokenSettings
}

func (s *MFA) setPreference(ctx context.Context, pool *Pool, u *User, pref MFAPreference) error {
	st, em := pref.SoftwareToken, pref.Email
	if st == nil && em == nil {
		return nil
	}
	if st != nil && st.Enabled && len(u.MFA.TOTPSecret) == 0 {
		return Errorf(InvalidParameter, "User has not verified software token mfa")
	}
	// Decided: email MFA needs a verified email, where its codes go.
	if em != nil && em.Enabled && !verifiedAttribute(u, "email") {
		return Errorf(InvalidParameter, "User does not have a verified email address.")
	}
	_, err := s.Store.UpdateUser(ctx, pool.ID, UsernameKey(pool, u.Username), func(u User) (User, error) {
		setMethod := func(set *SoftwareTokenSettings, enabled *bool, name string) {
			if set == nil {
				return
			}
			*enabled = set.Enabled
			if set.Enabled && set.PreferredMfa {
				u.MFA.Preferred = name
			} else if u.MFA.Preferred == name {
				u.MFA.Preferred = ""
			}
		}
		setMethod(st, &u.MFA.TOTPEnabled, mfaSoftwareToken)
		setMethod(em, &u.MFA.EmailEnabled, mfaEmail)
		return u, nil
	})
	return err
}

// SetPreference is SetUserMFAPreference.
func (s *MFA) SetPreference(ctx context.Context, accessToken string, pref MFAPreference) error {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return err
	}
	pool := a.Pool
	return s.setPreference(ctx, &pool, &a.User, pref)
}

// AdminSetPreference is AdminSetUserMFAPreference.
func (s *MFA) AdminSetPreference(ctx context.Context, poolID, username string, pref MFAPreference) error {
	pool, u, _, err := poolUser(ctx, s.Store, poolID, username)
	if err != nil {
		return err
	}
	return s.setPreference(ctx, &pool, &u, pref)
}

// SetPoolConfig is SetUserPoolMfaConfig: software tokens and email (nil:
// unchanged).
func (s *MFA) SetPoolConfig(ctx context.Context, poolID, mode string, softwareToken *bool, email *EmailMfaConfig) (Pool, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return Pool{}, err
	}
	return s.Store.UpdatePool(ctx, poolID, func(p Pool) (Pool, error) {
		if softwareToken != nil {
			p.Settings.SoftwareTokenMfaEnabled = *softwareToken
		}
		if email != nil {
			p.Settings.EmailMfa = email
		}
		if mode != "" {
			if mode != mfaOff && !p.Settings.SoftwareTokenMfaEnabled && p.Settings.EmailMfa == nil {
				return p, Errorf(InvalidParameter, "At least one MFA method must be enabled to turn MFA on or optional.")
			}
			p.Settings.MfaConfiguration = mode
		}
		p.ModifiedAt = s.Now()
		return p, nil
	})
}

// asksEmailMFA reports whether a password sign-in of u goes on to an
// EMAIL_OTP code: the pool has email MFA, u a verified email, and u enabled
// it — or the pool requires MFA and u has no software token (decided:
// Cognito then uses the method the user can receive, rather than setup).
func asksEmailMFA(pool *Pool, u *User) bool {
	m := pool.MFAMode()
	if m == mfaOff || pool.Settings.EmailMfa == nil || !verifiedAttribute(u, "email") {
		return false
	}
	return u.MFA.EmailEnabled || (m == "ON" && !u.MFA.TOTPEnabled)
}

// mfaChallenge asks for the software token (or an emailed code: the
// preferred one when the user has both) after the password, when the
// pool has MFA on or optional and the user enabled it; when the pool
// requires MFA and the user has none, it asks the user to set it up.
func (a *Auth) mfaChallenge(ctx context.Context, pool *Pool, client *Client, user *User, deviceKey string) (AuthResult, bool, error) {
	if asksEmailMFA(pool, user) && (!user.MFA.TOTPEnabled || user.MFA.Preferred == mfaEmail) {
		r, err := a.sendSignInCode(ctx, pool, client, user, "email",
			challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username, Device: deviceKey})
		return r, true, err
	}
	r, ok := a.tokenMFAChallenge(pool, client, user, deviceKey)
	return r, ok, nil
}

// tokenMFAChallenge is mfaChallenge's software token (or its setup).
func (a *Auth) tokenMFAChallenge(pool *Pool, client *Client, user *User, deviceKey string) (AuthResult, bool) {
	if pool.Settings.MfaConfiguration == "ON" && !user.MFA.TOTPEnabled {
		session := a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username, Challenge: "MFA_SETUP",
			Device: deviceKey, Expires: a.Now().Add(10 * time.Minute).Unix(), Nonce: uuid.NewString()})
		canSetUp := `["SOFTWARE_TOKEN_MFA"]`
		if pool.Settings.EmailMfa != nil { // by MFA_SETUP's EMAIL answer (flow_user_auth_email_setup.go)
			canSetUp = `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`
		}
		return AuthResult{ChallengeName: "MFA_SETUP", ChallengeParameters: map[string]string{"MFAS_CAN_SETUP": canSetUp},
			Session: session}, true
	}
	if pool.MFAMode() == mfaOff || !user.MFA.TOTPEnabled {
		return AuthResult{}, false
	}
	session := a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username, Challenge: mfaSoftwareToken,
		Device: deviceKey, Expires: a.Now().Add(3 * time.Minute).Unix(), Nonce: uuid.NewString()})
	return AuthResult{ChallengeName: mfaSoftwareToken, ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": user.Username}, Session: session}, true
}

// respondMFA checks SOFTWARE_TOKEN_MFA_CODE and finishes the sign-in.
func (a *Auth) respondMFA(ctx context.Context, pool *Pool, client *Client, in RespondInput, mfa *MFA) (AuthResult, error) {
	st, err := a.openSession(in.Session, client, mfaSoftwareToken)
	if err != nil {
		return AuthResult{}, err
	}
	r := in.ChallengeResponses
	if r["SOFTWARE_TOKEN_MFA_CODE"] == "" {
		return AuthResult{}, missing("SOFTWARE_TOKEN_MFA_CODE")
	}
	user, key, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return AuthResult{}, err
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	user, ok, err := a.answerChallenge(ctx, pool, client, user, key, st.Nonce, time.Unix(st.Expires, 0).Add(time.Second), "Mfa",
		func(u *User) (bool, error) {
			return mfa.checkTOTP(ctx, a.Store, u.MFA.TOTPSecret, pool.ID, u.Sub, r["SOFTWARE_TOKEN_MFA_CODE"], a.Now())
		})
	if err != nil {
		return AuthResult{}, err
	}
	if !ok {
		return AuthResult{}, Errorf(CodeMismatch, "Invalid code received for user")
	}
	tokens, err := a.signIn(ctx, pool, client, &user, a.Now(), st.Device)
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}

// sessionUser opens an MFA_SETUP session (any client: the session names it).
func (s *MFA) sessionUser(ctx context.Context, a *Auth, session, stage string) (challengeState, Pool, User, error) {
	bad := Errorf(NotAuthorized, "Invalid session for the user.")
	st, err := a.openAnySession(session)
	if err != nil || st.Challenge != stage {
		return challengeState{}, Pool{}, User{}, bad
	}
	pool, err := GetPool(ctx, s.Store, st.Pool)
	if err != nil {
		return challengeState{}, Pool{}, User{}, bad
	}
	u, _, err := FindUser(ctx, s.Store, &pool, st.Username)
	if err != nil {
		return challengeState{}, Pool{}, User{}, bad
	}
	return st, pool, u, nil
}

// AssociateWithSession is AssociateSoftwareToken during an MFA_SETUP
// challenge: the secret is pending on the user, the session moves on.
func (s *MFA) AssociateWithSession(ctx context.Context, a *Auth, session string) (string, string, error) {
	st, pool, u, err := s.sessionUser(ctx, a, session, "MFA_SETUP")
	if err != nil {
		return "", "", err
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return "", "", err
	}
	if _, err := s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, u.Username), func(u User) (User, error) {
		u.MFA.PendingSecret = s.Sealer.Seal(secret, totpLabel(pool.ID, u.Sub))
		return u, nil
	}); err != nil {
		return "", "", err
	}
	st.Challenge, st.Nonce = "MFA_SETUP_ASSOCIATED", uuid.NewString()
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), a.sealSession(st), nil
}

// VerifyWithSession is VerifySoftwareToken during MFA_SETUP: the token
// becomes the user's enabled, preferred MFA.
func (s *MFA) VerifyWithSession(ctx context.Context, a *Auth, session, code string) (string, error) {
	st, pool, u, err := s.sessionUser(ctx, a, session, "MFA_SETUP_ASSOCIATED")
	if err != nil {
		return "", err
	}
	ok, err := s.checkTOTP(ctx, s.Store, u.MFA.PendingSecret, pool.ID, u.Sub, code, s.Now())
	if err != nil {
		return "", err
	}
	if !ok {
		return "", Errorf("EnableSoftwareTokenMFAException", "Code mismatch")
	}
	if _, err := s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, u.Username), func(u User) (User, error) {
		u.MFA.TOTPSecret, u.MFA.PendingSecret = u.MFA.PendingSecret, nil
		u.MFA.TOTPEnabled, u.MFA.Preferred = true, mfaSoftwareToken
		return u, nil
	}); err != nil {
		return "", err
	}
	st.Challenge, st.Nonce = "MFA_SETUP_VERIFIED", uuid.NewString()
	return a.sealSession(st), nil
}

// respondMFASetup finishes a sign-in whose MFA was just set up.
func (a *Auth) respondMFASetup(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	if email := in.ChallengeResponses["EMAIL"]; email != "" {
		return a.setUpEmailMFA(ctx, pool, client, in, email)
	}
	st, err := a.openSession(in.Session, client, "MFA_SETUP_VERIFIED")
	if err != nil {
		return AuthResult{}, err
	}
	user, _, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil {
		return AuthResult{}, err
	}
	tokens, err := a.signIn(ctx, pool, client, &user, a.Now(), st.Device)
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}
