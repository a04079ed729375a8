package userpool

import (
	"context"
	"encoding/base32"
	"errors"
	"slices"
)

// The hosted UI's sign-in runs the API's state machine: the password step
// goes through afterPassword (account state, NEW_PASSWORD_REQUIRED,
// MFA_SETUP, SOFTWARE_TOKEN_MFA), and every answer goes through Respond, the
// code path of RespondToAuthChallenge, so that whatever rule that path
// enforces (attempt limits, single-use sessions and codes) holds for the
// browser too. Only the end differs: where the API issues tokens, a hosted
// sign-in reports its user, and the hosted UI opens its session and
// redirects with a code (tokens come from the code grant).

// Challenges the hosted UI shows a page for.
const (
	ChallengeSoftwareTokenMFA = mfaSoftwareToken
	ChallengeMFASetup         = "MFA_SETUP"
	ChallengeNewPassword      = "NEW_PASSWORD_REQUIRED"
	ChallengeWebAuthn         = factorWebAuthn
)

// HostedStep is where a hosted sign-in stands: a challenge for the browser
// to answer, or (Challenge "") a signed-in User.
type HostedStep struct {
	Challenge  string
	Session    string            // sealed; travels in the page's form
	Username   string            // whose sign-in it is
	Parameters map[string]string // the challenge's parameters (requiredAttributes, …)
	SecretCode string            // MFA_SETUP: the pending TOTP secret (base32), to enrol
	User       User              // once signed in
}

// HostedAnswer is what the browser sent for a challenge.
type HostedAnswer struct {
	Code        string            // SOFTWARE_TOKEN_MFA, MFA_SETUP
	NewPassword string            // NEW_PASSWORD_REQUIRED
	Attributes  map[string]string // NEW_PASSWORD_REQUIRED: the required attributes
	Credential  string            // WEB_AUTHN: the passkey's AuthenticationResponseJSON
}

// hostedFinishKey marks the context of a hosted sign-in: signIn leaves the
// user in the hostedFinish it holds instead of issuing tokens.
type hostedFinishKey struct{}

type hostedFinish struct{ user *User }

func withHostedFinish(ctx context.Context) (context.Context, *hostedFinish) {
	fin := &hostedFinish{}
	return context.WithValue(ctx, hostedFinishKey{}, fin), fin
}

// finishHosted is signIn's hook: in a hosted sign-in it records the user
// and reports true (no tokens are issued).
func finishHosted(ctx context.Context, user *User) bool {
	fin, ok := ctx.Value(hostedFinishKey{}).(*hostedFinish)
	if !ok {
		return false
	}
	u := *user
	fin.user = &u
	return true
}

func (a *Auth) mfa() *MFA { return &MFA{Store: a.Store, Now: a.Now, Sealer: a.Sealer} }

// HostedSignIn checks a password entered on the hosted login page and
// returns the next step. The page never tells that a username does not
// exist, whatever the client's PreventUserExistenceErrors: an unknown name
// reads as a wrong password.
func (a *Auth) HostedSignIn(ctx context.Context, pool *Pool, client *Client, username, password string) (HostedStep, error) {
	user, err := a.CheckPassword(ctx, pool, client, username, password)
	if IsType(err, UserNotFound) {
		return HostedStep{}, Errorf(NotAuthorized, "Incorrect username or password.")
	} else if err != nil {
		return HostedStep{}, err
	}
	ctx, fin := withHostedFinish(ctx)
	r, err := a.afterPassword(ctx, pool, client, &user, "", false)
	if err != nil {
		return HostedStep{}, err
	}
	return a.hostedStep(ctx, fin, r, user.Username)
}

// HostedPasskeyOffered reports whether the login page offers a passkey:
// when the pool allows WEB_AUTHN as a first factor and the client allows
// USER_AUTH, whose rules the passkey sign-in runs (HostedPasskeySignIn).
func HostedPasskeyOffered(pool *Pool, client *Client) bool {
	return slices.Contains(allowedFirstAuthFactors(pool), factorWebAuthn) && flowAllowed(client, "ALLOW_USER_AUTH", "")
}

// HostedPasskeySignIn starts a passkey sign-in for username from the login
// page: InitiateAuth's USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN, so
// that its rules (account state, lockout, triggers, single-use sessions)
// hold for the browser too. The step is the WEB_AUTHN challenge, whose
// CREDENTIAL_REQUEST_OPTIONS the page hands to navigator.credentials.get.
// A name without a passkey, or no user at all, reads the same: the page
// does not tell which.
func (a *Auth) HostedPasskeySignIn(ctx context.Context, pool *Pool, client *Client, username string) (HostedStep, error) {
	none := Errorf(NotAuthorized, "No passkey for this username. Sign in with your password.")
	if username == "" {
		return HostedStep{}, Errorf(InvalidParameter, "Enter your username to sign in with a passkey.")
	}
	params := map[string]string{"USERNAME": username, "PREFERRED_CHALLENGE": ChallengeWebAuthn}
	if client.Confidential() {
		params["SECRET_HASH"] = SecretHash(client.Secrets[0].Value, username, client.ID)
	}
	ctx, fin := withHostedFinish(ctx)
	r, err := a.Initiate(ctx, InitiateInput{ClientId: client.ID, AuthFlow: "USER_AUTH", AuthParameters: params}, false)
	if IsType(err, UserNotFound) {
		return HostedStep{}, none
	} else if err != nil {
		return HostedStep{}, err
	}
	// Without a passkey USER_AUTH offers the other factors instead.
	if r.ChallengeName != ChallengeWebAuthn {
		return HostedStep{}, none
	}
	return a.hostedStep(ctx, fin, r, username)
}

