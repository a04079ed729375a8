package sqlstore

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

const groupCols = `g.pool_id, g.name, g.description, g.role_arn, g.precedence, g.created_ns, g.modified_ns`

func scanGroup(r Row) (userpool.Group, error) {
	var g userpool.Group
	var prec *int64
	var created, modified int64
	if err := r.Scan(&g.PoolID, &g.Name, &g.Description, &g.RoleArn, &prec, &created, &modified); err != nil {
		return g, notFound(err)
	}
	if prec != nil {
		p := int(*prec)
		g.Precedence = &p
	}
	g.CreatedAt, g.ModifiedAt = fromNS(created), fromNS(modified)
	return g, nil
}

// CreateGroup implements userpool.GroupStore.
func (s *Store) CreateGroup(ctx context.Context, g userpool.Group) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO groups_(pool_id, name, description, role_arn, precedence, created_ns, modified_ns) VALUES (?,?,?,?,?,?,?)`,
		g.PoolID, g.Name, g.Description, g.RoleArn, g.Precedence, ns(g.CreatedAt), ns(g.ModifiedAt))
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetGroup implements userpool.GroupStore.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (userpool.Group, error) {
	return scanGroup(s.x.Reader().QueryRow(ctx, `SELECT `+groupCols+` FROM groups_ g WHERE g.pool_id = ? AND g.name = ?`, poolID, name))
}

// ListGroups implements userpool.GroupStore.
func (s *Store) ListGroups(ctx context.Context, poolID, after string, limit int) ([]userpool.Group, error) {
	return queryAll(ctx, s.x.Reader(), scanGroup,
		`SELECT `+groupCols+` FROM groups_ g WHERE g.pool_id = ? AND g.name > ? ORDER BY g.name`+s.d.ByteOrder+` LIMIT ?`, poolID, after, limit)
}

// UpdateGroup implements userpool.GroupStore.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(userpool.Group) (userpool.Group, error)) (userpool.Group, error) {
	var out userpool.Group
	err := s.x.Tx(ctx, func(tx Querier) error {
		g, err := scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM groups_ g WHERE g.pool_id = ? AND g.name = ?`+s.d.ForUpdate, poolID, name))
		if err != nil {
			return err
		}
		if out, err = fn(g); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE groups_ SET description = ?, role_arn = ?, precedence = ?, modified_ns = ? WHERE pool_id = ? AND name = ?`,
			out.Description, out.RoleArn, out.Precedence, ns(out.ModifiedAt), poolID, name)
		return err
	})
	return out, err
}

// DeleteGroup implements userpool.GroupStore.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		if err := affected(tx.Exec(ctx, `DELETE FROM groups_ WHERE pool_id = ? AND name = ?`, poolID, name)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM group_members WHERE pool_id = ? AND group_name = ?`, poolID, name)
		return err
	})
}

// AddUserToGroup implements userpool.GroupStore; adding a member twice is
// no error.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO group_members(pool_id, group_name, user_sub) VALUES (?,?,?) ON CONFLICT DO NOTHING`, poolID, name, sub)
	return err
}

// RemoveUserFromGroup implements userpool.GroupStore.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.x.Writer().Exec(ctx, `DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND user_sub = ?`, poolID, name, sub)
	return err
}

// GroupsOfUser implements userpool.GroupStore.
func (s *Store) GroupsOfUser(ctx context.Context, poolID, sub string) ([]userpool.Group, error) {
	return queryAll(ctx, s.x.Reader(), scanGroup, `SELECT `+groupCols+` FROM group_members m JOIN groups_ g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = ? AND m.user_sub = ? ORDER BY g.precedence IS NULL, g.precedence, g.name`+s.d.ByteOrder, poolID, sub)
}

// UsersInGroup implements userpool.GroupStore.
func (s *Store) UsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]userpool.KeyedUser, error) {
	return queryAll(ctx, s.x.Reader(), scanKeyedUser, `SELECT `+userCols+` FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.user_sub
		WHERE m.pool_id = ? AND m.group_name = ? AND u.key > ? ORDER BY u.key`+s.d.ByteOrder+` LIMIT ?`, poolID, name, after, limit)
}
