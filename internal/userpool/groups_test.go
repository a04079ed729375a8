package userpool_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// Two UpdateGroup calls at once that change different members both land:
// the update is a compare-and-swap on the stored row, not a read in the
// domain followed by a blind write of every column.
func TestConcurrentGroupUpdatesKeepBothChanges(t *testing.T) {
	w := newWorld(t, filepath.Join(t.TempDir(), "db"))
	groups := &userpool.Groups{Store: w.store, Now: w.clock.Now}
	pool, _ := w.setup(t, userpool.CreateClientInput{})
	if _, err := groups.Create(ctx, userpool.CreateGroupInput{UserPoolId: pool.ID, GroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for round := range 20 {
		desc, role := fmt.Sprintf("d%d", round), fmt.Sprintf("arn:aws:iam::123456789012:role/r%d", round)
		var wg sync.WaitGroup
		for _, in := range []userpool.CreateGroupInput{
			{UserPoolId: pool.ID, GroupName: "g", Description: desc},
			{UserPoolId: pool.ID, GroupName: "g", RoleArn: role},
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := groups.Update(ctx, in); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		g, err := groups.Get(ctx, pool.ID, "g")
		if err != nil {
			t.Fatal(err)
		}
		if g.Description != desc || g.RoleArn != role {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of 20 rounds of two concurrent UpdateGroup calls lost one's change", lost)
	}
}
