package userpool_test

import (
	"bytes"
	"testing"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// A hash from before argon2id is replaced at the next successful sign-in,
// and only then.
func TestPasswordHashUpgradedAtSignIn(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	keeper, _ := secret.New(bytes.Repeat([]byte{1}, 32)) // newWorld's master key
	legacy := keeper.HashPassword("Passw0rd!")
	stored := func() []byte {
		u, err := w.store.GetUser(ctx, p.ID, "alice")
		if err != nil {
			t.Fatal(err)
		}
		return u.Password.Hash
	}
	if _, err := w.store.UpdateUser(ctx, p.ID, "alice", func(u userpool.User) (userpool.User, error) {
		u.Password.Hash = legacy
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.signIn(c, "alice", "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	if !bytes.Equal(stored(), legacy) {
		t.Fatal("a failed sign-in replaced the hash")
	}
	if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
		t.Fatalf("sign-in with a legacy hash: %v", err)
	}
	upgraded := stored()
	if !bytes.HasPrefix(upgraded, []byte("$argon2id$")) {
		t.Fatalf("hash after sign-in: %q", upgraded)
	}
	if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
		t.Fatalf("sign-in after the upgrade: %v", err)
	}
	if !bytes.Equal(stored(), upgraded) {
		t.Fatal("a current hash was replaced again")
	}
}
