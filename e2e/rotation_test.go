package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/cognate/cognate/internal/userpool"
)

const (
	reuseMessage       = "Refresh Token has been rotated and its retry grace period has ended."
	revokedRefresh     = "Refresh Token has been revoked"
	revokedAccess      = "Access Token has been revoked"
	rotatingRefreshMsg = "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation enabled; use GetTokensFromRefreshToken."
)

// rotation is a RefreshTokenRotation setting.
func rotation(feature types.FeatureType, grace int32) *types.RefreshTokenRotationType {
	return &types.RefreshTokenRotationType{Feature: feature, RetryGracePeriodSeconds: aws.Int32(grace)}
}

// rotatingFixture is a fixture whose client rotates refresh tokens with the
// given retry grace period.
func rotatingFixture(t *testing.T, s *Server, grace int32, mutate func(*cip.CreateUserPoolClientInput)) *fixture {
	t.Helper()
	return newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = rotation(types.FeatureTypeEnabled, grace)
		if mutate != nil {
			mutate(in)
		}
	})
}

// describeClient is DescribeUserPoolClient of the fixture's client.
func (f *fixture) describeClient(t *testing.T) *types.UserPoolClientType {
	t.Helper()
	out, err := f.api.DescribeUserPoolClient(context.Background(), &cip.DescribeUserPoolClientInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	return out.UserPoolClient
}

// setRotation changes only the client's RefreshTokenRotation: it sends
// UpdateUserPoolClient with every other setting as DescribeUserPoolClient
// shows it (an update replaces all settings).
func (f *fixture) setRotation(t *testing.T, rot *types.RefreshTokenRotationType, optFns ...func(*cip.Options)) error {
	t.Helper()
	c := f.describeClient(t)
	_, err := f.api.UpdateUserPoolClient(context.Background(), &cip.UpdateUserPoolClientInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
		ClientName: c.ClientName, RefreshTokenValidity: c.RefreshTokenValidity, AccessTokenValidity: c.AccessTokenValidity,
		IdTokenValidity: c.IdTokenValidity, TokenValidityUnits: c.TokenValidityUnits, ReadAttributes: c.ReadAttributes,
		WriteAttributes: c.WriteAttributes, ExplicitAuthFlows: c.ExplicitAuthFlows, SupportedIdentityProviders: c.SupportedIdentityProviders,
		CallbackURLs: c.CallbackURLs, LogoutURLs: c.LogoutURLs, DefaultRedirectURI: c.DefaultRedirectURI, AllowedOAuthFlows: c.AllowedOAuthFlows,
		AllowedOAuthScopes: c.AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient: aws.ToBool(c.AllowedOAuthFlowsUserPoolClient),
		PreventUserExistenceErrors: c.PreventUserExistenceErrors, EnableTokenRevocation: c.EnableTokenRevocation,
		AuthSessionValidity: c.AuthSessionValidity, RefreshTokenRotation: rot}, optFns...)
	return err
}

// expectRotation asserts what DescribeUserPoolClient says of rotation.
func (f *fixture) expectRotation(t *testing.T, feature types.FeatureType, grace int32) {
	t.Helper()
	got := f.describeClient(t).RefreshTokenRotation
	if got == nil || got.Feature != feature || aws.ToInt32(got.RetryGracePeriodSeconds) != grace {
		t.Fatalf("RefreshTokenRotation %+v, want %s/%d", got, feature, grace)
	}
}

// getTokens is GetTokensFromRefreshToken on the fixture's client, with its
// secret when it has one.
func (f *fixture) getTokens(refreshToken string) (*types.AuthenticationResultType, error) {
	return f.getTokensWith(refreshToken, f.Secret)
}

