package userpool

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/srp"
)

// CUSTOM_AUTH: a sign-in whose challenges the pool's functions decide
// (user-pool-lambda-challenge.md). Each round, DefineAuthChallenge reads the
// challenges answered so far (the session) and says: issue tokens, fail, or
// ask another challenge. A CUSTOM_CHALLENGE is made by CreateAuthChallenge
// (its public parameters are the response's ChallengeParameters, its
// private ones stay in the sealed Session) and judged by
// VerifyAuthChallengeResponse. PASSWORD_VERIFIER is Cognito's own SRP step,
// available when InitiateAuth sent CHALLENGE_NAME=SRP_A (Amplify's
// CUSTOM_WITH_SRP): the session then starts with {SRP_A, true}.
//
// The whole state travels in the Session (challengeState.Custom), sealed;
// each Session is answerable once, for the client's AuthSessionValidity.
// Tokens come through signIn, so PostAuthentication and PreTokenGeneration
// run as on every sign-in; PreAuthentication runs at InitiateAuth.
//
// Decisions where the sources are silent: no MFA after the custom
// challenges (Define is the judge of the sign-in); a missing Create or
// Verify function fails like a missing Define; a Define answer naming a
// challenge other than CUSTOM_CHALLENGE or (after SRP_A) PASSWORD_VERIFIER
// is "Unrecognizable lambda output"; an unconfirmed user is told so at
// InitiateAuth, after PreAuthentication.

// Trigger sources of the custom-auth triggers.
const (
	sourceDefineAuthChallenge = "DefineAuthChallenge_Authentication"
	sourceCreateAuthChallenge = "CreateAuthChallenge_Authentication"
	sourceVerifyAuthChallenge = "VerifyAuthChallengeResponse_Authentication"
)

// customChallengeResult is one answered challenge (aws-lambda-go's
// CognitoEventUserPoolsChallengeResult), as the functions see the session.
type customChallengeResult struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata"`
}

// customAuthState is a CUSTOM_AUTH sign-in between two calls.
type customAuthState struct {
	History  []customChallengeResult `json:"h"`
	Private  map[string]string       `json:"v,omitempty"` // the asked challenge's privateChallengeParameters
	Metadata string                  `json:"m,omitempty"` // its challengeMetadata
	NotFound bool                    `json:"f,omitempty"` // Username is the name asked for, no user
	SRPA     string                  `json:"a,omitempty"` // the client's SRP_A, for PASSWORD_VERIFIER
}

// The events' wire shapes (CognitoEventUserPoolsDefineAuthChallenge,
// ...CreateAuthChallenge, ...VerifyAuthChallenge).
type defineAuthChallengeRequest struct {
	UserAttributes map[string]string       `json:"userAttributes"`
	Session        []customChallengeResult `json:"session"`
	ClientMetadata map[string]string       `json:"clientMetadata"`
	UserNotFound   bool                    `json:"userNotFound"`
}

type defineAuthChallengeResponse struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

type createAuthChallengeRequest struct {
	UserAttributes map[string]string       `json:"userAttributes"`
	ChallengeName  string                  `json:"challengeName"`
	Session        []customChallengeResult `json:"session"`
	ClientMetadata map[string]string       `json:"clientMetadata"`
	UserNotFound   bool                    `json:"userNotFound"`
}

type createAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

type verifyAuthChallengeRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            string            `json:"challengeAnswer"`
	ClientMetadata             map[string]string `json:"clientMetadata"`
	UserNotFound               bool              `json:"userNotFound"`
}

type verifyAuthChallengeResponse struct {
	AnswerCorrect bool `json:"answerCorrect"`
}

var errNoCustomAuthTrigger = Errorf(InvalidParameter, "Custom auth lambda trigger is not configured for the user pool.")

