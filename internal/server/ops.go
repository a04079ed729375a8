package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

// operations is the table of implemented operations; everything else in the
// model answers UnknownOperationException.
func (s *Server) operations() map[string]handler {
	ops := map[string]handler{
		// Pools and clients.
		"CreateUserPool":       typed(s.createUserPool),
		"DescribeUserPool":     typed(s.describeUserPool),
		"ListUserPools":        typed(s.listUserPools),
		"UpdateUserPool":       typed(s.updateUserPool),
		"DeleteUserPool":       typed(s.deleteUserPool),
		"CreateUserPoolClient": typed(s.createUserPoolClient),
		"DescribeUserPoolClient": typed(func(ctx context.Context, c *call, in *poolClientRef) (any, error) {
			cl, err := s.Pools.DescribeClient(ctx, in.UserPoolId, in.ClientId)
			return userPoolClientResponse{renderClient(cl)}, err
		}),
		"ListUserPoolClients": typed(s.listUserPoolClients),
		"AddUserPoolClientSecret": typed(func(ctx context.Context, c *call, in *struct{ UserPoolId, ClientId, ClientSecret string }) (any, error) {
			sec, generated, err := s.Pools.AddClientSecret(ctx, in.UserPoolId, in.ClientId, in.ClientSecret)
			return addUserPoolClientSecretResponse{renderClientSecret(sec, generated)}, err
		}),
		"ListUserPoolClientSecrets": typed(func(ctx context.Context, c *call, in *struct{ UserPoolId, ClientId, NextToken string }) (any, error) {
			secs, err := s.Pools.ListClientSecrets(ctx, in.UserPoolId, in.ClientId)
			return listUserPoolClientSecretsResponse{renderList(secs, func(sec userpool.ClientSecret) wireClientSecret {
				return renderClientSecret(sec, false)
			})}, err
		}),
		"DeleteUserPoolClientSecret": typed(func(ctx context.Context, c *call, in *struct{ UserPoolId, ClientId, ClientSecretId string }) (any, error) {
			return empty{}, s.Pools.DeleteClientSecret(ctx, in.UserPoolId, in.ClientId, in.ClientSecretId)
		}),
		"UpdateUserPoolClient": typed(s.updateUserPoolClient),
		"DeleteUserPoolClient": typed(func(ctx context.Context, c *call, in *poolClientRef) (any, error) {
			return empty{}, s.Pools.DeleteClient(ctx, in.UserPoolId, in.ClientId)
		}),
		// Users.
		"AdminCreateUser": typed(s.adminCreateUser),
		"AdminGetUser":    typed(s.adminGetUser),
		"AdminDeleteUser": typed(func(ctx context.Context, c *call, in *userRef) (any, error) {
			return empty{}, s.Users.DeleteUser(ctx, in.UserPoolId, in.Username)
		}),
		"AdminSetUserPassword":      typed(s.adminSetUserPassword),
		"AdminUpdateUserAttributes": typed(s.adminUpdateUserAttributes),
		"AdminDeleteUserAttributes": typed(s.adminDeleteUserAttributes),
		"AdminDisableUser": typed(func(ctx context.Context, c *call, in *userRef) (any, error) {
			return empty{}, s.Users.SetEnabled(ctx, c.caller, in.UserPoolId, in.Username, false)
		}),
		"AdminEnableUser": typed(func(ctx context.Context, c *call, in *userRef) (any, error) {
			return empty{}, s.Users.SetEnabled(ctx, c.caller, in.UserPoolId, in.Username, true)
		}),
		"ListUsers": typed(s.listUsers),
		// Sign-in and tokens.
		"InitiateAuth":                typed(s.initiateAuth),
		"AdminInitiateAuth":           typed(s.adminInitiateAuth),
		"RespondToAuthChallenge":      typed(s.respondToAuthChallenge),
		"AdminRespondToAuthChallenge": typed(s.adminRespondToAuthChallenge),
		"GetUser":                     typed(s.getUser),
		"GetTokensFromRefreshToken": typed(func(ctx context.Context, c *call, in *userpool.RefreshInput) (any, error) {
			r, err := s.Auth.GetTokensFromRefresh(ctx, *in)
			return getTokensFromRefreshTokenResponse{renderTokens(r.Tokens)}, err
		}),
		// Sign-out and revocation.
		"AdminUserGlobalSignOut": typed(func(ctx context.Context, c *call, in *userRef) (any, error) {
			return empty{}, s.Sessions.AdminGlobalSignOut(ctx, c.caller, in.UserPoolId, in.Username)
		}),
		"GlobalSignOut": typed(func(ctx context.Context, c *call, in *accessTokenInput) (any, error) {
			return empty{}, s.Sessions.GlobalSignOut(ctx, in.AccessToken)
		}),
		"RevokeToken": typed(func(ctx context.Context, c *call, in *revokeTokenInput) (any, error) {
			return empty{}, s.Sessions.RevokeToken(ctx, in.ClientId, in.ClientSecret, in.Token)
		}),
		"DeleteUser": typed(s.deleteUser),
	}
	s.deviceOperations(ops)
	s.webOperations(ops)
	s.groupOperations(ops)
	s.accountOperations(ops)
	s.mfaOperations(ops)
	s.userAuthOperations(ops)
	s.tagOperations(ops)
	s.certificateOperations(ops)
	s.logDeliveryOperations(ops)
	return ops
}

