package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/passkey/passkeytest"
)

const passkeyOrigin = "http://localhost:8080"

// passkeyPool is a pool that allows WEB_AUTHN sign-in, with RP id
// localhost, one client and alice.
func passkeyPool(t *testing.T, s *Server) *fixture {
	t.Helper()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("passkeys"), Policies: &types.UserPoolPolicyType{
		SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}}, nil)
	f.addUser(t, "alice", testPassword)
	cfg, err := f.api.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"), UserVerification: types.UserVerificationTypeRequired}})
	if err != nil || cfg.WebAuthnConfiguration == nil || aws.ToString(cfg.WebAuthnConfiguration.RelyingPartyId) != "localhost" {
		t.Fatalf("SetUserPoolMfaConfig: %v %+v", err, cfg)
	}
	return f
}

// startRegistration is StartWebAuthnRegistration's options as JSON.
func startRegistration(t *testing.T, api *cip.Client, token string) ([]byte, error) {
	t.Helper()
	out, err := api.StartWebAuthnRegistration(context.Background(), &cip.StartWebAuthnRegistrationInput{AccessToken: &token})
	if err != nil {
		return nil, err
	}
	var opts map[string]any
	if err := out.CredentialCreationOptions.UnmarshalSmithyDocument(&opts); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	return raw, nil
}

func completeRegistration(t *testing.T, api *cip.Client, token string, response []byte) error {
	t.Helper()
	var cred map[string]any
	if err := json.Unmarshal(response, &cred); err != nil {
		t.Fatal(err)
	}
	_, err := api.CompleteWebAuthnRegistration(context.Background(), &cip.CompleteWebAuthnRegistrationInput{AccessToken: &token,
		Credential: document.NewLazyDocument(cred)})
	return err
}

// registerSoftPasskey runs Start, the authenticator, and Complete.
func registerSoftPasskey(t *testing.T, api *cip.Client, token string, a *passkeytest.Authenticator, origin string) error {
	t.Helper()
	opts, err := startRegistration(t, api, token)
	if err != nil {
		return err
	}
	resp, err := a.Register(opts, origin)
	if err != nil {
		t.Fatal(err)
	}
	return completeRegistration(t, api, token, resp)
}

func expectErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// TestPasskeyRegistration drives the four passkey operations through
// aws-sdk-go-v2 against a real `cognate serve`, with a software
// authenticator in place of the browser.
func TestPasskeyRegistration(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := passkeyPool(t, s)
	ctx := context.Background()
	api := f.api
	got, err := api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &f.PoolID})
	if err != nil || got.WebAuthnConfiguration == nil || got.WebAuthnConfiguration.UserVerification != types.UserVerificationTypeRequired ||
		got.WebAuthnConfiguration.FactorConfiguration != types.WebAuthnFactorConfigurationTypeSingleFactor {
		t.Fatalf("GetUserPoolMfaConfig %v %+v", err, got)
	}
	token := *f.signIn(t, "alice", testPassword).AccessToken

	keys := []*passkeytest.Authenticator{passkeytest.New(), passkeytest.New(), passkeytest.New()}
	for _, a := range keys {
		if err := registerSoftPasskey(t, api, token, a, passkeyOrigin); err != nil {
			t.Fatal(err)
		}
	}
	// The next Start excludes all three.
	opts, err := startRegistration(t, api, token)
	if err != nil {
		t.Fatal(err)
	}
	var creation struct {
		ExcludeCredentials []struct{ ID string } `json:"excludeCredentials"`
		RP                 struct{ ID string }   `json:"rp"`
	}
	if err := json.Unmarshal(opts, &creation); err != nil || len(creation.ExcludeCredentials) != 3 || creation.RP.ID != "localhost" {
		t.Fatalf("creation options %s", opts)
	}

	// Two pages of two.
	first, err := api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &token, MaxResults: aws.Int32(2)})
	if err != nil || len(first.Credentials) != 2 || first.NextToken == nil {
		t.Fatalf("first page %v %+v", err, first)
	}
	second, err := api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &token, MaxResults: aws.Int32(2), NextToken: first.NextToken})
	if err != nil || len(second.Credentials) != 1 || second.NextToken != nil {
		t.Fatalf("second page %v %+v", err, second)
	}
	c := second.Credentials[0]
	if aws.ToString(c.RelyingPartyId) != "localhost" || aws.ToString(c.AuthenticatorAttachment) != "platform" || len(c.AuthenticatorTransports) != 2 ||
		c.CreatedAt == nil || aws.ToString(c.FriendlyCredentialName) == "" {
		t.Fatalf("credential %+v", c)
	}

	_, err = api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: &token, CredentialId: aws.String("nope")})
	expectErrorCode(t, err, "ResourceNotFoundException")
	for _, a := range keys {
		if _, err := api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: &token, CredentialId: aws.String(a.ID())}); err != nil {
			t.Fatal(err)
		}
	}
	left, err := api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: &token})
	if err != nil || len(left.Credentials) != 0 {
		t.Fatalf("after delete %v %+v", err, left)
	}
}

