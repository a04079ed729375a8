package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Devices.

const deviceCols = `pool_id, device_key, group_key, user_sub, name, salt, verifier, remembered, created_ns, modified_ns, last_auth_ns`

func scanDevice(r row) (userpool.Device, error) {
	var d userpool.Device
	var created, modified, lastAuth int64
	if err := r.Scan(&d.PoolID, &d.Key, &d.GroupKey, &d.UserSub, &d.Name, &d.Salt, &d.Verifier, &d.Remembered, &created, &modified, &lastAuth); err != nil {
		return d, notFound(err)
	}
	d.CreatedAt, d.ModifiedAt, d.LastAuthAt = fromNS(created), fromNS(modified), fromNS(lastAuth)
	return d, nil
}

// CreateDevice implements userpool.DeviceStore.
func (s *Store) CreateDevice(ctx context.Context, d userpool.Device) error {
	_, err := s.db.Exec(ctx, `INSERT INTO devices(`+deviceCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		d.PoolID, d.Key, d.GroupKey, d.UserSub, d.Name, nonNil(d.Salt), nonNil(d.Verifier), d.Remembered, ns(d.CreatedAt), ns(d.ModifiedAt), ns(d.LastAuthAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetDevice implements userpool.DeviceStore.
func (s *Store) GetDevice(ctx context.Context, poolID, key string) (userpool.Device, error) {
	return scanDevice(s.db.QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE pool_id = $1 AND device_key = $2`, poolID, key))
}

// ListDevices implements userpool.DeviceStore.
func (s *Store) ListDevices(ctx context.Context, poolID, sub, after string, limit int) ([]userpool.Device, error) {
	rows, err := s.db.Query(ctx, `SELECT `+deviceCols+` FROM devices WHERE pool_id = $1 AND user_sub = $2 AND device_key > $3
		ORDER BY device_key COLLATE "C" LIMIT $4`, poolID, sub, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateDevice implements userpool.DeviceStore.
func (s *Store) UpdateDevice(ctx context.Context, poolID, key string, fn func(userpool.Device) (userpool.Device, error)) (userpool.Device, error) {
	var out userpool.Device
	err := s.tx(ctx, func(tx pgx.Tx) error {
		d, err := scanDevice(tx.QueryRow(ctx, `SELECT `+deviceCols+` FROM devices WHERE pool_id = $1 AND device_key = $2 FOR UPDATE`, poolID, key))
		if err != nil {
			return err
		}
		if out, err = fn(d); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE devices SET name = $1, salt = $2, verifier = $3, remembered = $4, modified_ns = $5, last_auth_ns = $6
			WHERE pool_id = $7 AND device_key = $8`, out.Name, nonNil(out.Salt), nonNil(out.Verifier), out.Remembered,
			ns(out.ModifiedAt), ns(out.LastAuthAt), poolID, key)
		return err
	})
	return out, err
}

// DeleteDevice implements userpool.DeviceStore.
func (s *Store) DeleteDevice(ctx context.Context, poolID, key string) error {
	return affected(s.db.Exec(ctx, `DELETE FROM devices WHERE pool_id = $1 AND device_key = $2`, poolID, key))
}

// Hosted UI.

// CreateWebSession implements userpool.WebStore.
func (s *Store) CreateWebSession(ctx context.Context, w userpool.WebSession) error {
	_, err := s.db.Exec(ctx, `INSERT INTO web_sessions(id, pool_id, user_sub, created_ns, expires_ns, ended_ns) VALUES ($1,$2,$3,$4,$5,0)`,
		w.Key, w.PoolID, w.UserSub, ns(w.CreatedAt), ns(w.ExpiresAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetWebSession implements userpool.WebStore.
func (s *Store) GetWebSession(ctx context.Context, key string) (userpool.WebSession, error) {
	var w userpool.WebSession
	var created, expires, ended int64
	err := s.db.QueryRow(ctx, `SELECT id, pool_id, user_sub, created_ns, expires_ns, ended_ns FROM web_sessions WHERE id = $1`, key).
		Scan(&w.Key, &w.PoolID, &w.UserSub, &created, &expires, &ended)
	w.CreatedAt, w.ExpiresAt, w.EndedAt = fromNS(created), fromNS(expires), fromNS(ended)
	return w, notFound(err)
}

// EndWebSession implements userpool.WebStore.
func (s *Store) EndWebSession(ctx context.Context, key string, at time.Time) error {
	return affected(s.db.Exec(ctx, `UPDATE web_sessions SET ended_ns = CASE WHEN ended_ns = 0 THEN $1 ELSE ended_ns END WHERE id = $2`, ns(at), key))
}

// EndWebSessionsOfUser implements userpool.WebStore.
func (s *Store) EndWebSessionsOfUser(ctx context.Context, poolID, sub string, at time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `UPDATE web_sessions SET ended_ns = $1 WHERE pool_id = $2 AND user_sub = $3 AND ended_ns = 0`, ns(at), poolID, sub)
	return int(tag.RowsAffected()), err
}

// CreateDomain implements userpool.WebStore.
func (s *Store) CreateDomain(ctx context.Context, d userpool.Domain) error {
	_, err := s.db.Exec(ctx, `INSERT INTO domains(domain, pool_id, created_ns) VALUES ($1,$2,$3)`, d.Domain, d.PoolID, ns(d.CreatedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetDomain implements userpool.WebStore.
func (s *Store) GetDomain(ctx context.Context, domain string) (userpool.Domain, error) {
	var d userpool.Domain
	var created int64
	err := s.db.QueryRow(ctx, `SELECT domain, pool_id, created_ns FROM domains WHERE domain = $1`, domain).Scan(&d.Domain, &d.PoolID, &created)
	d.CreatedAt = fromNS(created)
	return d, notFound(err)
}

// DeleteDomain implements userpool.WebStore.
func (s *Store) DeleteDomain(ctx context.Context, domain string) error {
	return affected(s.db.Exec(ctx, `DELETE FROM domains WHERE domain = $1`, domain))
}

func scanResourceServer(r row) (userpool.ResourceServer, error) {
	var rs userpool.ResourceServer
	var scopes string
	if err := r.Scan(&rs.PoolID, &rs.Identifier, &rs.Name, &scopes); err != nil {
		return rs, notFound(err)
	}
	return rs, json.Unmarshal([]byte(scopes), &rs.Scopes)
}

// CreateResourceServer implements userpool.WebStore.
func (s *Store) CreateResourceServer(ctx context.Context, rs userpool.ResourceServer) error {
	_, err := s.db.Exec(ctx, `INSERT INTO resource_servers(pool_id, identifier, name, scopes) VALUES ($1,$2,$3,$4)`,
		rs.PoolID, rs.Identifier, rs.Name, mustJSON(rs.Scopes))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetResourceServer implements userpool.WebStore.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (userpool.ResourceServer, error) {
	return scanResourceServer(s.db.QueryRow(ctx, `SELECT pool_id, identifier, name, scopes FROM resource_servers
		WHERE pool_id = $1 AND identifier = $2`, poolID, identifier))
}

// ListResourceServers implements userpool.WebStore.
func (s *Store) ListResourceServers(ctx context.Context, poolID string) ([]userpool.ResourceServer, error) {
	rows, err := s.db.Query(ctx, `SELECT pool_id, identifier, name, scopes FROM resource_servers WHERE pool_id = $1 ORDER BY identifier COLLATE "C"`, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.ResourceServer
	for rows.Next() {
		rs, err := scanResourceServer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, rows.Err()
}

// UpdateResourceServer implements userpool.WebStore.
func (s *Store) UpdateResourceServer(ctx context.Context, rs userpool.ResourceServer) error {
	return affected(s.db.Exec(ctx, `UPDATE resource_servers SET name = $1, scopes = $2 WHERE pool_id = $3 AND identifier = $4`,
		rs.Name, mustJSON(rs.Scopes), rs.PoolID, rs.Identifier))
}

// DeleteResourceServer implements userpool.WebStore.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	return affected(s.db.Exec(ctx, `DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2`, poolID, identifier))
}

// Groups.

const groupCols = `g.pool_id, g.name, g.description, g.role_arn, g.precedence, g.created_ns, g.modified_ns`

func scanGroup(r row) (userpool.Group, error) {
	var g userpool.Group
	var prec *int32
	var created, modified int64
	if err := r.Scan(&g.PoolID, &g.Name, &g.Description, &g.RoleArn, &prec, &created, &modified); err != nil {
		return g, notFound(err)
	}
	if prec != nil {
		p := int(*prec)
		g.Precedence = &p
	}
	g.CreatedAt, g.ModifiedAt = fromNS(created), fromNS(modified)
	return g, nil
}

func (s *Store) groups(ctx context.Context, query string, args ...any) ([]userpool.Group, error) {
	rows, err := s.db.Query(ctx, query, args...)
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

// CreateGroup implements userpool.GroupStore.
func (s *Store) CreateGroup(ctx context.Context, g userpool.Group) error {
	_, err := s.db.Exec(ctx, `INSERT INTO groups_(pool_id, name, description, role_arn, precedence, created_ns, modified_ns) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		g.PoolID, g.Name, g.Description, g.RoleArn, g.Precedence, ns(g.CreatedAt), ns(g.ModifiedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetGroup implements userpool.GroupStore.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (userpool.Group, error) {
	return scanGroup(s.db.QueryRow(ctx, `SELECT `+groupCols+` FROM groups_ g WHERE g.pool_id = $1 AND g.name = $2`, poolID, name))
}

// ListGroups implements userpool.GroupStore.
func (s *Store) ListGroups(ctx context.Context, poolID, after string, limit int) ([]userpool.Group, error) {
	return s.groups(ctx, `SELECT `+groupCols+` FROM groups_ g WHERE g.pool_id = $1 AND g.name > $2 ORDER BY g.name COLLATE "C" LIMIT $3`, poolID, after, limit)
}

// UpdateGroup implements userpool.GroupStore.
func (s *Store) UpdateGroup(ctx context.Context, g userpool.Group) error {
	return affected(s.db.Exec(ctx, `UPDATE groups_ SET description = $1, role_arn = $2, precedence = $3, modified_ns = $4 WHERE pool_id = $5 AND name = $6`,
		g.Description, g.RoleArn, g.Precedence, ns(g.ModifiedAt), g.PoolID, g.Name))
}

// DeleteGroup implements userpool.GroupStore.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := affected(tx.Exec(ctx, `DELETE FROM groups_ WHERE pool_id = $1 AND name = $2`, poolID, name)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2`, poolID, name)
		return err
	})
}

// AddUserToGroup implements userpool.GroupStore.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO group_members(pool_id, group_name, user_sub) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, poolID, name, sub)
	return err
}

// RemoveUserFromGroup implements userpool.GroupStore.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_sub = $3`, poolID, name, sub)
	return err
}

// GroupsOfUser implements userpool.GroupStore.
func (s *Store) GroupsOfUser(ctx context.Context, poolID, sub string) ([]userpool.Group, error) {
	return s.groups(ctx, `SELECT `+groupCols+` FROM group_members m JOIN groups_ g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = $1 AND m.user_sub = $2 ORDER BY g.precedence IS NULL, g.precedence, g.name COLLATE "C"`, poolID, sub)
}

// UsersInGroup implements userpool.GroupStore.
func (s *Store) UsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]userpool.KeyedUser, error) {
	return s.users(ctx, `SELECT `+userCols+` FROM group_members m JOIN users u ON u.pool_id = m.pool_id AND u.sub = m.user_sub
		WHERE m.pool_id = $1 AND m.group_name = $2 AND u.key > $3 ORDER BY u.key COLLATE "C" LIMIT $4`, poolID, name, after, limit)
}

// Codes, outbox and events.

// PutCode implements userpool.CodeStore.
func (s *Store) PutCode(ctx context.Context, c userpool.Code) error {
	_, err := s.db.Exec(ctx, `INSERT INTO codes(pool_id, user_sub, purpose, hash, expires_ns, attempts) VALUES ($1,$2,$3,$4,$5,0)
		ON CONFLICT (pool_id, user_sub, purpose) DO UPDATE SET hash = excluded.hash, expires_ns = excluded.expires_ns, attempts = 0`,
		c.PoolID, c.UserSub, c.Purpose, c.Hash, ns(c.ExpiresAt))
	return err
}

// GetCode implements userpool.CodeStore.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.db.QueryRow(ctx, `SELECT hash, expires_ns, attempts FROM codes WHERE pool_id = $1 AND user_sub = $2 AND purpose = $3`,
		poolID, sub, purpose).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// ClaimCodeAttempt implements userpool.CodeStore.
func (s *Store) ClaimCodeAttempt(ctx context.Context, poolID, sub, purpose string, max int) (userpool.Code, error) {
	c := userpool.Code{PoolID: poolID, UserSub: sub, Purpose: purpose}
	var expires int64
	err := s.db.QueryRow(ctx, `UPDATE codes SET attempts = attempts + 1
		WHERE pool_id = $1 AND user_sub = $2 AND purpose = $3 AND attempts < $4 RETURNING hash, expires_ns, attempts`,
		poolID, sub, purpose, max).Scan(&c.Hash, &expires, &c.Attempts)
	c.ExpiresAt = fromNS(expires)
	return c, notFound(err)
}

// claimAttemptSQL is rowcodec's conditional upsert in PostgreSQL's parameters.
var claimAttemptSQL = rowcodec.ClaimAttemptSQL("$1", "$2", "$3", "$4", "$5", "$6")

// ClaimAttempt implements userpool.AttemptStore; windows that ended are
// swept first, so the table stays small.
func (s *Store) ClaimAttempt(ctx context.Context, poolID, sub, kind string, max int, now, until time.Time) (bool, error) {
	if _, err := s.db.Exec(ctx, `DELETE FROM attempt_windows WHERE ends_ns <= $1`, ns(now)); err != nil {
		return false, err
	}
	var n int
	err := s.db.QueryRow(ctx, claimAttemptSQL, poolID, sub, kind, ns(until), ns(now), max).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ClearAttempts implements userpool.AttemptStore.
func (s *Store) ClearAttempts(ctx context.Context, poolID, sub, kind string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM attempt_windows WHERE pool_id = $1 AND user_sub = $2 AND kind = $3`, poolID, sub, kind)
	return err
}

// DeleteCode implements userpool.CodeStore.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM codes WHERE pool_id = $1 AND user_sub = $2 AND purpose = $3`, poolID, sub, purpose)
	return err
}

// AddMessage implements userpool.CodeStore.
func (s *Store) AddMessage(ctx context.Context, m userpool.Message) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO outbox(pool_id, username, medium, destination, purpose, code, body, created_ns)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, m.PoolID, m.Username, m.Medium, m.Destination, m.Purpose, m.Code, m.Body, ns(m.CreatedAt)).Scan(&id)
	return id, err
}