type poolRef struct{ UserPoolId string }
type poolClientRef struct{ UserPoolId, ClientId string }
type userRef struct{ UserPoolId, Username string }
type accessTokenInput struct{ AccessToken string }
type revokeTokenInput struct{ Token, ClientId, ClientSecret string }

func (s *Server) createUserPool(ctx context.Context, c *call, in *userpool.CreatePoolInput) (any, error) {
	p, err := s.Pools.CreatePool(ctx, c.caller.Region, *in)
	if err != nil {
		return nil, err
	}
	return userPoolResponse{s.renderPool(p, 0)}, nil
}

func (s *Server) describeUserPool(ctx context.Context, c *call, in *poolRef) (any, error) {
	p, n, err := s.Pools.DescribePool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return userPoolResponse{s.renderPool(p, n)}, nil
}

func (s *Server) listUserPools(ctx context.Context, c *call, in *struct {
	NextToken  string
	MaxResults int
}) (any, error) {
	pools, next, err := s.Pools.ListPools(ctx, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listUserPoolsResponse{NextToken: next, UserPools: renderList(pools, renderPoolSummary)}, nil
}

func (s *Server) updateUserPool(ctx context.Context, c *call, in *userpool.UpdatePoolInput) (any, error) {
	return empty{}, s.Pools.UpdatePool(ctx, *in)
}

func (s *Server) deleteUserPool(ctx context.Context, c *call, in *poolRef) (any, error) {
	return empty{}, s.Pools.DeletePool(ctx, in.UserPoolId)
}

func (s *Server) createUserPoolClient(ctx context.Context, c *call, in *userpool.CreateClientInput) (any, error) {
	cl, err := s.Pools.CreateClient(ctx, *in)
	if err != nil {
		return nil, err
	}
	return userPoolClientResponse{renderClient(cl)}, nil
}

func (s *Server) listUserPoolClients(ctx context.Context, c *call, in *struct {
	UserPoolId string
	MaxResults int
	NextToken  string
}) (any, error) {
	cs, next, err := s.Pools.ListClients(ctx, in.UserPoolId, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listUserPoolClientsResponse{NextToken: next, UserPoolClients: renderList(cs, func(cl userpool.Client) wireClientSummary {
		return wireClientSummary{ClientId: cl.ID, ClientName: cl.Settings.ClientName, UserPoolId: cl.PoolID}
	})}, nil
}

func (s *Server) updateUserPoolClient(ctx context.Context, c *call, in *userpool.UpdateClientInput) (any, error) {
	cl, err := s.Pools.UpdateClient(ctx, *in)
	if err != nil {
		return nil, err
	}
	return userPoolClientResponse{renderClient(cl)}, nil
}

func (s *Server) adminCreateUser(ctx context.Context, c *call, in *userpool.CreateUserInput) (any, error) {
	u, err := s.Users.CreateUser(ctx, *in)
	if err != nil {
		return nil, err
	}
	return adminCreateUserResponse{renderUser(u)}, nil
}

func (s *Server) adminGetUser(ctx context.Context, c *call, in *userRef) (any, error) {
	u, err := s.Users.GetUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	w := renderUser(u)
	out := adminGetUserResponse{Enabled: w.Enabled, UserAttributes: w.Attributes, UserCreateDate: w.UserCreateDate,
		UserLastModifiedDate: w.UserLastModifiedDate, UserStatus: w.UserStatus, Username: w.Username}
	out.PreferredMfaSetting, out.UserMFASettingList = userMFA(u)
	return out, nil
}

func (s *Server) adminSetUserPassword(ctx context.Context, c *call, in *struct {
	UserPoolId, Username, Password string
	Permanent                      bool
}) (any, error) {
	return empty{}, s.Users.SetPassword(ctx, in.UserPoolId, in.Username, in.Password, in.Permanent)
}

func (s *Server) adminUpdateUserAttributes(ctx context.Context, c *call, in *struct {
	UserPoolId, Username string
	UserAttributes       []userpool.Attribute
}) (any, error) {
	return empty{}, s.Users.UpdateAttributes(ctx, in.UserPoolId, in.Username, in.UserAttributes)
}

func (s *Server) adminDeleteUserAttributes(ctx context.Context, c *call, in *struct {
	UserPoolId, Username string
	UserAttributeNames   []string
}) (any, error) {
	return empty{}, s.Users.DeleteAttributes(ctx, in.UserPoolId, in.Username, in.UserAttributeNames)
}

func (s *Server) listUsers(ctx context.Context, c *call, in *userpool.ListUsersInput) (any, error) {
	users, next, err := s.Users.ListUsers(ctx, *in)
	if err != nil {
		return nil, err
	}
	return listUsersResponse{PaginationToken: next, Users: renderList(users, renderUser)}, nil
}

func (s *Server) initiateAuth(ctx context.Context, c *call, in *userpool.InitiateInput) (any, error) {
	in.UserPoolId = ""
	r, err := s.Auth.Initiate(ctx, *in, false)
	return renderInitiateAuth(r), err
}

func (s *Server) adminInitiateAuth(ctx context.Context, c *call, in *userpool.InitiateInput) (any, error) {
	r, err := s.Auth.Initiate(ctx, *in, true)
	return renderInitiateAuth(r), err
}

func (s *Server) respondToAuthChallenge(ctx context.Context, c *call, in *userpool.RespondInput) (any, error) {
	in.UserPoolId = ""
	r, err := s.Auth.Respond(ctx, *in, false)
	return renderAuth(r), err
}

func (s *Server) adminRespondToAuthChallenge(ctx context.Context, c *call, in *userpool.RespondInput) (any, error) {
	r, err := s.Auth.Respond(ctx, *in, true)
	return renderAuth(r), err
}

func (s *Server) getUser(ctx context.Context, c *call, in *accessTokenInput) (any, error) {
	a, err := s.Sessions.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	w := renderUser(a.User)
	out := getUserResponse{UserAttributes: w.Attributes, Username: w.Username}
	out.PreferredMfaSetting, out.UserMFASettingList = userMFA(a.User)
	return out, nil
}

func (s *Server) deleteUser(ctx context.Context, c *call, in *accessTokenInput) (any, error) {
	a, err := s.Sessions.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return empty{}, s.Users.DeleteUser(ctx, a.User.PoolID, a.User.Username)
}
