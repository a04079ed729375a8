package sqlstore

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

const userCols = `u.pool_id, u.key, u.username, u.sub, u.attributes, u.status, u.enabled, u.password, u.signout_epoch, u.created_ns, u.modified_ns, u.mfa, u.signed_out_ns, u.sign_in_names,
	NOT EXISTS (SELECT 1 FROM group_members g WHERE g.pool_id = u.pool_id AND g.user_sub = u.sub)`

// scanUser scans a user and its key; extra destinations follow the user
// columns.
func scanUser(r Row, extra ...any) (userpool.KeyedUser, error) {
	var ku userpool.KeyedUser
	u := &ku.User
	var attrs, pw, mfa string
	var names *string
	var created, modified, signedOut int64
	dest := append([]any{&u.PoolID, &ku.Key, &u.Username, &u.Sub, &attrs, &u.Status, &u.Enabled, &pw, &u.SignOutEpoch, &created, &modified, &mfa, &signedOut, &names, &u.NoGroups}, extra...)
	if err := r.Scan(dest...); err != nil {
		return ku, notFound(err)
	}
	if err := decodeUserColumns(u, attrs, pw, mfa, names); err != nil {
		return ku, err
	}
	u.CreatedAt, u.ModifiedAt, u.SignedOutAt = fromNS(created), fromNS(modified), fromNS(signedOut)
	return ku, nil
}

func getUser(r Row) (userpool.User, error) {
	ku, err := scanUser(r)
	return ku.User, err
}

// CreateUser implements userpool.UserStore.
func (s *Store) CreateUser(ctx context.Context, key string, u userpool.User) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		_, err := tx.Exec(ctx, `INSERT INTO users(pool_id, key, username, sub, attributes, status, enabled, password, signout_epoch, created_ns, modified_ns, mfa, sign_in_names)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, u.PoolID, key, u.Username, u.Sub, mustJSON(u.Attributes), u.Status, u.Enabled,
			encodePassword(u.Password), u.SignOutEpoch, ns(u.CreatedAt), ns(u.ModifiedAt), mustJSON(u.MFA), encodeSignInNames(u.SignInNames))
		if s.d.IsUnique(err) {
			return userpool.ErrAlreadyExists
		} else if err != nil {
			return err
		}
		return s.claimNames(ctx, tx, u.PoolID, u.Sub, u.SignInNames)
	})
}

// claimNames gives the user the sign-in names: the primary key of
// sign_in_names makes each the user's alone, and a unique violation becomes
// a *userpool.NameTakenError naming it. (A concurrent insert of the same
// name waits for this transaction, then fails.)
func (s *Store) claimNames(ctx context.Context, tx Querier, poolID, sub string, names []string) error {
	for _, n := range names {
		_, err := tx.Exec(ctx, `INSERT INTO sign_in_names(pool_id, name, user_sub) VALUES (?,?,?)`, poolID, n, sub)
		if s.d.IsUnique(err) {
			return &userpool.NameTakenError{Name: n}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// GetUser implements userpool.UserStore.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (userpool.User, error) {
	return getUser(s.x.Reader().QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key = ?`, poolID, key))
}

// GetUserBySub implements userpool.UserStore.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (userpool.User, error) {
	return getUser(s.x.Reader().QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.sub = ?`, poolID, sub))
}

// GetUserBySignInName implements userpool.UserStore.
func (s *Store) GetUserBySignInName(ctx context.Context, poolID, name string) (userpool.User, error) {
	return getUser(s.x.Reader().QueryRow(ctx, `SELECT `+userCols+` FROM sign_in_names n JOIN users u ON u.pool_id = n.pool_id AND u.sub = n.user_sub
		WHERE n.pool_id = ? AND n.name = ?`, poolID, name))
}

func scanKeyedUser(r Row) (userpool.KeyedUser, error) { return scanUser(r) }

// ListUsers implements userpool.UserStore.
func (s *Store) ListUsers(ctx context.Context, poolID, after string, limit int) ([]userpool.KeyedUser, error) {
	return queryAll(ctx, s.x.Reader(), scanKeyedUser,
		`SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key > ? ORDER BY u.key`+s.d.ByteOrder+` LIMIT ?`, poolID, after, limit)
}

// UpdateUser implements userpool.UserStore. The sign-out epoch and the
// live-session count are not written: sign-out and the session writes own
// them, and a stale copy must not roll them back.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(userpool.User) (userpool.User, error)) (userpool.User, error) {
	var out userpool.User
	err := s.x.Tx(ctx, func(tx Querier) error {
		u, err := getUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key = ?`+s.d.ForUpdate, poolID, key))
		if err != nil {
			return err
		}
		if out, err = fn(u); err != nil {
			return err
		}
		if namesChanged(u.SignInNames, out.SignInNames) {
			if _, err := tx.Exec(ctx, `DELETE FROM sign_in_names WHERE pool_id = ? AND user_sub = ?`, poolID, u.Sub); err != nil {
				return err
			}
			if err := s.claimNames(ctx, tx, poolID, u.Sub, out.SignInNames); err != nil {
				return err
			}
		} else {
			out.SignInNames = u.SignInNames
		}
		out.SignOutEpoch, out.SignedOutAt = u.SignOutEpoch, u.SignedOutAt
		_, err = tx.Exec(ctx, `UPDATE users SET username = ?, attributes = ?, status = ?, enabled = ?, password = ?,
			modified_ns = ?, mfa = ?, sign_in_names = ? WHERE pool_id = ? AND key = ?`,
			out.Username, mustJSON(out.Attributes), out.Status, out.Enabled, encodePassword(out.Password),
			ns(out.ModifiedAt), mustJSON(out.MFA), encodeSignInNames(out.SignInNames), poolID, key)
		return err
	})
	return out, err
}

// userRows are the tables whose rows belong to one user (by sub) and go
// with it.
var userRows = []string{"devices", "passkeys", "group_members", "codes", "sign_in_names", "auth_events", "families"}

// DeleteUser implements userpool.UserStore.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		var sub string
		if err := tx.QueryRow(ctx, `DELETE FROM users WHERE pool_id = ? AND key = ? RETURNING sub`, poolID, key).Scan(&sub); err != nil {
			return notFound(err)
		}
		for _, table := range userRows {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
				return err
			}
		}
		return nil
	})
}
