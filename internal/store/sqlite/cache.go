package sqlite

import (
	"context"
	"sync"

	"github.com/cognate/cognate/internal/userpool"
)

// maxCached bounds a decoded cache; past it the cache starts over.
const maxCached = 10000

// decoded caches rows decoded into domain values (pools, app clients), read
// on every request and rarely written. This process is the database's only
// writer, so forgetting an entry around each of its own writes keeps the
// cache exact. Cached values are shared: callers must not modify their maps
// and slices.
type decoded[T any] struct {
	mu  sync.RWMutex
	m   map[string]T
	gen uint64 // bumped by every forget: a load that raced one is not kept
}

// get returns id's value, loading it on a miss.
func (c *decoded[T]) get(id string, load func() (T, error)) (T, error) {
	c.mu.RLock()
	v, ok := c.m[id]
	gen := c.gen
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]T{}
	}
	if c.gen == gen {
		c.m[id] = v
	}
	c.mu.Unlock()
	return v, nil
}

// forget drops id; call it before and after a write to id.
func (c *decoded[T]) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.gen++
	c.mu.Unlock()
}

// forgetAll empties the cache (a write that touches many entries).
func (c *decoded[T]) forgetAll() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}

// The cached reads, and the writes that forget what they change.

// GetPool implements userpool.PoolStore. Callers must not modify the maps
// and slices of the pool they get: it may be shared.
func (s *Store) GetPool(ctx context.Context, id string) (userpool.Pool, error) {
	return s.pools.get(id, func() (userpool.Pool, error) { return s.Store.GetPool(ctx, id) })
}

// UpdatePool implements userpool.PoolStore.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(userpool.Pool) (userpool.Pool, error)) (userpool.Pool, error) {
	s.pools.forget(id)
	defer s.pools.forget(id)
	return s.Store.UpdatePool(ctx, id, fn)
}

// DeletePool implements userpool.PoolStore.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	s.pools.forget(id)
	defer s.pools.forget(id)
	defer s.clients.forgetAll() // the pool's clients go with it
	return s.Store.DeletePool(ctx, id)
}

// GetClient implements userpool.ClientStore. Callers must not modify the
// maps and slices of the client they get: it may be shared.
func (s *Store) GetClient(ctx context.Context, id string) (userpool.Client, error) {
	return s.clients.get(id, func() (userpool.Client, error) { return s.Store.GetClient(ctx, id) })
}

// UpdateClient implements userpool.ClientStore.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(userpool.Client) (userpool.Client, error)) (userpool.Client, error) {
	s.clients.forget(id)
	defer s.clients.forget(id)
	return s.Store.UpdateClient(ctx, id, fn)
}

// DeleteClient implements userpool.ClientStore.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	s.clients.forget(id)
	defer s.clients.forget(id)
	return s.Store.DeleteClient(ctx, id)
}

// SealClientSecrets rewrites the clients whose secrets are in plain text
// (sqlstore.Store.SealClientSecrets).
func (s *Store) SealClientSecrets(ctx context.Context) (int, error) {
	defer s.clients.forgetAll()
	return s.Store.SealClientSecrets(ctx)
}
