package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

const passkeyCols = `pool_id, credential_id, user_sub, public_key, sign_count, aaguid, transports, attachment, friendly_name,
	rp_id, flags, created_ns, last_used_ns`

// The flags column holds the credential's backup flags as bits.
const (
	passkeyBackupEligible = 1 << iota
	passkeyBackupState
)

func scanPasskey(r Row) (userpool.Passkey, error) {
	var k userpool.Passkey
	var transports string
	var signCount, flags, created, lastUsed int64
	if err := r.Scan(&k.PoolID, &k.ID, &k.UserSub, &k.PublicKey, &signCount, &k.AAGUID, &transports, &k.Attachment,
		&k.FriendlyName, &k.RelyingPartyID, &flags, &created, &lastUsed); err != nil {
		return k, notFound(err)
	}
	if err := json.Unmarshal([]byte(transports), &k.Transports); err != nil {
		return k, err
	}
	k.SignCount = uint32(signCount)
	k.BackupEligible, k.BackupState = flags&passkeyBackupEligible != 0, flags&passkeyBackupState != 0
	k.CreatedAt, k.LastUsedAt = fromNS(created), fromNS(lastUsed)
	return k, nil
}

// CreatePasskey implements userpool.PasskeyStore. The user's row is locked
// first (PostgreSQL; SQLite's transactions are serial), so two concurrent
// registrations cannot both take the last place.
func (s *Store) CreatePasskey(ctx context.Context, k userpool.Passkey, max int) (bool, error) {
	created := false
	err := s.x.Tx(ctx, func(tx Querier) error {
		var sub string
		if err := tx.QueryRow(ctx, `SELECT sub FROM users WHERE pool_id = ? AND sub = ?`+s.d.ForUpdate, k.PoolID, k.UserSub).Scan(&sub); err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM passkeys WHERE pool_id = ? AND user_sub = ?`, k.PoolID, k.UserSub).Scan(&n); err != nil {
			return err
		}
		if created = n < max; !created {
			return nil
		}
		transports := k.Transports
		if transports == nil {
			transports = []string{}
		}
		var flags int64
		if k.BackupEligible {
			flags |= passkeyBackupEligible
		}
		if k.BackupState {
			flags |= passkeyBackupState
		}
		_, err := tx.Exec(ctx, `INSERT INTO passkeys(`+passkeyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			k.PoolID, k.ID, k.UserSub, nonNil(k.PublicKey), int64(k.SignCount), nonNil(k.AAGUID), mustJSON(transports), k.Attachment,
			k.FriendlyName, k.RelyingPartyID, flags, ns(k.CreatedAt), ns(k.LastUsedAt))
		return err
	})
	if s.d.IsUnique(err) {
		return false, userpool.ErrAlreadyExists
	}
	return created && err == nil, err
}

// GetPasskey implements userpool.PasskeyStore.
func (s *Store) GetPasskey(ctx context.Context, poolID, id string) (userpool.Passkey, error) {
	return scanPasskey(s.x.Reader().QueryRow(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE pool_id = ? AND credential_id = ?`, poolID, id))
}

// ListPasskeys implements userpool.PasskeyStore.
func (s *Store) ListPasskeys(ctx context.Context, poolID, sub, after string, limit int) ([]userpool.Passkey, error) {
	return queryAll(ctx, s.x.Reader(), scanPasskey, `SELECT `+passkeyCols+` FROM passkeys WHERE pool_id = ? AND user_sub = ? AND credential_id > ?
		ORDER BY credential_id`+s.d.ByteOrder+` LIMIT ?`, poolID, sub, after, limit)
}

// UsePasskey implements userpool.PasskeyStore in one conditional write.
func (s *Store) UsePasskey(ctx context.Context, poolID, id string, signCount uint32, at time.Time) (bool, error) {
	n, err := s.x.Writer().Exec(ctx, `UPDATE passkeys SET sign_count = ?, last_used_ns = ?
		WHERE pool_id = ? AND credential_id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))`,
		int64(signCount), ns(at), poolID, id, int64(signCount), int64(signCount))
	return n == 1, err
}

// DeletePasskey implements userpool.PasskeyStore.
func (s *Store) DeletePasskey(ctx context.Context, poolID, sub, id string) error {
	return affected(s.x.Writer().Exec(ctx, `DELETE FROM passkeys WHERE pool_id = ? AND user_sub = ? AND credential_id = ?`, poolID, sub, id))
}

// DomainOfPool implements userpool.PasskeyStore.
func (s *Store) DomainOfPool(ctx context.Context, poolID string) (string, error) {
	var domain string
	err := s.x.Reader().QueryRow(ctx, `SELECT domain FROM domains WHERE pool_id = ?`, poolID).Scan(&domain)
	return domain, notFound(err)
}
