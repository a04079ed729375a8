package userpool_test

import (
	"path/filepath"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// Lowering the plan reads every app client of the pool, past the first page:
// the one client still allowing USER_AUTH is the last of 61 in the store's
// order, and it alone holds the plan up.
func TestTierChangeSeesEveryClient(t *testing.T) {
	w := newWorld(t, filepath.Join(t.TempDir(), "tiers.db"))
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "many"})
	if err != nil {
		t.Fatal(err)
	}
	userAuth := userpool.ClientSettings{ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}
	for range 61 {
		if _, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userAuth}); err != nil {
			t.Fatal(err)
		}
	}
	clients, err := w.store.ListClients(ctx, p.ID, "", 100)
	if err != nil || len(clients) != 61 {
		t.Fatalf("%d clients (%v)", len(clients), err)
	}
	srpOnly := userpool.ClientSettings{ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}}
	drop := func(c userpool.Client) {
		t.Helper()
		if _, err := w.pools.UpdateClient(ctx, userpool.UpdateClientInput{UserPoolId: p.ID, ClientId: c.ID, ClientSettings: srpOnly}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range clients[:60] {
		drop(c)
	}
	toLite := userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: userpool.PoolSettings{UserPoolTier: userpool.TierLite}}
	err = w.pools.UpdatePool(ctx, toLite)
	last := clients[60].ID
	want := "The feature plan of user pool " + p.ID + " can't change from ESSENTIALS to LITE while ExplicitAuthFlows ALLOW_USER_AUTH is configured on app client " +
		last + "; remove it first."
	if !userpool.IsType(err, userpool.TierChangeNotAllowed) || userpool.ErrorMessage(err) != want {
		t.Fatalf("lowering with client %s on USER_AUTH: %v\nwant %s", last, err, want)
	}
	drop(clients[60])
	if err := w.pools.UpdatePool(ctx, toLite); err != nil {
		t.Fatal(err)
	}
	got, err := userpool.GetPool(ctx, w.store, p.ID)
	if err != nil || got.Settings.UserPoolTier != userpool.TierLite {
		t.Fatalf("plan %q (%v), want LITE", got.Settings.UserPoolTier, err)
	}
	// Now on LITE, the client can't take USER_AUTH back.
	_, err = w.pools.UpdateClient(ctx, userpool.UpdateClientInput{UserPoolId: p.ID, ClientId: last, ClientSettings: userAuth})
	if !userpool.IsType(err, userpool.FeatureUnavailableInTier) {
		t.Fatalf("ALLOW_USER_AUTH on LITE: %v", err)
	}
}
