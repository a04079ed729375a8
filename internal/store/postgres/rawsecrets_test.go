package postgres

import "context"

// RawClientSecret implements storetest.RawClientSecrets.
func (s *Store) RawClientSecret(id string) (string, error) {
	var col string
	err := s.p.Writer().QueryRow(context.Background(), `SELECT secret FROM clients WHERE id = ?`, id).Scan(&col)
	return col, err
}

// SetRawClientSecret implements storetest.RawClientSecrets.
func (s *Store) SetRawClientSecret(id, col string) error {
	_, err := s.p.Writer().Exec(context.Background(), `UPDATE clients SET secret = ? WHERE id = ?`, col, id)
	return err
}
