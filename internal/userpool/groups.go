package userpool

import (
	"context"
	"errors"
)

// Groups manages user groups (the admin API).
type Groups struct {
	Store Store
	Now   Clock
}

func noGroup() error { return Errorf(ResourceNotFound, "Group not found.") }

// CreateGroupInput is CreateGroupRequest (and UpdateGroupRequest).
type CreateGroupInput struct {
	UserPoolId  string
	GroupName   string
	Description string
	RoleArn     string
	Precedence  *int
}

// Create is CreateGroup.
func (s *Groups) Create(ctx context.Context, in CreateGroupInput) (Group, error) {
	if _, err := GetPool(ctx, s.Store, in.UserPoolId); err != nil {
		return Group{}, err
	}
	now := s.Now()
	g := Group{PoolID: in.UserPoolId, Name: in.GroupName, Description: in.Description, RoleArn: in.RoleArn,
		Precedence: in.Precedence, CreatedAt: now, ModifiedAt: now}
	if err := s.Store.CreateGroup(ctx, g); errors.Is(err, ErrAlreadyExists) {
		return Group{}, Errorf("GroupExistsException", "A group with the name %s already exists.", in.GroupName)
	} else if err != nil {
		return Group{}, err
	}
	return g, nil
}

// Get is GetGroup.
func (s *Groups) Get(ctx context.Context, poolID, name string) (Group, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return Group{}, err
	}
	g, err := s.Store.GetGroup(ctx, poolID, name)
	if errors.Is(err, ErrNotFound) {
		return Group{}, noGroup()
	}
	return g, err
}

// List is ListGroups.
func (s *Groups) List(ctx context.Context, poolID string, limit int, token string) ([]Group, string, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	gs, err := s.Store.ListGroups(ctx, poolID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	gs, next := page(gs, limit, func(g Group) string { return g.Name })
	return gs, next, nil
}

// Update is UpdateGroup: members given replace the old values, on the
// stored row (two updates at once of different members both land).
func (s *Groups) Update(ctx context.Context, in CreateGroupInput) (Group, error) {
	if _, err := GetPool(ctx, s.Store, in.UserPoolId); err != nil {
		return Group{}, err
	}
	now := s.Now()
	g, err := s.Store.UpdateGroup(ctx, in.UserPoolId, in.GroupName, func(g Group) (Group, error) {
		if in.Description != "" {
			g.Description = in.Description
		}
		if in.RoleArn != "" {
			g.RoleArn = in.RoleArn
		}
		if in.Precedence != nil {
			g.Precedence = in.Precedence
		}
		g.ModifiedAt = now
		return g, nil
	})
	if errors.Is(err, ErrNotFound) {
		return Group{}, noGroup()
	}
	return g, err
}

// Delete is DeleteGroup.
func (s *Groups) Delete(ctx context.Context, poolID, name string) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	if err := s.Store.DeleteGroup(ctx, poolID, name); errors.Is(err, ErrNotFound) {
		return noGroup()
	} else if err != nil {
		return err
	}
	return nil
}

// member resolves a pool, one of its users and one of its groups.
func (s *Groups) member(ctx context.Context, poolID, username, group string) (User, error) {
	_, u, _, err := poolUser(ctx, s.Store, poolID, username)
	if err != nil {
		return User{}, err
	}
	if group != "" {
		if _, err := s.Store.GetGroup(ctx, poolID, group); errors.Is(err, ErrNotFound) {
			return User{}, noGroup()
		} else if err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// AddUser is AdminAddUserToGroup.
func (s *Groups) AddUser(ctx context.Context, poolID, username, group string) error {
	u, err := s.member(ctx, poolID, username, group)
	if err != nil {
		return err
	}
	return s.Store.AddUserToGroup(ctx, poolID, group, u.Sub)
}

// RemoveUser is AdminRemoveUserFromGroup.
func (s *Groups) RemoveUser(ctx context.Context, poolID, username, group string) error {
	u, err := s.member(ctx, poolID, username, group)
	if err != nil {
		return err
	}
	return s.Store.RemoveUserFromGroup(ctx, poolID, group, u.Sub)
}

// OfUser is AdminListGroupsForUser.
func (s *Groups) OfUser(ctx context.Context, poolID, username string) ([]Group, error) {
	u, err := s.member(ctx, poolID, username, "")
	if err != nil {
		return nil, err
	}
	return s.Store.GroupsOfUser(ctx, poolID, u.Sub)
}

// Members is ListUsersInGroup.
func (s *Groups) Members(ctx context.Context, poolID, group string, limit int, token string) ([]User, string, error) {
	if _, err := s.Get(ctx, poolID, group); err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	ku, err := s.Store.UsersInGroup(ctx, poolID, group, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	ku, next := page(ku, limit, func(k KeyedUser) string { return k.Key })
	users := make([]User, 0, len(ku))
	for _, k := range ku {
		users = append(users, k.User)
	}
	return users, next, nil
}

// groupClaims computes cognito:groups, cognito:roles and
// cognito:preferred_role for a user's tokens.
func groupClaims(ctx context.Context, st GroupStore, poolID string, user *User) (names, roles []string, preferred string, err error) {
	if user.NoGroups {
		return nil, nil, "", nil
	}
	gs, err := st.GroupsOfUser(ctx, poolID, user.Sub)
	if err != nil {
		return nil, nil, "", err
	}
	for _, g := range gs {
		names = append(names, g.Name)
		if g.RoleArn != "" {
			roles = append(roles, g.RoleArn)
			if preferred == "" && g.Precedence != nil {
				preferred = g.RoleArn
			}
		}
	}
	if preferred == "" && len(roles) > 0 {
		preferred = roles[0]
	}
	return names, roles, preferred, nil
}
