package e2e

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Pools whose users sign in with their email: the internal username is a
// UUID, the email is unique, and every flow accepts the email.
func TestEmailAsUsername(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("email"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	if err != nil {
		t.Fatal(err)
	}
	client, _ := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"), ExplicitAuthFlows: allFlows})
	f := &fixture{s: s, api: api, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}
	created, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("Dana@Example.com"), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(*created.User.Username) || attr(created.User.Attributes, "email") != "Dana@Example.com" {
		t.Fatalf("created %+v", created.User)
	}
	_, err = api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("dana@example.com")})
	expectAPIError(t, err, "UsernameExistsException", "An account with the given email already exists.")
	_, err = api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("dana")})
	expectAPIError(t, err, "InvalidParameterException", "Username should be an email.")
	if _, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String("dana@example.com"),
		Password: aws.String(testPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	res := f.signIn(t, "dana@example.com", testPassword)
	id, _, _ := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
	if id["cognito:username"] != *created.User.Username || id["email"] != "Dana@Example.com" {
		t.Fatalf("claims %v", id)
	}
	if out, err := f.srpSignIn(t, "DANA@example.com", testPassword, nil); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SRP with the email: %v", err)
	}
	// SignUp with an email, too.
	if _, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("eve@example.com"), Password: aws.String(testPassword)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &f.PoolID, Username: aws.String("eve@example.com")}); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "eve@example.com", testPassword)
}

// Aliases: a verified email or a preferred_username signs in too.
func TestAliasSignIn(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	api := s.SDK()
	pool, _ := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("alias"),
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername}})
	client, _ := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"), ExplicitAuthFlows: allFlows})
	f := &fixture{s: s, api: api, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}
	f.addUser(t, "erin", testPassword) // email verified by addUser
	api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("erin"),
		UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("E")}}})
	f.signIn(t, "erin@example.com", testPassword)
	f.signIn(t, "e", testPassword)
	// An unverified email is no alias.
	api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("erin"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("false")}}})
	_, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "erin@example.com", "PASSWORD": testPassword}})
	expectAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("frank"),
		UserAttributes: []types.AttributeType{{Name: aws.String("preferred_username"), Value: aws.String("e")}}})
	expectAPIError(t, err, "AliasExistsException", "An account with the given preferred_username already exists.")
}