func (f *fixture) getTokensWith(refreshToken, secret string) (*types.AuthenticationResultType, error) {
	in := &cip.GetTokensFromRefreshTokenInput{ClientId: &f.ClientID, RefreshToken: &refreshToken}
	if secret != "" {
		in.ClientSecret = &secret
	}
	out, err := f.api.GetTokensFromRefreshToken(context.Background(), in)
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// mustRotate refreshes and requires a new refresh token and working
// access and ID tokens.
func (f *fixture) mustRotate(t *testing.T, refreshToken string) *types.AuthenticationResultType {
	t.Helper()
	res, err := f.getTokens(refreshToken)
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if res.RefreshToken == nil || *res.RefreshToken == "" || *res.RefreshToken == refreshToken {
		t.Fatalf("rotation answered no new refresh token: %v", res.RefreshToken)
	}
	if res.AccessToken == nil || res.IdToken == nil {
		t.Fatalf("rotation answered no access or ID token: %+v", res)
	}
	if _, err := f.getUser(*res.AccessToken); err != nil {
		t.Fatalf("access token of the rotation: %v", err)
	}
	return res
}

// mustRefreshWithoutRotation refreshes and requires no refresh token back.
func (f *fixture) mustRefreshWithoutRotation(t *testing.T, refreshToken string) {
	t.Helper()
	res, err := f.getTokens(refreshToken)
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if res.RefreshToken != nil || res.AccessToken == nil || res.IdToken == nil {
		t.Fatalf("non-rotating refresh: refresh token %v, access %v, ID %v", res.RefreshToken, res.AccessToken != nil, res.IdToken != nil)
	}
}

// expectReuse asserts RefreshTokenReuseException, typed.
func expectReuse(t *testing.T, err error) {
	t.Helper()
	var reuse *types.RefreshTokenReuseException
	if !errors.As(err, &reuse) || reuse.ErrorMessage() != reuseMessage {
		t.Fatalf("want RefreshTokenReuseException %q, got %v", reuseMessage, err)
	}
}

// expectChainEnded asserts that the refresh tokens are revoked and that the
// access token is refused at GetUser.
func (f *fixture) expectChainEnded(t *testing.T, accessToken string, refreshTokens ...string) {
	t.Helper()
	for i, rt := range refreshTokens {
		_, err := f.getTokens(rt)
		if err == nil {
			t.Fatalf("refresh token %d of the chain still refreshes", i)
		}
		expectAPIError(t, err, "NotAuthorizedException", revokedRefresh)
	}
	_, err := f.getUser(accessToken)
	expectAPIError(t, err, "NotAuthorizedException", revokedAccess)
}

// Rotation is configured through Create/Update/DescribeUserPoolClient, and
// GetTokensFromRefreshToken rotates: the old token is refused after a grace
// period of 0, accepted within one of 60; REFRESH_TOKEN_AUTH is refused on
// rotating clients; a non-rotating client gets no refresh token back.
func TestRefreshTokenRotationSDK(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f0 := rotatingFixture(t, s, 0, nil)
	f0.expectRotation(t, types.FeatureTypeEnabled, 0)
	f60 := rotatingFixture(t, s, 60, nil)
	f60.expectRotation(t, types.FeatureTypeEnabled, 60)

	// Grace 0: the submitted token is dead the moment the rotation answers;
	// the new one goes on, and reusing the old one does not end the session.
	signedIn := f0.signIn(t, "alice", testPassword)
	r1 := f0.mustRotate(t, *signedIn.RefreshToken)
	_, err := f0.getTokens(*signedIn.RefreshToken)
	expectReuse(t, err)
	r2 := f0.mustRotate(t, *r1.RefreshToken)
	_, err = f0.getTokens(*r1.RefreshToken)
	expectReuse(t, err)
	if _, err := f0.getUser(*r2.AccessToken); err != nil {
		t.Fatalf("reuse of a retired token ended the session: %v", err)
	}
	_, err = f0.refresh(*r2.RefreshToken)
	expectAPIError(t, err, "InvalidParameterException", rotatingRefreshMsg)
	_, err = f0.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f0.PoolID, ClientId: &f0.ClientID,
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": *r2.RefreshToken}})
	expectAPIError(t, err, "InvalidParameterException", rotatingRefreshMsg)
	f0.mustRotate(t, *r2.RefreshToken) // the refused REFRESH_TOKEN_AUTH did not spend it

	// Grace 60: an immediate retry with the submitted token still works
	// (and rotates again); so does the token the first call answered.
	signedIn = f60.signIn(t, "alice", testPassword)
	first := f60.mustRotate(t, *signedIn.RefreshToken)
	f60.mustRotate(t, *signedIn.RefreshToken)
	f60.mustRotate(t, *first.RefreshToken)

	// No rotation: access and ID tokens only, and the same refresh token
	// refreshes again, through either operation.
	plain := newFixture(t, s, nil)
	signedIn = plain.signIn(t, "alice", testPassword)
	plain.mustRefreshWithoutRotation(t, *signedIn.RefreshToken)
	plain.mustRefreshWithoutRotation(t, *signedIn.RefreshToken)
	if _, err := plain.refresh(*signedIn.RefreshToken); err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH on a non-rotating client: %v", err)
	}

	// UpdateUserPoolClient turns rotation on (a session begun before
	// rotates from then on) and off again.
	if err := plain.setRotation(t, rotation(types.FeatureTypeEnabled, 0)); err != nil {
		t.Fatal(err)
	}
	plain.expectRotation(t, types.FeatureTypeEnabled, 0)
	rotated := plain.mustRotate(t, *signedIn.RefreshToken)
	_, err = plain.getTokens(*signedIn.RefreshToken)
	expectReuse(t, err)
	if err := plain.setRotation(t, rotation(types.FeatureTypeDisabled, 0)); err != nil {
		t.Fatal(err)
	}
	plain.expectRotation(t, types.FeatureTypeDisabled, 0)
	plain.mustRefreshWithoutRotation(t, *rotated.RefreshToken)
	if _, err := plain.refresh(*rotated.RefreshToken); err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH after rotation was turned off: %v", err)
	}
}

