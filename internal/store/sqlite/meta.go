package sqlite

import "context"

// GetMeta implements userpool.MetaStore.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.w.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, notFound(err)
}

// PutMetaIfAbsent implements userpool.MetaStore: the insert loses quietly
// to a value already there, and the read that follows returns the winner.
func (s *Store) PutMetaIfAbsent(ctx context.Context, key, value string) (string, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, key, value); err != nil {
		return "", err
	}
	return s.GetMeta(ctx, key)
}

// ReplaceMeta implements userpool.MetaStore.
func (s *Store) ReplaceMeta(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
