package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// PutCode implements userpool.CodeStore.
func (s *Store) PutCode(ctx context.Context, c userpool.Code) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO codes(pool_id, user_sub, purpose, hash, expires_ns, attempts) VALUES (?,?,?,?,?,0)
		ON CONFLICT (pool_id, user_sub, purpose) DO UPDATE SET hash = excluded.hash, expires_ns = excluded.expires_ns, attempts = 0`,
		c.PoolID, c.UserSub, c.Purpose, c.Hash, ns(c.ExpiresAt))
	return err
}

// GetCode implements userpool.CodeStore.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.x.Reader().QueryRow(ctx, `SELECT hash, expires_ns, attempts FROM codes WHERE pool_id = ? AND user_sub = ? AND purpose = ?`,
		poolID, sub, purpose).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// ClaimCodeAttempt implements userpool.CodeStore.
func (s *Store) ClaimCodeAttempt(ctx context.Context, poolID, sub, purpose string, max int) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.x.Writer().QueryRow(ctx, `UPDATE codes SET attempts = attempts + 1
		WHERE pool_id = ? AND user_sub = ? AND purpose = ? AND attempts < ? RETURNING hash, expires_ns, attempts`,
		poolID, sub, purpose, max).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// DeleteCode implements userpool.CodeStore.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	_, err := s.x.Writer().Exec(ctx, `DELETE FROM codes WHERE pool_id = ? AND user_sub = ? AND purpose = ?`, poolID, sub, purpose)
	return err
}

// claimAttemptSQL is the conditional upsert of ClaimAttempt: it returns the
// new count, or no row when the open window is full. Its arguments: pool,
// sub, kind, until, now, now, now, now, max.
const claimAttemptSQL = `INSERT INTO attempt_windows AS w (pool_id, user_sub, kind, count, ends_ns) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (pool_id, user_sub, kind) DO UPDATE SET
			count = CASE WHEN w.ends_ns <= ? THEN 1 ELSE w.count + 1 END,
			ends_ns = CASE WHEN w.ends_ns <= ? THEN excluded.ends_ns ELSE w.ends_ns END
		WHERE w.ends_ns <= ? OR w.count < ?
		RETURNING count`

// ClaimAttempt implements userpool.AttemptStore; windows that ended are
// swept in the same transaction, so the table stays small.
func (s *Store) ClaimAttempt(ctx context.Context, poolID, sub, kind string, max int, now, until time.Time) (bool, error) {
	claimed := false
	err := s.x.HotWrite(ctx, func(tx Querier) error {
		claimed = false
		if _, err := tx.Exec(ctx, `DELETE FROM attempt_windows WHERE ends_ns <= ?`, ns(now)); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, claimAttemptSQL, poolID, sub, kind, ns(until), ns(now), ns(now), ns(now), max).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		claimed = err == nil
		return err
	})
	return claimed, err
}

// ClearAttempts implements userpool.AttemptStore.
func (s *Store) ClearAttempts(ctx context.Context, poolID, sub, kind string) error {
	_, err := s.x.Writer().Exec(ctx, `DELETE FROM attempt_windows WHERE pool_id = ? AND user_sub = ? AND kind = ?`, poolID, sub, kind)
	return err
}

// UpdateAttempts implements userpool.AttemptStore. The row is made first
// (an ended window), so that concurrent updates queue on its lock where
// rows are locked.
func (s *Store) UpdateAttempts(ctx context.Context, poolID, sub, kind string, now time.Time,
	fn func(userpool.AttemptWindow) (userpool.AttemptWindow, error)) (userpool.AttemptWindow, error) {
	var out userpool.AttemptWindow
	err := s.x.Tx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, `INSERT INTO attempt_windows(pool_id, user_sub, kind, count, ends_ns) VALUES (?,?,?,0,0)
			ON CONFLICT DO NOTHING`, poolID, sub, kind); err != nil {
			return err
		}
		var cur userpool.AttemptWindow
		var ends int64
		if err := tx.QueryRow(ctx, `SELECT count, ends_ns FROM attempt_windows WHERE pool_id = ? AND user_sub = ? AND kind = ?`+s.d.ForUpdate,
			poolID, sub, kind).Scan(&cur.Count, &ends); err != nil {
			return err
		}
		if ends > ns(now) {
			cur.Ends = fromNS(ends)
		} else {
			cur = userpool.AttemptWindow{}
		}
		var err error
		if out, err = fn(cur); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE attempt_windows SET count = ?, ends_ns = ? WHERE pool_id = ? AND user_sub = ? AND kind = ?`,
			out.Count, ns(out.Ends), poolID, sub, kind)
		return err
	})
	return out, err
}