// withoutInputValidation lets the SDK send what its own validation would
// refuse (a RefreshTokenRotation without Feature), so that the server's
// answer is what is tested.
func withoutInputValidation(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		_, err := st.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// Out-of-range or unknown RefreshTokenRotation values are refused with
// InvalidParameterException on create and on update.
func TestRefreshTokenRotationInvalidSettings(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := newFixture(t, s, nil)
	bad := map[string]*types.RefreshTokenRotationType{
		"grace 61":        rotation(types.FeatureTypeEnabled, 61),
		"grace -1":        rotation(types.FeatureTypeEnabled, -1),
		"feature MAYBE":   rotation("MAYBE", 0),
		"feature missing": {RetryGracePeriodSeconds: aws.Int32(10)},
	}
	for name, rot := range bad {
		t.Run(name, func(t *testing.T) {
			out, err := f.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &f.PoolID, ClientName: aws.String("bad"),
				RefreshTokenRotation: rot}, withoutInputValidation)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" {
				if err == nil {
					t.Errorf("CreateUserPoolClient accepted it: stored %+v", out.UserPoolClient.RefreshTokenRotation)
				} else {
					t.Errorf("CreateUserPoolClient: want InvalidParameterException, got %v", err)
				}
			} else {
				t.Logf("create: %s", ae.ErrorMessage())
			}
			err = f.setRotation(t, rot, withoutInputValidation)
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" {
				t.Errorf("UpdateUserPoolClient: want InvalidParameterException, got %v (stored %+v)", err, f.describeClient(t).RefreshTokenRotation)
			}
			if got := f.describeClient(t).RefreshTokenRotation; got != nil {
				t.Errorf("a refused update stored RefreshTokenRotation %+v", got)
			}
		})
	}
}

// Revoking any token of a rotated chain — the original, already retired —
// or signing the user out ends the whole chain: the newest refresh token
// and the newest access token are refused.
func TestRevocationEndsTheWholeRotatedChain(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := rotatingFixture(t, s, 0, nil)
	ctx := context.Background()
	cases := map[string]func(user string, original *types.AuthenticationResultType) error{
		"RevokeToken of the retired original": func(user string, original *types.AuthenticationResultType) error {
			_, err := f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &f.ClientID, Token: original.RefreshToken})
			return err
		},
		"AdminUserGlobalSignOut": func(user string, original *types.AuthenticationResultType) error {
			_, err := f.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: &user})
			return err
		},
		"GlobalSignOut with the original access token": func(user string, original *types.AuthenticationResultType) error {
			_, err := f.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: original.AccessToken})
			return err
		},
	}
	i := 0
	for name, end := range cases {
		i++
		user := "user" + strconv.Itoa(i)
		t.Run(name, func(t *testing.T) {
			f.addUser(t, user, testPassword)
			original := f.signIn(t, user, testPassword)
			middle := f.mustRotate(t, *original.RefreshToken)
			newest := f.mustRotate(t, *middle.RefreshToken)
			other := f.signIn(t, "alice", testPassword) // another user's session
			if err := end(user, original); err != nil {
				t.Fatal(err)
			}
			f.expectChainEnded(t, *newest.AccessToken, *newest.RefreshToken, *middle.RefreshToken, *original.RefreshToken)
			f.mustRotate(t, *other.RefreshToken)
		})
	}
}

