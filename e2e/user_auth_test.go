package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/srp"
)

// userAuthFixture is a pool whose users may sign in first with a password
// or an email code, a client with ALLOW_USER_AUTH (then mutate), and alice
// (password, verified email).
func userAuthFixture(t *testing.T, s *Server, mutate func(*cip.CreateUserPoolClientInput)) *fixture {
	t.Helper()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("choice"), Policies: &types.UserPoolPolicyType{
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}},
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
			if mutate != nil {
				mutate(in)
			}
		})
	f.Username = "alice"
	f.addUser(t, "alice", testPassword)
	return f
}

func (f *fixture) userAuth(params map[string]string) (*cip.InitiateAuthOutput, error) {
	return f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: params})
}

func (f *fixture) answer(challenge types.ChallengeNameType, session *string, r map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return f.api.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID,
		ChallengeName: challenge, Session: session, ChallengeResponses: r})
}

// srpVerifierAnswer is a client's PASSWORD_VERIFIER answer to p, the
// challenge's parameters, for the secret a and password.
func srpVerifierAnswer(t *testing.T, poolID string, a *big.Int, p map[string]string, password string) map[string]string {
	t.Helper()
	salt, _ := new(big.Int).SetString(p["SALT"], 16)
	B, _ := new(big.Int).SetString(p["SRP_B"], 16)
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if err != nil {
		t.Fatalf("SECRET_BLOCK: %v", err)
	}
	ts := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := srp.ClientSignature(strings.SplitN(poolID, "_", 2)[1], p["USER_ID_FOR_SRP"], password, salt.Bytes(), a, B, block, ts)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}
}

func srpSecret() *big.Int {
	raw := make([]byte, 128)
	rand.Read(raw)
	return new(big.Int).SetBytes(raw)
}

func wantTokens(t *testing.T, what string, res *types.AuthenticationResultType, err error) {
	t.Helper()
	if err != nil || res == nil || res.AccessToken == nil || res.RefreshToken == nil {
		t.Fatalf("%s: %+v %v", what, res, err)
	}
}

func TestUserAuthChoiceSignIn(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := userAuthFixture(t, s, nil)
	ctx := context.Background()

	sel, err := f.userAuth(map[string]string{"USERNAME": "alice"})
	want := []types.ChallengeNameType{"PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"}
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSelectChallenge || sel.Session == nil || !slices.Equal(sel.AvailableChallenges, want) {
		t.Fatalf("SELECT_CHALLENGE: %+v %v", sel, err)
	}

	// A password in the selection's answer signs in at once.
	r, err := f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword})
	wantTokens(t, "SELECT_CHALLENGE PASSWORD", r.AuthenticationResult, err)
	if _, err := f.getUser(*r.AuthenticationResult.AccessToken); err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	// EMAIL_OTP: the code goes to the outbox, the answer signs in once.
	r, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != types.ChallengeNameTypeEmailOtp || r.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" ||
		r.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "a***@e***" {
		t.Fatalf("EMAIL_OTP: %+v %v", r, err)
	}
	msgs := outboxMessages(t, s, f.PoolID, "alice")
	if last := msgs[len(msgs)-1]; last.Purpose != "sign-in" || len(last.Code) != 6 || !strings.Contains(last.Message, last.Code) {
		t.Fatalf("message %+v", last)
	}
	code := lastCode(t, s, f.PoolID, "alice")
	done, err := f.answer(types.ChallengeNameTypeEmailOtp, r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	wantTokens(t, "EMAIL_OTP", done.AuthenticationResult, err)
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	// PREFERRED_CHALLENGE=EMAIL_OTP goes straight to the code.
	init, err := f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeEmailOtp || len(init.AvailableChallenges) != 0 {
		t.Fatalf("preferred EMAIL_OTP: %+v %v", init, err)
	}
	done, err = f.answer(types.ChallengeNameTypeEmailOtp, init.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": lastCode(t, s, f.PoolID, "alice")})
	wantTokens(t, "preferred EMAIL_OTP", done.AuthenticationResult, err)

	// PREFERRED_CHALLENGE=PASSWORD with the password: tokens.
	init, err = f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": testPassword})
	wantTokens(t, "preferred PASSWORD", init.AuthenticationResult, err)

	// PREFERRED_CHALLENGE=PASSWORD_SRP: PASSWORD_VERIFIER, with a Session.
	a := srpSecret()
	init, err = f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": srp.ClientA(a).Text(16)})
	if err != nil || init.ChallengeName != types.ChallengeNameTypePasswordVerifier || init.Session == nil {
		t.Fatalf("PASSWORD_SRP: %+v %v", init, err)
	}
	done, err = f.answer(types.ChallengeNameTypePasswordVerifier, init.Session, srpVerifierAnswer(t, f.PoolID, a, init.ChallengeParameters, testPassword))
	wantTokens(t, "PASSWORD_VERIFIER", done.AuthenticationResult, err)

	// SELECT_CHALLENGE → PASSWORD_SRP → PASSWORD_VERIFIER.
	r, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD_SRP"})
	if err != nil || r.ChallengeName != types.ChallengeNameTypePasswordSrp {
		t.Fatalf("PASSWORD_SRP challenge: %+v %v", r, err)
	}
	a = srpSecret()
	r, err = f.answer(types.ChallengeNameTypePasswordSrp, r.Session, map[string]string{"USERNAME": "alice", "SRP_A": srp.ClientA(a).Text(16)})
	if err != nil || r.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("PASSWORD_SRP answer: %+v %v", r, err)
	}
	done, err = f.answer(types.ChallengeNameTypePasswordVerifier, r.Session, srpVerifierAnswer(t, f.PoolID, a, r.ChallengeParameters, testPassword))
	wantTokens(t, "SELECT_CHALLENGE PASSWORD_SRP", done.AuthenticationResult, err)

	// The admin flow.
	adm, err := f.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": "alice"}})
	if err != nil || adm.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(adm.AvailableChallenges, want) {
		t.Fatalf("AdminInitiateAuth: %+v %v", adm, err)
	}
	ar, err := f.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
		ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: adm.Session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": testPassword}})
	wantTokens(t, "AdminRespondToAuthChallenge", ar.AuthenticationResult, err)
}

