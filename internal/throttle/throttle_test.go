package throttle

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(5, func() time.Time { return now })
	allowed := 0
	for i := 0; i < 20; i++ {
		if l.Allow("a") {
			allowed++
		}
	}
	if allowed != 10 { // the burst: twice the rate
		t.Fatalf("allowed %d of a burst of 20, want 10", allowed)
	}
	if !l.Allow("b") {
		t.Fatal("another key was throttled")
	}
	now = now.Add(time.Second)
	allowed = 0
	for i := 0; i < 20; i++ {
		if l.Allow("a") {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("allowed %d after one second, want the rate (5)", allowed)
	}
	now = now.Add(2 * time.Minute)
	l.Allow("c")
	if _, ok := l.buckets["a"]; ok {
		t.Fatal("idle bucket not swept")
	}
	if !New(0, nil).Allow("x") {
		t.Fatal("a zero rate must disable the limiter")
	}
}

// Security review #24: made-up keys cannot grow the limiter without bound;
// past MaxKeys they share one bucket, and known keys keep their own.
func TestLimiterBoundsItsKeys(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(1, func() time.Time { return now })
	l.Allow("known")
	for i := range MaxKeys + 1000 {
		l.Allow(fmt.Sprint("random-", i))
	}
	if n := len(l.buckets); n > MaxKeys+1 {
		t.Fatalf("%d buckets, want at most %d", n, MaxKeys+1)
	}
	if l.Allow("another-random") {
		t.Fatal("the overflow bucket (shared by 1000 made-up keys) still had tokens")
	}
	if !l.Allow("known") {
		t.Fatal("a key seen before the flood lost its own bucket")
	}
}