// With a grace period of 0 a refresh token is spent by exactly one refresh:
// of several GetTokensFromRefreshToken calls with the same token at once,
// one answers new tokens and every other one RefreshTokenReuseException.
func TestConcurrentRefreshesSpendATokenOnce(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := rotatingFixture(t, s, 0, nil)
	const rounds, callers = 40, 8
	doubled := 0
	for round := 0; round < rounds; round++ {
		signedIn := f.signIn(t, "alice", testPassword)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.getTokens(*signedIn.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			var reuse *types.RefreshTokenReuseException
			switch {
			case err == nil:
				won++
			case !errors.As(err, &reuse):
				t.Fatalf("round %d: a losing refresh got %v, want RefreshTokenReuseException", round, err)
			}
		}
		if won == 0 {
			t.Fatalf("round %d: no refresh succeeded", round)
		}
		if won > 1 {
			doubled++
			t.Logf("round %d: %d of %d refreshes with one token succeeded", round, won, callers)
		}
	}
	if doubled > 0 {
		t.Errorf("in %d of %d rounds a grace-0 refresh token was spent more than once", doubled, rounds)
	}
}

// The AWS CLI drives rotation and client secrets: create a rotating
// confidential client, add and list secrets, rotate, reuse refused, delete
// a secret and it is refused.
func TestRefreshTokenRotationAWSCLI(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	created := mustCLI(t, s.AWS("create-user-pool-client", "--user-pool-id", f.PoolID, "--client-name", "cli-rotating", "--generate-secret",
		"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
		"--refresh-token-rotation", "Feature=ENABLED,RetryGracePeriodSeconds=0"))
	if rot, _ := dig(created, "UserPoolClient", "RefreshTokenRotation").(map[string]any); rot["Feature"] != "ENABLED" || rot["RetryGracePeriodSeconds"] != 0.0 {
		t.Fatalf("created client's rotation: %v", dig(created, "UserPoolClient"))
	}
	f.ClientID = dig(created, "UserPoolClient", "ClientId").(string)
	first := dig(created, "UserPoolClient", "ClientSecret").(string)

	added := mustCLI(t, s.AWS("add-user-pool-client-secret", "--user-pool-id", f.PoolID, "--client-id", f.ClientID))
	second, _ := dig(added, "ClientSecretDescriptor", "ClientSecretValue").(string)
	if second == "" || second == first {
		t.Fatalf("added secret: %v", added)
	}
	listed := mustCLI(t, s.AWS("list-user-pool-client-secrets", "--user-pool-id", f.PoolID, "--client-id", f.ClientID))
	secrets, _ := listed["ClientSecrets"].([]any)
	if raw := mustJSON(t, listed); len(secrets) != 2 || strings.Contains(raw, first) || strings.Contains(raw, second) || strings.Contains(raw, "ClientSecretValue") {
		t.Fatalf("listed secrets: %v", listed)
	}
	firstID := secrets[0].(map[string]any)["ClientSecretId"].(string)

	f.Secret = second
	signedIn := f.signInWithSecret(t, "alice", second)
	rotated := mustCLI(t, s.AWS("get-tokens-from-refresh-token", "--client-id", f.ClientID, "--client-secret", second,
		"--refresh-token", *signedIn.RefreshToken))
	newest, _ := dig(rotated, "AuthenticationResult", "RefreshToken").(string)
	if newest == "" || newest == *signedIn.RefreshToken || dig(rotated, "AuthenticationResult", "AccessToken") == nil {
		t.Fatalf("CLI rotation: %v", rotated)
	}
	expectCLIError(t, s.AWS("get-tokens-from-refresh-token", "--client-id", f.ClientID, "--client-secret", first,
		"--refresh-token", *signedIn.RefreshToken), "RefreshTokenReuseException", "GetTokensFromRefreshToken", reuseMessage)

	mustCLI(t, s.AWS("delete-user-pool-client-secret", "--user-pool-id", f.PoolID, "--client-id", f.ClientID, "--client-secret-id", firstID))
	expectCLIError(t, s.AWS("get-tokens-from-refresh-token", "--client-id", f.ClientID, "--client-secret", first,
		"--refresh-token", newest), "NotAuthorizedException", "GetTokensFromRefreshToken", "Unable to verify client secret for client "+f.ClientID)
	f.mustRotate(t, newest) // with the second secret, which remains
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// signInWithSecret is USER_PASSWORD_AUTH on a confidential client, with the
// SECRET_HASH computed under the given secret.
func (f *fixture) signInWithSecret(t *testing.T, user, secret string) *types.AuthenticationResultType {
	t.Helper()
	res, err := f.trySignInWithSecret(user, secret)
	if err != nil {
		t.Fatalf("sign-in of %s: %v", user, err)
	}
	return res
}

func (f *fixture) trySignInWithSecret(user, secret string) (*types.AuthenticationResultType, error) {
	out, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": testPassword, "SECRET_HASH": userpool.SecretHash(secret, user, f.ClientID)}})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, errors.New("no tokens, challenge " + string(out.ChallengeName))
	}
	return out.AuthenticationResult, nil
}