// customAuthAllowed: ALLOW_CUSTOM_AUTH, or a legacy client (no ALLOW_
// names, CUSTOM_AUTH_FLOW_ONLY included), which always had custom auth.
func customAuthAllowed(c *Client) bool {
	flows := c.Settings.ExplicitAuthFlows
	return slices.Contains(flows, "ALLOW_CUSTOM_AUTH") ||
		!slices.ContainsFunc(flows, func(f string) bool { return strings.HasPrefix(f, "ALLOW_") })
}

// customAuthInitiate is InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
func (a *Auth) customAuthInitiate(ctx context.Context, pool *Pool, client *Client, params map[string]string) (AuthResult, error) {
	if pool.TriggerARN(TriggerDefineAuthChallenge) == "" {
		return AuthResult{}, errNoCustomAuthTrigger
	}
	if !customAuthAllowed(client) {
		return AuthResult{}, Errorf(InvalidParameter, "Auth flow not enabled for this client")
	}
	username := params["USERNAME"]
	if username == "" {
		return AuthResult{}, missing("USERNAME")
	}
	if err := checkSecretHash(client, params["SECRET_HASH"], username); err != nil {
		return AuthResult{}, err
	}
	var st customAuthState
	if params["CHALLENGE_NAME"] == "SRP_A" {
		if params["SRP_A"] == "" {
			return AuthResult{}, missing("SRP_A")
		}
		A, err := srp.ParseA(params["SRP_A"])
		if err != nil {
			return AuthResult{}, Errorf(InvalidParameter, "SRP_A is invalid: %s", err.Error())
		}
		st.SRPA = A.Text(16)
		st.History = []customChallengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}
	}
	user, _, err := FindUser(ctx, a.Store, pool, username)
	switch {
	case IsType(err, UserNotFound):
		// Define hears of unknown users only when the client hides them.
		if err := a.unknownSignIn(ctx, pool, client, username, err); err != nil {
			return AuthResult{}, err
		}
		st.NotFound = true
		user = User{Username: username}
	case err != nil:
		return AuthResult{}, err
	default:
		if !user.Enabled {
			return AuthResult{}, Errorf(NotAuthorized, "User is disabled.")
		}
		if err := a.preAuthentication(ctx, pool, client, &user, false); err != nil {
			return AuthResult{}, err
		}
		if user.Status == StatusUnconfirmed {
			return AuthResult{}, errNotConfirmed
		}
	}
	return a.customAuthNext(ctx, pool, client, &user, st)
}

// respondCustomChallenge answers a CUSTOM_CHALLENGE: Verify judges ANSWER,
// the result joins the session, and Define decides the next step.
func (a *Auth) respondCustomChallenge(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	r := in.ChallengeResponses
	cs, user, err := a.openCustomRound(ctx, pool, client, in, "CUSTOM_CHALLENGE")
	if err != nil {
		return AuthResult{}, err
	}
	if r["ANSWER"] == "" {
		return AuthResult{}, missing("ANSWER")
	}
	if pool.TriggerARN(TriggerVerifyAuthChallengeResponse) == "" {
		return AuthResult{}, errNoCustomAuthTrigger
	}
	st := *cs.Custom
	event := newTriggerEvent[verifyAuthChallengeRequest, verifyAuthChallengeResponse](*pool, "", sourceVerifyAuthChallenge, user.Username, client.ID,
		verifyAuthChallengeRequest{UserAttributes: customAuthAttributes(pool, &user, st.NotFound), PrivateChallengeParameters: st.Private,
			ChallengeAnswer: r["ANSWER"], ClientMetadata: clientMetadataOf(ctx), UserNotFound: st.NotFound})
	var answer TriggerEvent[verifyAuthChallengeRequest, verifyAuthChallengeResponse]
	if _, err := a.Triggers.run(ctx, *pool, TriggerVerifyAuthChallengeResponse, event, &answer); err != nil {
		return AuthResult{}, err
	}
	st.History = append(st.History, customChallengeResult{ChallengeName: "CUSTOM_CHALLENGE",
		ChallengeResult: answer.Response.AnswerCorrect && !st.NotFound, ChallengeMetadata: st.Metadata})
	return a.customAuthNext(ctx, pool, client, &user, st)
}

