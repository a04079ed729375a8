package bench

import (
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var samples []time.Duration
	for i := 100; i >= 1; i-- {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	s := summarize("x", 2, samples, map[string]int{"E": 1}, 2*time.Second)
	if s.P50ms != 50 || s.P90ms != 90 || s.P99ms != 99 || s.MaxMs != 100 || s.PerSecond != 50 || s.Requests != 100 {
		t.Fatalf("%+v", s)
	}
	if z := summarize("y", 1, nil, nil, 0); z.P50ms != 0 || z.PerSecond != 0 {
		t.Fatalf("empty: %+v", z)
	}
	if percentile([]time.Duration{5}, 0.99) != 5 {
		t.Fatal("single sample")
	}
}

func TestSucceededPerSecondLeavesErrorsOut(t *testing.T) {
	s := Stats{Requests: 100, Seconds: 2, Errors: map[string]int{"NotAuthorizedException": 30, "transport": 10}}
	if got := s.succeededPerSecond(); got != 30 {
		t.Fatalf("succeeded/s = %v, want 30", got)
	}
	if got := (Stats{}).succeededPerSecond(); got != 0 {
		t.Fatalf("empty stats: %v", got)
	}
}
