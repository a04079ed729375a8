package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

const testPassword = "Correct-Horse-9"

// fixture is a pool with one client and one confirmed user.
type fixture struct {
	s        *Server
	api      *cip.Client
	PoolID   string
	ClientID string
	Secret   string
	Username string
}

var allFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
}

func newFixture(t *testing.T, s *Server, mutate func(*cip.CreateUserPoolClientInput)) *fixture {
	t.Helper()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("fixture")}, mutate)
	f.Username = "alice"
	f.addUser(t, "alice", testPassword)
	return f
}

// poolFixture is a pool made with in and one client (every flow, then
// mutate), without users.
func poolFixture(t *testing.T, s *Server, in *cip.CreateUserPoolInput, mutate func(*cip.CreateUserPoolClientInput)) *fixture {
	t.Helper()
	ctx := context.Background()
	api := s.SDK()
	pool, err := api.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	cin := &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"), ExplicitAuthFlows: allFlows}
	if mutate != nil {
		mutate(cin)
	}
	client, err := api.CreateUserPoolClient(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, api: api, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}
	if client.UserPoolClient.ClientSecret != nil {
		f.Secret = *client.UserPoolClient.ClientSecret
	}
	return f
}

func (f *fixture) addUser(t *testing.T, name, password string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String(name),
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: aws.String(name),
		Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

// signIn runs USER_PASSWORD_AUTH through the unsigned InitiateAuth.
func (f *fixture) signIn(t *testing.T, user, password string) *types.AuthenticationResultType {
	t.Helper()
	out, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID,
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
	if err != nil {
		t.Fatalf("sign-in of %s: %v", user, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("no tokens, challenge %v", out.ChallengeName)
	}
	return out.AuthenticationResult
}

func (f *fixture) refresh(refreshToken string) (*types.AuthenticationResultType, error) {
	out, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID,
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken}})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func (f *fixture) getUser(accessToken string) (*cip.GetUserOutput, error) {
	return f.api.GetUser(context.Background(), &cip.GetUserInput{AccessToken: &accessToken})
}

// expectAPIError asserts the exact Cognito error type and message.
func expectAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// apiErrorCode is the Cognito error type of err, or "" when it is none.
func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
