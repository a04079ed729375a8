package server

import (
	"context"
	"encoding/json"

	"github.com/cognate/cognate/internal/userpool"
)

// passkeyOperations adds passkey (WebAuthn) registration and management to
// the table; all four are authorized by the user's access token.
func (s *Server) passkeyOperations(ops map[string]handler) {
	ops["StartWebAuthnRegistration"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken string }) (any, error) {
		opts, err := s.Passkeys.StartRegistration(ctx, in.AccessToken)
		return startWebAuthnRegistrationResponse{CredentialCreationOptions: opts}, err
	})
	ops["CompleteWebAuthnRegistration"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken string
		Credential  json.RawMessage
	}) (any, error) {
		return empty{}, s.Passkeys.CompleteRegistration(ctx, in.AccessToken, in.Credential)
	})
	ops["ListWebAuthnCredentials"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken, NextToken string
		MaxResults             int
	}) (any, error) {
		keys, next, err := s.Passkeys.ListRegistered(ctx, in.AccessToken, in.MaxResults, in.NextToken)
		return listWebAuthnCredentialsResponse{Credentials: renderList(keys, renderWebAuthnCredential), NextToken: next}, err
	})
	ops["DeleteWebAuthnCredential"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken, CredentialId string }) (any, error) {
		return empty{}, s.Passkeys.DeleteRegistered(ctx, in.AccessToken, in.CredentialId)
	})
}

func renderWebAuthnCredential(k userpool.Passkey) wireWebAuthnCredential {
	transports := k.Transports
	if transports == nil {
		transports = []string{}
	}
	return wireWebAuthnCredential{CredentialId: k.ID, FriendlyCredentialName: k.FriendlyName, RelyingPartyId: k.RelyingPartyID,
		AuthenticatorAttachment: k.Attachment, AuthenticatorTransports: transports, CreatedAt: epoch(k.CreatedAt)}
}
