package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/cognate/cognate/internal/store/rowcodec"
	"github.com/cognate/cognate/internal/userpool"
)

const poolCols = `id, name, settings, schema_attrs, created_ns, modified_ns`

func scanPool(r row) (userpool.Pool, error) {
	var p userpool.Pool
	var settings, schema string
	var created, modified int64
	if err := r.Scan(&p.ID, &p.Name, &settings, &schema, &created, &modified); err != nil {
		return p, notFound(err)
	}
	if err := rowcodec.PoolColumns(&p, settings, schema); err != nil {
		return p, err
	}
	p.CreatedAt, p.ModifiedAt = fromNS(created), fromNS(modified)
	return p, nil
}

// CreatePool implements userpool.PoolStore.
func (s *Store) CreatePool(ctx context.Context, p userpool.Pool) error {
	_, err := s.db.Exec(ctx, `INSERT INTO pools(`+poolCols+`) VALUES ($1,$2,$3,$4,$5,$6)`,
		p.ID, p.Name, mustJSON(p.Settings), mustJSON(p.Schema), ns(p.CreatedAt), ns(p.ModifiedAt))
	if isUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetPool implements userpool.PoolStore.
func (s *Store) GetPool(ctx context.Context, id string) (userpool.Pool, error) {
	return scanPool(s.db.QueryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = $1`, id))
}

// ListPools implements userpool.PoolStore.
func (s *Store) ListPools(ctx context.Context, after string, limit int) ([]userpool.Pool, error) {
	rows, err := s.db.Query(ctx, `SELECT `+poolCols+` FROM pools WHERE id > $1 ORDER BY id COLLATE "C" LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Pool
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdatePool implements userpool.PoolStore.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(userpool.Pool) (userpool.Pool, error)) (userpool.Pool, error) {
	var out userpool.Pool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		p, err := scanPool(tx.QueryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if out, err = fn(p); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE pools SET name = $1, settings = $2, schema_attrs = $3, modified_ns = $4 WHERE id = $5`,
			out.Name, mustJSON(out.Settings), mustJSON(out.Schema), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeletePool implements userpool.PoolStore.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM families WHERE pool_id = $1`, id); err != nil {
			return err
		}
		return affected(tx.Exec(ctx, `DELETE FROM pools WHERE id = $1`, id))
	})
}

// CountUsers implements userpool.PoolStore.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = $1`, poolID).Scan(&n)
	return n, err
}

// CreateSigningKeys implements userpool.KeyStore.
func (s *Store) CreateSigningKeys(ctx context.Context, keys []userpool.SigningKey) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for _, k := range keys {
			_, err := tx.Exec(ctx, `INSERT INTO signing_keys(kid, pool_id, use, private_key, created_ns) VALUES ($1,$2,$3,$4,$5)`,
				k.Kid, k.PoolID, k.Use, k.PrivateKey, ns(k.CreatedAt))
			if isUnique(err) {
				return userpool.ErrAlreadyExists
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ListSigningKeys implements userpool.KeyStore.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]userpool.SigningKey, error) {
	rows, err := s.db.Query(ctx, `SELECT kid, pool_id, use, private_key, created_ns FROM signing_keys WHERE pool_id = $1 ORDER BY created_ns, kid`, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.SigningKey
	for rows.Next() {
		var k userpool.SigningKey
		var created int64
		if err := rows.Scan(&k.Kid, &k.PoolID, &k.Use, &k.PrivateKey, &created); err != nil {
			return nil, err
		}
		k.CreatedAt = fromNS(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

const clientCols = `id, pool_id, secret, settings, created_ns, modified_ns`

func (s *Store) scanClient(r row) (userpool.Client, error) {
	var c userpool.Client
	var secrets, settings string
	var created, modified int64
	if err := r.Scan(&c.ID, &c.PoolID, &secrets, &settings, &created, &modified); err != nil {
		return c, notFound(err)
	}
	c.CreatedAt, c.ModifiedAt = fromNS(created), fromNS(modified)
	var err error
	if c.Secrets, _, err = rowcodec.ParseClientSecrets(secrets, c.ID, c.CreatedAt, s.sealer); err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(settings), &c.Settings)
}

// CreateClient implements userpool.ClientStore.
func (s *Store) CreateClient(ctx context.Context, c userpool.Client) error {
	_, err := s.db.Exec(ctx, `INSERT INTO clients(`+clientCols+`) VALUES ($1,$2,$3,$4,$5,$6)`,
		c.ID, c.PoolID, rowcodec.ClientSecrets(c.ID, c.Secrets, s.sealer), mustJSON(c.Settings), ns(c.CreatedAt), ns(c.ModifiedAt))
	switch code(err) {
	case "23505":
		return userpool.ErrAlreadyExists
	case "23503":
		return userpool.ErrNotFound
	}
	return err
}

// GetClient implements userpool.ClientStore.
func (s *Store) GetClient(ctx context.Context, id string) (userpool.Client, error) {
	return s.scanClient(s.db.QueryRow(ctx, `SELECT `+clientCols+` FROM clients WHERE id = $1`, id))
}

// ListClients implements userpool.ClientStore.
func (s *Store) ListClients(ctx context.Context, poolID, after string, limit int) ([]userpool.Client, error) {
	rows, err := s.db.Query(ctx, `SELECT `+clientCols+` FROM clients WHERE pool_id = $1 AND id > $2 ORDER BY id COLLATE "C" LIMIT $3`, poolID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []userpool.Client
	for rows.Next() {
		c, err := s.scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateClient implements userpool.ClientStore.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(userpool.Client) (userpool.Client, error)) (userpool.Client, error) {
	var out userpool.Client
	err := s.tx(ctx, func(tx pgx.Tx) error {
		c, err := s.scanClient(tx.QueryRow(ctx, `SELECT `+clientCols+` FROM clients WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if out, err = fn(c); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE clients SET secret = $1, settings = $2, modified_ns = $3 WHERE id = $4`,
			rowcodec.ClientSecrets(id, out.Secrets, s.sealer), mustJSON(out.Settings), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeleteClient implements userpool.ClientStore.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := affected(tx.Exec(ctx, `DELETE FROM clients WHERE id = $1`, id)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM families WHERE client_id = $1`, id)
		return err
	})
}

// SealClientSecrets seals the app-client secrets still stored in plain text
// (rows from before secrets were sealed) and reports how many clients it
// rewrote. Each row is replaced only if unchanged meanwhile, so replicas
// may run it at once. Run it once the master key is known to be the data's.
func (s *Store) SealClientSecrets(ctx context.Context) (int, error) {
	if s.sealer == nil {
		return 0, errors.New("store has no sealer")
	}
	rows, err := s.db.Query(ctx, `SELECT id, secret, created_ns FROM clients WHERE secret <> ''`)
	if err != nil {
		return 0, err
	}
	type legacy struct{ id, old, sealed string }
	var todo []legacy
	for rows.Next() {
		var id, col string
		var created int64
		if err := rows.Scan(&id, &col, &created); err != nil {
			rows.Close()
			return 0, err
		}
		sealed, changed, err := rowcodec.ResealClientSecrets(col, id, fromNS(created), s.sealer)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if changed {
			todo = append(todo, legacy{id, col, sealed})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, l := range todo {
		tag, err := s.db.Exec(ctx, `UPDATE clients SET secret = $1 WHERE id = $2 AND secret = $3`, l.sealed, l.id, l.old)
		if err != nil {
			return n, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}
