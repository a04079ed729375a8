package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// outboxMessages is what `cognate outbox` shows for a user (none is fine).
func outboxMessages(t *testing.T, s *Server, poolID, username string) []struct{ Code, Purpose, Message string } {
	t.Helper()
	r := s.Cognate("outbox", "--user-pool-id", poolID, "--username", username)
	if r.Code != 0 {
		t.Fatalf("cognate outbox: %d %s", r.Code, r.Stderr)
	}
	var out struct {
		Messages []struct{ Code, Purpose, Message string }
	}
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
		t.Fatalf("outbox: %v %s", err, r.Stdout)
	}
	return out.Messages
}

// lastCode reads the newest code sent to a user from the outbox, through
// the `cognate outbox` command.
func lastCode(t *testing.T, s *Server, poolID, username string) string {
	t.Helper()
	msgs := outboxMessages(t, s, poolID, username)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s in the outbox", username)
	}
	return msgs[len(msgs)-1].Code
}

func TestSignUpConfirmationAndPasswords(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("life"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	client, _ := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: allFlows})
	f := &fixture{s: s, api: api, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}

	up, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if up.UserConfirmed || up.CodeDeliveryDetails == nil || up.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail ||
		*up.CodeDeliveryDetails.Destination != "b***@e***" || len(*up.UserSub) != 36 {
		t.Fatalf("sign-up %+v", up)
	}
	_, err = api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("BOB"), Password: aws.String(testPassword)})
	expectAPIError(t, err, "UsernameExistsException", "User already exists")
	_, err = api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("weak"), Password: aws.String("weak")})
	expectAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": testPassword}})
	expectAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")

	confirm := func(code string) error {
		_, err := api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("bob"), ConfirmationCode: aws.String(code)})
		return err
	}
	code := lastCode(t, s, f.PoolID, "bob")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	expectAPIError(t, confirm(wrong), "CodeMismatchException", "Invalid verification code provided, please try again.")
	if _, err := api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &f.ClientID, Username: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, confirm(code), "CodeMismatchException", "Invalid verification code provided, please try again.") // replaced by the resent one
	if err := confirm(lastCode(t, s, f.PoolID, "bob")); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, confirm("123456"), "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	res := f.signIn(t, "bob", testPassword)
	id, _, _ := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
	if id["email_verified"] != true {
		t.Fatalf("email not verified by the sign-up code: %v", id)
	}

	// Forgotten password.
	fp, err := api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("bob")})
	if err != nil || fp.CodeDeliveryDetails.AttributeName == nil || *fp.CodeDeliveryDetails.AttributeName != "email" {
		t.Fatalf("forgot: %v %+v", err, fp)
	}
	reset := func(code, pw string) error {
		_, err := api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("bob"),
			ConfirmationCode: aws.String(code), Password: aws.String(pw)})
		return err
	}
	code = lastCode(t, s, f.PoolID, "bob")
	expectAPIError(t, reset(code, "short"), "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	if err := reset(code, "Brand-New-Pass-7"); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, reset(code, "Brand-New-Pass-8"), "CodeMismatchException", "Invalid verification code provided, please try again.")
	f.signIn(t, "bob", "Brand-New-Pass-7")

	// Attempts are limited.
	api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("bob")})
	code = lastCode(t, s, f.PoolID, "bob")
	wrong = "999999"
	if code == wrong {
		wrong = "888888"
	}
	for i := 0; i < 5; i++ {
		expectAPIError(t, reset(wrong, "Another-Pass-9"), "CodeMismatchException", "Invalid verification code provided, please try again.")
	}
	expectAPIError(t, reset(code, "Another-Pass-9"), "LimitExceededException", "Attempt limit exceeded, please try after some time.")

	// ChangePassword.
	res = f.signIn(t, "bob", "Brand-New-Pass-7")
	_, err = api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String("Wrong-Pass-1"), ProposedPassword: aws.String("Changed-Pass-3")})
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String("Brand-New-Pass-7"), ProposedPassword: aws.String("Changed-Pass-3")}); err != nil {
		t.Fatal(err)
	}
	res = f.signIn(t, "bob", "Changed-Pass-3")

	// A new email must be verified again.
	up2, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: res.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("robert@example.com")}}})
	if err != nil || len(up2.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("update attributes: %v %+v", err, up2)
	}
	me, _ := f.getUser(*res.AccessToken)
	if attr(me.UserAttributes, "email_verified") != "false" || attr(me.UserAttributes, "email") != "robert@example.com" {
		t.Fatalf("attributes after update: %+v", me.UserAttributes)
	}
	_, err = api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email"), Code: aws.String(wrong)})
	expectAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
	if _, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email"),
		Code: aws.String(lastCode(t, s, f.PoolID, "bob"))}); err != nil {
		t.Fatal(err)
	}
	me, _ = f.getUser(*res.AccessToken)
	if attr(me.UserAttributes, "email_verified") != "true" {
		t.Fatalf("email not verified: %+v", me.UserAttributes)
	}
	if _, err := api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email")}); err != nil {
		t.Fatal(err)
	}

	// Custom attributes, and deleting attributes with the user's own token.
	if _, err := api.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &f.PoolID,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: res.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:tier"), Value: aws.String("7")}, {Name: aws.String("name"), Value: aws.String("Bob")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: res.AccessToken, UserAttributeNames: []string{"name"}}); err != nil {
		t.Fatal(err)
	}
	res = f.signIn(t, "bob", "Changed-Pass-3")
	id, _, _ = independentVerify(t, s.URL, f.PoolID, *res.IdToken)
	if id["custom:tier"] != "7" || id["name"] != nil {
		t.Fatalf("ID token attributes: %v", id)
	}

	// AdminResetUserPassword forces a reset.
	if _, err := api.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Changed-Pass-3"}})
	expectAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
	if err := reset(lastCode(t, s, f.PoolID, "bob"), "After-Reset-Pass-4"); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "bob", "After-Reset-Pass-4")

	// AdminConfirmSignUp confirms without a code.
	api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("carol"), Password: aws.String(testPassword)})
	if _, err := api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &f.PoolID, Username: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "carol", testPassword)
	_, err = api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("carol")})
	expectAPIError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
}

func attr(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if *a.Name == name {
			return *a.Value
		}
	}
	return ""
}

// AdminListUserAuthEvents is honest: pools with advanced security record
// each sign-in attempt; other pools answer UserPoolAddOnNotEnabledException.
func TestAuthEvents(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	_, err := f.api.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
	expectAPIError(t, err, "UserPoolAddOnNotEnabledException", "Advanced security features is not enabled for this user pool.")
	if _, err := f.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &f.PoolID, UserPoolTier: types.UserPoolTierTypePlus,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}}); err != nil {
		t.Fatal(err)
	}
	f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Wrong-Pass-1"}})
	f.signIn(t, "alice", testPassword)
	out, err := f.api.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AuthEvents) != 2 || out.AuthEvents[0].EventResponse != types.EventResponseTypePass || out.AuthEvents[1].EventResponse != types.EventResponseTypeFail ||
		out.AuthEvents[0].EventType != types.EventTypeSignIn || *out.AuthEvents[0].EventContextData.IpAddress != "127.0.0.1" {
		t.Fatalf("events %+v", out.AuthEvents)
	}
}
