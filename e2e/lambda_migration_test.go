package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/lambda/lambdatest"
)

// legacyPassword is the one password testdata/lambdas/migrate knows, for
// the user "legacy".
const legacyPassword = "Legacy-Password-1"

// A UserMigration function under the real emulator moves its legacy user
// into the pool on the first sign-in, once: the second sign-in is the
// pool's own, without the function. A wrong password migrates nobody, and
// a forgot-password migrates the user RESET_REQUIRED.
func TestLambdaUserMigration(t *testing.T) {
	t.Parallel()
	fn := startLambda(t, "testdata/lambdas/migrate")
	s := StartServerWithLambdas(t, map[string]*lambdatest.Function{lambdaARN("migrate"): fn})
	ctx := context.Background()
	newPool := func(t *testing.T, name string) *fixture {
		return poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String(name),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			LambdaConfig:           &types.LambdaConfigType{UserMigration: aws.String(lambdaARN("migrate"))}}, nil)
	}
	invocations := func() int { return strings.Count(fn.Logs(), "START RequestId") }
	signIn := func(f *fixture, user, password string) (*cip.InitiateAuthOutput, error) {
		return f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
	}
	// The function's emulator runs one invocation at a time and the
	// subtests count them: they run in order.

	t.Run("sign-in migrates once", func(t *testing.T) {
		f := newPool(t, "signin")
		before := invocations()
		res := f.signIn(t, "legacy", legacyPassword)
		if n := invocations() - before; n != 1 {
			t.Fatalf("the first sign-in invoked the function %d times, want 1", n)
		}
		u, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("legacy")})
		if err != nil {
			t.Fatal(err)
		}
		if u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status %s, want CONFIRMED", u.UserStatus)
		}
		attrs := map[string]string{}
		for _, a := range u.UserAttributes {
			attrs[*a.Name] = *a.Value
		}
		for name, want := range map[string]string{"email": "legacy@example.com", "email_verified": "true", "name": "Legacy User"} {
			if attrs[name] != want {
				t.Errorf("attribute %s = %q, want %q (all: %v)", name, attrs[name], want, attrs)
			}
		}
		if attrs["sub"] == "" {
			t.Errorf("no sub: %v", attrs)
		}
		claims, _, err := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
		if err != nil || claims["sub"] != attrs["sub"] || claims["email"] != "legacy@example.com" {
			t.Errorf("ID token %v, %v", claims, err)
		}
		before = invocations()
		f.signIn(t, "legacy", legacyPassword)
		if n := invocations() - before; n != 0 {
			t.Errorf("the second sign-in invoked the function %d times, want 0 (the user is the pool's now)", n)
		}
		// The migrated user's password is the pool's: a wrong one is the
		// pool's refusal, not the function's.
		before = invocations()
		_, err = signIn(f, "legacy", "Wrong-Password-1")
		expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		if n := invocations() - before; n != 0 {
			t.Errorf("a wrong password for the migrated user invoked the function %d times", n)
		}
	})

	t.Run("wrong password migrates nobody", func(t *testing.T) {
		f := newPool(t, "wrong")
		_, err := signIn(f, "legacy", "Wrong-Password-1")
		expectAPIError(t, err, "UserLambdaValidationException", "UserMigration failed with error Bad password.")
		_, err = f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("legacy")})
		expectAPIError(t, err, "UserNotFoundException", "User does not exist.")
	})

	t.Run("forgot password migrates RESET_REQUIRED", func(t *testing.T) {
		f := newPool(t, "forgot")
		before := invocations()
		fp, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("legacy")})
		if err != nil {
			t.Fatal(err)
		}
		if n := invocations() - before; n != 1 {
			t.Errorf("ForgotPassword invoked the function %d times, want 1", n)
		}
		if fp.CodeDeliveryDetails == nil || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
			t.Errorf("code delivery %+v, want by email", fp.CodeDeliveryDetails)
		}
		u, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("legacy")})
		if err != nil {
			t.Fatal(err)
		}
		if u.UserStatus != types.UserStatusTypeResetRequired {
			t.Errorf("status %s, want RESET_REQUIRED", u.UserStatus)
		}
		// The user is RESET_REQUIRED: any sign-in, with the legacy password
		// too, is told to reset, without the function.
		before = invocations()
		_, err = signIn(f, "legacy", legacyPassword)
		expectAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
		// The code the migration sent resets the password; the user then
		// signs in as the pool's own.
		if _, err := f.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("legacy"),
			ConfirmationCode: aws.String(lastCode(t, s, f.PoolID, "legacy")), Password: aws.String(testPassword)}); err != nil {
			t.Fatal(err)
		}
		f.signIn(t, "legacy", testPassword)
		if n := invocations() - before; n != 0 {
			t.Errorf("signing in as the RESET_REQUIRED user and resetting invoked the function %d times", n)
		}
	})

	t.Run("admin sign-in migrates", func(t *testing.T) {
		f := newPool(t, "admin")
		out, err := f.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "legacy", "PASSWORD": legacyPassword}})
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("ADMIN_USER_PASSWORD_AUTH: %+v, %v", out, err)
		}
		u, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("legacy")})
		if err != nil || u.UserStatus != types.UserStatusTypeConfirmed {
			t.Fatalf("migrated user %+v, %v", u, err)
		}
	})

	t.Run("welcome message unless SUPPRESS", func(t *testing.T) {
		f := newPool(t, "welcome")
		f.signIn(t, "welcomed", legacyPassword)
		msgs := outboxMessages(t, s, f.PoolID, "welcomed")
		if len(msgs) != 1 || msgs[0].Purpose != "invitation" || msgs[0].Message != "Your username is welcomed and temporary password is (the password of your existing account)." {
			t.Fatalf("welcome %+v", msgs)
		}
		f.signIn(t, "legacy", legacyPassword) // answers SUPPRESS
		if msgs := outboxMessages(t, s, f.PoolID, "legacy"); len(msgs) != 0 {
			t.Fatalf("SUPPRESS sent %+v", msgs)
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		f := newPool(t, "unknown")
		_, err := signIn(f, "stranger", legacyPassword)
		expectAPIError(t, err, "UserLambdaValidationException", "UserMigration failed with error Bad user.")
	})
}