func TestUserAuthErrors(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := userAuthFixture(t, s, nil)

	plain := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("plain")}, nil)
	_, err := plain.userAuth(map[string]string{"USERNAME": "alice"})
	expectAPIError(t, err, "InvalidParameterException", "USER_AUTH flow not enabled for this client")

	_, err = f.userAuth(map[string]string{})
	expectAPIError(t, err, "InvalidParameterException", "Missing required parameter USERNAME")
	_, err = f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "SOFTWARE_TOKEN_MFA"})
	expectAPIError(t, err, "InvalidParameterException", "Invalid value for PREFERRED_CHALLENGE: SOFTWARE_TOKEN_MFA")
	_, err = f.userAuth(map[string]string{"USERNAME": "nobody"})
	expectAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wrong-Horse-9"})
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A preferred challenge the user cannot answer: the choice instead.
	sel, err := f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSelectChallenge {
		t.Fatalf("WEB_AUTHN preferred: %+v %v", sel, err)
	}
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "alice"})
	expectAPIError(t, err, "InvalidParameterException", "Missing required parameter ANSWER")
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "alice", "ANSWER": "SMS_OTP"})
	expectAPIError(t, err, "InvalidParameterException", "The challenge SMS_OTP is not available for the user.")
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, nil, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD"})
	expectAPIError(t, err, "InvalidParameterException", "Missing required parameter Session")
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, aws.String(strings.Repeat("forged", 5)), map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD"})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	f.addUser(t, "bob", testPassword)
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "bob", "ANSWER": "PASSWORD", "PASSWORD": testPassword})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	// Wrong codes: three answers spend the session.
	otp, err := f.userAuth(map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil {
		t.Fatal(err)
	}
	code := lastCode(t, s, f.PoolID, "alice")
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "alice"})
	expectAPIError(t, err, "InvalidParameterException", "Missing required parameter EMAIL_OTP_CODE")
	for i := range 3 {
		_, err = f.answer(types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": wrongCode(i, code)})
		expectAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	}
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	// The session of one challenge does not answer another.
	_, err = f.answer(types.ChallengeNameTypePassword, otp.Session, map[string]string{"USERNAME": "alice", "PASSWORD": testPassword})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
}

func TestUserAuthHidesUnknownUsers(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := userAuthFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	})
	real, err := f.userAuth(map[string]string{"USERNAME": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := f.userAuth(map[string]string{"USERNAME": "nobody"})
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(sel.AvailableChallenges, real.AvailableChallenges) {
		t.Fatalf("unknown: %+v %v (alice: %v)", sel, err, real.AvailableChallenges)
	}
	otp, err := f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "nobody", "ANSWER": "EMAIL_OTP"})
	if err != nil || otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("unknown EMAIL_OTP: %+v %v", otp, err)
	}
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "nobody", "EMAIL_OTP_CODE": "123456"})
	expectAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": testPassword})
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	// PASSWORD_SRP: a simulated verifier, then the proof fails as a user's.
	a := srpSecret()
	v, err := f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "nobody", "ANSWER": "PASSWORD_SRP",
		"SRP_A": srp.ClientA(a).Text(16)})
	if err != nil || v.ChallengeName != types.ChallengeNameTypePasswordVerifier || v.Session == nil {
		t.Fatalf("unknown PASSWORD_SRP: %+v %v", v, err)
	}
	_, err = f.answer(types.ChallengeNameTypePasswordVerifier, v.Session, srpVerifierAnswer(t, f.PoolID, a, v.ChallengeParameters, testPassword))
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if msgs := outboxMessages(t, s, f.PoolID, "nobody"); len(msgs) != 0 {
		t.Fatalf("sent to nobody: %v", msgs)
	}
}

