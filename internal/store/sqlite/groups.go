package sqlite

import (
	"context"
	"database/sql"

	"github.com/cognate/cognate/internal/userpool"
)

const groupCols = `pool_id, name, description, role_arn, precedence, created_ns, modified_ns`

func scanGroup(sc scanner) (userpool.Group, error) {
	var g userpool.Group
	var prec sql.NullInt64
	var created, modified int64
	if err := sc.Scan(&g.PoolID, &g.Name, &g.Description, &g.RoleArn, &prec, &created, &modified); err != nil {
		return g, notFound(err)
	}
	if prec.Valid {
		p := int(prec.Int64)
		g.Precedence = &p
	}
	g.CreatedAt, g.ModifiedAt = fromNS(created), fromNS(modified)
	return g, nil
}

func precedence(g userpool.Group) any {
	if g.Precedence == nil {
		return nil
	}
	return *g.Precedence
}

// CreateGroup implements userpool.GroupStore.
func (s *Store) CreateGroup(ctx context.Context, g userpool.Group) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO groups_(`+groupCols+`) VALUES (?,?,?,?,?,?,?)`,
		g.PoolID, g.Name, g.Description, g.RoleArn, precedence(g), ns(g.CreatedAt), ns(g.ModifiedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetGroup implements userpool.GroupStore.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (userpool.Group, error) {
	return scanGroup(s.r.QueryRowContext(ctx, `SELECT `+groupCols+` FROM groups_ WHERE pool_id = ? AND name = ?`, poolID, name))
}

func (s *Store) groups(ctx context.Context, query string, args ...any) ([]userpool.Group, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ListGroups implements userpool.GroupStore.
func (s *Store) ListGroups(ctx context.Context, poolID, after string, limit int) ([]userpool.Group, error) {
	return s.groups(ctx, `SELECT `+groupCols+` FROM groups_ WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, poolID, after, limit)
}

// UpdateGroup implements userpool.GroupStore.
func (s *Store) UpdateGroup(ctx context.Context, g userpool.Group) error {
	res, err := s.w.ExecContext(ctx, `UPDATE groups_ SET description = ?, role_arn = ?, precedence = ?, modified_ns = ? WHERE pool_id = ? AND name = ?`,
		g.Description, g.RoleArn, precedence(g), ns(g.ModifiedAt), g.PoolID, g.Name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return userpool.ErrNotFound
	}
	return nil
}

// DeleteGroup implements userpool.GroupStore.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM groups_ WHERE pool_id = ? AND name = ?`, poolID, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return userpool.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE pool_id = ? AND group_name = ?`, poolID, name)
		return err
	})
}

// AddUserToGroup implements userpool.GroupStore.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO group_members(pool_id, group_name, user_sub) VALUES (?,?,?)`, poolID, name, sub)
	return err
}

// RemoveUserFromGroup implements userpool.GroupStore.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND user_sub = ?`, poolID, name, sub)
	return err
}

// GroupsOfUser implements userpool.GroupStore.
func (s *Store) GroupsOfUser(ctx context.Context, poolID, sub string) ([]userpool.Group, error) {
	return s.groups(ctx, `SELECT g.pool_id, g.name, g.description, g.role_arn, g.precedence, g.created_ns, g.modified_ns
		FROM group_members m JOIN groups_ g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = ? AND m.user_sub = ? ORDER BY g.precedence IS NULL, g.precedence, g.name`, poolID, sub)
}

// UsersInGroup implements userpool.GroupStore.
func (s *Store) UsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]userpool.KeyedUser, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.user_sub
		WHERE m.pool_id = ? AND m.group_name = ? AND u.key > ? ORDER BY u.key LIMIT ?`, poolID, name, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.KeyedUser
	for rows.Next() {
		key, u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, userpool.KeyedUser{Key: key, User: u})
	}
	return out, rows.Err()
}
