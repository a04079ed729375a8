package userpool

import (
	"context"
	"errors"
)

// CreateDomain is CreateUserPoolDomain: one domain prefix per pool.
func (s *Pools) CreateDomain(ctx context.Context, poolID, domain string) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	err := s.Store.CreateDomain(ctx, Domain{Domain: domain, PoolID: poolID, CreatedAt: s.Now()})
	if errors.Is(err, ErrAlreadyExists) {
		return Errorf(InvalidParameter, "Domain already associated with another user pool.")
	}
	return err
}

// DescribeDomain is DescribeUserPoolDomain; an unknown domain is not an
// error (Cognito answers an empty description).
func (s *Pools) DescribeDomain(ctx context.Context, domain string) (Domain, bool, error) {
	d, err := s.Store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) {
		return Domain{}, false, nil
	}
	return d, err == nil, err
}

// DeleteDomain is DeleteUserPoolDomain.
func (s *Pools) DeleteDomain(ctx context.Context, poolID, domain string) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	d, err := s.Store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) || (err == nil && d.PoolID != poolID) {
		return Errorf(InvalidParameter, "No such domain or user pool exists.")
	} else if err != nil {
		return err
	}
	return s.Store.DeleteDomain(ctx, domain)
}

func noResourceServer(id string) error {
	return Errorf(ResourceNotFound, "Resource server %s does not exist.", id)
}

// CreateResourceServer is CreateResourceServer.
func (s *Pools) CreateResourceServer(ctx context.Context, rs ResourceServer) (ResourceServer, error) {
	if _, err := GetPool(ctx, s.Store, rs.PoolID); err != nil {
		return rs, err
	}
	err := s.Store.CreateResourceServer(ctx, rs)
	if errors.Is(err, ErrAlreadyExists) {
		return rs, Errorf(InvalidParameter, "%s already exists in user pool %s.", rs.Identifier, rs.PoolID)
	}
	return rs, err
}

// GetResourceServer is DescribeResourceServer.
func (s *Pools) GetResourceServer(ctx context.Context, poolID, id string) (ResourceServer, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return ResourceServer{}, err
	}
	rs, err := s.Store.GetResourceServer(ctx, poolID, id)
	if errors.Is(err, ErrNotFound) {
		return rs, noResourceServer(id)
	}
	return rs, err
}

// ListResourceServers is ListResourceServers.
func (s *Pools) ListResourceServers(ctx context.Context, poolID string) ([]ResourceServer, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return nil, err
	}
	return s.Store.ListResourceServers(ctx, poolID)
}

// UpdateResourceServer is UpdateResourceServer (name and scopes replaced).
func (s *Pools) UpdateResourceServer(ctx context.Context, rs ResourceServer) (ResourceServer, error) {
	if _, err := GetPool(ctx, s.Store, rs.PoolID); err != nil {
		return rs, err
	}
	err := s.Store.UpdateResourceServer(ctx, rs)
	if errors.Is(err, ErrNotFound) {
		return rs, noResourceServer(rs.Identifier)
	}
	return rs, err
}

// DeleteResourceServer is DeleteResourceServer.
func (s *Pools) DeleteResourceServer(ctx context.Context, poolID, id string) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	err := s.Store.DeleteResourceServer(ctx, poolID, id)
	if errors.Is(err, ErrNotFound) {
		return noResourceServer(id)
	}
	return err
}
