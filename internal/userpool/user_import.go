package userpool

import "context"

// CSVHeader is GetCSVHeader's answer: the columns of a user import file,
// in Cognito's order — the pool's schema without sub and identities
// (Cognito makes those), its custom attributes after the standard ones,
// then cognito:mfa_enabled and cognito:username.
func (s *Pools) CSVHeader(ctx context.Context, poolID string) ([]string, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return nil, err
	}
	schema := p.Schema
	if len(schema) == 0 { // pools stored before schemas existed
		schema = standardAttributes
	}
	var header []string
	for _, a := range schema {
		if a.Name != "sub" && a.Name != "identities" {
			header = append(header, a.Name)
		}
	}
	return append(header, "cognito:mfa_enabled", "cognito:username"), nil
}
