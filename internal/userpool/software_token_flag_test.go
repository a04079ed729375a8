package userpool_test

import (
	"encoding/json"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// TestSoftwareTokenFlagIsSetOnlyBySetUserPoolMfaConfig: the flag is domain
// state, not a UserPoolType member, so neither CreateUserPool's nor
// UpdateUserPool's request may set or clear it.
func TestSoftwareTokenFlagIsSetOnlyBySetUserPoolMfaConfig(t *testing.T) {
	w := newWorld(t, ":memory:")
	var in userpool.CreatePoolInput
	must(t, json.Unmarshal([]byte(`{"PoolName":"p","SoftwareTokenMfaEnabled":true}`), &in))
	p, err := w.pools.CreatePool(ctx, "us-east-1", in)
	must(t, err)
	if got, _ := w.store.GetPool(ctx, p.ID); got.Settings.SoftwareTokenMfaEnabled {
		t.Fatal("CreateUserPool's request turned software-token MFA on")
	}

	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now}
	on := true
	_, err = mfa.SetPoolConfig(ctx, p.ID, "OPTIONAL", &on, nil)
	must(t, err)
	must(t, w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID,
		PoolSettings: userpool.PoolSettings{MfaConfiguration: "OPTIONAL"}}))
	if got, _ := w.store.GetPool(ctx, p.ID); !got.Settings.SoftwareTokenMfaEnabled || got.Settings.MfaConfiguration != "OPTIONAL" {
		t.Fatalf("UpdateUserPool cleared software-token MFA: %+v", got.Settings)
	}
}
