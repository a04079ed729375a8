package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// CreateWebSession implements userpool.WebStore.
func (s *Store) CreateWebSession(ctx context.Context, w userpool.WebSession) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO web_sessions(id, pool_id, user_sub, created_ns, expires_ns, ended_ns) VALUES (?,?,?,?,?,0)`,
		w.Key, w.PoolID, w.UserSub, ns(w.CreatedAt), ns(w.ExpiresAt))
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetWebSession implements userpool.WebStore.
func (s *Store) GetWebSession(ctx context.Context, key string) (userpool.WebSession, error) {
	var w userpool.WebSession
	var created, expires, ended int64
	err := s.x.Reader().QueryRow(ctx, `SELECT id, pool_id, user_sub, created_ns, expires_ns, ended_ns FROM web_sessions WHERE id = ?`, key).
		Scan(&w.Key, &w.PoolID, &w.UserSub, &created, &expires, &ended)
	if err != nil {
		return w, notFound(err)
	}
	w.CreatedAt, w.ExpiresAt, w.EndedAt = fromNS(created), fromNS(expires), fromNS(ended)
	return w, nil
}

// EndWebSession implements userpool.WebStore; ending twice keeps the first time.
func (s *Store) EndWebSession(ctx context.Context, key string, at time.Time) error {
	return affected(s.x.Writer().Exec(ctx, `UPDATE web_sessions SET ended_ns = CASE WHEN ended_ns = 0 THEN ? ELSE ended_ns END WHERE id = ?`, ns(at), key))
}

// EndWebSessionsOfUser implements userpool.WebStore.
func (s *Store) EndWebSessionsOfUser(ctx context.Context, poolID, sub string, at time.Time) (int, error) {
	n, err := s.x.Writer().Exec(ctx, `UPDATE web_sessions SET ended_ns = ? WHERE pool_id = ? AND user_sub = ? AND ended_ns = 0`, ns(at), poolID, sub)
	return int(n), err
}

// CreateDomain implements userpool.WebStore.
func (s *Store) CreateDomain(ctx context.Context, d userpool.Domain) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO domains(domain, pool_id, created_ns, managed_login_version) VALUES (?,?,?,?)`,
		d.Domain, d.PoolID, ns(d.CreatedAt), d.ManagedLoginVersion)
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetDomain implements userpool.WebStore.
func (s *Store) GetDomain(ctx context.Context, domain string) (userpool.Domain, error) {
	var d userpool.Domain
	var created int64
	err := s.x.Reader().QueryRow(ctx, `SELECT domain, pool_id, created_ns, managed_login_version FROM domains WHERE domain = ?`, domain).
		Scan(&d.Domain, &d.PoolID, &created, &d.ManagedLoginVersion)
	d.CreatedAt = fromNS(created)
	return d, notFound(err)
}

// SetDomainLoginVersion implements userpool.WebStore.
func (s *Store) SetDomainLoginVersion(ctx context.Context, domain string, version int) error {
	return affected(s.x.Writer().Exec(ctx, `UPDATE domains SET managed_login_version = ? WHERE domain = ?`, version, domain))
}

// DeleteDomain implements userpool.WebStore.
func (s *Store) DeleteDomain(ctx context.Context, domain string) error {
	return affected(s.x.Writer().Exec(ctx, `DELETE FROM domains WHERE domain = ?`, domain))
}

func scanResourceServer(r Row) (userpool.ResourceServer, error) {
	var rs userpool.ResourceServer
	var scopes string
	if err := r.Scan(&rs.PoolID, &rs.Identifier, &rs.Name, &scopes); err != nil {
		return rs, notFound(err)
	}
	return rs, json.Unmarshal([]byte(scopes), &rs.Scopes)
}

// CreateResourceServer implements userpool.WebStore.
func (s *Store) CreateResourceServer(ctx context.Context, rs userpool.ResourceServer) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO resource_servers(pool_id, identifier, name, scopes) VALUES (?,?,?,?)`,
		rs.PoolID, rs.Identifier, rs.Name, mustJSON(rs.Scopes))
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetResourceServer implements userpool.WebStore.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (userpool.ResourceServer, error) {
	return scanResourceServer(s.x.Reader().QueryRow(ctx, `SELECT pool_id, identifier, name, scopes FROM resource_servers
		WHERE pool_id = ? AND identifier = ?`, poolID, identifier))
}

// ListResourceServers implements userpool.WebStore.
func (s *Store) ListResourceServers(ctx context.Context, poolID string) ([]userpool.ResourceServer, error) {
	return queryAll(ctx, s.x.Reader(), scanResourceServer,
		`SELECT pool_id, identifier, name, scopes FROM resource_servers WHERE pool_id = ? ORDER BY identifier`+s.d.ByteOrder, poolID)
}

// UpdateResourceServer implements userpool.WebStore.
func (s *Store) UpdateResourceServer(ctx context.Context, rs userpool.ResourceServer) error {
	return affected(s.x.Writer().Exec(ctx, `UPDATE resource_servers SET name = ?, scopes = ? WHERE pool_id = ? AND identifier = ?`,
		rs.Name, mustJSON(rs.Scopes), rs.PoolID, rs.Identifier))
}

// DeleteResourceServer implements userpool.WebStore.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	return affected(s.x.Writer().Exec(ctx, `DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?`, poolID, identifier))
}
