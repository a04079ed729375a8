package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// authenticatorCode is what an authenticator app shows (RFC 6238), written
// here independently of the server.
func authenticatorCode(t *testing.T, secretB32 string, at time.Time) string {
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secretB32)
	if err != nil {
		t.Fatalf("SecretCode is not base32: %v", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1000000)
}

func TestSoftwareTokenMFA(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	api := f.api
	cfg, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	if err != nil || cfg.MfaConfiguration != types.UserPoolMfaTypeOptional || !cfg.SoftwareTokenMfaConfiguration.Enabled {
		t.Fatalf("pool MFA config: %v %+v", err, cfg)
	}
	got, _ := api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &f.PoolID})
	if got.MfaConfiguration != types.UserPoolMfaTypeOptional {
		t.Fatalf("GetUserPoolMfaConfig %+v", got)
	}
	res := f.signIn(t, "alice", testPassword) // no MFA yet
	assoc, err := api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: res.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, err = api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: res.AccessToken, UserCode: aws.String("000000")})
	if authenticatorCode(t, *assoc.SecretCode, now) != "000000" {
		expectAPIError(t, err, "EnableSoftwareTokenMFAException", "Code mismatch")
	}
	code := authenticatorCode(t, *assoc.SecretCode, now)
	v, err := api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: res.AccessToken, UserCode: &code})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("verify: %v", err)
	}
	if _, err := api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: res.AccessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	me, _ := f.getUser(*res.AccessToken)
	if me.PreferredMfaSetting == nil || *me.PreferredMfaSetting != "SOFTWARE_TOKEN_MFA" || len(me.UserMFASettingList) != 1 {
		t.Fatalf("GetUser MFA: %+v", me)
	}

	init, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || init.Session == nil || init.AuthenticationResult != nil {
		t.Fatalf("sign-in should ask for the software token: %v %+v", err, init)
	}
	respond := func(c string) (*cip.RespondToAuthChallengeOutput, error) {
		return api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
			Session: init.Session, ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": c}})
	}
	// The code spent on verification cannot be replayed.
	_, err = respond(code)
	expectAPIError(t, err, "CodeMismatchException", "Invalid code received for user")
	out, err := respond(authenticatorCode(t, *assoc.SecretCode, now.Add(30*time.Second)))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("MFA sign-in: %v", err)
	}
	// An admin can turn it off.
	if _, err := api.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.PoolID, Username: aws.String("alice"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "alice", testPassword)
}

// A pool that requires MFA makes a user without it set it up during
// sign-in (MFA_SETUP), with the session-based association.
func TestMFASetupWhenRequired(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	api := f.api
	if _, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	init, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeMfaSetup || init.AuthenticationResult != nil {
		t.Fatalf("want MFA_SETUP: %v %+v", err, init)
	}
	assoc, err := api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: init.Session})
	if err != nil || assoc.Session == nil {
		t.Fatalf("associate with session: %v", err)
	}
	v, err := api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(authenticatorCode(t, *assoc.SecretCode, time.Now()))})
	if err != nil || v.Session == nil {
		t.Fatalf("verify with session: %v", err)
	}
	done, err := api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, ChallengeName: types.ChallengeNameTypeMfaSetup,
		Session: v.Session, ChallengeResponses: map[string]string{"USERNAME": "alice"}})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("finish MFA_SETUP: %v", err)
	}
	// The next sign-in asks for the code.
	again, _ := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	if again.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("want SOFTWARE_TOKEN_MFA, got %v", again.ChallengeName)
	}
	// A setup session cannot skip the verification.
	_, err = api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, ChallengeName: types.ChallengeNameTypeMfaSetup,
		Session: assoc.Session, ChallengeResponses: map[string]string{"USERNAME": "alice"}})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
}

