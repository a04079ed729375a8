package postgres

import "context"

// RawClientSecret implements storetest.RawClientSecrets.
func (s *Store) RawClientSecret(id string) (string, error) {
	var col string
	err := s.db.QueryRow(context.Background(), `SELECT secret FROM clients WHERE id = $1`, id).Scan(&col)
	return col, err
}

// SetRawClientSecret implements storetest.RawClientSecrets.
func (s *Store) SetRawClientSecret(id, col string) error {
	_, err := s.db.Exec(context.Background(), `UPDATE clients SET secret = $1 WHERE id = $2`, col, id)
	return err
}
