package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

type mfaPreferenceInput struct {
	AccessToken              string
	UserPoolId, Username     string
	SoftwareTokenMfaSettings *userpool.SoftwareTokenSettings
	EmailMfaSettings         *userpool.SoftwareTokenSettings // EmailMfaSettingsType has the same members
	SMSMfaSettings           any
}

func (in *mfaPreferenceInput) preference() userpool.MFAPreference {
	return userpool.MFAPreference{SoftwareToken: in.SoftwareTokenMfaSettings, Email: in.EmailMfaSettings}
}

func (s *Server) poolMfaConfig(p userpool.Pool) poolMfaConfigResponse {
	out := poolMfaConfigResponse{MfaConfiguration: p.MFAMode()}
	out.SoftwareTokenMfaConfiguration.Enabled = p.Settings.SoftwareTokenMfaEnabled
	out.EmailMfaConfiguration = p.Settings.EmailMfa
	return out
}

// mfaOperations adds software-token MFA to the table.
func (s *Server) mfaOperations(ops map[string]handler) {
	ops["AssociateSoftwareToken"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken, Session string }) (any, error) {
		if in.AccessToken == "" {
			secret, session, err := s.MFA.AssociateWithSession(ctx, s.Auth, in.Session)
			return associateSoftwareTokenResponse{SecretCode: secret, Session: session}, err
		}
		secret, err := s.MFA.Associate(ctx, in.AccessToken)
		return associateSoftwareTokenResponse{SecretCode: secret}, err
	})
	ops["VerifySoftwareToken"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken, Session, UserCode, FriendlyDeviceName string }) (any, error) {
		if in.AccessToken == "" {
			session, err := s.MFA.VerifyWithSession(ctx, s.Auth, in.Session, in.UserCode)
			return verifySoftwareTokenResponse{Session: session, Status: "SUCCESS"}, err
		}
		return verifySoftwareTokenResponse{Status: "SUCCESS"}, s.MFA.Verify(ctx, in.AccessToken, in.UserCode)
	})
	ops["SetUserMFAPreference"] = typed(func(ctx context.Context, c *call, in *mfaPreferenceInput) (any, error) {
		return empty{}, s.MFA.SetPreference(ctx, in.AccessToken, in.preference())
	})
	ops["AdminSetUserMFAPreference"] = typed(func(ctx context.Context, c *call, in *mfaPreferenceInput) (any, error) {
		return empty{}, s.MFA.AdminSetPreference(ctx, in.UserPoolId, in.Username, in.preference())
	})
	ops["SetUserPoolMfaConfig"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId                    string
		MfaConfiguration              string
		SoftwareTokenMfaConfiguration *struct{ Enabled bool }
		EmailMfaConfiguration         *userpool.EmailMfaConfig
	}) (any, error) {
		var st *bool
		if in.SoftwareTokenMfaConfiguration != nil {
			st = &in.SoftwareTokenMfaConfiguration.Enabled
		}
		p, err := s.MFA.SetPoolConfig(ctx, in.UserPoolId, in.MfaConfiguration, st, in.EmailMfaConfiguration)
		return s.poolMfaConfig(p), err
	})
	ops["GetUserPoolMfaConfig"] = typed(func(ctx context.Context, c *call, in *poolRef) (any, error) {
		p, err := userpool.GetPool(ctx, s.Store, in.UserPoolId)
		return s.poolMfaConfig(p), err
	})
}
