package e2e

// Findings #4, #5, #7 and #14 of the security review, attacked against a
// real `cognate serve` with bursts of concurrent SDK calls. Each test counts
// the guesses that reached a check (the answers that say "wrong") and
// asserts the bound the limits promise.

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// tally counts answers by "ErrorCode: message" ("ok" for a success).
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(err error) {
	key := "ok"
	if err != nil {
		key = err.Error()
		var ae smithy.APIError
		if errorsAs(err, &ae) {
			key = ae.ErrorCode() + ": " + ae.ErrorMessage()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[key]++
}

func (t *tally) get(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[key]
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprint(t.n)
}

// burst runs call(0..n-1) at once, each in its own goroutine, released
// together, and tallies the answers.
func burst(n int, into *tally, call func(i int) error) {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			start.Wait()
			into.add(call(i))
		}()
	}
	start.Done()
	done.Wait()
}

const (
	answerCodeMismatch  = "CodeMismatchException: Invalid verification code provided, please try again."
	answerLimitExceeded = "LimitExceededException: Attempt limit exceeded, please try after some time."
	answerIncorrect     = "NotAuthorizedException: Incorrect username or password."
	answerLockedOut     = "NotAuthorizedException: Password attempts exceeded"
	answerMFAMismatch   = "CodeMismatchException: Invalid code received for user"
)

// wrongCode is a six-digit code other than right.
func wrongCode(i int, right string) string {
	c := fmt.Sprintf("%06d", (i*7919+123457)%1000000)
	if c == right {
		c = fmt.Sprintf("%06d", (i*7919+123458)%1000000)
	}
	return c
}

// #4: ForgotPassword + a burst of wrong codes, repeated. Every request
// gives a fresh code, so only a per-user limit across codes bounds the
// guesses; within a code, the check must claim an attempt before comparing.
func TestSecurityResetCodeBruteForceIsBounded(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	var issued, guesses tally
	for cycle := range 8 {
		_, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice")})
		issued.add(err)
		code := ""
		if err == nil {
			code = lastCode(t, s, f.PoolID, "alice")
		}
		burst(40, &guesses, func(i int) error {
			_, err := f.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice"),
				ConfirmationCode: aws.String(wrongCode(cycle*40+i, code)), Password: aws.String("Taken-Over-Pass-1")})
			return err
		})
	}
	t.Logf("ForgotPassword answers: %v", &issued)
	t.Logf("ConfirmForgotPassword answers: %v", &guesses)
	if n := issued.get("ok"); n > maxCodesPerHour {
		t.Errorf("%d reset codes issued in the hour, want at most %d", n, maxCodesPerHour)
	}
	if n := issued.get(answerLimitExceeded); n != 8-issued.get("ok") {
		t.Errorf("refused ForgotPassword answered otherwise: %v", &issued)
	}
	if n := guesses.get(answerCodeMismatch); n > maxWrongCodesPerHour {
		t.Errorf("%d reset-code guesses evaluated in the hour, want at most %d", n, maxWrongCodesPerHour)
	}
	if n := guesses.get(answerCodeMismatch) + guesses.get(answerLimitExceeded); n != 8*40 {
		t.Errorf("unexpected answers: %v", &guesses)
	}
}

// The same rule guards the sign-up code and the attribute verification code.
func TestSecurityConfirmationCodesBruteForceIsBounded(t *testing.T) {
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("codes"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: allFlows})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, api: api, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}
	if _, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	var issued, guesses tally
	for cycle := range 6 {
		if cycle > 0 {
			_, err := api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &f.ClientID, Username: aws.String("bob")})
			issued.add(err)
		}
		code := lastCode(t, s, f.PoolID, "bob")
		burst(30, &guesses, func(i int) error {
			_, err := api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"),
				ConfirmationCode: aws.String(wrongCode(cycle*30+i, code))})
			return err
		})
	}
	t.Logf("ResendConfirmationCode answers: %v; ConfirmSignUp answers: %v", &issued, &guesses)
	if n := guesses.get(answerCodeMismatch); n > maxWrongCodesPerHour {
		t.Errorf("%d sign-up code guesses evaluated, want at most %d", n, maxWrongCodesPerHour)
	}
	if n := issued.get("ok"); n > maxCodesPerHour-1 { // SignUp sent the first
		t.Errorf("%d codes resent, want at most %d", n, maxCodesPerHour-1)
	}

	if _, err := api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &f.PoolID, Username: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	tok := f.signIn(t, "bob", testPassword)
	var vIssued, vGuesses tally
	for cycle := range 6 {
		_, err := api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: tok.AccessToken,
			AttributeName: aws.String("email")})
		vIssued.add(err)
		code := lastCode(t, s, f.PoolID, "bob")
		burst(30, &vGuesses, func(i int) error {
			_, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tok.AccessToken, AttributeName: aws.String("email"),
				Code: aws.String(wrongCode(cycle*30+i, code))})
			return err
		})
	}
	t.Logf("GetUserAttributeVerificationCode answers: %v; VerifyUserAttribute answers: %v", &vIssued, &vGuesses)
	if n := vGuesses.get(answerCodeMismatch); n > maxWrongCodesPerHour {
		t.Errorf("%d attribute code guesses evaluated, want at most %d", n, maxWrongCodesPerHour)
	}
	if n := vIssued.get("ok"); n > maxCodesPerHour {
		t.Errorf("%d attribute codes issued, want at most %d", n, maxCodesPerHour)
	}
}

