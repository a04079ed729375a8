package userpool_test

import (
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// hostedUser signs name in on the hosted login page of c.
func (w *world) hostedUser(tb testing.TB, p userpool.Pool, c userpool.Client, name string) userpool.User {
	tb.Helper()
	step, err := w.auth.HostedSignIn(ctx, &p, &c, name, "Passw0rd!")
	if err != nil || step.Challenge != "" {
		tb.Fatalf("hosted sign-in: %v, challenge %q", err, step.Challenge)
	}
	return step.User
}

func TestWebSessionLifetime(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tags  map[string]string
		after func(w *world, p userpool.Pool, id string)
		alive bool
	}{
		{name: "a new session", alive: true},
		{name: "its last second", after: func(w *world, _ userpool.Pool, _ string) {
			w.clock.Advance(userpool.WebSessionLifetime - time.Second)
		}, alive: true},
		{name: "expired", after: func(w *world, _ userpool.Pool, _ string) { w.clock.Advance(userpool.WebSessionLifetime) }},
		{name: "ended (logout)", after: func(w *world, _ userpool.Pool, id string) {
			if err := w.auth.EndWebSession(ctx, id); err != nil {
				panic(err)
			}
		}},
		{name: "user disabled", after: func(w *world, p userpool.Pool, _ string) {
			if err := w.users.SetEnabled(ctx, userpool.Caller{}, p.ID, "alice", false); err != nil {
				panic(err)
			}
		}},
		{name: "user deleted", after: func(w *world, p userpool.Pool, _ string) {
			if err := w.users.DeleteUser(ctx, p.ID, "alice"); err != nil {
				panic(err)
			}
		}},
		{name: "global sign-out leaves it alive, as in Cognito", after: func(w *world, p userpool.Pool, _ string) {
			if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{}, p.ID, "alice"); err != nil {
				panic(err)
			}
		}, alive: true},
		{name: "global sign-out ends it when the pool's tag asks", tags: map[string]string{userpool.TagSignOutEndsHostedSessions: "true"},
			after: func(w *world, p userpool.Pool, _ string) {
				if err := w.sessions.AdminGlobalSignOut(ctx, userpool.Caller{}, p.ID, "alice"); err != nil {
					panic(err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ":memory:")
			p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
				PoolSettings: userpool.PoolSettings{UserPoolTags: tc.tags}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c"}})
			if err != nil {
				t.Fatal(err)
			}
			w.addUser(t, p, "alice")
			user := w.hostedUser(t, p, c, "alice")
			ws, err := w.auth.StartWebSession(ctx, &p, &user)
			if err != nil {
				t.Fatal(err)
			}
			if !ws.ExpiresAt.Equal(w.clock.Now().Add(time.Hour)) {
				t.Fatalf("expires at %v", ws.ExpiresAt)
			}
			if tc.after != nil {
				tc.after(w, p, ws.ID)
			}
			got, err := w.auth.WebSessionUser(ctx, &p, ws.ID)
			if tc.alive && (err != nil || got.Sub != user.Sub) {
				t.Fatalf("session should be alive: %v", err)
			}
			if !tc.alive && err == nil {
				t.Fatal("session should be over")
			}
		})
	}
}

func TestWebSessionBelongsToItsPool(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	other, _ := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	user := w.hostedUser(t, p, c, "alice")
	ws, err := w.auth.StartWebSession(ctx, &p, &user)
	if err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]string{"no cookie": "", "an unknown id": ws.ID + "x", "the store's key": ws.Key} {
		if _, err := w.auth.WebSessionUser(ctx, &p, id); err == nil {
			t.Errorf("%s signs in", name)
		}
	}
	if _, err := w.auth.WebSessionUser(ctx, &other, ws.ID); err == nil {
		t.Error("a session signs in to another pool")
	}
	// Ending an unknown or no session is not an error (a stale cookie).
	for _, id := range []string{"", "unknown"} {
		if err := w.auth.EndWebSession(ctx, id); err != nil {
			t.Errorf("EndWebSession(%q): %v", id, err)
		}
	}
}
