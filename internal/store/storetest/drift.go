package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// Contract tests for the places where the SQLite and PostgreSQL copies had
// drifted before they became one store.

// UpdateUser writes neither the sign-out epoch nor the live-session count:
// sign-out and the session writes own them, so a copy of the user taken
// before a sign-out (or one a caller changed) cannot move them.
func testUpdateUserLeavesSignOutState(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreateUser(ctx, "alice", user("us-east-1_a", "alice", "sub-1")))
	if _, err := s.SignOutUser(ctx, "us-east-1_a", userpool.BySub, "sub-1", t0); err != nil {
		t.Fatal(err)
	}
	must(t, s.CreateFamily(ctx, family("f1", "us-east-1_a", "sub-1", 1)))
	got, err := s.UpdateUser(ctx, "us-east-1_a", "alice", func(u userpool.User) (userpool.User, error) {
		u.SignOutEpoch = 7
		u.SignedOutAt = time.Time{}
		u.Status = userpool.StatusResetRequired
		return u, nil
	})
	must(t, err)
	if got.SignOutEpoch != 1 {
		t.Errorf("UpdateUser returned epoch %d, the store holds 1", got.SignOutEpoch)
	}
	u, err := s.GetUser(ctx, "us-east-1_a", "alice")
	must(t, err)
	if u.SignOutEpoch != 1 || u.Status != userpool.StatusResetRequired || u.SignedOutAt.IsZero() {
		t.Fatalf("after UpdateUser: epoch %d (want 1), status %s, signed out at %v", u.SignOutEpoch, u.Status, u.SignedOutAt)
	}
	out, err := s.SignOutUser(ctx, "us-east-1_a", userpool.ByUsernameKey, "alice", t0)
	must(t, err)
	if out.Epoch != 2 || out.Families != 1 {
		t.Fatalf("sign-out after UpdateUser: epoch %d families %d, want 2 and 1", out.Epoch, out.Families)
	}
}

// RunClockTests runs the contract parts that need the store's own clock
// (WithClock): newStore makes an empty store whose sweeps read now.
func RunClockTests(t *testing.T, newStore func(t *testing.T, now func() time.Time) userpool.Store) {
	t.Run("NonceSweepUsesStoreClock", func(t *testing.T) {
		// Far from the wall clock, so that only the store's clock can
		// expire the nonce.
		base := time.Now().AddDate(10, 0, 0)
		var mu sync.Mutex
		now := base
		s := newStore(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		t.Cleanup(func() { s.Close() })
		must(t, s.ConsumeNonce(ctx, "n", base.Add(time.Minute)))
		wantErr(t, s.ConsumeNonce(ctx, "n", base.Add(time.Minute)), userpool.ErrAlreadyExists)
		mu.Lock()
		now = base.Add(2 * time.Minute)
		mu.Unlock()
		if err := s.ConsumeNonce(ctx, "n", now.Add(time.Minute)); err != nil {
			t.Fatalf("a nonce expired by the store's clock is still held: %v", err)
		}
	})
}
