// Package racetest runs calls at once, for tests of what concurrent
// writers may and may not both do.
package racetest

import (
	"sync"
	"testing"
)

// Count runs call(0..n-1) at once and counts the calls that succeeded and
// those that lost (lost reports which errors are the expected refusal);
// any other error fails the test.
func Count(t testing.TB, n int, call func(i int) error, lost func(error) bool) (won, refused int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := call(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case lost(err):
				refused++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}(i)
	}
	wg.Wait()
	return won, refused
}
