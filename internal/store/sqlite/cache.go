package sqlite

import "sync"

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