// respondCustomPasswordVerifier answers CUSTOM_AUTH's PASSWORD_VERIFIER:
// Cognito checks the SRP proof itself; a wrong password is a false result
// for Define to judge, not the end of the sign-in.
func (a *Auth) respondCustomPasswordVerifier(ctx context.Context, pool *Pool, client *Client, in RespondInput) (AuthResult, error) {
	cs, user, err := a.openCustomRound(ctx, pool, client, in, "PASSWORD_VERIFIER")
	if err != nil {
		return AuthResult{}, err
	}
	st := *cs.Custom
	proved, err := a.srpProof(ctx, pool, client, in.ChallengeResponses, true)
	if err != nil && !errors.Is(err, errIncorrect) {
		return AuthResult{}, err
	}
	if err == nil {
		user = proved
	}
	st.History = append(st.History, customChallengeResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: err == nil})
	return a.customAuthNext(ctx, pool, client, &user, st)
}

// openCustomRound opens and spends the Session of a CUSTOM_AUTH challenge
// and finds its user again (still enabled), checking USERNAME and
// SECRET_HASH.
func (a *Auth) openCustomRound(ctx context.Context, pool *Pool, client *Client, in RespondInput, challenge string) (challengeState, User, error) {
	r := in.ChallengeResponses
	if in.Session == "" {
		return challengeState{}, User{}, missing("Session")
	}
	cs, err := a.openSession(in.Session, client, challenge)
	if err != nil {
		return challengeState{}, User{}, err
	}
	if cs.Custom == nil || cs.Pool != pool.ID {
		return challengeState{}, User{}, Errorf(NotAuthorized, "Invalid session for the user.")
	}
	if r["USERNAME"] == "" {
		return challengeState{}, User{}, missing("USERNAME")
	}
	user := User{Username: cs.Username}
	if !cs.Custom.NotFound {
		if user, _, err = FindUser(ctx, a.Store, pool, r["USERNAME"]); err != nil {
			return challengeState{}, User{}, err
		}
		if !user.Enabled {
			return challengeState{}, User{}, Errorf(NotAuthorized, "User is disabled.")
		}
	}
	if user.Username != cs.Username || (cs.Custom.NotFound && r["USERNAME"] != cs.Username) {
		return challengeState{}, User{}, Errorf(NotAuthorized, "Invalid session for the user.")
	}
	if err := checkSecretHash(client, r["SECRET_HASH"], r["USERNAME"], cs.Username); err != nil {
		return challengeState{}, User{}, err
	}
	// One answer per Session: a captured Session cannot be tried again.
	if err := a.Store.ConsumeNonce(ctx, "custom:"+cs.Nonce, time.Unix(cs.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return challengeState{}, User{}, Errorf(NotAuthorized, "Invalid session for the user.")
	} else if err != nil {
		return challengeState{}, User{}, err
	}
	return cs, user, nil
}

// customAuthNext asks Define what follows the session st.History: tokens,
// a failure, or the next challenge with its Session.
func (a *Auth) customAuthNext(ctx context.Context, pool *Pool, client *Client, user *User, st customAuthState) (AuthResult, error) {
	if st.History == nil {
		st.History = []customChallengeResult{} // the functions see [], not null
	}
	attrs := customAuthAttributes(pool, user, st.NotFound)
	define := newTriggerEvent[defineAuthChallengeRequest, defineAuthChallengeResponse](*pool, "", sourceDefineAuthChallenge, user.Username, client.ID,
		defineAuthChallengeRequest{UserAttributes: attrs, Session: st.History, ClientMetadata: clientMetadataOf(ctx), UserNotFound: st.NotFound})
	var decided TriggerEvent[defineAuthChallengeRequest, defineAuthChallengeResponse]
	if ran, err := a.Triggers.run(ctx, *pool, TriggerDefineAuthChallenge, define, &decided); err != nil {
		return AuthResult{}, err
	} else if !ran {
		return AuthResult{}, errNoCustomAuthTrigger
	}
	next := decided.Response
	switch {
	case next.FailAuthentication:
		return AuthResult{}, errIncorrect
	case next.IssueTokens:
		if st.NotFound {
			return AuthResult{}, errIncorrect // an unknown name has no tokens to issue
		}
		tokens, err := a.signIn(ctx, pool, client, user, a.Now(), "")
		if err != nil {
			return AuthResult{}, err
		}
		return AuthResult{Tokens: &tokens}, nil
	case next.ChallengeName == "CUSTOM_CHALLENGE":
		return a.customChallenge(ctx, pool, client, user, st, attrs)
	case next.ChallengeName == "PASSWORD_VERIFIER" && st.SRPA != "":
		return a.customPasswordVerifier(pool, client, user, st)
	}
	return AuthResult{}, Errorf("InvalidLambdaResponseException", "Unrecognizable lambda output")
}

// customChallenge asks Create for the next CUSTOM_CHALLENGE.
func (a *Auth) customChallenge(ctx context.Context, pool *Pool, client *Client, user *User, st customAuthState, attrs map[string]string) (AuthResult, error) {
	if pool.TriggerARN(TriggerCreateAuthChallenge) == "" {
		return AuthResult{}, errNoCustomAuthTrigger
	}
	event := newTriggerEvent[createAuthChallengeRequest, createAuthChallengeResponse](*pool, "", sourceCreateAuthChallenge, user.Username, client.ID,
		createAuthChallengeRequest{UserAttributes: attrs, ChallengeName: "CUSTOM_CHALLENGE", Session: st.History,
			ClientMetadata: clientMetadataOf(ctx), UserNotFound: st.NotFound})
	var created TriggerEvent[createAuthChallengeRequest, createAuthChallengeResponse]
	if _, err := a.Triggers.run(ctx, *pool, TriggerCreateAuthChallenge, event, &created); err != nil {
		return AuthResult{}, err
	}
	st.Private, st.Metadata = created.Response.PrivateChallengeParameters, created.Response.ChallengeMetadata
	params := map[string]string{}
	for k, v := range created.Response.PublicChallengeParameters {
		params[k] = v
	}
	params["USERNAME"] = user.Username
	return AuthResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeParameters: params,
		Session: a.sealCustomSession(pool, client, user, "CUSTOM_CHALLENGE", st)}, nil
}

