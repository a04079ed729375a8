package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func testMeta(t *testing.T, s userpool.Store) {
	_, err := s.GetMeta(ctx, "issuer-base-url")
	wantErr(t, err, userpool.ErrNotFound)
	got, err := s.PutMetaIfAbsent(ctx, "issuer-base-url", "http://a.example")
	must(t, err)
	if got != "http://a.example" {
		t.Fatalf("first put stored %q", got)
	}
	got, err = s.PutMetaIfAbsent(ctx, "issuer-base-url", "http://b.example")
	must(t, err)
	if got != "http://a.example" {
		t.Fatalf("second put returned %q, want the first value kept", got)
	}
	if v, err := s.GetMeta(ctx, "issuer-base-url"); err != nil || v != "http://a.example" {
		t.Fatalf("GetMeta = %q, %v", v, err)
	}
	if _, err := s.GetMeta(ctx, "other"); err == nil {
		t.Fatal("keys are not separate")
	}
	must(t, s.ReplaceMeta(ctx, "issuer-base-url", "http://c.example"))
	if v, err := s.GetMeta(ctx, "issuer-base-url"); err != nil || v != "http://c.example" {
		t.Fatalf("after ReplaceMeta: %q, %v", v, err)
	}
	must(t, s.ReplaceMeta(ctx, "fresh", "x")) // replacing nothing stores
	if v, err := s.GetMeta(ctx, "fresh"); err != nil || v != "x" {
		t.Fatalf("ReplaceMeta of an absent key: %q, %v", v, err)
	}
}

// Replicas starting at once each offer their own value; all of them must
// come back with the same one.
func testConcurrentPutMetaIfAbsent(t *testing.T, s userpool.Store) {
	const n = 8
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.PutMetaIfAbsent(ctx, "race", fmt.Sprint("value-", i))
		}()
	}
	wg.Wait()
	for i := range got {
		must(t, errs[i])
		if got[i] != got[0] {
			t.Fatalf("callers disagree: %q", got)
		}
	}
}
