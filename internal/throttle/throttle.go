// Package throttle limits request rates per key (an app client, an IP) with
// token buckets, so that one noisy caller cannot starve the others. Buckets
// are created on first use and swept when idle.
package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MaxKeys bounds the buckets a Limiter holds (≈200 bytes each).
const MaxKeys = 100_000

// overflowKey names the bucket shared by keys past MaxKeys; no real key
// (a client id, an IP address) contains a NUL.
const overflowKey = "\x00overflow"

// Limiter is a set of token buckets sharing one rate.
type Limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New allows perSecond requests per key with bursts of twice that; a rate
// of zero or less disables the limiter (Allow always answers true).
func New(perSecond float64, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	burst := int(2 * perSecond)
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.rate <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= MaxKeys {
			// Past the cap, new keys share one bucket: a flood of made-up
			// keys (random ClientIds) costs bounded memory and is
			// throttled as one caller.
			key = overflowKey
			b = l.buckets[key]
		}
		if b == nil {
			b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
			l.buckets[key] = b
		}
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
