package userpool_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// With PreventUserExistenceErrors, wrong passwords for a user, for an
// unconfirmed user and for a name that is no user's get the same answers,
// lockout included, step by step under the same clock.
func TestUnknownNamesAnswerAsUsersDo(t *testing.T) {
	const (
		incorrect = "NotAuthorizedException: Incorrect username or password."
		locked    = "NotAuthorizedException: Password attempts exceeded"
	)
	steps := []struct {
		name    string
		advance time.Duration
		want    string
	}{
		{"1st wrong", 0, incorrect},
		{"2nd wrong", 0, incorrect},
		{"3rd wrong", 0, incorrect},
		{"4th wrong", 0, incorrect},
		{"5th wrong (locks for 1 s)", 0, incorrect},
		{"during the lockout", 500 * time.Millisecond, locked},
		{"after it: the 6th is evaluated (locks for 2 s)", 600 * time.Millisecond, incorrect},
		{"1.1 s into the 2 s", 1100 * time.Millisecond, locked},
		{"after it: the 7th", time.Second, incorrect},
		{"and locked again", 0, locked},
	}
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{PreventUserExistenceErrors: "ENABLED"}})
	w.addUser(t, p, "alice")
	w.addUser(t, p, "uma")
	if _, err := w.store.UpdateUser(ctx, p.ID, "uma", func(u userpool.User) (userpool.User, error) {
		u.Status = userpool.StatusUnconfirmed
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	names := []string{"alice", "uma", "ghost", "GHOST2"}
	answer := func(err error) string {
		if err == nil {
			return "ok"
		}
		return userpool.ErrorType(err) + ": " + userpool.ErrorMessage(err)
	}
	for _, st := range steps {
		w.clock.Advance(st.advance)
		for _, n := range names {
			_, err := w.signIn(c, n, "Wrong-Pass-1")
			if got := answer(err); got != st.want {
				t.Fatalf("%s, %s: %s, want %s", st.name, n, got, st.want)
			}
		}
	}
	// The count of an unknown name is its own, whatever the case in a
	// case-insensitive pool, and another name starts afresh.
	if _, err := w.signIn(c, "ghost2", "Wrong-Pass-1"); answer(err) != locked {
		t.Fatalf("GHOST2's count is not ghost2's: %s", answer(err))
	}
	if _, err := w.signIn(c, "ghost3", "Wrong-Pass-1"); answer(err) != incorrect {
		t.Fatalf("a fresh name: %s", answer(err))
	}
	// Past the lockout, the unconfirmed user hears that it is unconfirmed
	// only with the right password.
	w.clock.Advance(time.Hour)
	if _, err := w.signIn(c, "uma", "Passw0rd!"); answer(err) != "UserNotConfirmedException: User is not confirmed." {
		t.Fatalf("unconfirmed user, right password: %s", answer(err))
	}
	// An unknown name's count is forgotten a day after its last failure.
	w.clock.Advance(24 * time.Hour)
	for i := range 5 {
		if _, err := w.signIn(c, "ghost", "Wrong-Pass-1"); answer(err) != incorrect {
			t.Fatalf("a day later, failure %d: %s", i+1, answer(err))
		}
	}
}

// Without PreventUserExistenceErrors, an unknown name is told so and
// nothing is counted.
func TestUnknownNamesWithoutPrevention(t *testing.T) {
	w := newWorld(t, ":memory:")
	_, c := w.setup(t, userpool.CreateClientInput{})
	for range 7 {
		_, err := w.signIn(c, "ghost", "Wrong-Pass-1")
		wantError(t, err, userpool.UserNotFound, "User does not exist.")
	}
}

// Code requests for unknown names meet the limit a user's do, and their
// simulated destinations are the name's own, shaped as a user's.
func TestUnknownNamesCodeRequests(t *testing.T) {
	w := newCodeWorld(t)
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: w.pool.ID, ClientSettings: userpool.ClientSettings{
		ClientName: "prevent", PreventUserExistenceErrors: "ENABLED"}})
	if err != nil {
		t.Fatal(err)
	}
	requests := []struct {
		name string
		call func(username string) (userpool.CodeDelivery, error)
	}{
		{"ForgotPassword", func(u string) (userpool.CodeDelivery, error) { return w.accounts.ForgotPassword(ctx, c.ID, "", u) }},
		{"ResendConfirmationCode", func(u string) (userpool.CodeDelivery, error) {
			return w.accounts.ResendConfirmationCode(ctx, c.ID, "", u)
		}},
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			first, err := rq.call("kate")
			if err != nil {
				t.Fatal(err)
			}
			for i := 2; i <= 5; i++ {
				d, err := rq.call("KATE")
				if err != nil || d != first {
					t.Fatalf("request %d: %+v %v, want %+v", i, d, err, first)
				}
			}
			_, err = rq.call("kate")
			wantError(t, err, userpool.LimitExceeded, "Attempt limit exceeded, please try after some time.")
			w.clock.Advance(time.Hour)
			if _, err := rq.call("kate"); err != nil {
				t.Fatalf("an hour later: %v", err)
			}
		})
	}
	w.clock.Advance(time.Hour)
	tests := []struct{ username, want string }{
		{"kate", "k***@"},
		{"Zed", "z***@"},
		{"zed@mail.example", "z***@m***"},
		{"Ann@Example.org", "a***@e***"},
		{"_x", "***@"},
	}
	for _, tc := range tests {
		d, err := w.accounts.ForgotPassword(ctx, c.ID, "", tc.username)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.Destination, tc.want) || !strings.HasSuffix(d.Destination, "***") || len(d.Destination) != len("k***@g***") {
			t.Errorf("%s: destination %q, want one like %q", tc.username, d.Destination, tc.want)
		}
	}
	seen := map[string]bool{}
	for i := range 40 {
		d, _ := w.accounts.ForgotPassword(ctx, c.ID, "", fmt.Sprint("user", i))
		seen[d.Destination] = true
	}
	if len(seen) < 3 {
		t.Errorf("40 unknown names got %d destinations: %v", len(seen), seen)
	}
}