// The limits the domain promises (internal/userpool/attempt_limits.go).
const (
	maxCodesPerHour      = 5  // codes issued per user and purpose
	maxWrongCodesPerHour = 10 // code entries per user and purpose
	maxCodesPerSession   = 3  // SOFTWARE_TOKEN_MFA answers per session
	freePasswordAttempts = 5  // failures before the lockout
)

// mfaUser enrols alice in TOTP in a pool with optional MFA and returns her
// secret and the time steps already spent.
func mfaUser(t *testing.T, f *fixture) (string, map[int64]bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	res := f.signIn(t, "alice", testPassword)
	assoc, err := f.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: res.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := f.api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: res.AccessToken,
		UserCode: aws.String(authenticatorCode(t, *assoc.SecretCode, now))}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: res.AccessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	return *assoc.SecretCode, map[int64]bool{now.Unix() / 30: true}
}

// validCode is a code the server accepts now whose step has not been
// spent; spend marks it spent once a sign-in used it.
func validCode(t *testing.T, secret string, spent map[int64]bool) (string, int64) {
	now := time.Now().Unix() / 30
	for _, step := range []int64{now, now - 1, now + 1} {
		if !spent[step] {
			return authenticatorCode(t, secret, time.Unix(step*30, 0)), step
		}
	}
	t.Fatal("no unspent TOTP step")
	return "", 0
}

// wrongTOTP is a code none of the acceptable steps has.
func wrongTOTP(t *testing.T, secret string, i int) string {
	now := time.Now().Unix() / 30
	for k := 0; ; k++ {
		c := fmt.Sprintf("%06d", (i*7919+k+424242)%1000000)
		clash := false
		for step := now - 2; step <= now+2; step++ {
			clash = clash || authenticatorCode(t, secret, time.Unix(step*30, 0)) == c
		}
		if !clash {
			return c
		}
	}
}

// #5: wrong TOTP codes on one SOFTWARE_TOKEN_MFA session, concurrently,
// then sessions after sessions; and a session answered twice.
func TestSecurityTOTPBruteForceIsBounded(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	secret, spent := mfaUser(t, f)
	challenge := func() *string {
		init, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		if err != nil {
			expectAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
			return nil
		}
		if init.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("want SOFTWARE_TOKEN_MFA, got %v", init.ChallengeName)
		}
		return init.Session
	}
	respond := func(session *string, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
			Session: session, ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}})
	}
	// respondRight answers with a valid code; a sign-in spends its step.
	respondRight := func(session *string) (*cip.RespondToAuthChallengeOutput, error) {
		code, step := validCode(t, secret, spent)
		out, err := respond(session, code)
		if err == nil {
			spent[step] = true
		}
		return out, err
	}

	// A session is single-use: answered once with the right code, never again.
	session := challenge()
	if out, err := respondRight(session); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("MFA sign-in: %v", err)
	}
	out, err := respondRight(session)
	if err == nil {
		t.Errorf("a spent SOFTWARE_TOKEN_MFA session gave a second set of tokens (%t)", out.AuthenticationResult != nil)
	} else {
		expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	}

	// 100 concurrent wrong codes on one session.
	var one tally
	session = challenge()
	burst(100, &one, func(i int) error {
		_, err := respond(session, wrongTOTP(t, secret, i))
		return err
	})
	t.Logf("one session, 100 concurrent wrong codes: %v", &one)
	if n := one.get(answerMFAMismatch); n > maxCodesPerSession {
		t.Errorf("%d TOTP guesses evaluated on one session, want at most %d", n, maxCodesPerSession)
	}
	// The session is over: even the right code is refused.
	if _, err := respondRight(session); err == nil {
		t.Errorf("the right code still signs in on a session that took %d wrong codes", one.get(answerMFAMismatch))
	} else {
		expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	}

	// Session after session: the failures count into the user's lockout.
	var many tally
	manyStart := time.Now()
	for i := range 20 {
		session := challenge()
		if session == nil {
			many.add(fmt.Errorf("sign-in locked out"))
			continue
		}
		burst(5, &many, func(j int) error {
			_, err := respond(session, wrongTOTP(t, secret, 1000+i*5+j))
			return err
		})
	}
	took := time.Since(manyStart)
	t.Logf("20 sign-ins, 5 concurrent wrong codes each, in %v: %v", took.Round(time.Millisecond), &many)
	// The right password of each sign-in takes back its own claim, so the
	// codes are what the lockout counts: five, then one per lockout run out.
	if n, allowed := many.get(answerMFAMismatch), lockoutAllows(took)+2; n > allowed {
		t.Errorf("%d TOTP guesses evaluated across 20 sessions in %v, want the lockout to stop them after about %d", n, took.Round(time.Millisecond), allowed)
	}
}

