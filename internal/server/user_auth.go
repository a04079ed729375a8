package server

import "context"

// userAuthOperations adds GetUserAuthFactors to the table (USER_AUTH itself
// is InitiateAuth's).
func (s *Server) userAuthOperations(ops map[string]handler) {
	ops["GetUserAuthFactors"] = typed(func(ctx context.Context, c *call, in *accessTokenInput) (any, error) {
		a, err := s.Sessions.AuthorizeSession(ctx, in.AccessToken)
		if err != nil {
			return nil, err
		}
		factors, err := s.Auth.UserAuthFactors(ctx, &a.Pool, &a.User)
		out := getUserAuthFactorsResponse{ConfiguredUserAuthFactors: factors, Username: a.User.Username}
		out.PreferredMfaSetting, out.UserMFASettingList = userMFA(a.User)
		return out, err
	})
}
