package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/cognate/cognate/internal/userpool"
)

func TestPasswordSignInTokensAndRefresh(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	res := f.signIn(t, "alice", testPassword)
	if res.RefreshToken == nil || *res.TokenType != "Bearer" || res.ExpiresIn != 3600 {
		t.Fatalf("result %+v", res)
	}
	idClaims, idKid, err := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
	if err != nil {
		t.Fatalf("ID token does not verify against the JWKS: %v", err)
	}
	acClaims, acKid, err := independentVerify(t, s.URL, f.PoolID, *res.AccessToken)
	if err != nil {
		t.Fatalf("access token does not verify against the JWKS: %v", err)
	}
	if idKid == acKid {
		t.Fatal("ID and access tokens are signed with the same key")
	}
	iss := s.URL + "/" + f.PoolID
	for name, want := range map[string]any{"iss": iss, "aud": f.ClientID, "token_use": "id", "cognito:username": "alice",
		"email": "alice@example.com", "email_verified": true} {
		if idClaims[name] != want {
			t.Errorf("ID token %s = %#v, want %#v", name, idClaims[name], want)
		}
	}
	for name, want := range map[string]any{"iss": iss, "client_id": f.ClientID, "token_use": "access", "username": "alice",
		"scope": "aws.cognito.signin.user.admin"} {
		if acClaims[name] != want {
			t.Errorf("access token %s = %#v, want %#v", name, acClaims[name], want)
		}
	}
	if _, has := acClaims["aud"]; has {
		t.Error("access token has aud")
	}
	for _, c := range []string{"sub", "jti", "origin_jti", "event_id"} {
		if idClaims[c] == nil || acClaims[c] == nil {
			t.Errorf("claim %s missing", c)
		}
	}
	if idClaims["origin_jti"] != acClaims["origin_jti"] || idClaims["exp"].(float64)-idClaims["iat"].(float64) != 3600 {
		t.Errorf("origin_jti/exp: %v", idClaims)
	}

	// Refresh: new access and ID tokens, same family and auth_time, no new refresh token.
	again, err := f.refresh(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if again.RefreshToken != nil {
		t.Fatal("refresh returned a refresh token")
	}
	rc, _, err := independentVerify(t, s.URL, f.PoolID, *again.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if rc["origin_jti"] != acClaims["origin_jti"] || rc["auth_time"] != acClaims["auth_time"] || rc["jti"] == acClaims["jti"] {
		t.Fatalf("refresh claims %v vs %v", rc, acClaims)
	}
	me, err := f.getUser(*again.AccessToken)
	if err != nil || *me.Username != "alice" {
		t.Fatalf("GetUser: %v %v", me, err)
	}
	_, err = f.refresh("not-a-real-token")
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token.")
}

func TestSignInErrors(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	initiate := func(client, user, pass string) error {
		_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": pass}})
		return err
	}
	expectAPIError(t, initiate(f.ClientID, "alice", "Wrong-Pass-1"), "NotAuthorizedException", "Incorrect username or password.")
	expectAPIError(t, initiate(f.ClientID, "nobody", "Wrong-Pass-1"), "UserNotFoundException", "User does not exist.")
	expectAPIError(t, initiate("nosuchclient0000000000000", "alice", testPassword), "ResourceNotFoundException",
		"User pool client nosuchclient0000000000000 does not exist.")

	if _, err := f.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	expectAPIError(t, initiate(f.ClientID, "alice", testPassword), "NotAuthorizedException", "User is disabled.")

	// PreventUserExistenceErrors=ENABLED hides whether the user exists.
	hidden := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	})
	_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &hidden.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "nobody", "PASSWORD": "Wrong-Pass-1"}})
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A flow the client does not allow.
	srpOnly := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	expectAPIError(t, initiate(srpOnly.ClientID, "alice", testPassword), "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
}

