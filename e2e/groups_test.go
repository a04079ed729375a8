package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Groups' claims in the tokens, verified independently against the JWKS.
// The groups' own operations are tested in-process
// (internal/server/wire_groups_test.go).
func TestGroupsAndTheirClaims(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	check := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(f.api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &f.PoolID, GroupName: aws.String("admins"), Precedence: aws.Int32(1),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/admin")}))
	check(f.api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &f.PoolID, GroupName: aws.String("staff"), Precedence: aws.Int32(5),
		Description: aws.String("Staff")}))
	for _, g := range []string{"staff", "admins"} {
		check(f.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &f.PoolID, Username: aws.String("alice"), GroupName: aws.String(g)}))
	}

	res := f.signIn(t, "alice", testPassword)
	id, _, err := independentVerify(t, s.URL, f.PoolID, *res.IdToken)
	if err != nil {
		t.Fatal(err)
	}
	groupsClaim, _ := id["cognito:groups"].([]any)
	if len(groupsClaim) != 2 || groupsClaim[0] != "admins" || groupsClaim[1] != "staff" {
		t.Fatalf("cognito:groups %v", id["cognito:groups"])
	}
	if id["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admin" {
		t.Fatalf("preferred role %v", id["cognito:preferred_role"])
	}
	access, _, _ := independentVerify(t, s.URL, f.PoolID, *res.AccessToken)
	if ag, _ := access["cognito:groups"].([]any); len(ag) != 2 {
		t.Fatalf("access token groups %v", access["cognito:groups"])
	}
	// Refresh reads the groups again while the user is in them.
	kept, err := f.refresh(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	refreshed, _, _ := independentVerify(t, s.URL, f.PoolID, *kept.IdToken)
	if rg, _ := refreshed["cognito:groups"].([]any); len(rg) != 2 || refreshed["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admin" {
		t.Fatalf("refreshed groups %v, role %v", refreshed["cognito:groups"], refreshed["cognito:preferred_role"])
	}
	// Removed from every group: the claim disappears on refresh.
	check(f.api.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &f.PoolID, Username: aws.String("alice"), GroupName: aws.String("staff")}))
	check(f.api.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &f.PoolID, GroupName: aws.String("admins")}))
	again, err := f.refresh(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	claims, _, _ := independentVerify(t, s.URL, f.PoolID, *again.IdToken)
	if _, has := claims["cognito:groups"]; has {
		t.Fatalf("groups claim after leaving every group: %v", claims["cognito:groups"])
	}
	if _, err := f.api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
}
