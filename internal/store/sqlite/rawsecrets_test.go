package sqlite

import "context"

// RawClientSecret implements storetest.RawClientSecrets.
func (s *Store) RawClientSecret(id string) (string, error) {
	var col string
	err := s.x.w.QueryRow(context.Background(), `SELECT secret FROM clients WHERE id = ?`, id).Scan(&col)
	return col, err
}

// SetRawClientSecret implements storetest.RawClientSecrets.
func (s *Store) SetRawClientSecret(id, col string) error {
	defer s.clients.forget(id)
	_, err := s.x.w.Exec(context.Background(), `UPDATE clients SET secret = ? WHERE id = ?`, col, id)
	return err
}
