package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/storetest"
	"github.com/cognate/cognate/internal/userpool"
)

// freshSchema is an empty schema on the test cluster.
func freshSchema(t testing.TB) string { return pgtest.Schema(t, pgtest.URL(t), "t") }

func TestContract(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) userpool.Store {
		s, err := Open(context.Background(), freshSchema(t), 8, WithSealer(storetest.Sealer))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestContractClock(t *testing.T) {
	storetest.RunClockTests(t, func(t *testing.T, now func() time.Time) userpool.Store {
		s, err := Open(context.Background(), freshSchema(t), 4, WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Two stores on one database are two replicas: a sign-out through one is
// seen by the other's very next read, and migrations may race.
func TestReplicasShareState(t *testing.T) {
	url := freshSchema(t)
	ctx := context.Background()
	type result struct {
		s   *Store
		err error
	}
	results := make(chan result, 2)
	for i := 0; i < 2; i++ {
		go func() { s, err := Open(ctx, url, 4); results <- result{s, err} }()
	}
	a, b := <-results, <-results
	if a.err != nil || b.err != nil {
		t.Fatalf("concurrent starts: %v %v", a.err, b.err)
	}
	defer a.s.Close()
	defer b.s.Close()
	now := time.Now()
	if err := a.s.CreatePool(ctx, userpool.Pool{ID: "us-east-1_r", Name: "r", CreatedAt: now, ModifiedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.s.CreateUser(ctx, "alice", userpool.User{PoolID: "us-east-1_r", Username: "alice", Sub: "sub-1", Enabled: true, CreatedAt: now, ModifiedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.s.CreateFamily(ctx, userpool.Family{ID: "f1", PoolID: "us-east-1_r", ClientID: "c", UserSub: "sub-1", RefreshHash: []byte("h"),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.s.SignOutUser(ctx, "us-east-1_r", userpool.BySub, "sub-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	u, f, err := a.s.GetSession(ctx, "us-east-1_r", "sub-1", "f1")
	if err != nil || u.SignOutEpoch != 1 || f.Epoch != 0 {
		t.Fatalf("replica A does not see B's sign-out: %v epoch %d", err, u.SignOutEpoch)
	}
}

func BenchmarkSignOutUser(b *testing.B) {
	s, err := Open(context.Background(), freshSchema(b), 16)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	s.CreatePool(ctx, userpool.Pool{ID: "us-east-1_b", Name: "b", CreatedAt: now, ModifiedAt: now})
	s.CreateUser(ctx, "u", userpool.User{PoolID: "us-east-1_b", Username: "u", Sub: "sub", CreatedAt: now, ModifiedAt: now})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.SignOutUser(ctx, "us-east-1_b", userpool.BySub, "sub", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetSession(b *testing.B) {
	s, err := Open(context.Background(), freshSchema(b), 16)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	s.CreatePool(ctx, userpool.Pool{ID: "us-east-1_b", Name: "b", CreatedAt: now, ModifiedAt: now})
	s.CreateUser(ctx, "u", userpool.User{PoolID: "us-east-1_b", Username: "u", Sub: "sub", CreatedAt: now, ModifiedAt: now})
	s.CreateFamily(ctx, userpool.Family{ID: "f", PoolID: "us-east-1_b", ClientID: "c", UserSub: "sub", RefreshHash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetSession(ctx, "us-east-1_b", "sub", "f"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
