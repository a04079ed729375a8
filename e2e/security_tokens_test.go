package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Security review #30: the last character of an RS256 signature carries
// four padding bits; each other spelling of the same bytes must be refused,
// so that one token has one string.
func TestRespelledAccessTokenRefused(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	at := *f.signIn(t, "alice", testPassword).AccessToken
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	head, last := at[:len(at)-1], at[len(at)-1]
	accepted := 0
	for i := range len(alphabet) {
		if alphabet[i] == last {
			continue
		}
		if _, err := f.getUser(head + alphabet[i:i+1]); err == nil {
			accepted++
		}
	}
	if accepted != 0 {
		t.Fatalf("%d other spellings of the access token were accepted by GetUser, want 0", accepted)
	}
	if _, err := f.getUser(at); err != nil {
		t.Fatalf("the token itself: %v", err)
	}
}

// Security review #23: deleting an app client ends its sessions; its
// access tokens no longer authorize GetUser.
func TestDeletedClientTokensRefused(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	for _, revocation := range []bool{true, false} {
		f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(revocation) })
		at := *f.signIn(t, "alice", testPassword).AccessToken
		if _, err := f.api.DeleteUserPoolClient(context.Background(), &cip.DeleteUserPoolClientInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID}); err != nil {
			t.Fatal(err)
		}
		_, err := f.getUser(at)
		expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}
}

// Security review #12: global sign-out ends the access tokens of clients
// with token revocation off too (Cognito: "no longer accepts token-authorized
// user operations" with a signed-out user's access tokens), and disabling
// the user does as well, for good: enabling it again revives nothing.
func TestSignOutEndsTokensWithoutRevocation(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) })
	at := *f.signIn(t, "alice", testPassword).AccessToken
	if strings.Count(at, ".") != 2 {
		t.Fatal("not a JWT")
	}
	if _, err := f.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.getUser(at)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	f.addUser(t, "bob", testPassword)
	bob := *f.signIn(t, "bob", testPassword).AccessToken
	for _, call := range []func() error{
		func() error {
			_, err := f.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &f.PoolID, Username: aws.String("bob")})
			return err
		},
		func() error {
			_, err := f.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &f.PoolID, Username: aws.String("bob")})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.getUser(bob)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
}