// ListMessages implements userpool.CodeStore.
func (s *Store) ListMessages(ctx context.Context, poolID, username string, after int64, limit int) ([]userpool.Message, error) {
	rows, err := s.db.Query(ctx, `SELECT id, pool_id, username, medium, destination, purpose, code, body, created_ns FROM outbox
		WHERE pool_id = $1 AND ($2 = '' OR username = $2) AND id > $3 ORDER BY id LIMIT $4`, poolID, username, after, limit)
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
	tag, err := s.db.Exec(ctx, `DELETE FROM outbox WHERE created_ns < $1`, ns(t))
	return int(tag.RowsAffected()), err
}

// AddAuthEvent implements userpool.Store.
func (s *Store) AddAuthEvent(ctx context.Context, e userpool.AuthEvent) error {
	_, err := s.db.Exec(ctx, `INSERT INTO auth_events(pool_id, user_sub, id, type, response, challenges, ip, created_ns) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		e.PoolID, e.UserSub, e.ID, e.Type, e.Response, mustJSON(e.Challenges), e.IP, ns(e.CreatedAt))
	return err
}

// ListAuthEvents implements userpool.Store.
func (s *Store) ListAuthEvents(ctx context.Context, poolID, sub string, offset, limit int) ([]userpool.AuthEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT pool_id, user_sub, id, type, response, challenges, ip, created_ns FROM auth_events
		WHERE pool_id = $1 AND user_sub = $2 ORDER BY seq DESC LIMIT $3 OFFSET $4`, poolID, sub, limit, offset)
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

// UpdateAttempts implements userpool.AttemptStore. The row is made first
// (an ended window), so that concurrent updates queue on its lock.
func (s *Store) UpdateAttempts(ctx context.Context, poolID, sub, kind string, now time.Time,
	fn func(userpool.AttemptWindow) (userpool.AttemptWindow, error)) (userpool.AttemptWindow, error) {
	var out userpool.AttemptWindow
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO attempt_windows(pool_id, user_sub, kind, count, ends_ns) VALUES ($1,$2,$3,0,0)
			ON CONFLICT DO NOTHING`, poolID, sub, kind); err != nil {
			return err
		}
		var cur userpool.AttemptWindow
		var ends int64
		if err := tx.QueryRow(ctx, `SELECT count, ends_ns FROM attempt_windows WHERE pool_id = $1 AND user_sub = $2 AND kind = $3 FOR UPDATE`,
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
		_, err = tx.Exec(ctx, `UPDATE attempt_windows SET count = $4, ends_ns = $5 WHERE pool_id = $1 AND user_sub = $2 AND kind = $3`,
			poolID, sub, kind, out.Count, ns(out.Ends))
		return err
	})
	return out, err
}