// TestPasskeyRegistrationErrors: each refusal has Cognito's exception type.
func TestPasskeyRegistrationErrors(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := passkeyPool(t, s)
	ctx := context.Background()
	api := f.api
	token := *f.signIn(t, "alice", testPassword).AccessToken

	expectErrorCode(t, registerSoftPasskey(t, api, token, passkeytest.New(), "https://evil.example"), "WebAuthnOriginNotAllowedException")
	other := passkeytest.New()
	other.RPID = "example.com"
	expectErrorCode(t, registerSoftPasskey(t, api, token, other, passkeyOrigin), "WebAuthnRelyingPartyMismatchException")
	noUV := passkeytest.New()
	noUV.NoUserVerification = true
	expectErrorCode(t, registerSoftPasskey(t, api, token, noUV, passkeyOrigin), "WebAuthnCredentialNotSupportedException")

	// A challenge is answered once.
	opts, err := startRegistration(t, api, token)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := passkeytest.New().Register(opts, passkeyOrigin)
	if err := completeRegistration(t, api, token, resp); err != nil {
		t.Fatal(err)
	}
	again, _ := passkeytest.New().Register(opts, passkeyOrigin)
	expectErrorCode(t, completeRegistration(t, api, token, again), "WebAuthnChallengeNotFoundException")

	// Another app client's token cannot complete alice's Start.
	client2, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("other"), ExplicitAuthFlows: allFlows})
	if err != nil {
		t.Fatal(err)
	}
	otherApp := *(&fixture{s: s, api: api, PoolID: f.PoolID, ClientID: *client2.UserPoolClient.ClientId}).signIn(t, "alice", testPassword).AccessToken
	opts, _ = startRegistration(t, api, token)
	resp, _ = passkeytest.New().Register(opts, passkeyOrigin)
	expectErrorCode(t, completeRegistration(t, api, otherApp, resp), "WebAuthnClientMismatchException")

	// A signed-out token is refused.
	if _, err := api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &otherApp}); err != nil {
		t.Fatal(err)
	}
	_, err = startRegistration(t, api, otherApp)
	expectAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	// A pool without WEB_AUTHN among its first factors.
	plain := newFixture(t, s, nil)
	_, err = startRegistration(t, api, *plain.signIn(t, "alice", testPassword).AccessToken)
	expectErrorCode(t, err, "WebAuthnNotEnabledException")
	_, err = api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &f.PoolID,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("https://example.com")}})
	expectErrorCode(t, err, "InvalidParameterException")
}

// TestPasskeyRegistrationSurvivesARestart: the Start's challenge is sealed
// state, not memory, so Complete works on a restarted server; and a deleted
// user's passkeys go with them.
func TestPasskeyRegistrationSurvivesARestart(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := passkeyPool(t, s)
	ctx := context.Background()
	token := *f.signIn(t, "alice", testPassword).AccessToken
	opts, err := startRegistration(t, f.api, token)
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s.Start()
	a := passkeytest.New()
	resp, _ := a.Register(opts, passkeyOrigin)
	if err := completeRegistration(t, s.SDK(), token, resp); err != nil {
		t.Fatal(err)
	}
	f.api = s.SDK()
	if _, err := f.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	f.addUser(t, "alice", testPassword)
	list, err := f.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: f.signIn(t, "alice", testPassword).AccessToken})
	if err != nil || len(list.Credentials) != 0 {
		t.Fatalf("a new alice inherited passkeys: %v %+v", err, list)
	}
}
