package userpool_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// The outbox stores codes sealed (security review #8): the store's rows hold
// neither the code nor a body carrying it, the outbox shows both, and rows
// go once no code in them can work.
func TestOutboxSealsCodesAndPurges(t *testing.T) {
	w, p, c, accounts := signUpWorld(t)
	for _, name := range []string{"zoe", "yan"} {
		if _, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: name, Password: "Passw0rd!",
			UserAttributes: []userpool.Attribute{{Name: "email", Value: name + "@example.com"}}}); err != nil {
			t.Fatal(err)
		}
	}
	shown, err := accounts.Outbox(ctx, p.ID, "zoe", 0, 10)
	if err != nil || len(shown) != 1 || len(shown[0].Code) != 6 || !strings.Contains(shown[0].Body, shown[0].Code) {
		t.Fatalf("outbox %+v %v", shown, err)
	}
	raw, _ := w.store.ListMessages(ctx, p.ID, "", 0, 10)
	if len(raw) != 2 {
		t.Fatalf("stored %+v", raw)
	}
	for _, m := range raw {
		if !strings.HasPrefix(m.Code, "sealed:") || !strings.HasPrefix(m.Body, "sealed:") {
			t.Fatalf("stored in plain text: %+v", m)
		}
		if strings.Contains(m.Code, shown[0].Code) || strings.Contains(m.Body, shown[0].Code) {
			t.Fatalf("stored row holds the code: %+v", m)
		}
	}
	// A sealed code moved to another user's row does not open there.
	zoe, yan := raw[0], raw[1]
	yan.Code, yan.Body = zoe.Code, zoe.Body
	if _, err := w.store.AddMessage(ctx, yan); err != nil {
		t.Fatal(err)
	}
	moved, _ := accounts.Outbox(ctx, p.ID, "yan", 0, 10)
	if len(moved) != 2 || moved[1].Code != "" || moved[1].Body != "" || moved[0].Code == "" {
		t.Fatalf("moved code opened: %+v", moved)
	}
	// Purging keeps messages younger than OutboxRetention.
	w.clock.Advance(userpool.OutboxRetention - time.Minute)
	if n, err := accounts.PurgeOutbox(ctx); err != nil || n != 0 {
		t.Fatalf("early purge: %d %v", n, err)
	}
	w.clock.Advance(2 * time.Minute)
	if n, err := accounts.PurgeOutbox(ctx); err != nil || n != 3 {
		t.Fatalf("purge: %d %v, want 3", n, err)
	}
}