// AddMessage implements userpool.CodeStore.
func (s *Store) AddMessage(ctx context.Context, m userpool.Message) (int64, error) {
	var id int64
	err := s.x.Writer().QueryRow(ctx, `INSERT INTO outbox(pool_id, username, medium, destination, purpose, code, body, created_ns)
		VALUES (?,?,?,?,?,?,?,?) RETURNING id`, m.PoolID, m.Username, m.Medium, m.Destination, m.Purpose, m.Code, m.Body, ns(m.CreatedAt)).Scan(&id)
	return id, err
}

func scanMessage(r Row) (userpool.Message, error) {
	var m userpool.Message
	var created int64
	err := r.Scan(&m.ID, &m.PoolID, &m.Username, &m.Medium, &m.Destination, &m.Purpose, &m.Code, &m.Body, &created)
	m.CreatedAt = fromNS(created)
	return m, err
}

// ListMessages implements userpool.CodeStore.
func (s *Store) ListMessages(ctx context.Context, poolID, username string, after int64, limit int) ([]userpool.Message, error) {
	return queryAll(ctx, s.x.Reader(), scanMessage, `SELECT id, pool_id, username, medium, destination, purpose, code, body, created_ns FROM outbox
		WHERE pool_id = ? AND (? = '' OR username = ?) AND id > ? ORDER BY id LIMIT ?`, poolID, username, username, after, limit)
}

// DeleteMessagesBefore implements userpool.CodeStore.
func (s *Store) DeleteMessagesBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.x.Writer().Exec(ctx, `DELETE FROM outbox WHERE created_ns < ?`, ns(t))
	return int(n), err
}

// AddAuthEvent implements userpool.Store.
func (s *Store) AddAuthEvent(ctx context.Context, e userpool.AuthEvent) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO auth_events(pool_id, user_sub, id, type, response, challenges, ip, created_ns) VALUES (?,?,?,?,?,?,?,?)`,
		e.PoolID, e.UserSub, e.ID, e.Type, e.Response, mustJSON(e.Challenges), e.IP, ns(e.CreatedAt))
	return err
}

func scanAuthEvent(r Row) (userpool.AuthEvent, error) {
	var e userpool.AuthEvent
	var ch string
	var created int64
	if err := r.Scan(&e.PoolID, &e.UserSub, &e.ID, &e.Type, &e.Response, &ch, &e.IP, &created); err != nil {
		return e, err
	}
	e.CreatedAt = fromNS(created)
	return e, json.Unmarshal([]byte(ch), &e.Challenges)
}

// ListAuthEvents implements userpool.Store.
func (s *Store) ListAuthEvents(ctx context.Context, poolID, sub string, offset, limit int) ([]userpool.AuthEvent, error) {
	return queryAll(ctx, s.x.Reader(), scanAuthEvent, `SELECT pool_id, user_sub, id, type, response, challenges, ip, created_ns FROM auth_events
		WHERE pool_id = ? AND user_sub = ? ORDER BY seq DESC LIMIT ? OFFSET ?`, poolID, sub, limit, offset)
}

// Meta.

// GetMeta implements userpool.MetaStore (read on the writer: it follows
// PutMetaIfAbsent).
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.x.Writer().QueryRow(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, notFound(err)
}

// PutMetaIfAbsent implements userpool.MetaStore: the insert loses quietly
// to a value already committed (or being committed: ON CONFLICT waits for
// the other transaction), and the read that follows returns the winner.
func (s *Store) PutMetaIfAbsent(ctx context.Context, key, value string) (string, error) {
	if _, err := s.x.Writer().Exec(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", err
	}
	return s.GetMeta(ctx, key)
}

// ReplaceMeta implements userpool.MetaStore.
func (s *Store) ReplaceMeta(ctx context.Context, key, value string) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
