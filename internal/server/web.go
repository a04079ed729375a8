package server

import (
	"context"

	"github.com/cognate/cognate/internal/userpool"
)

type resourceServerInput struct {
	UserPoolId, Identifier, Name string
	Scopes                       []userpool.ResourceServerScope
}

// webOperations adds domains and resource servers to the table.
func (s *Server) webOperations(ops map[string]handler) {
	ops["CreateUserPoolDomain"] = typed(func(ctx context.Context, c *call, in *struct {
		Domain, UserPoolId  string
		ManagedLoginVersion int
	}) (any, error) {
		if err := s.Pools.CreateDomainWithLoginVersion(ctx, in.UserPoolId, in.Domain, in.ManagedLoginVersion); err != nil {
			return nil, err
		}
		d, _, err := s.Pools.DescribeDomain(ctx, in.Domain)
		return domainVersionResponse{ManagedLoginVersion: d.ManagedLoginVersion}, err
	})
	ops["UpdateUserPoolDomain"] = typed(func(ctx context.Context, c *call, in *struct {
		Domain, UserPoolId  string
		ManagedLoginVersion *int
	}) (any, error) {
		v, err := s.Pools.UpdateDomain(ctx, in.UserPoolId, in.Domain, in.ManagedLoginVersion)
		return domainVersionResponse{ManagedLoginVersion: v}, err
	})
	ops["DescribeUserPoolDomain"] = typed(func(ctx context.Context, c *call, in *struct{ Domain string }) (any, error) {
		d, ok, err := s.Pools.DescribeDomain(ctx, in.Domain)
		if err != nil || !ok {
			return describeUserPoolDomainResponse{}, err
		}
		return describeUserPoolDomainResponse{wireDomain{UserPoolId: d.PoolID, AWSAccountId: s.Account,
			Domain: d.Domain, Version: "1", Status: "ACTIVE", CloudFrontDistribution: d.Domain + ".auth.cognate.local",
			ManagedLoginVersion: d.ManagedLoginVersion}}, nil
	})
	ops["DeleteUserPoolDomain"] = typed(func(ctx context.Context, c *call, in *struct{ Domain, UserPoolId string }) (any, error) {
		return empty{}, s.Pools.DeleteDomain(ctx, in.UserPoolId, in.Domain)
	})
	ops["CreateResourceServer"] = typed(func(ctx context.Context, c *call, in *resourceServerInput) (any, error) {
		rs, err := s.Pools.CreateResourceServer(ctx, userpool.ResourceServer{PoolID: in.UserPoolId, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes})
		return resourceServerResponse{renderResourceServer(rs)}, err
	})
	ops["DescribeResourceServer"] = typed(func(ctx context.Context, c *call, in *struct{ UserPoolId, Identifier string }) (any, error) {
		rs, err := s.Pools.GetResourceServer(ctx, in.UserPoolId, in.Identifier)
		return resourceServerResponse{renderResourceServer(rs)}, err
	})
	ops["ListResourceServers"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId string
		MaxResults int
		NextToken  string
	}) (any, error) {
		list, err := s.Pools.ListResourceServers(ctx, in.UserPoolId)
		return listResourceServersResponse{renderList(list, renderResourceServer)}, err
	})
	ops["UpdateResourceServer"] = typed(func(ctx context.Context, c *call, in *resourceServerInput) (any, error) {
		rs, err := s.Pools.UpdateResourceServer(ctx, userpool.ResourceServer{PoolID: in.UserPoolId, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes})
		return resourceServerResponse{renderResourceServer(rs)}, err
	})
	ops["DeleteResourceServer"] = typed(func(ctx context.Context, c *call, in *struct{ UserPoolId, Identifier string }) (any, error) {
		return empty{}, s.Pools.DeleteResourceServer(ctx, in.UserPoolId, in.Identifier)
	})
}
