package userpool

// A domain prefix (CreateUserPoolDomain) names the hosted UI of one pool:
// my-app.auth.us-east-1.amazoncognito.com serves only my-app's pool.

import (
	"context"
	"errors"
)

// CreateDomain is CreateUserPoolDomain for the classic hosted UI: one
// domain prefix per pool.
func (s *Pools) CreateDomain(ctx context.Context, poolID, domain string) error {
	return s.CreateDomainWithLoginVersion(ctx, poolID, domain, 1)
}

// CreateDomainWithLoginVersion is CreateUserPoolDomain with its
// ManagedLoginVersion (0: 1), checked against the pool's plan and kept for
// DescribeUserPoolDomain; the pages Cognate serves are the classic hosted
// UI's at either version.
func (s *Pools) CreateDomainWithLoginVersion(ctx context.Context, poolID, domain string, managedLoginVersion int) error {
	pool, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return err
	}
	if managedLoginVersion == 0 {
		managedLoginVersion = 1
	}
	if err := checkLoginVersion(&pool, managedLoginVersion); err != nil {
		return err
	}
	err = s.Store.CreateDomain(ctx, Domain{Domain: domain, PoolID: poolID, CreatedAt: s.Now(), ManagedLoginVersion: managedLoginVersion})
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

// UpdateDomain is UpdateUserPoolDomain: the domain's ManagedLoginVersion
// (nil: unchanged). It answers the version the domain now has.
func (s *Pools) UpdateDomain(ctx context.Context, poolID, domain string, managedLoginVersion *int) (int, error) {
	pool, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return 0, err
	}
	d, err := s.Store.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) || (err == nil && d.PoolID != poolID) {
		return 0, Errorf(InvalidParameter, "No such domain or user pool exists.")
	} else if err != nil {
		return 0, err
	}
	if managedLoginVersion == nil {
		return d.ManagedLoginVersion, nil
	}
	if err := checkLoginVersion(&pool, *managedLoginVersion); err != nil {
		return 0, err
	}
	if err := s.Store.SetDomainLoginVersion(ctx, domain, *managedLoginVersion); err != nil {
		return 0, err
	}
	return *managedLoginVersion, nil
}

// checkLoginVersion refuses a ManagedLoginVersion other than 1 (hosted UI
// classic) and 2 (managed login), and managed login on a plan without it.
// The model leaves the values to its documentation; the message is
// Cognate's.
func checkLoginVersion(pool *Pool, version int) error {
	if version != 1 && version != 2 {
		return Errorf(InvalidParameter, "ManagedLoginVersion must be 1 (hosted UI classic) or 2 (managed login).")
	}
	return RequireTier(tierOf(pool), DomainFeatures(version)...)
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

// checkDomainOf refuses a client reached through another pool's domain.
// domain is the prefix the request came to; "" or an unregistered prefix
// (a plain host such as localhost:9229) binds nothing.
func checkDomainOf(ctx context.Context, st Store, domain string, client *Client) (bool, error) {
	if domain == "" {
		return true, nil
	}
	d, err := st.GetDomain(ctx, domain)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return d.PoolID == client.PoolID, nil
}
