package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store/storetest"
	"github.com/cognate/cognate/internal/userpool"
)

func TestContractInMemory(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) userpool.Store {
		s, err := Open(":memory:", WithSealer(storetest.Sealer))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestContractOnDisk(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) userpool.Store {
		s, err := Open(filepath.Join(t.TempDir(), "cognate.db"), WithSealer(storetest.Sealer))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// A store abandoned without Close (a crash) loses nothing it acknowledged.
func TestReopenAfterAbandon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.CreatePool(ctx, userpool.Pool{ID: "us-east-1_x", Name: "x", CreatedAt: time.Now(), ModifiedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path) // migrations are idempotent; the first handle is never closed
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.GetPool(ctx, "us-east-1_x"); err != nil {
		t.Fatalf("acknowledged write missing: %v", err)
	}
}

func TestContractClock(t *testing.T) {
	storetest.RunClockTests(t, func(t *testing.T, now func() time.Time) userpool.Store {
		s, err := Open(":memory:", WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