// A SIGKILL right after the 200 of a rotation keeps both its halves: the new
// token refreshes and the old one is refused. A SIGKILL right after the 200
// of a RevokeToken keeps the chain dead.
func TestRotationAndRevocationSurviveKill(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := rotatingFixture(t, s, 0, nil)
	signedIn := f.signIn(t, "alice", testPassword)
	rotated, err := f.getTokens(*signedIn.RefreshToken)
	if err != nil || rotated.RefreshToken == nil {
		t.Fatalf("rotation: %v", err)
	}
	s.Kill()
	s.Start()
	_, err = f.getTokens(*signedIn.RefreshToken)
	expectReuse(t, err)
	newest := f.mustRotate(t, *rotated.RefreshToken)

	if _, err := f.api.RevokeToken(context.Background(), &cip.RevokeTokenInput{ClientId: &f.ClientID, Token: signedIn.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s.Start()
	f.expectChainEnded(t, *newest.AccessToken, *newest.RefreshToken, *rotated.RefreshToken)
}

// tokenEndpoint posts to /oauth2/token and decodes the JSON answer.
func tokenEndpoint(t *testing.T, c *webClient, form url.Values, basicUser, basicPass string) (*http.Response, map[string]any) {
	t.Helper()
	resp, body := c.postForm("/oauth2/token", form, basicUser, basicPass)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return resp, m
}

// redacted is a token-endpoint answer for a failure message: which
// members it has, with the values of errors only.
func redacted(body map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		if k == "error" || k == "error_description" || k == "token_type" || k == "expires_in" {
			out[k] = v
		} else {
			out[k] = "…"
		}
	}
	return out
}

// expectNoStore asserts the headers that keep tokens out of caches.
func expectNoStore(t *testing.T, what string, h http.Header) {
	t.Helper()
	if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
		t.Errorf("%s: Cache-Control %q, Pragma %q; want no-store, no-cache", what, h.Get("Cache-Control"), h.Get("Pragma"))
	}
}

