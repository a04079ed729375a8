package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

// PutCode implements userpool.CodeStore.
func (s *Store) PutCode(ctx context.Context, c userpool.Code) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO codes(pool_id, user_sub, purpose, hash, expires_ns, attempts) VALUES (?,?,?,?,?,0)
		ON CONFLICT(pool_id, user_sub, purpose) DO UPDATE SET hash = excluded.hash, expires_ns = excluded.expires_ns, attempts = 0`,
		c.PoolID, c.UserSub, c.Purpose, c.Hash, ns(c.ExpiresAt))
	return err
}

// GetCode implements userpool.CodeStore.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.r.QueryRowContext(ctx, `SELECT hash, expires_ns, attempts FROM codes WHERE pool_id = ? AND user_sub = ? AND purpose = ?`,
		poolID, sub, purpose).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// ClaimCodeAttempt implements userpool.CodeStore.
func (s *Store) ClaimCodeAttempt(ctx context.Context, poolID, sub, purpose string, max int) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.w.QueryRowContext(ctx, `UPDATE codes SET attempts = attempts + 1
		WHERE pool_id = ? AND user_sub = ? AND purpose = ? AND attempts < ? RETURNING hash, expires_ns, attempts`,
		poolID, sub, purpose, max).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// ClaimAttempt implements userpool.AttemptStore; windows that ended are
// swept in the same transaction, so the table stays small.
func (s *Store) ClaimAttempt(ctx context.Context, poolID, sub, kind string, max int, now, until time.Time) (bool, error) {
	claimed := false
	err := s.group(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM attempt_windows WHERE ends_ns <= ?`, ns(now)); err != nil {
			return err
		}
		var n int
		err := tx.QueryRowContext(ctx, claimAttemptSQL, poolID, sub, kind, ns(until), ns(now), max).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			claimed = false
			return nil
		}
		claimed = err == nil
		return err
	})
	return claimed, err
}

// claimAttemptSQL is rowcodec's conditional upsert in SQLite's parameters.
var claimAttemptSQL = rowcodec.ClaimAttemptSQL("?1", "?2", "?3", "?4", "?5", "?6")

// ClearAttempts implements userpool.AttemptStore.
func (s *Store) ClearAttempts(ctx context.Context, poolID, sub, kind string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM attempt_windows WHERE pool_id = ? AND user_sub = ? AND kind = ?`, poolID, sub, kind)
	return err
}

// DeleteCode implements userpool.CodeStore.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM codes WHERE pool_id = ? AND user_sub = ? AND purpose = ?`, poolID, sub, purpose)
	return err
}

// AddMessage implements userpool.CodeStore.
func (s *Store) AddMessage(ctx context.Context, m userpool.Message) (int64, error) {
	var id int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO outbox(pool_id, username, medium, destination, purpose, code, body, created_ns)
		VALUES (?,?,?,?,?,?,?,?) RETURNING id`, m.PoolID, m.Username, m.Medium, m.Destination, m.Purpose, m.Code, m.Body, ns(m.CreatedAt)).Scan(&id)
	return id, err
}

// ListMessages implements userpool.CodeStore.
func (s *Store) ListMessages(ctx context.Context, poolID, username string, after int64, limit int) ([]userpool.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, pool_id, username, medium, destination, purpose, code, body, created_ns FROM outbox
		WHERE pool_id = ? AND (? = '' OR username = ?) AND id > ? ORDER BY id LIMIT ?`, poolID, username, username, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Message
	for rows.Next() {
		var m userpool.Message
		var created int64
		if err := rows.Scan(&m.ID, &m.PoolID, &m.Username, &m.Medium, &m.Destination, &m.Purpose, &m.Code, &m.Body, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromNS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMessagesBefore implements userpool.CodeStore.
func (s *Store) DeleteMessagesBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM outbox WHERE created_ns < ?`, ns(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// UpdateAttempts implements userpool.AttemptStore.
func (s *Store) UpdateAttempts(ctx context.Context, poolID, sub, kind string, now time.Time,
	fn func(userpool.AttemptWindow) (userpool.AttemptWindow, error)) (userpool.AttemptWindow, error) {
	var out userpool.AttemptWindow
	err := s.tx(ctx, func(tx *txn) error {
		var cur userpool.AttemptWindow
		var ends int64
		err := tx.QueryRowContext(ctx, `SELECT count, ends_ns FROM attempt_windows WHERE pool_id = ? AND user_sub = ? AND kind = ? AND ends_ns > ?`,
			poolID, sub, kind, ns(now)).Scan(&cur.Count, &ends)
		if err == nil {
			cur.Ends = fromNS(ends)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if out, err = fn(cur); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attempt_windows(pool_id, user_sub, kind, count, ends_ns) VALUES (?,?,?,?,?)
			ON CONFLICT(pool_id, user_sub, kind) DO UPDATE SET count = excluded.count, ends_ns = excluded.ends_ns`,
			poolID, sub, kind, out.Count, ns(out.Ends))
		return err
	})
	return out, err
}
