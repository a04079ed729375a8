package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Groups through the AWS CLI, and their claims in the tokens.
func TestGroupsAndTheirClaims(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, nil)
	mustCLI(t, s.AWS("create-group", "--user-pool-id", f.PoolID, "--group-name", "admins", "--precedence", "1",
		"--role-arn", "arn:aws:iam::123456789012:role/admin"))
	mustCLI(t, s.AWS("create-group", "--user-pool-id", f.PoolID, "--group-name", "staff", "--precedence", "5", "--description", "Staff"))
	expectCLIError(t, s.AWS("create-group", "--user-pool-id", f.PoolID, "--group-name", "staff"),
		"GroupExistsException", "CreateGroup", "A group with the name staff already exists.")
	expectCLIError(t, s.AWS("get-group", "--user-pool-id", f.PoolID, "--group-name", "nope"),
		"ResourceNotFoundException", "GetGroup", "Group not found.")
	mustCLI(t, s.AWS("admin-add-user-to-group", "--user-pool-id", f.PoolID, "--username", "alice", "--group-name", "staff"))
	mustCLI(t, s.AWS("admin-add-user-to-group", "--user-pool-id", f.PoolID, "--username", "alice", "--group-name", "admins"))
	expectCLIError(t, s.AWS("admin-add-user-to-group", "--user-pool-id", f.PoolID, "--username", "nobody", "--group-name", "staff"),
		"UserNotFoundException", "AdminAddUserToGroup", "User does not exist.")
	groups := mustCLI(t, s.AWS("admin-list-groups-for-user", "--user-pool-id", f.PoolID, "--username", "alice"))
	if n := len(groups["Groups"].([]any)); n != 2 {
		t.Fatalf("%d groups", n)
	}
	members := mustCLI(t, s.AWS("list-users-in-group", "--user-pool-id", f.PoolID, "--group-name", "staff"))
	if n := len(members["Users"].([]any)); n != 1 {
		t.Fatalf("%d members", n)
	}
	mustCLI(t, s.AWS("update-group", "--user-pool-id", f.PoolID, "--group-name", "staff", "--description", "All staff"))
	if g := mustCLI(t, s.AWS("get-group", "--user-pool-id", f.PoolID, "--group-name", "staff")); dig(g, "Group", "Description") != "All staff" {
		t.Fatalf("update-group: %v", g)
	}
	if l := mustCLI(t, s.AWS("list-groups", "--user-pool-id", f.PoolID)); len(l["Groups"].([]any)) != 2 {
		t.Fatalf("list-groups %v", l)
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
	mustCLI(t, s.AWS("admin-remove-user-from-group", "--user-pool-id", f.PoolID, "--username", "alice", "--group-name", "staff"))
	mustCLI(t, s.AWS("delete-group", "--user-pool-id", f.PoolID, "--group-name", "admins"))
	again, err := f.refresh(*res.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	claims, _, _ := independentVerify(t, s.URL, f.PoolID, *again.IdToken)
	if _, has := claims["cognito:groups"]; has {
		t.Fatalf("groups claim after leaving every group: %v", claims["cognito:groups"])
	}
	if _, err := f.api.AdminListGroupsForUser(context.Background(), &cip.AdminListGroupsForUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
}