// The token endpoint's refresh_token grant rotates on a rotating client
// (the old token is then invalid_grant) and answers no refresh token on a
// non-rotating one; its answers and the JSON API's token answers are never
// cached.
func TestTokenEndpointRotationAndNoStore(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := webFixture(t, s, nil)
	c := newWebClient(t, s.URL)
	grant := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "client_id": {f.ClientID}, "refresh_token": {rt}}
	}
	signedIn := f.signIn(t, "alice", testPassword)

	resp, body := tokenEndpoint(t, c, grant(*signedIn.RefreshToken), "", "")
	if resp.StatusCode != 200 || body["access_token"] == nil || body["id_token"] == nil || body["refresh_token"] != nil {
		t.Fatalf("non-rotating refresh grant: %d %v", resp.StatusCode, redacted(body))
	}
	expectNoStore(t, "token endpoint, non-rotating success", resp.Header)

	if err := f.setRotation(t, rotation(types.FeatureTypeEnabled, 0)); err != nil {
		t.Fatal(err)
	}
	resp, body = tokenEndpoint(t, c, grant(*signedIn.RefreshToken), "", "")
	next, _ := body["refresh_token"].(string)
	if resp.StatusCode != 200 || next == "" || next == *signedIn.RefreshToken || body["access_token"] == nil {
		t.Fatalf("rotating refresh grant: %d %v", resp.StatusCode, redacted(body))
	}
	expectNoStore(t, "token endpoint, rotation", resp.Header)
	resp, body = tokenEndpoint(t, c, grant(*signedIn.RefreshToken), "", "")
	if resp.StatusCode != 400 || body["error"] != "invalid_grant" || body["error_description"] != reuseMessage {
		t.Fatalf("retired token at the token endpoint: %d %v", resp.StatusCode, redacted(body))
	}
	expectNoStore(t, "token endpoint, invalid_grant", resp.Header)
	resp, body = tokenEndpoint(t, c, grant(next), "", "")
	if again, _ := body["refresh_token"].(string); resp.StatusCode != 200 || again == "" || again == next {
		t.Fatalf("the rotated token at the token endpoint: %d %v", resp.StatusCode, redacted(body))
	}

	// The JSON API: InitiateAuth (unsigned) answers, success and error, and
	// GetTokensFromRefreshToken's.
	initiate := func(password string) (int, http.Header, map[string]any) {
		return rawCall(t, s.URL, "AWSCognitoIdentityProviderService.InitiateAuth", mustJSON(t, map[string]any{"ClientId": f.ClientID,
			"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": password}}), nil)
	}
	status, h, out := initiate(testPassword)
	if status != 200 || dig(out, "AuthenticationResult", "RefreshToken") == nil {
		t.Fatalf("raw InitiateAuth: %d %v", status, out)
	}
	expectNoStore(t, "InitiateAuth success", h)
	status, h, out = initiate("Wrong-Pass-1")
	if status != 400 || out["__type"] != "NotAuthorizedException" {
		t.Fatalf("raw InitiateAuth, wrong password: %d %v", status, out)
	}
	expectNoStore(t, "InitiateAuth error", h)
	status, h, out = rawCall(t, s.URL, "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken", mustJSON(t, map[string]any{
		"ClientId": f.ClientID, "RefreshToken": *signedIn.RefreshToken}), nil)
	if status != 400 || out["__type"] != "RefreshTokenReuseException" {
		t.Fatalf("raw GetTokensFromRefreshToken with a retired token: %d %v", status, out)
	}
	expectNoStore(t, "GetTokensFromRefreshToken error", h)
}

