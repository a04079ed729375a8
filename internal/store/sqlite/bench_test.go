package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// seed fills a pool with families in bulk (one transaction), the signed-out
// user holding userSessions of them and other users the rest.
func seed(b *testing.B, s *Store, poolSessions, userSessions int) {
	ctx := context.Background()
	now := time.Now()
	if err := s.CreatePool(ctx, userpool.Pool{ID: "us-east-1_bench", Name: "b", CreatedAt: now, ModifiedAt: now}); err != nil {
		b.Fatal(err)
	}
	tx, err := s.x.w.DB.Begin()
	if err != nil {
		b.Fatal(err)
	}
	users := poolSessions/10 + 1
	for i := 0; i < users; i++ {
		if _, err := tx.Exec(`INSERT INTO users(pool_id, key, username, sub, attributes, status, enabled, password, created_ns, modified_ns)
			VALUES ('us-east-1_bench', ?, ?, ?, '[]', 'CONFIRMED', 1, '{}', 0, 0)`, fmt.Sprint("u", i), fmt.Sprint("u", i), fmt.Sprint("sub-", i)); err != nil {
			b.Fatal(err)
		}
	}
	ins, err := tx.Prepare(`INSERT INTO families(id, pool_id, client_id, user_sub, refresh_hash, epoch, auth_time_ns, created_ns, expires_ns)
		VALUES (?, 'us-east-1_bench', 'c', ?, ?, 0, 0, 0, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	exp := now.Add(time.Hour).UnixNano()
	for i := 0; i < poolSessions; i++ {
		sub := fmt.Sprint("sub-", 1+i%(users-1))
		if i < userSessions {
			sub = "sub-0"
		}
		if _, err := ins.Exec(fmt.Sprint("f", i), sub, []byte(fmt.Sprint("h", i)), exp); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSignOutScaling shows SignOutUser's cost against the user's and
// the pool's number of sessions: it writes one row whatever the numbers.
//
//	go test -run XXX -bench SignOutScaling -benchtime 2000x ./internal/store/sqlite/
func BenchmarkSignOutScaling(b *testing.B) {
	cases := []struct{ pool, user int }{
		{1000, 1}, {1000, 1000}, {100000, 1}, {100000, 10000}, {1000000, 1}, {1000000, 10000},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("pool=%d/user=%d", c.pool, c.user), func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			seed(b, s, c.pool, c.user)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.SignOutUser(ctx, "us-east-1_bench", userpool.BySub, "sub-0", time.Now()); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if _, f, err := s.GetSession(ctx, "us-east-1_bench", "sub-0", "f0"); err != nil || f.Epoch != 0 {
				b.Fatalf("session lookup after sign-outs: %v", err)
			}
		})
	}
}

func BenchmarkGetSession(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	seed(b, s, 100000, 10)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetSession(ctx, "us-east-1_bench", "sub-0", "f3"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
