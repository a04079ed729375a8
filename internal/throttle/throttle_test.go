package throttle

import (
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
