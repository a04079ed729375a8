package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

const userCols = `u.pool_id, u.key, u.username, u.sub, u.attributes, u.status, u.enabled, u.password, u.signout_epoch, u.created_ns, u.modified_ns, u.mfa, u.signed_out_ns, u.sign_in_names,
	NOT EXISTS (SELECT 1 FROM group_members g WHERE g.pool_id = u.pool_id AND g.user_sub = u.sub)`

// userRow scans a user and its key; extra destinations follow the user columns.
func scanUser(sc scanner, extra ...any) (string, userpool.User, error) {
	var u userpool.User
	var key, attrs, pw, mfa string
	var names *string
	var enabled int
	var created, modified, signedOut int64
	dest := append([]any{&u.PoolID, &key, &u.Username, &u.Sub, &attrs, &u.Status, &enabled, &pw, &u.SignOutEpoch, &created, &modified, &mfa, &signedOut, &names, &u.NoGroups}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return "", u, notFound(err)
	}
	if err := rowcodec.UserColumns(&u, attrs, pw, mfa, names); err != nil {
		return "", u, err
	}
	u.Enabled = enabled != 0
	u.CreatedAt, u.ModifiedAt, u.SignedOutAt = fromNS(created), fromNS(modified), fromNS(signedOut)
	return key, u, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateUser implements userpool.UserStore.
func (s *Store) CreateUser(ctx context.Context, key string, u userpool.User) error {
	return s.tx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users(pool_id, key, username, sub, attributes, status, enabled, password, signout_epoch, created_ns, modified_ns, mfa, sign_in_names)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, u.PoolID, key, u.Username, u.Sub, mustJSON(u.Attributes), u.Status, boolInt(u.Enabled),
			rowcodec.Password(u.Password), u.SignOutEpoch, ns(u.CreatedAt), ns(u.ModifiedAt), mustJSON(u.MFA), rowcodec.SignInNames(u.SignInNames))
		if isUnique(err) {
			return userpool.ErrAlreadyExists
		} else if err != nil {
			return err
		}
		return claimNames(ctx, tx, u.PoolID, u.Sub, u.SignInNames)
	})
}

// claimNames gives the user the sign-in names (rowcodec.ClaimNames).
func claimNames(ctx context.Context, tx *txn, poolID, sub string, names []string) error {
	return rowcodec.ClaimNames(names, func(n string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_names(pool_id, name, user_sub) VALUES (?,?,?)`, poolID, n, sub)
		return err
	}, isUnique)
}

// GetUser implements userpool.UserStore.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (userpool.User, error) {
	_, u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key = ?`, poolID, key))
	return u, err
}

// GetUserBySub implements userpool.UserStore.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (userpool.User, error) {
	_, u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.sub = ?`, poolID, sub))
	return u, err
}

// GetUserBySignInName implements userpool.UserStore.
func (s *Store) GetUserBySignInName(ctx context.Context, poolID, name string) (userpool.User, error) {
	_, u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM sign_in_names n JOIN users u ON u.pool_id = n.pool_id AND u.sub = n.user_sub
		WHERE n.pool_id = ? AND n.name = ?`, poolID, name))
	return u, err
}

