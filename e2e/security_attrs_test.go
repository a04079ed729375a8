package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Attacks on attributes from the security review (#2, #3, #11), each run
// against a real `cognate serve` through the SDK.

const unauthorizedWrite = "A client attempted to write unauthorized attribute"

func attrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// adminUser creates a confirmed user with a permanent password.
func (f *fixture) adminUser(t *testing.T, username string, attributes ...string) *types.UserType {
	t.Helper()
	ctx := context.Background()
	out, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String(username),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: attrs(attributes...)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String(username),
		Password: aws.String(testPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	return out.User
}

func (f *fixture) updateOwn(accessToken string, attributes ...string) error {
	_, err := f.api.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{AccessToken: &accessToken,
		UserAttributes: attrs(attributes...)})
	return err
}

// #2: a user cannot mark an email or phone number verified through the
// self-service calls, and a client's WriteAttributes is enforced.
func TestSecuritySelfVerificationRefused(t *testing.T) {
	s := StartServer(t)
	ctx := context.Background()
	f := newFixture(t, s, nil) // alice, email verified by the admin
	at := *f.signIn(t, "alice", testPassword).AccessToken

	// The review's chain: change the email to the victim's, then verify it.
	if err := f.updateOwn(at, "email", "ceo@victim.test"); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, f.updateOwn(at, "email_verified", "true"), "NotAuthorizedException", unauthorizedWrite)
	expectAPIError(t, f.updateOwn(at, "phone_number", "+15550100", "phone_number_verified", "true"), "NotAuthorizedException", unauthorizedWrite)
	got, err := f.getUser(at)
	if err != nil {
		t.Fatal(err)
	}
	if attr(got.UserAttributes, "email") != "ceo@victim.test" || attr(got.UserAttributes, "email_verified") != "false" ||
		attr(got.UserAttributes, "phone_number") != "" {
		t.Fatalf("after refused writes: %+v", got.UserAttributes)
	}
	id, _, _ := independentVerify(t, s.URL, f.PoolID, *f.signIn(t, "alice", testPassword).IdToken)
	if id["email_verified"] != false {
		t.Fatalf("ID token says email_verified=%v", id["email_verified"])
	}

	// SignUp with a verified flag is refused, and nothing is created.
	_, err = f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("mallory"), Password: aws.String(testPassword),
		UserAttributes: attrs("email", "ceo@victim.test", "email_verified", "true")})
	expectAPIError(t, err, "NotAuthorizedException", unauthorizedWrite)
	_, err = f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("mallory")})
	expectAPIError(t, err, "UserNotFoundException", "User does not exist.")

	// The NEW_PASSWORD_REQUIRED challenge's userAttributes.* too.
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("newbie"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: attrs("email", "newbie@example.com")}); err != nil {
		t.Fatal(err)
	}
	ch, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "newbie", "PASSWORD": "Temp-Passw0rd!"}})
	if err != nil || ch.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("initiate: %v %+v", err, ch)
	}
	_, err = f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID, Session: ch.Session,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ChallengeResponses: map[string]string{
			"USERNAME": "newbie", "NEW_PASSWORD": testPassword, "userAttributes.email_verified": "true"}})
	expectAPIError(t, err, "NotAuthorizedException", unauthorizedWrite)

	// Admin calls may still set the flags.
	if _, err := f.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("alice"),
		UserAttributes: attrs("email_verified", "true")}); err != nil {
		t.Fatal(err)
	}

	// A client's WriteAttributes is the list of what its users may write.
	narrow := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("narrow")}, func(in *cip.CreateUserPoolClientInput) {
		in.WriteAttributes = []string{"given_name", "email"}
	})
	narrow.adminUser(t, "bob", "email", "bob@example.com")
	bat := *narrow.signIn(t, "bob", testPassword).AccessToken
	if err := narrow.updateOwn(bat, "given_name", "Bob"); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, narrow.updateOwn(bat, "family_name", "Builder"), "NotAuthorizedException", unauthorizedWrite)
	expectAPIError(t, narrow.updateOwn(bat, "given_name", "Robert", "family_name", "Builder"), "NotAuthorizedException", unauthorizedWrite)
	_, err = narrow.api.SignUp(ctx, &cip.SignUpInput{ClientId: &narrow.ClientID, Username: aws.String("carol"), Password: aws.String(testPassword),
		UserAttributes: attrs("email", "carol@example.com", "family_name", "C")})
	expectAPIError(t, err, "NotAuthorizedException", unauthorizedWrite)
}
