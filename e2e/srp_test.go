package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/srp"
)

// srpSignIn runs USER_SRP_AUTH → PASSWORD_VERIFIER as a client does.
func (f *fixture) srpSignIn(t *testing.T, user, password string, mutate func(map[string]string)) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	ctx := context.Background()
	raw := make([]byte, 128)
	rand.Read(raw)
	a := new(big.Int).SetBytes(raw)
	A := srp.ClientA(a)
	init, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": user, "SRP_A": A.Text(16)}})
	if err != nil {
		return nil, err
	}
	p := init.ChallengeParameters
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier || init.Session != nil {
		t.Fatalf("challenge %v session %v", init.ChallengeName, init.Session)
	}
	salt, _ := new(big.Int).SetString(p["SALT"], 16)
	B, _ := new(big.Int).SetString(p["SRP_B"], 16)
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if err != nil {
		t.Fatalf("SECRET_BLOCK is not padded base64: %v", err)
	}
	ts := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	poolName := strings.SplitN(f.PoolID, "_", 2)[1]
	sig, err := srp.ClientSignature(poolName, p["USER_ID_FOR_SRP"], password, salt.Bytes(), a, B, block, ts)
	if err != nil {
		t.Fatal(err)
	}
	responses := map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}
	if mutate != nil {
		mutate(responses)
	}
	return f.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: responses})
}

func TestSRPSignIn(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	out, err := f.srpSignIn(t, "ALICE", testPassword, nil) // case-insensitive username, internal id for SRP
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || out.AuthenticationResult.RefreshToken == nil {
		t.Fatalf("no tokens: %+v", out)
	}
	if me, err := f.getUser(*out.AuthenticationResult.AccessToken); err != nil || *me.Username != "alice" {
		t.Fatalf("GetUser after SRP: %v", err)
	}
	_, err = f.srpSignIn(t, "alice", "Wrong-Pass-9", nil)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.srpSignIn(t, "alice", testPassword, func(r map[string]string) { r["TIMESTAMP"] = "yesterday" })
	expectAPIError(t, err, "InvalidParameterException", "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	_, err = f.srpSignIn(t, "nobody", testPassword, nil)
	expectAPIError(t, err, "UserNotFoundException", "User does not exist.")

	// Replaying an accepted answer fails: a SECRET_BLOCK is single-use.
	var replay map[string]string
	if _, err := f.srpSignIn(t, "alice", testPassword, func(r map[string]string) { replay = r }); err != nil {
		t.Fatal(err)
	}
	_, err = f.api.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{ClientId: &f.ClientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: replay})
	expectAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	// A bad SRP_A is refused.
	_, err = f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": "0"}})
	expectAPIError(t, err, "InvalidParameterException", "SRP_A is invalid: SRP_A is not a positive hex number")
}

func TestSRPHidesUnknownUsers(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	})
	_, err := f.srpSignIn(t, "nobody", testPassword, nil)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.srpSignIn(t, "alice", "Wrong-Pass-9", nil)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
}

// A RESET_REQUIRED user (AdminResetUserPassword, or a CSV import, whose
// users have no password of theirs) is told PasswordResetRequiredException
// whatever password they try, by the password flow and by SRP (Amplify's
// default), so that the app starts the forgot-password flow.
func TestResetRequiredUserIsToldWhateverThePassword(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	if _, err := f.api.AdminResetUserPassword(context.Background(), &cip.AdminResetUserPasswordInput{UserPoolId: &f.PoolID, Username: &f.Username}); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{testPassword, "Wrong-Pass-9"} {
		_, err := f.api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}})
		expectAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
		_, err = f.srpSignIn(t, "alice", pw, nil)
		expectAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
	}
}
