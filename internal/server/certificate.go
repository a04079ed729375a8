package server

import (
	"context"
	"encoding/base64"
)

// certificateOperations adds GetSigningCertificate to the table.
func (s *Server) certificateOperations(ops map[string]handler) {
	ops["GetSigningCertificate"] = typed(func(ctx context.Context, c *call, in *struct{ UserPoolId string }) (any, error) {
		if _, _, err := s.Pools.DescribePool(ctx, in.UserPoolId); err != nil {
			return nil, err
		}
		der, err := s.Keys.SigningCertificate(ctx, in.UserPoolId)
		return getSigningCertificateResponse{Certificate: base64.StdEncoding.EncodeToString(der)}, err
	})
}
