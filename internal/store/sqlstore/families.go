package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// CreateFamily implements userpool.FamilyStore: a hot write, with the live
// count that sign-out reports kept in the same commit. (A store that
// batches hot writes may hold it briefly when ctx carries
// userpool.WithPatience.)
func (s *Store) CreateFamily(ctx context.Context, f userpool.Family) error {
	var revoked any
	if !f.RevokedAt.IsZero() {
		revoked = ns(f.RevokedAt)
	}
	err := s.x.HotWrite(ctx, func(tx Querier) error {
		_, err := tx.Exec(ctx, `INSERT INTO families(id, pool_id, client_id, user_sub, refresh_hash, epoch, auth_time_ns, created_ns, expires_ns, revoked_ns, device_key, scope)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, f.ID, f.PoolID, f.ClientID, f.UserSub, f.RefreshHash, f.Epoch,
			ns(f.AuthTime), ns(f.CreatedAt), ns(f.ExpiresAt), revoked, f.DeviceKey, f.Scope)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET live_families = live_families + 1 WHERE pool_id = ? AND sub = ? AND signout_epoch = ?`,
			f.PoolID, f.UserSub, f.Epoch)
		return err
	})
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

func scanFamily(r Row) (userpool.Family, error) {
	var fs familyScan
	if err := r.Scan(fs.Dest()...); err != nil {
		return userpool.Family{}, notFound(err)
	}
	return fs.Family(), nil
}

// GetFamilyByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetFamilyByRefreshHash(ctx context.Context, hash []byte) (userpool.Family, error) {
	return scanFamily(s.x.Reader().QueryRow(ctx, `SELECT `+familyCols+` FROM families f WHERE f.refresh_hash = ?`, hash))
}

// RevokeFamily implements userpool.FamilyStore.
func (s *Store) RevokeFamily(ctx context.Context, id string, at time.Time) error {
	return s.x.HotWrite(ctx, func(tx Querier) error {
		var pool, sub string
		var epoch int64
		err := tx.QueryRow(ctx, `UPDATE families SET revoked_ns = ? WHERE id = ? AND revoked_ns IS NULL RETURNING pool_id, user_sub, epoch`,
			ns(at), id).Scan(&pool, &sub, &epoch)
		if errors.Is(err, sql.ErrNoRows) {
			var exists int
			// absent, or already revoked (which keeps its first time)
			return notFound(tx.QueryRow(ctx, `SELECT 1 FROM families WHERE id = ?`, id).Scan(&exists))
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET live_families = `+s.d.Greatest+`(live_families - 1, 0) WHERE pool_id = ? AND sub = ? AND signout_epoch = ?`,
			pool, sub, epoch)
		return err
	})
}

// SignOutUser implements userpool.FamilyStore: the user's row is read
// (locked, where rows are locked) and written by its primary key, so the
// count of ended families is the one the UPDATE resets.
func (s *Store) SignOutUser(ctx context.Context, poolID string, lookup userpool.UserLookup, value string, at time.Time) (userpool.SignedOut, error) {
	find := `SELECT key, sub, username, live_families FROM users WHERE pool_id = ? AND sub = ?` + s.d.ForUpdate
	if lookup == userpool.ByUsernameKey {
		find = `SELECT key, sub, username, live_families FROM users WHERE pool_id = ? AND key = ?` + s.d.ForUpdate
	}
	out := userpool.SignedOut{PoolID: poolID}
	err := s.x.HotWrite(ctx, func(tx Querier) error {
		var key string
		if err := tx.QueryRow(ctx, find, poolID, value).Scan(&key, &out.Sub, &out.Username, &out.Families); err != nil {
			return notFound(err)
		}
		return tx.QueryRow(ctx, `UPDATE users SET signout_epoch = signout_epoch + 1, live_families = 0, signed_out_ns = `+s.d.Greatest+`(signed_out_ns, ?)
			WHERE pool_id = ? AND key = ? RETURNING signout_epoch`, ns(at), poolID, key).Scan(&out.Epoch)
	})
	return out, err
}

func scanSession(r Row) (userpool.User, userpool.Family, error) {
	var fs familyScan
	ku, err := scanUser(r, fs.Dest()...)
	if err != nil {
		return userpool.User{}, userpool.Family{}, err
	}
	return ku.User, fs.Family(), nil
}

// GetSession implements userpool.FamilyStore: two primary-key lookups in
// one statement.
func (s *Store) GetSession(ctx context.Context, poolID, sub, familyID string) (userpool.User, userpool.Family, error) {
	return scanSession(s.x.Reader().QueryRow(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM users u JOIN families f ON f.id = ? AND f.pool_id = u.pool_id AND f.user_sub = u.sub
		WHERE u.pool_id = ? AND u.sub = ?`, familyID, poolID, sub))
}

// GetSessionByRefreshHash implements userpool.FamilyStore.
func (s *Store) GetSessionByRefreshHash(ctx context.Context, hash []byte) (userpool.User, userpool.Family, error) {
	return scanSession(s.x.Reader().QueryRow(ctx, `SELECT `+userCols+`, `+familyCols+`
		FROM families f JOIN users u ON u.pool_id = f.pool_id AND u.sub = f.user_sub
		WHERE f.refresh_hash = ?`, hash))
}

// RotateRefreshToken implements userpool.FamilyStore; the family row is
// locked as it is read (where rows are locked), so concurrent rotations of
// one family queue.
func (s *Store) RotateRefreshToken(ctx context.Context, r userpool.Rotation) error {
	return s.x.HotWrite(ctx, func(tx Querier) error {
		var current []byte
		if err := tx.QueryRow(ctx, `SELECT refresh_hash FROM families WHERE id = ?`+s.d.ForUpdate, r.FamilyID).Scan(&current); err != nil {
			return notFound(err)
		}
		if !bytes.Equal(current, r.From) {
			var graceUntil int64
			err := tx.QueryRow(ctx, `SELECT grace_until_ns FROM retired_refresh WHERE hash = ? AND family_id = ?`, r.From, r.FamilyID).Scan(&graceUntil)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && ns(r.Now) >= graceUntil) {
				return userpool.ErrRefreshReused
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO retired_refresh(hash, family_id, grace_until_ns) VALUES (?,?,?)`,
			current, r.FamilyID, ns(r.GraceUntil)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE families SET refresh_hash = ? WHERE id = ?`, r.To, r.FamilyID)
		return err
	})
}

// GetRetiredRefresh implements userpool.FamilyStore.
func (s *Store) GetRetiredRefresh(ctx context.Context, hash []byte) (userpool.RetiredRefresh, error) {
	rr := userpool.RetiredRefresh{Hash: hash}
	var graceUntil int64
	err := s.x.Reader().QueryRow(ctx, `SELECT r.family_id, f.pool_id, f.client_id, f.user_sub, r.grace_until_ns
		FROM retired_refresh r JOIN families f ON f.id = r.family_id WHERE r.hash = ?`, hash).
		Scan(&rr.FamilyID, &rr.PoolID, &rr.ClientID, &rr.UserSub, &graceUntil)
	rr.GraceUntil = fromNS(graceUntil)
	return rr, notFound(err)
}

// DeleteExpiredFamilies implements userpool.FamilyStore (their retired
// refresh tokens go by ON DELETE CASCADE).
func (s *Store) DeleteExpiredFamilies(ctx context.Context, now time.Time) (int, error) {
	n, err := s.x.Writer().Exec(ctx, `DELETE FROM families WHERE expires_ns < ?`, ns(now))
	return int(n), err
}