func TestSecretHashAndAdminFlows(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	ctx := context.Background()
	admin := func(params map[string]string) (*cip.AdminInitiateAuthOutput, error) {
		return f.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params})
	}
	_, err := admin(map[string]string{"USERNAME": "alice", "PASSWORD": testPassword})
	expectAPIError(t, err, "NotAuthorizedException", "Client "+f.ClientID+" is configured with secret but SECRET_HASH was not received")
	_, err = admin(map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "SECRET_HASH": "bm9wZQ=="})
	expectAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+f.ClientID)
	out, err := admin(map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "SECRET_HASH": userpool.SecretHash(f.Secret, "alice", f.ClientID)})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("admin sign-in with secret hash: %v", err)
	}
	ref, err := f.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.PoolID, ClientId: &f.ClientID,
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": *out.AuthenticationResult.RefreshToken,
			"SECRET_HASH": userpool.SecretHash(f.Secret, "alice", f.ClientID)}})
	if err != nil || ref.AuthenticationResult == nil || ref.AuthenticationResult.RefreshToken != nil {
		t.Fatalf("admin refresh: %v %+v", err, ref)
	}
	// Admin flows are not available through the public InitiateAuth.
	_, err = f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	expectAPIError(t, err, "InvalidParameterException", "Initiate Auth method not supported.")
}

func TestNewPasswordRequiredChallenge(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	if _, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: aws.String("newbie"),
		TemporaryPassword: aws.String("Temp-Pass-1"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	out, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "newbie", "PASSWORD": "Temp-Pass-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.Session == nil || out.AuthenticationResult != nil {
		t.Fatalf("challenge %+v", out)
	}
	var attrs map[string]string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["userAttributes"]), &attrs); err != nil {
		t.Fatalf("userAttributes is not JSON: %q", out.ChallengeParameters["userAttributes"])
	}
	if out.ChallengeParameters["USER_ID_FOR_SRP"] != "newbie" {
		t.Fatalf("params %v", out.ChallengeParameters)
	}
	respond := func(session, pw string) (*cip.RespondToAuthChallengeOutput, error) {
		return f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID,
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aws.String(session),
			ChallengeResponses: map[string]string{"USERNAME": "newbie", "NEW_PASSWORD": pw}})
	}
	_, err = respond(*out.Session, "weak")
	expectAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	tampered := []byte(*out.Session)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '.' || !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", rune(tampered[len(tampered)/2])) {
		tampered[len(tampered)/2] = 'A'
	}
	_, err = respond(base64.RawURLEncoding.EncodeToString([]byte("x"))+string(tampered), "Brand-New-Pass-2")
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	done, err := respond(*out.Session, "Brand-New-Pass-2")
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("respond: %v", err)
	}
	got, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("newbie")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("status %v %v", got, err)
	}
	// The session cannot be replayed once the password is changed.
	_, err = respond(*out.Session, "Another-Pass-3")
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
}

func TestTokensArePoolBoundAndTamperProof(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	a := newFixture(t, s, nil)
	b := newFixture(t, s, nil)
	res := a.signIn(t, "alice", testPassword)
	if _, err := a.getUser(*res.AccessToken); err != nil {
		t.Fatal(err)
	}
	// Pool B cannot be reached with pool A's token: forge the issuer to B's
	// while keeping A's signature.
	parts := strings.Split(*res.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	claims["iss"] = s.URL + "/" + b.PoolID
	forged, _ := json.Marshal(claims)
	_, err := b.getUser(parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2])
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")

	// alg=none.
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	_, err = a.getUser(none + "." + parts[1] + ".")
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	_, err = a.getUser(none + "." + parts[1] + ".e30")
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	// Tampered payload.
	claims["iss"] = s.URL + "/" + a.PoolID
	claims["username"] = "mallory"
	tp, _ := json.Marshal(claims)
	_, err = a.getUser(parts[0] + "." + base64.RawURLEncoding.EncodeToString(tp) + "." + parts[2])
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
	// An ID token is not an access token.
	_, err = a.getUser(*res.IdToken)
	expectAPIError(t, err, "NotAuthorizedException", "Invalid Access Token")
}