// #7: 240 concurrent sign-ins with wrong passwords (the right one at #150)
// on a fresh user; the per-client rate limit is off, as with many clients.
func TestSecurityLockoutRaceIsClosed(t *testing.T) {
	s := StartServer(t, "COGNATE_RATE_LIMIT_AUTH=0")
	f := newFixture(t, s, nil)
	ctx := context.Background()
	var answers tally
	start := time.Now()
	burst(240, &answers, func(i int) error {
		pw := "Wrong-Pass-" + strconv.Itoa(i)
		if i == 150 {
			pw = testPassword
		}
		_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}})
		return err
	})
	took := time.Since(start)
	t.Logf("240 concurrent sign-ins in %v: %v", took.Round(time.Millisecond), &answers)
	evaluated := answers.get(answerIncorrect) + answers.get("ok")
	if allowed := lockoutAllows(took); evaluated > allowed {
		t.Errorf("%d passwords evaluated (%d signed in) in a %v burst, the lockout allows %d", evaluated, answers.get("ok"),
			took.Round(time.Millisecond), allowed)
	}
	if evaluated+answers.get(answerLockedOut) != 240 {
		t.Errorf("unexpected answers: %v", &answers)
	}
}

// lockoutAllows is how many failures the lockout lets through within d of
// the first: five, then one more each time the doubling lockout (1 s, 2 s,
// 4 s, …) runs out.
func lockoutAllows(d time.Duration) int {
	n, until := freePasswordAttempts, time.Second
	for lock := time.Second; until <= d; until += lock {
		n++
		lock *= 2
	}
	return n
}

// #14: ChangePassword with a stolen access token is a password oracle
// unless wrong previous passwords count into the lockout.
func TestSecurityChangePasswordIsThrottled(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	tok := f.signIn(t, "alice", testPassword)
	var answers tally
	start := time.Now()
	burst(200, &answers, func(i int) error {
		_, err := f.api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken,
			PreviousPassword: aws.String("Guess-Pass-" + strconv.Itoa(i)), ProposedPassword: aws.String("Taken-Over-Pass-1")})
		return err
	})
	took := time.Since(start)
	t.Logf("200 concurrent ChangePassword guesses in %v: %v", took.Round(time.Millisecond), &answers)
	if n, allowed := answers.get(answerIncorrect), lockoutAllows(took); n > allowed {
		t.Errorf("%d previous-password guesses evaluated in a %v burst, the lockout allows %d", n, took.Round(time.Millisecond), allowed)
	}
	if n := answers.get(answerIncorrect) + answers.get(answerLimitExceeded); n != 200 {
		t.Errorf("unexpected answers: %v", &answers)
	}
	// Locked: even the right previous password is refused — provided the
	// first lockout (1 s from the fifth failure, which came after start)
	// cannot have run out yet; on a slower machine this check says so.
	_, err := f.api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken,
		PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String("Taken-Over-Pass-1")})
	if elapsed := time.Since(start); elapsed >= time.Second {
		t.Logf("the burst and the check took %v: the lockout may have run out, not checking the right password's refusal", elapsed)
	} else if err == nil {
		t.Errorf("ChangePassword succeeded right after %d wrong previous passwords", answers.get(answerIncorrect))
	} else {
		expectAPIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	}
}
