package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// Pools.

const poolCols = `id, name, settings, schema_attrs, created_ns, modified_ns`

func scanPool(r Row) (userpool.Pool, error) {
	var p userpool.Pool
	var settings, schema string
	var created, modified int64
	if err := r.Scan(&p.ID, &p.Name, &settings, &schema, &created, &modified); err != nil {
		return p, notFound(err)
	}
	if err := decodePoolColumns(&p, settings, schema); err != nil {
		return p, err
	}
	p.CreatedAt, p.ModifiedAt = fromNS(created), fromNS(modified)
	return p, nil
}

// CreatePool implements userpool.PoolStore.
func (s *Store) CreatePool(ctx context.Context, p userpool.Pool) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO pools(`+poolCols+`) VALUES (?,?,?,?,?,?)`,
		p.ID, p.Name, mustJSON(p.Settings), mustJSON(p.Schema), ns(p.CreatedAt), ns(p.ModifiedAt))
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetPool implements userpool.PoolStore.
func (s *Store) GetPool(ctx context.Context, id string) (userpool.Pool, error) {
	return scanPool(s.x.Reader().QueryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`, id))
}

// ListPools implements userpool.PoolStore.
func (s *Store) ListPools(ctx context.Context, after string, limit int) ([]userpool.Pool, error) {
	return queryAll(ctx, s.x.Reader(), scanPool, `SELECT `+poolCols+` FROM pools WHERE id > ? ORDER BY id`+s.d.ByteOrder+` LIMIT ?`, after, limit)
}

// UpdatePool implements userpool.PoolStore.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(userpool.Pool) (userpool.Pool, error)) (userpool.Pool, error) {
	var out userpool.Pool
	err := s.x.Tx(ctx, func(tx Querier) error {
		p, err := scanPool(tx.QueryRow(ctx, `SELECT `+poolCols+` FROM pools WHERE id = ?`+s.d.ForUpdate, id))
		if err != nil {
			return err
		}
		if out, err = fn(p); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE pools SET name = ?, settings = ?, schema_attrs = ?, modified_ns = ? WHERE id = ?`,
			out.Name, mustJSON(out.Settings), mustJSON(out.Schema), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeletePool implements userpool.PoolStore; the rows that reference the
// pool go with it (ON DELETE CASCADE), families by hand (they have no
// foreign key, to keep sign-in's insert cheap).
func (s *Store) DeletePool(ctx context.Context, id string) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, `DELETE FROM families WHERE pool_id = ?`, id); err != nil {
			return err
		}
		return affected(tx.Exec(ctx, `DELETE FROM pools WHERE id = ?`, id))
	})
}

// CountUsers implements userpool.PoolStore.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.x.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = ?`, poolID).Scan(&n)
	return n, err
}

// Keys.

// CreateSigningKeys implements userpool.KeyStore.
func (s *Store) CreateSigningKeys(ctx context.Context, keys []userpool.SigningKey) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		for _, k := range keys {
			_, err := tx.Exec(ctx, `INSERT INTO signing_keys(kid, pool_id, use, private_key, created_ns) VALUES (?,?,?,?,?)`,
				k.Kid, k.PoolID, k.Use, k.PrivateKey, ns(k.CreatedAt))
			if s.d.IsUnique(err) {
				return userpool.ErrAlreadyExists
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func scanSigningKey(r Row) (userpool.SigningKey, error) {
	var k userpool.SigningKey
	var created int64
	err := r.Scan(&k.Kid, &k.PoolID, &k.Use, &k.PrivateKey, &created)
	k.CreatedAt = fromNS(created)
	return k, err
}

// ListSigningKeys implements userpool.KeyStore.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]userpool.SigningKey, error) {
	return queryAll(ctx, s.x.Reader(), scanSigningKey,
		`SELECT kid, pool_id, use, private_key, created_ns FROM signing_keys WHERE pool_id = ? ORDER BY created_ns, kid`, poolID)
}

// Clients.

const clientCols = `id, pool_id, secret, settings, created_ns, modified_ns`

func (s *Store) scanClient(r Row) (userpool.Client, error) {
	var c userpool.Client
	var secrets, settings string
	var created, modified int64
	if err := r.Scan(&c.ID, &c.PoolID, &secrets, &settings, &created, &modified); err != nil {
		return c, notFound(err)
	}
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return c, err
	}
	c.CreatedAt, c.ModifiedAt = fromNS(created), fromNS(modified)
	var err error
	c.Secrets, _, err = parseClientSecrets(secrets, c.ID, c.CreatedAt, s.sealer)
	return c, err
}

