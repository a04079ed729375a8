package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// The ClientMetadata of ConfirmSignUp, AdminConfirmSignUp and
// ConfirmForgotPassword reaches PostConfirmation, as Cognito passes it: the
// function (under the real emulator) fails naming what it received.
func TestLambdaClientMetadataReachesPostConfirmation(t *testing.T) {
	t.Parallel()
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("metadata"): lambdaModes(t, "metadata")})
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("metadata"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig:           &types.LambdaConfigType{PostConfirmation: aws.String(lambdaARN("metadata"))}}, nil)
	meta := map[string]string{"campaign": "winter"}
	const want = `PostConfirmation failed with error clientMetadata {"campaign":"winter"}.`
	signUp := func(name string) {
		t.Helper()
		if _, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}}); err != nil {
			t.Fatal(err)
		}
	}

	signUp("ann")
	_, err := f.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &f.PoolID, Username: aws.String("ann"), ClientMetadata: meta})
	expectAPIError(t, err, "UserLambdaValidationException", want)

	signUp("ben")
	code := lastCode(t, s, f.PoolID, "ben")
	_, err = f.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &f.ClientID, Username: aws.String("ben"), ConfirmationCode: &code, ClientMetadata: meta})
	expectAPIError(t, err, "UserLambdaValidationException", want)

	if _, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("ben"), ClientMetadata: meta}); err != nil {
		t.Fatal(err)
	}
	code = lastCode(t, s, f.PoolID, "ben")
	_, err = f.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("ben"),
		ConfirmationCode: &code, Password: aws.String(testPassword + "x"), ClientMetadata: meta})
	expectAPIError(t, err, "UserLambdaValidationException", want)
}
