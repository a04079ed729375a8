package postgres

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

const userCols = `u.pool_id, u.key, u.username, u.sub, u.attributes, u.status, u.enabled, u.password, u.signout_epoch, u.created_ns, u.modified_ns, u.mfa, u.signed_out_ns, u.sign_in_names,
	NOT EXISTS (SELECT 1 FROM group_members g WHERE g.pool_id = u.pool_id AND g.user_sub = u.sub)`

func scanUser(r row, extra ...any) (string, userpool.User, error) {
	var u userpool.User
	var key, attrs, pw, mfa string
	var names *string
	var created, modified, signedOut int64
	dest := append([]any{&u.PoolID, &key, &u.Username, &u.Sub, &attrs, &u.Status, &u.Enabled, &pw, &u.SignOutEpoch, &created, &modified, &mfa, &signedOut, &names, &u.NoGroups}, extra...)
	if err := r.Scan(dest...); err != nil {
		return "", u, notFound(err)
	}
	if err := rowcodec.UserColumns(&u, attrs, pw, mfa, names); err != nil {
		return "", u, err
	}
	u.CreatedAt, u.ModifiedAt, u.SignedOutAt = fromNS(created), fromNS(modified), fromNS(signedOut)
	return key, u, nil
}

// CreateUser implements userpool.UserStore.
func (s *Store) CreateUser(ctx context.Context, key string, u userpool.User) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users(pool_id, key, username, sub, attributes, status, enabled, password, signout_epoch, created_ns, modified_ns, mfa, sign_in_names)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, u.PoolID, key, u.Username, u.Sub, mustJSON(u.Attributes), u.Status, u.Enabled,
			rowcodec.Password(u.Password), u.SignOutEpoch, ns(u.CreatedAt), ns(u.ModifiedAt), mustJSON(u.MFA), rowcodec.SignInNames(u.SignInNames))
		if isUnique(err) {
			return userpool.ErrAlreadyExists
		} else if err != nil {
			return err
		}
		return claimNames(ctx, tx, u.PoolID, u.Sub, u.SignInNames)
	})
}

// claimNames gives the user the sign-in names (rowcodec.ClaimNames); a
// concurrent insert of the same name waits for this transaction, then fails.
func claimNames(ctx context.Context, tx pgx.Tx, poolID, sub string, names []string) error {
	return rowcodec.ClaimNames(names, func(n string) error {
		_, err := tx.Exec(ctx, `INSERT INTO sign_in_names(pool_id, name, user_sub) VALUES ($1,$2,$3)`, poolID, n, sub)
		return err
	}, isUnique)
}

// GetUser implements userpool.UserStore.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (userpool.User, error) {
	_, u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = $1 AND u.key = $2`, poolID, key))
	return u, err
}

// GetUserBySub implements userpool.UserStore.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (userpool.User, error) {
	_, u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = $1 AND u.sub = $2`, poolID, sub))
	return u, err
}

func (s *Store) users(ctx context.Context, query string, args ...any) ([]userpool.KeyedUser, error) {
	rows, err := s.db.Query(ctx, query, args...)
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

// GetUserBySignInName implements userpool.UserStore.
func (s *Store) GetUserBySignInName(ctx context.Context, poolID, name string) (userpool.User, error) {
	_, u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM sign_in_names n JOIN users u ON u.pool_id = n.pool_id AND u.sub = n.user_sub
		WHERE n.pool_id = $1 AND n.name = $2`, poolID, name))
	return u, err
}

// ListUsers implements userpool.UserStore.
func (s *Store) ListUsers(ctx context.Context, poolID, after string, limit int) ([]userpool.KeyedUser, error) {
	return s.users(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = $1 AND u.key > $2 ORDER BY u.key COLLATE "C" LIMIT $3`, poolID, after, limit)
}

