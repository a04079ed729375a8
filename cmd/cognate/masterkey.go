package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// The master-key canary: a random value sealed with the master key on a
// database's first start. A process whose key cannot open it (a replica
// given another COGNATE_MASTER_KEY, a data dir whose master.key was
// replaced) refuses to start rather than answer InternalErrorException to
// every sign-in.
const (
	metaMasterKeyCanary = "master-key-canary"
	canaryLabel         = "cognate master key canary"
)

// checkMasterKey refuses a master key that cannot open what the database
// holds. keySource says where the key came from, for the message. A database
// that predates the canary is checked against one of its signing keys
// (opens says whether the key opens one) before the canary is stored.
func checkMasterKey(ctx context.Context, store userpool.Store, keeper *secret.Keeper, opens func(userpool.SigningKey) bool, keySource string) error {
	stored, err := store.GetMeta(ctx, metaMasterKeyCanary)
	if errors.Is(err, userpool.ErrNotFound) {
		if err := checkOneSigningKey(ctx, store, opens, keySource); err != nil {
			return err
		}
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return err
		}
		// A replica starting at the same time may store its canary first;
		// ours must then open that one.
		stored, err = store.PutMetaIfAbsent(ctx, metaMasterKeyCanary, base64.StdEncoding.EncodeToString(keeper.Seal(raw, canaryLabel)))
	}
	if err != nil {
		return fmt.Errorf("reading the master-key canary: %w", err)
	}
	sealed, err := base64.StdEncoding.DecodeString(stored)
	if err == nil {
		_, err = keeper.Open(sealed, canaryLabel)
	}
	if err != nil {
		return wrongMasterKey(keySource)
	}
	return nil
}

// checkOneSigningKey opens the first pool's first signing key, if any.
func checkOneSigningKey(ctx context.Context, store userpool.Store, opens func(userpool.SigningKey) bool, keySource string) error {
	pools, err := store.ListPools(ctx, "", 1)
	if err != nil || len(pools) == 0 {
		return err
	}
	keys, err := store.ListSigningKeys(ctx, pools[0].ID)
	if err != nil || len(keys) == 0 {
		return err
	}
	if !opens(keys[0]) {
		return wrongMasterKey(keySource)
	}
	return nil
}

func wrongMasterKey(keySource string) error {
	return fmt.Errorf("the master key from %s is not the one this database was first served with: it cannot open "+
		"the database's sealed values, so no one could sign in; start with COGNATE_MASTER_KEY set to that key "+
		"(base64, 32 bytes; every replica must share it), or with the data dir's original master.key and "+
		"COGNATE_MASTER_KEY unset", keySource)
}
