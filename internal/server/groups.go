package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

// wireGroup is GroupType.
type wireGroup struct {
	GroupName        string
	UserPoolId       string
	Description      string `json:",omitempty"`
	RoleArn          string `json:",omitempty"`
	Precedence       *int   `json:",omitempty"`
	LastModifiedDate epoch
	CreationDate     epoch
}

func renderGroup(g userpool.Group) wireGroup {
	return wireGroup{GroupName: g.Name, UserPoolId: g.PoolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, LastModifiedDate: epoch(g.ModifiedAt), CreationDate: epoch(g.CreatedAt)}
}

type groupRef struct{ UserPoolId, GroupName string }
type memberRef struct{ UserPoolId, Username, GroupName string }

// groupOperations adds the group operations to the table.
func (s *Server) groupOperations(ops map[string]handler) {
	ops["CreateGroup"] = typed(func(ctx context.Context, c *call, in *userpool.CreateGroupInput) (any, error) {
		g, err := s.Groups.Create(ctx, *in)
		return groupResponse{renderGroup(g)}, err
	})
	ops["GetGroup"] = typed(func(ctx context.Context, c *call, in *groupRef) (any, error) {
		g, err := s.Groups.Get(ctx, in.UserPoolId, in.GroupName)
		return groupResponse{renderGroup(g)}, err
	})
	ops["UpdateGroup"] = typed(func(ctx context.Context, c *call, in *userpool.CreateGroupInput) (any, error) {
		g, err := s.Groups.Update(ctx, *in)
		return groupResponse{renderGroup(g)}, err
	})
	ops["DeleteGroup"] = typed(func(ctx context.Context, c *call, in *groupRef) (any, error) {
		return empty{}, s.Groups.Delete(ctx, in.UserPoolId, in.GroupName)
	})
	ops["ListGroups"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId string
		Limit      int
		NextToken  string
	}) (any, error) {
		gs, next, err := s.Groups.List(ctx, in.UserPoolId, in.Limit, in.NextToken)
		return groupsResponse{Groups: renderList(gs, renderGroup), NextToken: next}, err
	})
	ops["AdminAddUserToGroup"] = typed(func(ctx context.Context, c *call, in *memberRef) (any, error) {
		return empty{}, s.Groups.AddUser(ctx, in.UserPoolId, in.Username, in.GroupName)
	})
	ops["AdminRemoveUserFromGroup"] = typed(func(ctx context.Context, c *call, in *memberRef) (any, error) {
		return empty{}, s.Groups.RemoveUser(ctx, in.UserPoolId, in.Username, in.GroupName)
	})
	ops["AdminListGroupsForUser"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId, Username, NextToken string
		Limit                           int
	}) (any, error) {
		gs, err := s.Groups.OfUser(ctx, in.UserPoolId, in.Username)
		return groupsResponse{Groups: renderList(gs, renderGroup)}, err
	})
	ops["ListUsersInGroup"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId, GroupName, NextToken string
		Limit                            int
	}) (any, error) {
		users, next, err := s.Groups.Members(ctx, in.UserPoolId, in.GroupName, in.Limit, in.NextToken)
		return listUsersInGroupResponse{NextToken: next, Users: renderList(users, renderUser)}, err
	})
}