// UpdateUser implements userpool.UserStore.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(userpool.User) (userpool.User, error)) (userpool.User, error) {
	var out userpool.User
	err := s.tx(ctx, func(tx pgx.Tx) error {
		_, u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.pool_id = $1 AND u.key = $2 FOR UPDATE`, poolID, key))
		if err != nil {
			return err
		}
		if out, err = fn(u); err != nil {
			return err
		}
		if rowcodec.NamesChanged(u.SignInNames, out.SignInNames) {
			if _, err := tx.Exec(ctx, `DELETE FROM sign_in_names WHERE pool_id = $1 AND user_sub = $2`, poolID, u.Sub); err != nil {
				return err
			}
			if err := claimNames(ctx, tx, poolID, u.Sub, out.SignInNames); err != nil {
				return err
			}
		} else {
			out.SignInNames = u.SignInNames
		}
		// The epoch is never rolled back by a stale copy: sign-out owns it.
		_, err = tx.Exec(ctx, `UPDATE users SET username = $1, attributes = $2, status = $3, enabled = $4, password = $5,
			signout_epoch = GREATEST(signout_epoch, $6), modified_ns = $7, mfa = $8, sign_in_names = $9 WHERE pool_id = $10 AND key = $11`,
			out.Username, mustJSON(out.Attributes), out.Status, out.Enabled, rowcodec.Password(out.Password),
			out.SignOutEpoch, ns(out.ModifiedAt), mustJSON(out.MFA), rowcodec.SignInNames(out.SignInNames), poolID, key)
		return err
	})
	return out, err
}

// DeleteUser implements userpool.UserStore.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var sub string
		if err := tx.QueryRow(ctx, `DELETE FROM users WHERE pool_id = $1 AND key = $2 RETURNING sub`, poolID, key).Scan(&sub); err != nil {
			return notFound(err)
		}
		for _, table := range []string{"devices", "group_members", "codes", "sign_in_names", "auth_events", "families"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE pool_id = $1 AND user_sub = $2`, poolID, sub); err != nil {
				return err
			}
		}
		return nil
	})
}

const familyCols = rowcodec.FamilyColumns

// CreateFamily implements userpool.FamilyStore; the user's live count moves
// in the same transaction. PostgreSQL groups its own commits, so mayWait is
// not needed here.
func (s *Store) CreateFamily(ctx context.Context, f userpool.Family, _ bool) error {
	var revoked any
	if !f.RevokedAt.IsZero() {
		revoked = ns(f.RevokedAt)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO families(id, pool_id, client_id, user_sub, refresh_hash, epoch, auth_time_ns, created_ns, expires_ns, revoked_ns, device_key, scope)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, f.ID, f.PoolID, f.ClientID, f.UserSub, f.RefreshHash, f.Epoch,
			ns(f.AuthTime), ns(f.CreatedAt), ns(f.ExpiresAt), revoked, f.DeviceKey, f.Scope)
		if isUnique(err) {
			return userpool.ErrAlreadyExists
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET live_families = live_families + 1 WHERE pool_id = $1 AND sub = $2 AND signout_epoch = $3`,
			f.PoolID, f.UserSub, f.Epoch)
		return err
	})
}

// GetFamilyByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetFamilyByRefreshHash(ctx context.Context, hash []byte) (userpool.Family, error) {
	var fs rowcodec.FamilyScan
	if err := s.db.QueryRow(ctx, `SELECT `+familyCols+` FROM families f WHERE f.refresh_hash = $1`, hash).Scan(fs.Dest()...); err != nil {
		return userpool.Family{}, notFound(err)
	}
	return fs.Family(), nil
}

// RevokeFamily implements userpool.FamilyStore.
func (s *Store) RevokeFamily(ctx context.Context, id string, at time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var pool, sub string
		var epoch int64
		err := tx.QueryRow(ctx, `UPDATE families SET revoked_ns = $1 WHERE id = $2 AND revoked_ns IS NULL RETURNING pool_id, user_sub, epoch`,
			ns(at), id).Scan(&pool, &sub, &epoch)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists int
			return notFound(tx.QueryRow(ctx, `SELECT 1 FROM families WHERE id = $1`, id).Scan(&exists))
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET live_families = GREATEST(live_families - 1, 0) WHERE pool_id = $1 AND sub = $2 AND signout_epoch = $3`,
			pool, sub, epoch)
		return err
	})
}