func TestUserAuthAfterSignUp(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("signup"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}},
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		})
	signUp := func(name string) *cip.SignUpOutput {
		t.Helper()
		up, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		if err != nil || up.Session == nil || up.UserConfirmed {
			t.Fatalf("SignUp %s: %+v %v", name, up, err)
		}
		return up
	}
	up := signUp("bob")
	// Before the confirmation, SignUp's session signs nobody in.
	_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": "bob"}, Session: up.Session})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	conf, err := f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"),
		ConfirmationCode: aws.String(lastCode(t, s, f.PoolID, "bob")), Session: up.Session})
	if err != nil || conf.Session == nil {
		t.Fatalf("ConfirmSignUp: %+v %v", conf, err)
	}
	signInWith := func(name string, session *string) (*cip.InitiateAuthOutput, error) {
		return f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": name}, Session: session})
	}
	f.addUser(t, "alice", testPassword)
	_, err = signInWith("alice", conf.Session)
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	in, err := signInWith("bob", conf.Session)
	wantTokens(t, "sign-in after sign-up", in.AuthenticationResult, err)
	_, err = signInWith("bob", conf.Session)
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	factors, err := f.api.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: in.AuthenticationResult.AccessToken})
	if err != nil || *factors.Username != "bob" ||
		!slices.Equal(factors.ConfiguredUserAuthFactors, []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}) {
		t.Fatalf("GetUserAuthFactors: %+v %v", factors, err)
	}
	_, err = f.api.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: aws.String("not.a.token")})
	if apiErrorCode(err) != "NotAuthorizedException" {
		t.Fatalf("GetUserAuthFactors with a bad token: %v", err)
	}

	// ConfirmSignUp without SignUp's session (as Amplify's) answers one too.
	signUp("carol")
	conf, err = f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("carol"),
		ConfirmationCode: aws.String(lastCode(t, s, f.PoolID, "carol"))})
	if err != nil || conf.Session == nil {
		t.Fatalf("ConfirmSignUp without a session: %+v %v", conf, err)
	}
	in, err = signInWith("carol", conf.Session)
	wantTokens(t, "carol's sign-in after sign-up", in.AuthenticationResult, err)
	// A client without USER_AUTH gets no Session.
	other, err := f.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: other.UserPoolClient.ClientId, Username: aws.String("dan"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("dan@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	conf, err = f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: other.UserPoolClient.ClientId, Username: aws.String("dan"),
		ConfirmationCode: aws.String(lastCode(t, s, f.PoolID, "dan"))})
	if err != nil || conf.Session != nil {
		t.Fatalf("ConfirmSignUp on a client without USER_AUTH: %+v %v", conf, err)
	}
}

func TestUserAuthSMSOTP(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("sms"), Policies: &types.UserPoolPolicyType{
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeSmsOtp}}}},
		func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth}
		})
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("sam"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("phone_number"), Value: aws.String("+15555550123")}, {Name: aws.String("phone_number_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	sel, err := f.userAuth(map[string]string{"USERNAME": "sam"})
	// sam has a temporary password: PASSWORD is offered too.
	if err != nil || !slices.Equal(sel.AvailableChallenges, []types.ChallengeNameType{"PASSWORD_SRP", "PASSWORD", "SMS_OTP"}) {
		t.Fatalf("SELECT_CHALLENGE: %+v %v", sel, err)
	}
	r, err := f.answer(types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": "sam", "ANSWER": "SMS_OTP"})
	if err != nil || r.ChallengeName != types.ChallengeNameTypeSmsOtp || r.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" ||
		r.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0123" {
		t.Fatalf("SMS_OTP: %+v %v", r, err)
	}
	code := lastCode(t, s, f.PoolID, "sam")
	_, err = f.answer(types.ChallengeNameTypeSmsOtp, r.Session, map[string]string{"USERNAME": "sam", "EMAIL_OTP_CODE": code})
	expectAPIError(t, err, "InvalidParameterException", "Missing required parameter SMS_OTP_CODE")
	done, err := f.answer(types.ChallengeNameTypeSmsOtp, r.Session, map[string]string{"USERNAME": "sam", "SMS_OTP_CODE": code})
	wantTokens(t, "SMS_OTP", done.AuthenticationResult, err)
}
