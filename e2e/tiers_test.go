package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Feature plans through a real `cognate serve`: a LITE pool refuses
// choice-based sign-in and ALLOW_USER_AUTH (aws-sdk-go-v2 and the AWS CLI
// see the same error), ESSENTIALS allows them, the plan can't drop back
// while a client allows USER_AUTH, and all of it survives a restart.
func TestTiersGateAndHoldThroughARestart(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	api := s.SDK()
	ctx := context.Background()

	created, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("lite"), UserPoolTier: types.UserPoolTierTypeLite})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *created.UserPool.Id
	choice := &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
		AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}
	_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, Policies: choice})
	expectAPIError(t, err, "FeatureUnavailableInTierException",
		"Policies.SignInPolicy.AllowedFirstAuthFactors other than PASSWORD isn't available in your current feature plan, LITE; it requires ESSENTIALS or higher.")
	userAuthMsg := "ExplicitAuthFlows ALLOW_USER_AUTH isn't available in your current feature plan, LITE; it requires ESSENTIALS or higher."
	expectCLIError(t, s.AWS("create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
		"--explicit-auth-flows", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
		"FeatureUnavailableInTierException", "CreateUserPoolClient", userAuthMsg)

	// Raised to ESSENTIALS in the same request that turns the policy on.
	if _, err := api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, Policies: choice,
		UserPoolTier: types.UserPoolTierTypeEssentials}); err != nil {
		t.Fatal(err)
	}
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := *client.UserPoolClient.ClientId
	held := "The feature plan of user pool " + poolID + " can't change from ESSENTIALS to LITE while ExplicitAuthFlows ALLOW_USER_AUTH is configured on app client " +
		clientID + "; remove it first."
	_, err = api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, UserPoolTier: types.UserPoolTierTypeLite})
	expectAPIError(t, err, "TierChangeNotAllowedException", held)

	// The plan and the client that holds it are stored, not remembered.
	s.Stop()
	s.Start()
	api = s.SDK()
	desc := mustCLI(t, s.AWS("describe-user-pool", "--user-pool-id", poolID))
	if tier := dig(desc, "UserPool", "UserPoolTier"); tier != "ESSENTIALS" {
		t.Fatalf("after a restart the plan is %v", tier)
	}
	expectCLIError(t, s.AWS("update-user-pool", "--user-pool-id", poolID, "--user-pool-tier", "LITE"),
		"TierChangeNotAllowedException", "UpdateUserPool", held)
	// Without USER_AUTH on the client (and the policy left out, so back to
	// its default), the plan drops; the client can't take USER_AUTH back.
	if _, err := api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}}); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, s.AWS("update-user-pool", "--user-pool-id", poolID, "--user-pool-tier", "LITE"))
	_, err = api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth}})
	expectAPIError(t, err, "FeatureUnavailableInTierException", userAuthMsg)
	out, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserPool.UserPoolTier != types.UserPoolTierTypeLite {
		t.Fatalf("plan %q, want LITE", out.UserPool.UserPoolTier)
	}
}
