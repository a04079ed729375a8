package userpool_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/srp"
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
	// Each sign-in waits for its session's fsync (group commit); with more
	// goroutines than cores the CPUs sign while others wait, as a server's
	// concurrent requests do.
	b.SetParallelism(4)
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

// BenchmarkSRPSignIn is a whole USER_SRP_AUTH sign-in: InitiateAuth
// (server ephemeral) and PASSWORD_VERIFIER (verification, single-use
// block, tokens). The client's own math is done outside the timer.
func BenchmarkSRPSignIn(b *testing.B) {
	w, p, c := benchWorld(b)
	if _, err := w.pools.UpdateClient(ctx, userpool.UpdateClientInput{UserPoolId: p.ID, ClientId: c.ID,
		ClientSettings: userpool.ClientSettings{ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}}); err != nil {
		b.Fatal(err)
	}
	a := srp.DecodeHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	A := srp.ClientA(a).Text(16)
	poolName := strings.SplitN(p.ID, "_", 2)[1]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ch, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_SRP_AUTH",
			AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": A}}, false)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		prm := ch.ChallengeParameters
		salt, _ := new(big.Int).SetString(prm["SALT"], 16)
		B, _ := new(big.Int).SetString(prm["SRP_B"], 16)
		block, _ := base64.StdEncoding.DecodeString(prm["SECRET_BLOCK"])
		ts := w.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		sig, _ := srp.ClientSignature(poolName, "alice", "Passw0rd!", salt.Bytes(), a, B, block, ts)
		b.StartTimer()
		res, err := w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "PASSWORD_VERIFIER",
			ChallengeResponses: map[string]string{"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": prm["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}}, false)
		if err != nil || res.Tokens == nil {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// BenchmarkAdminGlobalSignOutBySessions is the whole domain sign-out
// (lookups, the epoch write, the audit count) for a user holding 1 or
// 10,000 sessions.
func BenchmarkAdminGlobalSignOutBySessions(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			w, p, _ := benchWorld(b)
			u, _ := w.users.GetUser(ctx, p.ID, "alice")
			var wg sync.WaitGroup
			sem := make(chan struct{}, 64)
			for i := 0; i < n; i++ {
				wg.Add(1)
				sem <- struct{}{}
				go func(i int) {
					defer wg.Done()
					defer func() { <-sem }()
					f := userpool.Family{ID: fmt.Sprint("f", i), PoolID: p.ID, ClientID: "c", UserSub: u.Sub,
						RefreshHash: []byte(fmt.Sprint("h", i)), CreatedAt: w.clock.Now(), ExpiresAt: w.clock.Now().Add(time.Hour)}
					if err := w.store.CreateFamily(ctx, f); err != nil {
						b.Error(err)
					}
				}(i)
			}
			wg.Wait()
			w.sessions.Audit = discardAudit{}
			caller := userpool.Caller{AccessKeyID: "AKID"}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := w.sessions.AdminGlobalSignOut(ctx, caller, p.ID, "alice"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discardAudit struct{}

func (discardAudit) Audit(context.Context, string, ...any) {}
