package sqlite

import (
	"context"
	"encoding/json"

	"github.com/cognate/cognate/internal/userpool"
)

// AddAuthEvent implements userpool.Store.
func (s *Store) AddAuthEvent(ctx context.Context, e userpool.AuthEvent) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO auth_events(pool_id, user_sub, id, type, response, challenges, ip, created_ns) VALUES (?,?,?,?,?,?,?,?)`,
		e.PoolID, e.UserSub, e.ID, e.Type, e.Response, mustJSON(e.Challenges), e.IP, ns(e.CreatedAt))
	return err
}

// ListAuthEvents implements userpool.Store.
func (s *Store) ListAuthEvents(ctx context.Context, poolID, sub string, offset, limit int) ([]userpool.AuthEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT pool_id, user_sub, id, type, response, challenges, ip, created_ns FROM auth_events
		WHERE pool_id = ? AND user_sub = ? ORDER BY seq DESC LIMIT ? OFFSET ?`, poolID, sub, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.AuthEvent
	for rows.Next() {
		var e userpool.AuthEvent
		var ch string
		var created int64
		if err := rows.Scan(&e.PoolID, &e.UserSub, &e.ID, &e.Type, &e.Response, &ch, &e.IP, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ch), &e.Challenges); err != nil {
			return nil, err
		}
		e.CreatedAt = fromNS(created)
		out = append(out, e)
	}
	return out, rows.Err()
}