// ListUsers implements userpool.UserStore.
func (s *Store) ListUsers(ctx context.Context, poolID, after string, limit int) ([]userpool.KeyedUser, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key > ? ORDER BY u.key LIMIT ?`, poolID, after, limit)
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

// UpdateUser implements userpool.UserStore.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(userpool.User) (userpool.User, error)) (userpool.User, error) {
	var out userpool.User
	err := s.tx(ctx, func(tx *txn) error {
		_, u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = ? AND u.key = ?`, poolID, key))
		if err != nil {
			return err
		}
		if out, err = fn(u); err != nil {
			return err
		}
		if rowcodec.NamesChanged(u.SignInNames, out.SignInNames) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_names WHERE pool_id = ? AND user_sub = ?`, poolID, u.Sub); err != nil {
				return err
			}
			if err := claimNames(ctx, tx, poolID, u.Sub, out.SignInNames); err != nil {
				return err
			}
		} else {
			out.SignInNames = u.SignInNames
		}
		// The epoch is never rolled back by a stale copy: sign-out owns it.
		_, err = tx.ExecContext(ctx, `UPDATE users SET username = ?, attributes = ?, status = ?, enabled = ?, password = ?,
			signout_epoch = max(signout_epoch, ?), modified_ns = ?, mfa = ?, sign_in_names = ? WHERE pool_id = ? AND key = ?`,
			out.Username, mustJSON(out.Attributes), out.Status, boolInt(out.Enabled), rowcodec.Password(out.Password),
			out.SignOutEpoch, ns(out.ModifiedAt), mustJSON(out.MFA), rowcodec.SignInNames(out.SignInNames), poolID, key)
		return err
	})
	return out, err
}

// DeleteUser implements userpool.UserStore.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	return s.tx(ctx, func(tx *txn) error {
		var sub string
		if err := tx.QueryRowContext(ctx, `DELETE FROM users WHERE pool_id = ? AND key = ? RETURNING sub`, poolID, key).Scan(&sub); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM codes WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_names WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_events WHERE pool_id = ? AND user_sub = ?`, poolID, sub); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM families WHERE pool_id = ? AND user_sub = ?`, poolID, sub)
		return err
	})
}

// Families.

const familyCols = rowcodec.FamilyColumns

// CreateFamily implements userpool.FamilyStore.
func (s *Store) CreateFamily(ctx context.Context, f userpool.Family, mayWait bool) error {
	var revoked any
	if !f.RevokedAt.IsZero() {
		revoked = ns(f.RevokedAt)
	}
	enqueue := s.group
	if mayWait {
		enqueue = s.groupPatient
	}
	err := enqueue(ctx, func(tx *txn) error {
		_, err := tx.Exec(`INSERT INTO families(id, pool_id, client_id, user_sub, refresh_hash, epoch, auth_time_ns, created_ns, expires_ns, revoked_ns, device_key, scope)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, f.ID, f.PoolID, f.ClientID, f.UserSub, f.RefreshHash, f.Epoch,
			ns(f.AuthTime), ns(f.CreatedAt), ns(f.ExpiresAt), revoked, f.DeviceKey, f.Scope)
		if err != nil {
			return err
		}
		// The live count that sign-out reports, kept in the same commit.
		_, err = tx.Exec(`UPDATE users SET live_families = live_families + 1 WHERE pool_id = ? AND sub = ? AND signout_epoch = ?`,
			f.PoolID, f.UserSub, f.Epoch)
		return err
	})
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetFamilyByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetFamilyByRefreshHash(ctx context.Context, hash []byte) (userpool.Family, error) {
	var fs rowcodec.FamilyScan
	err := s.r.QueryRowContext(ctx, `SELECT `+familyCols+` FROM families f WHERE f.refresh_hash = ?`, hash).Scan(fs.Dest()...)
	if err != nil {
		return userpool.Family{}, notFound(err)
	}
	return fs.Family(), nil
}

