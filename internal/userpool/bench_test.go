package userpool_test

import (
	"path/filepath"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// Run with: go test -run XXX -bench . -benchtime 3s ./internal/userpool/
// Each sign-in and refresh signs two RS256 JWTs; compare with
// BenchmarkSign in internal/token (the RSA ceiling).

func benchWorld(b *testing.B) (*world, userpool.Pool, userpool.Client) {
	w := newWorld(b, filepath.Join(b.TempDir(), "bench.db"))
	p, c := w.setup(b, userpool.CreateClientInput{})
	w.addUser(b, p, "alice")
	return w, p, c
}

func BenchmarkSignIn(b *testing.B) {
	w, _, c := benchWorld(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRefresh(b *testing.B) {
	w, _, c := benchWorld(b)
	res, _ := w.signIn(c, "alice", "Passw0rd!")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.refresh(c, res.Tokens.RefreshToken); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAuthorize(b *testing.B) {
	w, _, c := benchWorld(b)
	res, _ := w.signIn(c, "alice", "Passw0rd!")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.sessions.Authorize(ctx, res.Tokens.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAdminGlobalSignOut(b *testing.B) {
	w, p, _ := benchWorld(b)
	caller := userpool.Caller{AccessKeyID: "AKID"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.sessions.AdminGlobalSignOut(ctx, caller, p.ID, "alice"); err != nil {
			b.Fatal(err)
		}
	}
}
