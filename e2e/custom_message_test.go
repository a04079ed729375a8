package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// A real CustomMessage function (aws-lambda-go under the Lambda emulator)
// writes the messages a real `cognate serve` puts in the outbox, with the
// real code (or AdminCreateUser's temporary password) in place of its
// codeParameter; a message without the code, or
// a failing function, fails the call and sends nothing.
func TestLambdaCustomMessage(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "testdata/lambdas/custommessage")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("custommessage"): fn})
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("cm"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig:           &types.LambdaConfigType{CustomMessage: aws.String(lambdaARN("custommessage"))}}, nil)
	ctx := context.Background()
	signUp := func(name string) error {
		_, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}})
		return err
	}
	if err := signUp("zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &f.ClientID, Username: aws.String("zoe")}); err != nil {
		t.Fatal(err)
	}
	msgs := outboxMessages(t, s, f.PoolID, "zoe")
	if len(msgs) != 2 {
		t.Fatalf("outbox %+v", msgs)
	}
	for i, source := range []string{"CustomMessage_SignUp", "CustomMessage_ResendCode"} {
		if want := "Hello zoe, your " + source + " code is " + msgs[i].Code + "."; msgs[i].Message != want || len(msgs[i].Code) != 6 {
			t.Errorf("message %d: %q, want %q", i, msgs[i].Message, want)
		}
	}
	// The code in the function's message is the one that confirms.
	if _, err := f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("zoe"),
		ConfirmationCode: aws.String(msgs[1].Code)}); err != nil {
		t.Fatal(err)
	}

	// AdminCreateUser's invitation is the function's too, with the
	// temporary password for its codeParameter.
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("ivan"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ivan@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	invite := outboxMessages(t, s, f.PoolID, "ivan")
	if len(invite) != 1 || invite[0].Purpose != "invitation" || invite[0].Message != "Hello ivan, your CustomMessage_AdminCreateUser code is "+invite[0].Code+"." {
		t.Errorf("invitation %+v", invite)
	}

	// The ClientMetadata of the calls that send a message reaches the function.
	signedIn, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "zoe", "PASSWORD": testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	access := signedIn.AuthenticationResult.AccessToken
	metadata := func(campaign string) map[string]string { return map[string]string{"campaign": campaign} }
	for _, call := range []struct {
		user, source, campaign string
		send                   func(campaign string) error
	}{
		{"zoe", "CustomMessage_UpdateUserAttribute", "update", func(c string) error {
			_, err := f.api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: access, ClientMetadata: metadata(c),
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("zoe@example.org")}}})
			return err
		}},
		{"zoe", "CustomMessage_VerifyUserAttribute", "verify", func(c string) error {
			_, err := f.api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: access,
				AttributeName: aws.String("email"), ClientMetadata: metadata(c)})
			return err
		}},
		{"zoe", "CustomMessage_UpdateUserAttribute", "admin-update", func(c string) error {
			_, err := f.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("zoe"),
				ClientMetadata: metadata(c), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("zoe@example.net")}}})
			return err
		}},
		{"vera", "CustomMessage_AdminCreateUser", "invite", func(c string) error {
			_, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("vera"), ClientMetadata: metadata(c),
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
				UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("vera@example.com")}}})
			return err
		}},
	} {
		if err := call.send(call.campaign); err != nil {
			t.Fatalf("%s: %v", call.campaign, err)
		}
		msgs := outboxMessages(t, s, f.PoolID, call.user)
		last := msgs[len(msgs)-1]
		if want := "Hello " + call.user + ", your " + call.source + " code is " + last.Code + ". Campaign: " + call.campaign + "."; last.Message != want {
			t.Errorf("%s: %q, want %q", call.campaign, last.Message, want)
		}
	}

	for _, tc := range []struct{ user, code, msg string }{
		{"nocode", "InvalidParameterException", `1 validation error detected: Value at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`},
		{"fail", "UserLambdaValidationException", "CustomMessage failed with error no template for this user."},
	} {
		expectAPIError(t, signUp(tc.user), tc.code, tc.msg)
		if msgs := outboxMessages(t, s, f.PoolID, tc.user); len(msgs) != 0 {
			t.Errorf("%s: sent %+v", tc.user, msgs)
		}
		// The sign-up stands: the user exists, unconfirmed, and can ask again.
		u, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String(tc.user)})
		if err != nil || u.UserStatus != types.UserStatusTypeUnconfirmed {
			t.Errorf("%s after the refused message: %+v, %v", tc.user, u, err)
		}
	}
}