// HostedRespond answers the challenge of a hosted step. When the answer is
// wrong but the step may be tried again (a wrong code, a password the policy
// refuses), it returns the same step with the error; other errors (an
// expired or spent session) return no step: the sign-in starts over.
func (a *Auth) HostedRespond(ctx context.Context, pool *Pool, client *Client, challenge, session string, ans HostedAnswer) (HostedStep, error) {
	bad := Errorf(NotAuthorized, "Invalid session for the user.")
	st, err := a.openAnySession(session)
	if err != nil {
		return HostedStep{}, err
	}
	// A session serves the pool and client it was made for, nowhere else.
	if st.Pool != pool.ID || st.Client != client.ID {
		return HostedStep{}, bad
	}
	retry := HostedStep{Challenge: challenge, Session: session, Username: st.Username}
	responses := map[string]string{}
	switch challenge {
	case ChallengeSoftwareTokenMFA:
		responses["SOFTWARE_TOKEN_MFA_CODE"] = ans.Code
	case ChallengeNewPassword:
		for name, v := range ans.Attributes {
			responses["userAttributes."+name] = v
		}
		responses["NEW_PASSWORD"] = ans.NewPassword
	case ChallengeWebAuthn:
		responses["CREDENTIAL"] = ans.Credential
	case ChallengeMFASetup:
		if st.Challenge != "MFA_SETUP_ASSOCIATED" {
			return HostedStep{}, bad
		}
		verified, err := a.mfa().VerifyWithSession(ctx, a, session, ans.Code)
		if IsType(err, "EnableSoftwareTokenMFAException") {
			if retry.SecretCode, err = a.pendingSecret(ctx, pool, st.Username); err != nil {
				return HostedStep{}, err
			}
			return retry, Errorf(CodeMismatch, "Invalid code received for user")
		} else if err != nil {
			return HostedStep{}, err
		}
		session = verified
	default:
		return HostedStep{}, bad
	}
	// The names come last: the browser's answer cannot replace them.
	responses["USERNAME"] = st.Username
	if client.Confidential() {
		responses["SECRET_HASH"] = SecretHash(client.Secrets[0].Value, st.Username, client.ID)
	}
	ctx, fin := withHostedFinish(ctx)
	r, err := a.Respond(ctx, RespondInput{ClientId: client.ID, ChallengeName: challenge, Session: session, ChallengeResponses: responses}, false)
	if err != nil {
		switch ErrorType(err) {
		case CodeMismatch, InvalidPassword, InvalidParameter:
			return retry, err
		}
		return HostedStep{}, err
	}
	return a.hostedStep(ctx, fin, r, st.Username)
}

// hostedStep turns the API's answer into the next hosted step. MFA_SETUP
// associates a new secret at once, so that the page can show it. A
// challenge the hosted UI has no page for ends the sign-in: never tokens
// without it.
func (a *Auth) hostedStep(ctx context.Context, fin *hostedFinish, r AuthResult, username string) (HostedStep, error) {
	switch r.ChallengeName {
	case "":
		if fin.user == nil {
			return HostedStep{}, errors.New("hosted sign-in ended without its user")
		}
		return HostedStep{User: *fin.user, Username: fin.user.Username}, nil
	case ChallengeMFASetup:
		secret, session, err := a.mfa().AssociateWithSession(ctx, a, r.Session)
		if err != nil {
			return HostedStep{}, err
		}
		return HostedStep{Challenge: ChallengeMFASetup, Session: session, Username: username, SecretCode: secret}, nil
	case ChallengeSoftwareTokenMFA, ChallengeNewPassword, ChallengeWebAuthn:
		return HostedStep{Challenge: r.ChallengeName, Session: r.Session, Username: username, Parameters: r.ChallengeParameters}, nil
	default:
		return HostedStep{}, Errorf(NotAuthorized, "This sign-in needs a step that the hosted UI does not offer (%s).", r.ChallengeName)
	}
}

// pendingSecret is the secret being set up (for the set-up page again).
func (a *Auth) pendingSecret(ctx context.Context, pool *Pool, username string) (string, error) {
	u, _, err := FindUser(ctx, a.Store, pool, username)
	if err != nil {
		return "", err
	}
	secret, err := a.Sealer.Open(u.MFA.PendingSecret, totpLabel(pool.ID, u.Sub))
	if err != nil {
		return "", Errorf(NotAuthorized, "Invalid session for the user.")
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), nil
}