// customPasswordVerifier is Cognito's own SRP challenge inside CUSTOM_AUTH,
// for the SRP_A InitiateAuth sent.
func (a *Auth) customPasswordVerifier(pool *Pool, client *Client, user *User, st customAuthState) (AuthResult, error) {
	A, err := srp.ParseA(st.SRPA)
	if err != nil {
		return AuthResult{}, errIncorrect
	}
	st.Private, st.Metadata = nil, ""
	var salt, verifier []byte
	internal := user.Username
	if st.NotFound {
		internal = ""
		salt, verifier = a.simulatedVerifier(pool.ID, user.Username)
	} else if salt, verifier, err = a.Credentials.Verifier(user.Password, pool.ID, user.Username); err != nil {
		return AuthResult{}, err
	}
	r, err := a.srpChallenge(pool, client, internal, user.Username, A, salt, verifier, "", true)
	if err != nil {
		return AuthResult{}, err
	}
	r.Session = a.sealCustomSession(pool, client, user, "PASSWORD_VERIFIER", st)
	return r, nil
}

func (a *Auth) sealCustomSession(pool *Pool, client *Client, user *User, challenge string, st customAuthState) string {
	return a.sealSession(challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username, Challenge: challenge,
		Expires: a.Now().Add(authSessionValidity(client)).Unix(), Nonce: uuid.NewString(), Custom: &st})
}

// customAuthAttributes: an unknown user has none.
func customAuthAttributes(pool *Pool, user *User, notFound bool) map[string]string {
	if notFound {
		return map[string]string{}
	}
	return triggerUserAttributes(pool, user)
}
