package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Groups on the wire: creation, duplicates, membership, listing, updates.
// (Moved from e2e's TestGroupsAndTheirClaims, which keeps the claims.)
func TestWireGroups(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	api := w.api
	poolID := w.pool("groups", nil)
	w.user(poolID, "alice", "Passw0rd!wire")
	w.ok(api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"), Precedence: aws.Int32(1),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/admin")}))
	w.ok(api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff"), Precedence: aws.Int32(5),
		Description: aws.String("Staff")}))
	_, err := api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff")})
	wantAPIError(t, err, "GroupExistsException", "A group with the name staff already exists.")
	_, err = api.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Group not found.")

	add := func(user, group string) error {
		_, err := api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String(user), GroupName: aws.String(group)})
		return err
	}
	w.check(add("alice", "staff"))
	w.check(add("alice", "admins"))
	wantAPIError(t, add("nobody", "staff"), "UserNotFoundException", "User does not exist.")
	groups, err := api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	w.check(err)
	if n := len(groups.Groups); n != 2 {
		t.Fatalf("%d groups", n)
	}
	members, err := api.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff")})
	w.check(err)
	if n := len(members.Users); n != 1 || aws.ToString(members.Users[0].Username) != "alice" {
		t.Fatalf("members %+v", members.Users)
	}
	w.ok(api.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff"), Description: aws.String("All staff")}))
	g, err := api.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff")})
	w.check(err)
	if aws.ToString(g.Group.Description) != "All staff" {
		t.Fatalf("UpdateGroup: %+v", g.Group)
	}
	list, err := api.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID})
	w.check(err)
	if len(list.Groups) != 2 {
		t.Fatalf("ListGroups %+v", list.Groups)
	}
}