// RevokeFamily implements userpool.FamilyStore.
func (s *Store) RevokeFamily(ctx context.Context, id string, at time.Time) error {
	return s.group(ctx, func(tx *txn) error {
		var pool, sub string
		var epoch int64
		err := tx.QueryRow(`UPDATE families SET revoked_ns = ? WHERE id = ? AND revoked_ns IS NULL RETURNING pool_id, user_sub, epoch`,
			ns(at), id).Scan(&pool, &sub, &epoch)
		if errors.Is(err, sql.ErrNoRows) {
			var exists int
			if err := tx.QueryRow(`SELECT 1 FROM families WHERE id = ?`, id).Scan(&exists); err != nil {
				return notFound(err) // absent; an already revoked family keeps its first time
			}
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE users SET live_families = max(live_families - 1, 0) WHERE pool_id = ? AND sub = ? AND signout_epoch = ?`,
			pool, sub, epoch)
		return err
	})
}

// SignOutUser implements userpool.FamilyStore. The writer reads the row it
// then writes: its page cache is warm, where a reader's is reset by every
// commit.
func (s *Store) SignOutUser(ctx context.Context, poolID string, lookup userpool.UserLookup, value string, at time.Time) (userpool.SignedOut, error) {
	column := "sub" // both unique in a pool
	if lookup == userpool.ByUsernameKey {
		column = "key"
	}
	out := userpool.SignedOut{PoolID: poolID}
	err := s.group(ctx, func(tx *txn) error {
		var key string
		if err := tx.QueryRow(`SELECT key, sub, username, live_families FROM users WHERE pool_id = ? AND `+column+` = ?`, poolID, value).
			Scan(&key, &out.Sub, &out.Username, &out.Families); err != nil {
			return notFound(err)
		}
		return tx.QueryRow(`UPDATE users SET signout_epoch = signout_epoch + 1, live_families = 0, signed_out_ns = max(signed_out_ns, ?)
			WHERE pool_id = ? AND key = ? RETURNING signout_epoch`, ns(at), poolID, key).Scan(&out.Epoch)
	})
	return out, err
}

// GetSession implements userpool.FamilyStore: two primary-key lookups in
// one statement.
func (s *Store) GetSession(ctx context.Context, poolID, sub, familyID string) (userpool.User, userpool.Family, error) {
	var fs rowcodec.FamilyScan
	_, u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM users u JOIN families f ON f.id = ? AND f.pool_id = u.pool_id AND f.user_sub = u.sub
		WHERE u.pool_id = ? AND u.sub = ?`, familyID, poolID, sub), fs.Dest()...)
	if err != nil {
		return userpool.User{}, userpool.Family{}, err
	}
	return u, fs.Family(), nil
}

// GetSessionByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetSessionByRefreshHash(ctx context.Context, hash []byte) (userpool.User, userpool.Family, error) {
	var fs rowcodec.FamilyScan
	_, u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM families f JOIN users u ON u.pool_id = f.pool_id AND u.sub = f.user_sub
		WHERE f.refresh_hash = ?`, hash), fs.Dest()...)
	if err != nil {
		return userpool.User{}, userpool.Family{}, err
	}
	return u, fs.Family(), nil
}

// RotateRefreshToken implements userpool.FamilyStore.
func (s *Store) RotateRefreshToken(ctx context.Context, r userpool.Rotation) error {
	return s.group(ctx, func(tx *txn) error {
		var current []byte
		if err := tx.QueryRow(`SELECT refresh_hash FROM families WHERE id = ?`, r.FamilyID).Scan(&current); err != nil {
			return notFound(err)
		}
		if !bytes.Equal(current, r.From) {
			var graceUntil int64
			err := tx.QueryRow(`SELECT grace_until_ns FROM retired_refresh WHERE hash = ? AND family_id = ?`, r.From, r.FamilyID).Scan(&graceUntil)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && ns(r.Now) >= graceUntil) {
				return userpool.ErrRefreshReused
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO retired_refresh(hash, family_id, grace_until_ns) VALUES (?,?,?)`,
			current, r.FamilyID, ns(r.GraceUntil)); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE families SET refresh_hash = ? WHERE id = ?`, r.To, r.FamilyID)
		return err
	})
}

// GetRetiredRefresh implements userpool.FamilyStore.
func (s *Store) GetRetiredRefresh(ctx context.Context, hash []byte) (userpool.RetiredRefresh, error) {
	rr := userpool.RetiredRefresh{Hash: hash}
	var graceUntil int64
	err := s.r.QueryRowContext(ctx, `SELECT r.family_id, f.pool_id, f.client_id, f.user_sub, r.grace_until_ns
		FROM retired_refresh r JOIN families f ON f.id = r.family_id WHERE r.hash = ?`, hash).
		Scan(&rr.FamilyID, &rr.PoolID, &rr.ClientID, &rr.UserSub, &graceUntil)
	rr.GraceUntil = fromNS(graceUntil)
	return rr, notFound(err)
}

// DeleteExpiredFamilies implements userpool.FamilyStore.
func (s *Store) DeleteExpiredFamilies(ctx context.Context, now time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM families WHERE expires_ns < ?`, ns(now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
