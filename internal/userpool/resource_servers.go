package userpool

import (
	"context"
	"errors"
)

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
