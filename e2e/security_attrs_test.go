package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/racetest"
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
	t.Parallel()
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

// #3: in a pool where the email is the username, a user cannot take over
// another's email, and concurrent updates to one email cannot both win.
func TestSecurityEmailUsernameIsUnique(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("email"),
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}}, nil)
	victim := f.adminUser(t, "victim@example.test")
	// The attack works when the attacker's username (its sub) sorts first.
	var attacker *types.UserType
	for i := 0; attacker == nil; i++ {
		u := f.adminUser(t, fmt.Sprintf("attacker%d@example.test", i))
		if *u.Username < *victim.Username {
			attacker = u
		}
	}
	at := *f.signIn(t, attr(attacker.Attributes, "email"), testPassword).AccessToken
	err := f.updateOwn(at, "email", "VICTIM@example.test")
	signedIn := func() any { // both have testPassword: whose account opens?
		id, _, _ := independentVerify(t, s.URL, f.PoolID, *f.signIn(t, "victim@example.test", testPassword).IdToken)
		return id["sub"]
	}
	if sub := signedIn(); sub != *victim.Username {
		t.Errorf("victim@example.test signed in as %v, want the victim %s", sub, *victim.Username)
	}
	expectAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")
	_, err = f.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: attacker.Username,
		UserAttributes: attrs("email", "victim@example.test")})
	expectAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")
	if sub := signedIn(); sub != *victim.Username {
		t.Fatalf("victim@example.test signed in as %v, want the victim %s", sub, *victim.Username)
	}

	// Twelve users race for one new email: exactly one gets it.
	tokens := []string{at}
	for i := 0; i < 11; i++ {
		u := f.adminUser(t, fmt.Sprintf("racer%d@example.test", i))
		tokens = append(tokens, *f.signIn(t, attr(u.Attributes, "email"), testPassword).AccessToken)
	}
	won, refused := racetest.Count(t, len(tokens), func(i int) error { return f.updateOwn(tokens[i], "email", "prize@example.test") },
		func(err error) bool { var ae *types.AliasExistsException; return errorsAs(err, &ae) })
	if won != 1 || refused != len(tokens)-1 {
		t.Fatalf("%d updates won the email, %d refused", won, refused)
	}
	if _, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "prize@example.test", "PASSWORD": testPassword}}); err != nil {
		t.Fatalf("the winner cannot sign in with the email: %v", err)
	}
	// A released email can be taken again.
	if err := f.updateOwn(at, "email", "attacker-new@example.test"); err != nil {
		t.Fatal(err)
	}
}

// #3 for aliases: a verified email alias belongs to one user. Another user
// may hold the same email unverified, but cannot verify it.
func TestSecurityVerifiedAliasIsUnique(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("alias"),
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, nil)
	f.adminUser(t, "zed", "email", "v@example.test", "email_verified", "true")
	f.adminUser(t, "aaa", "email", "a@example.test", "email_verified", "true")
	at := *f.signIn(t, "aaa", testPassword).AccessToken
	if err := f.updateOwn(at, "email", "V@example.test"); err != nil {
		t.Fatalf("an unverified copy of an alias is allowed: %v", err)
	}
	code := lastCode(t, s, f.PoolID, "aaa")
	_, err := f.api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &at, AttributeName: aws.String("email"), Code: &code})
	expectAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")
	_, err = f.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.PoolID, Username: aws.String("aaa"),
		UserAttributes: attrs("email_verified", "true")})
	expectAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")
	id, _, _ := independentVerify(t, s.URL, f.PoolID, *f.signIn(t, "v@example.test", testPassword).IdToken)
	if id["cognito:username"] != "zed" {
		t.Fatalf("v@example.test signed in as %v", id["cognito:username"])
	}
}

// #11: unconfirmed sign-ups holding a victim's email cannot hide the
// victim's verified alias.
func TestSecurityUnverifiedCopiesDoNotHideAlias(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("alias"),
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}}, nil)
	f.adminUser(t, "zed", "email", "v@example.test", "email_verified", "true")
	for _, name := range []string{"aaa1", "aaa2", "aaa3"} {
		if _, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(name), Password: aws.String(testPassword),
			UserAttributes: attrs("email", "v@example.test")}); err != nil {
			t.Fatal(err)
		}
	}
	id, _, _ := independentVerify(t, s.URL, f.PoolID, *f.signIn(t, "v@example.test", testPassword).IdToken)
	if id["cognito:username"] != "zed" {
		t.Fatalf("v@example.test signed in as %v", id["cognito:username"])
	}
	if _, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("V@example.test")}); err != nil {
		t.Fatal(err)
	}
	if lastCode(t, s, f.PoolID, "zed") == "" {
		t.Fatal("no reset code for zed")
	}
}