// CreateClient implements userpool.ClientStore: ErrNotFound when the pool
// is missing.
func (s *Store) CreateClient(ctx context.Context, c userpool.Client) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO clients(`+clientCols+`) VALUES (?,?,?,?,?,?)`,
		c.ID, c.PoolID, encodeClientSecrets(c.ID, c.Secrets, s.sealer), mustJSON(c.Settings), ns(c.CreatedAt), ns(c.ModifiedAt))
	switch {
	case s.d.IsUnique(err):
		return userpool.ErrAlreadyExists
	case s.d.IsForeignKey(err):
		return userpool.ErrNotFound
	}
	return err
}

// GetClient implements userpool.ClientStore.
func (s *Store) GetClient(ctx context.Context, id string) (userpool.Client, error) {
	return s.scanClient(s.x.Reader().QueryRow(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id))
}

// ListClients implements userpool.ClientStore.
func (s *Store) ListClients(ctx context.Context, poolID, after string, limit int) ([]userpool.Client, error) {
	return queryAll(ctx, s.x.Reader(), s.scanClient,
		`SELECT `+clientCols+` FROM clients WHERE pool_id = ? AND id > ? ORDER BY id`+s.d.ByteOrder+` LIMIT ?`, poolID, after, limit)
}

// UpdateClient implements userpool.ClientStore.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(userpool.Client) (userpool.Client, error)) (userpool.Client, error) {
	var out userpool.Client
	err := s.x.Tx(ctx, func(tx Querier) error {
		c, err := s.scanClient(tx.QueryRow(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`+s.d.ForUpdate, id))
		if err != nil {
			return err
		}
		if out, err = fn(c); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE clients SET secret = ?, settings = ?, modified_ns = ? WHERE id = ?`,
			encodeClientSecrets(id, out.Secrets, s.sealer), mustJSON(out.Settings), ns(out.ModifiedAt), id)
		return err
	})
	return out, err
}

// DeleteClient implements userpool.ClientStore.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.x.Tx(ctx, func(tx Querier) error {
		if err := affected(tx.Exec(ctx, `DELETE FROM clients WHERE id = ?`, id)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM families WHERE client_id = ?`, id)
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
	type legacy struct{ id, old, sealed string }
	todo, err := queryAll(ctx, s.x.Writer(), func(r Row) (legacy, error) {
		var l legacy
		var created int64
		if err := r.Scan(&l.id, &l.old, &created); err != nil {
			return l, err
		}
		var err error
		l.sealed, _, err = resealClientSecrets(l.old, l.id, fromNS(created), s.sealer)
		return l, err
	}, `SELECT id, secret, created_ns FROM clients WHERE secret <> ''`)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range todo {
		if l.sealed == l.old {
			continue
		}
		changed, err := s.x.Writer().Exec(ctx, `UPDATE clients SET secret = ? WHERE id = ? AND secret = ?`, l.sealed, l.id, l.old)
		if err != nil {
			return n, err
		}
		n += int(changed)
	}
	return n, nil
}

// Nonces.

// ConsumeNonce implements userpool.NonceStore; nonces expired by the
// store's clock are swept in the same transaction, so the table stays small.
func (s *Store) ConsumeNonce(ctx context.Context, nonce string, expires time.Time) error {
	return s.x.HotWrite(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, `DELETE FROM used_nonces WHERE expires_ns < ?`, ns(s.now())); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO used_nonces(nonce, expires_ns) VALUES (?, ?)`, nonce, ns(expires))
		if s.d.IsUnique(err) {
			return userpool.ErrAlreadyExists
		}
		return err
	})
}
