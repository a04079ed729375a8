package sqlstore

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

const deviceCols = `pool_id, device_key, group_key, user_sub, name, salt, verifier, remembered, created_ns, modified_ns, last_auth_ns`

func scanDevice(r Row) (userpool.Device, error) {
	var d userpool.Device
	var created, modified, lastAuth int64
	if err := r.Scan(&d.PoolID, &d.Key, &d.GroupKey, &d.UserSub, &d.Name, &d.Salt, &d.Verifier, &d.Remembered, &created, &modified, &lastAuth); err != nil {
		return d, notFound(err)
	}
	d.CreatedAt, d.ModifiedAt, d.LastAuthAt = fromNS(created), fromNS(modified), fromNS(lastAuth)
	return d, nil
}

// nonNil stores an absent byte string as an empty one (the columns are NOT NULL).
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CreateDevice implements userpool.DeviceStore.
func (s *Store) CreateDevice(ctx context.Context, d userpool.Device) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO devices(`+deviceCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		d.PoolID, d.Key, d.GroupKey, d.UserSub, d.Name, nonNil(d.Salt), nonNil(d.Verifier), d.Remembered, ns(d.CreatedAt), ns(d.ModifiedAt), ns(d.LastAuthAt))
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetDevice implements userpool.DeviceStore.
func (s *Store) GetDevice(ctx context.Context, poolID, key string) (userpool.Device, error) {
	return scanDevice(s.x.Reader().QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE pool_id = ? AND device_key = ?`, poolID, key))
}

// ListDevices implements userpool.DeviceStore.
func (s *Store) ListDevices(ctx context.Context, poolID, sub, after string, limit int) ([]userpool.Device, error) {
	return queryAll(ctx, s.x.Reader(), scanDevice, `SELECT `+deviceCols+` FROM devices WHERE pool_id = ? AND user_sub = ? AND device_key > ?
		ORDER BY device_key`+s.d.ByteOrder+` LIMIT ?`, poolID, sub, after, limit)
}

// UpdateDevice implements userpool.DeviceStore.
func (s *Store) UpdateDevice(ctx context.Context, poolID, key string, fn func(userpool.Device) (userpool.Device, error)) (userpool.Device, error) {
	var out userpool.Device
	err := s.x.Tx(ctx, func(tx Querier) error {
		d, err := scanDevice(tx.QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE pool_id = ? AND device_key = ?`+s.d.ForUpdate, poolID, key))
		if err != nil {
			return err
		}
		if out, err = fn(d); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE devices SET name = ?, salt = ?, verifier = ?, remembered = ?, modified_ns = ?, last_auth_ns = ?
			WHERE pool_id = ? AND device_key = ?`, out.Name, nonNil(out.Salt), nonNil(out.Verifier), out.Remembered,
			ns(out.ModifiedAt), ns(out.LastAuthAt), poolID, key)
		return err
	})
	return out, err
}

// DeleteDevice implements userpool.DeviceStore.
func (s *Store) DeleteDevice(ctx context.Context, poolID, key string) error {
	return affected(s.x.Writer().Exec(ctx, `DELETE FROM devices WHERE pool_id = ? AND device_key = ?`, poolID, key))
}