// A confidential client holds up to two secrets; either one works for
// SECRET_HASH, GetTokensFromRefreshToken and the token endpoint; a deleted
// one works nowhere; the last one cannot be deleted.
func TestClientSecretsSDK(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	first := f.Secret
	add := func(value *string) (*types.ClientSecretDescriptorType, error) {
		out, err := f.api.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID, ClientSecret: value})
		if err != nil {
			return nil, err
		}
		return out.ClientSecretDescriptor, nil
	}
	list := func() []types.ClientSecretDescriptorType {
		out, err := f.api.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID})
		if err != nil {
			t.Fatal(err)
		}
		return out.ClientSecrets
	}
	del := func(id *string) error {
		_, err := f.api.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID, ClientSecretId: id})
		return err
	}
	secretID := regexp.MustCompile(`^` + regexp.QuoteMeta(f.ClientID) + `--([0-9]{13})$`)
	checkID := func(d types.ClientSecretDescriptorType) {
		t.Helper()
		m := secretID.FindStringSubmatch(aws.ToString(d.ClientSecretId))
		if m == nil || d.ClientSecretCreateDate == nil || m[1] != strconv.FormatInt(d.ClientSecretCreateDate.UnixMilli(), 10) {
			t.Fatalf("secret id %q, created %v", aws.ToString(d.ClientSecretId), d.ClientSecretCreateDate)
		}
	}

	const second = "customSecret0123456789abcdefghijklmnopqrstuvwxyzAB"
	custom, err := add(aws.String(second))
	if err != nil {
		t.Fatal(err)
	}
	checkID(*custom)
	if custom.ClientSecretValue != nil {
		t.Fatalf("a custom secret's value was answered: %q", *custom.ClientSecretValue)
	}
	_, err = add(nil)
	var limit *types.LimitExceededException
	if !errors.As(err, &limit) {
		t.Fatalf("third secret: want LimitExceededException, got %v", err)
	}
	listed := list()
	if len(listed) != 2 {
		t.Fatalf("listed %d secrets", len(listed))
	}
	for _, d := range listed {
		checkID(d)
		if d.ClientSecretValue != nil {
			t.Fatalf("ListUserPoolClientSecrets shows a value")
		}
	}
	if aws.ToString(listed[1].ClientSecretId) != aws.ToString(custom.ClientSecretId) {
		t.Fatalf("listed %v, added %v", aws.ToString(listed[1].ClientSecretId), aws.ToString(custom.ClientSecretId))
	}

	// Either secret: SECRET_HASH, GetTokensFromRefreshToken's ClientSecret,
	// HTTP Basic at the token endpoint.
	c := newWebClient(t, s.URL)
	grant := func(rt, secret string) (*http.Response, map[string]any) {
		return tokenEndpoint(t, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, f.ClientID, secret)
	}
	for _, secret := range []string{first, second} {
		res := f.signInWithSecret(t, "alice", secret)
		for _, other := range []string{first, second} {
			if _, err := f.getTokensWith(*res.RefreshToken, other); err != nil {
				t.Fatalf("GetTokensFromRefreshToken with a secret of the client: %v", err)
			}
			if resp, body := grant(*res.RefreshToken, other); resp.StatusCode != 200 || body["access_token"] == nil {
				t.Fatalf("token endpoint with a secret of the client: %d %v", resp.StatusCode, redacted(body))
			}
		}
	}
	res := f.signInWithSecret(t, "alice", second)
	_, err = f.getTokensWith(*res.RefreshToken, "")
	expectAPIError(t, err, "NotAuthorizedException", "Client "+f.ClientID+" is configured with secret but ClientSecret was not received")

	// Delete the first: refused everywhere; the second still works.
	if err := del(listed[0].ClientSecretId); err != nil {
		t.Fatal(err)
	}
	_, err = f.trySignInWithSecret("alice", first)
	expectAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+f.ClientID)
	_, err = f.getTokensWith(*res.RefreshToken, first)
	expectAPIError(t, err, "NotAuthorizedException", "Unable to verify client secret for client "+f.ClientID)
	if resp, body := grant(*res.RefreshToken, first); resp.StatusCode != 401 || body["error"] != "invalid_client" {
		t.Fatalf("token endpoint with the deleted secret: %d %v", resp.StatusCode, redacted(body))
	}
	f.signInWithSecret(t, "alice", second)
	if _, err := f.getTokensWith(*res.RefreshToken, second); err != nil {
		t.Fatal(err)
	}
	if resp, body := grant(*res.RefreshToken, second); resp.StatusCode != 200 {
		t.Fatalf("token endpoint with the remaining secret: %d %v", resp.StatusCode, redacted(body))
	}

	// A generated one shows its value once; the last one cannot go.
	generated, err := add(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkID(*generated)
	if v := aws.ToString(generated.ClientSecretValue); len(v) < 40 || v == first || v == second {
		t.Fatalf("generated secret value %q", v)
	}
	f.signInWithSecret(t, "alice", *generated.ClientSecretValue)
	if err := del(custom.ClientSecretId); err != nil {
		t.Fatal(err)
	}
	var invalid *types.InvalidParameterException
	if err := del(generated.ClientSecretId); !errors.As(err, &invalid) {
		t.Fatalf("deleting the last secret: want InvalidParameterException, got %v", err)
	}
	f.signInWithSecret(t, "alice", *generated.ClientSecretValue)
	var missing *types.ResourceNotFoundException
	if err := del(aws.String(f.ClientID + "--1")); !errors.As(err, &missing) {
		t.Fatalf("deleting an unknown secret: want ResourceNotFoundException, got %v", err)
	}

	// A public client takes no secret.
	public := newFixture(t, s, nil)
	_, err = public.api.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &public.PoolID, ClientId: &public.ClientID})
	if !errors.As(err, &invalid) {
		t.Fatalf("a secret for a public client: want InvalidParameterException, got %v", err)
	}
}