// SignOutUser implements userpool.FamilyStore: one row locked and written.
// The row is locked as it is read, so the count of ended families is the
// one the UPDATE resets.
func (s *Store) SignOutUser(ctx context.Context, poolID string, lookup userpool.UserLookup, value string, at time.Time) (userpool.SignedOut, error) {
	column := "sub" // both unique in a pool
	if lookup == userpool.ByUsernameKey {
		column = "key"
	}
	out := userpool.SignedOut{PoolID: poolID}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT sub, username, live_families FROM users WHERE pool_id = $1 AND `+column+` = $2 FOR UPDATE`, poolID, value).
			Scan(&out.Sub, &out.Username, &out.Families); err != nil {
			return notFound(err)
		}
		return tx.QueryRow(ctx, `UPDATE users SET signout_epoch = signout_epoch + 1, live_families = 0, signed_out_ns = GREATEST(signed_out_ns, $3)
			WHERE pool_id = $1 AND sub = $2 RETURNING signout_epoch`, poolID, out.Sub, ns(at)).Scan(&out.Epoch)
	})
	return out, err
}

// GetSession implements userpool.FamilyStore.
func (s *Store) GetSession(ctx context.Context, poolID, sub, familyID string) (userpool.User, userpool.Family, error) {
	var fs rowcodec.FamilyScan
	_, u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM users u JOIN families f ON f.id = $1 AND f.pool_id = u.pool_id AND f.user_sub = u.sub
		WHERE u.pool_id = $2 AND u.sub = $3`, familyID, poolID, sub), fs.Dest()...)
	if err != nil {
		return userpool.User{}, userpool.Family{}, err
	}
	return u, fs.Family(), nil
}

// GetSessionByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetSessionByRefreshHash(ctx context.Context, hash []byte) (userpool.User, userpool.Family, error) {
	var fs rowcodec.FamilyScan
	_, u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM families f JOIN users u ON u.pool_id = f.pool_id AND u.sub = f.user_sub
		WHERE f.refresh_hash = $1`, hash), fs.Dest()...)
	if err != nil {
		return userpool.User{}, userpool.Family{}, err
	}
	return u, fs.Family(), nil
}

// RotateRefreshToken implements userpool.FamilyStore; the family row is
// locked as it is read, so concurrent rotations of one family queue.
func (s *Store) RotateRefreshToken(ctx context.Context, r userpool.Rotation) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var current []byte
		if err := tx.QueryRow(ctx, `SELECT refresh_hash FROM families WHERE id = $1 FOR UPDATE`, r.FamilyID).Scan(&current); err != nil {
			return notFound(err)
		}
		if !bytes.Equal(current, r.From) {
			var graceUntil int64
			err := tx.QueryRow(ctx, `SELECT grace_until_ns FROM retired_refresh WHERE hash = $1 AND family_id = $2`, r.From, r.FamilyID).Scan(&graceUntil)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && ns(r.Now) >= graceUntil) {
				return userpool.ErrRefreshReused
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO retired_refresh(hash, family_id, grace_until_ns) VALUES ($1,$2,$3)`,
			current, r.FamilyID, ns(r.GraceUntil)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE families SET refresh_hash = $1 WHERE id = $2`, r.To, r.FamilyID)
		return err
	})
}

// GetRetiredRefresh implements userpool.FamilyStore.
func (s *Store) GetRetiredRefresh(ctx context.Context, hash []byte) (userpool.RetiredRefresh, error) {
	rr := userpool.RetiredRefresh{Hash: hash}
	var graceUntil int64
	err := s.db.QueryRow(ctx, `SELECT r.family_id, f.pool_id, f.client_id, f.user_sub, r.grace_until_ns
		FROM retired_refresh r JOIN families f ON f.id = r.family_id WHERE r.hash = $1`, hash).
		Scan(&rr.FamilyID, &rr.PoolID, &rr.ClientID, &rr.UserSub, &graceUntil)
	rr.GraceUntil = fromNS(graceUntil)
	return rr, notFound(err)
}

// DeleteExpiredFamilies implements userpool.FamilyStore.
func (s *Store) DeleteExpiredFamilies(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM families WHERE expires_ns < $1`, ns(now))
	return int(tag.RowsAffected()), err
}

// ConsumeNonce implements userpool.NonceStore.
func (s *Store) ConsumeNonce(ctx context.Context, nonce string, expires time.Time) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM used_nonces WHERE expires_ns < $1`, time.Now().UnixNano()); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO used_nonces(nonce, expires_ns) VALUES ($1, $2)`, nonce, ns(expires))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}
