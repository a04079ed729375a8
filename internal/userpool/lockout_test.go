package userpool_test

import (
	"sync"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// burstCount runs fn n times at once and counts the answers by error type
// and message ("" for success).
func burstCount(n int, fn func(i int) error) map[string]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := fn(i)
			key := ""
			if err != nil {
				key = userpool.ErrorType(err) + ": " + userpool.ErrorMessage(err)
			}
			mu.Lock()
			counts[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// A burst of concurrent attempts at a secret, at one instant of the clock:
// the lockout lets five wrong ones be evaluated, whichever call makes them.
func TestLockoutBurst(t *testing.T) {
	const incorrect = "NotAuthorizedException: Incorrect username or password."
	tests := []struct {
		name   string
		call   func(w *codeWorld, i int) error
		locked string // the answer of refused attempts
	}{
		// Wrong passwords only: a right one inside the burst clears the count
		// when the scheduler runs it before the fifth failure (it then
		// answered 9 failures, not 5, in one run); that the right password
		// is refused once locked is asked after the burst.
		{"USER_PASSWORD_AUTH", func(w *codeWorld, i int) error {
			_, err := w.signIn(w.client, "alice", "Wrong-Pass-1")
			return err
		}, "NotAuthorizedException: Password attempts exceeded"},
		{"ChangePassword", func(w *codeWorld, i int) error {
			return w.accounts.ChangePassword(ctx, w.access, "Wrong-Pass-1", "N3w-Passw0rd!")
		}, "LimitExceededException: Attempt limit exceeded, please try after some time."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newCodeWorld(t)
			counts := burstCount(60, func(i int) error { return tc.call(w, i) })
			if counts[incorrect] != 5 || counts[tc.locked] != 55 {
				t.Fatalf("answers %v, want 5 %q and 55 %q", counts, incorrect, tc.locked)
			}
			// Still locked: even the right password is refused.
			_, err := w.signIn(w.client, "alice", "Passw0rd!")
			wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
			err = w.accounts.ChangePassword(ctx, w.access, "Passw0rd!", "N3w-Passw0rd!")
			wantError(t, err, userpool.LimitExceeded, "Attempt limit exceeded, please try after some time.")
		})
	}
}

// ChangePassword's wrong previous passwords and sign-in failures share one
// count; a right previous password clears it.
func TestChangePasswordCountsIntoLockout(t *testing.T) {
	w := newCodeWorld(t)
	steps := []struct {
		name      string
		do        func() error
		typ, msg  string
		failCount int
	}{
		{"wrong previous password", func() error { return w.accounts.ChangePassword(ctx, w.access, "Wrong-Pass-1", "N3w-Passw0rd!") },
			userpool.NotAuthorized, "Incorrect username or password.", 1},
		{"wrong sign-in", func() error { _, err := w.signIn(w.client, "alice", "Wrong-Pass-1"); return err },
			userpool.NotAuthorized, "Incorrect username or password.", 2},
		{"right previous password, weak proposed one", func() error { return w.accounts.ChangePassword(ctx, w.access, "Passw0rd!", "weak") },
			userpool.InvalidPassword, "Password did not conform with policy: Password not long enough", 0},
	}
	for _, st := range steps {
		wantError(t, st.do(), st.typ, st.msg)
		u, _ := w.users.GetUser(ctx, w.pool.ID, "alice")
		if u.Password.FailedAttempts != st.failCount {
			t.Fatalf("%s: %d failures counted, want %d", st.name, u.Password.FailedAttempts, st.failCount)
		}
	}
}