func TestEmailMFA(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	api := f.api
	_, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("no placeholder here")}})
	if apiErrorCode(err) != "InvalidParameterException" {
		t.Fatalf("a message without {####}: %v", err)
	}
	cfg, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Your sign-in code is {####}"), Subject: aws.String("Sign-in code")}})
	if err != nil || cfg.MfaConfiguration != types.UserPoolMfaTypeOptional || cfg.EmailMfaConfiguration == nil ||
		*cfg.EmailMfaConfiguration.Message != "Your sign-in code is {####}" || *cfg.EmailMfaConfiguration.Subject != "Sign-in code" {
		t.Fatalf("SetUserPoolMfaConfig: %+v %v", cfg, err)
	}
	got, err := api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &f.PoolID})
	if err != nil || got.EmailMfaConfiguration == nil || *got.EmailMfaConfiguration.Subject != "Sign-in code" {
		t.Fatalf("GetUserPoolMfaConfig: %+v %v", got, err)
	}

	res := f.signIn(t, "alice", testPassword) // optional, not enabled yet: no MFA
	if _, err := api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: res.AccessToken,
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	u, err := f.getUser(*res.AccessToken)
	if err != nil || u.PreferredMfaSetting == nil || *u.PreferredMfaSetting != "EMAIL_OTP" || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "EMAIL_OTP" {
		t.Fatalf("GetUser: %+v %v", u, err)
	}
	au, _ := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
	if au == nil || len(au.UserMFASettingList) != 1 || au.UserMFASettingList[0] != "EMAIL_OTP" {
		t.Fatalf("AdminGetUser: %+v", au)
	}

	signIn := func() *cip.InitiateAuthOutput {
		t.Helper()
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ch := signIn()
	if ch.ChallengeName != types.ChallengeNameTypeEmailOtp || ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "a***@e***" ||
		ch.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("email MFA challenge: %+v", ch)
	}
	code := lastCode(t, s, f.PoolID, "alice")
	if msgs := outboxMessages(t, s, f.PoolID, "alice"); msgs[len(msgs)-1].Message != "Your sign-in code is "+code {
		t.Fatalf("the pool's email MFA message: %+v", msgs[len(msgs)-1])
	}
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, ch.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": wrongCode(0, code)})
	expectAPIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	done, err := f.answer(types.ChallengeNameTypeEmailOtp, ch.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	wantTokens(t, "email MFA", done.AuthenticationResult, err)

	// Turned off by the admin: the password is enough again.
	if _, err := api.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.PoolID, Username: aws.String("alice"),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: false}}); err != nil {
		t.Fatal(err)
	}
	if ch := signIn(); ch.AuthenticationResult == nil {
		t.Fatalf("MFA off, still %v", ch.ChallengeName)
	}
	// Required MFA without a software token: the code by email.
	if _, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOn}); err != nil {
		t.Fatal(err)
	}
	if ch := signIn(); ch.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("required MFA: %v", ch.ChallengeName)
	}
}

// Email MFA set up inside a sign-in, as Amplify's confirmSignIn does it:
// MFA_SETUP offers EMAIL_OTP, the EMAIL answer gets a code at the new
// address, and its answer signs in with the address verified and email MFA on.
func TestEmailMFASetUpDuringSignIn(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("setup")}, nil)
	ctx := context.Background()
	api := f.api
	if _, err := api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID, MfaConfiguration: types.UserPoolMfaTypeOn,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Code: {####}")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("nia"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String("nia"),
		Password: aws.String(testPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	signIn := func() *cip.InitiateAuthOutput {
		t.Helper()
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "nia", "PASSWORD": testPassword}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	setup := signIn()
	if setup.ChallengeName != types.ChallengeNameTypeMfaSetup || setup.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]` {
		t.Fatalf("MFA_SETUP: %+v", setup)
	}
	_, err := f.answer(types.ChallengeNameTypeMfaSetup, setup.Session, map[string]string{"USERNAME": "nia", "EMAIL": "not-an-address"})
	expectAPIError(t, err, "InvalidParameterException", "Invalid email address format.")
	otp, err := f.answer(types.ChallengeNameTypeMfaSetup, setup.Session, map[string]string{"USERNAME": "nia", "EMAIL": "nia@example.org"})
	if err != nil || otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "n***@e***" {
		t.Fatalf("EMAIL answer: %+v %v", otp, err)
	}
	// Not the user's address until the code proves it.
	u, _ := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("nia")})
	for _, at := range u.UserAttributes {
		if *at.Name == "email" {
			t.Fatalf("email set before the code: %s", *at.Value)
		}
	}
	done, err := f.answer(types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "nia", "EMAIL_OTP_CODE": lastCode(t, s, f.PoolID, "nia")})
	wantTokens(t, "email MFA set up", done.AuthenticationResult, err)
	u, _ = api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("nia")})
	attrs := map[string]string{}
	for _, at := range u.UserAttributes {
		attrs[*at.Name] = *at.Value
	}
	if attrs["email"] != "nia@example.org" || attrs["email_verified"] != "true" || len(u.UserMFASettingList) != 1 || u.UserMFASettingList[0] != "EMAIL_OTP" ||
		u.PreferredMfaSetting == nil || *u.PreferredMfaSetting != "EMAIL_OTP" {
		t.Fatalf("after the setup: %v %+v", attrs, u)
	}
	if next := signIn(); next.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("the next sign-in: %v", next.ChallengeName)
	}
}
