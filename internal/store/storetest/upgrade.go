package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// LegacyRows insert, in SQL both backends take, a pool and a user as the
// schema held them before sign-in names existed: a database an older
// release wrote. Run them on a database migrated to that point.
var LegacyRows = []string{
	`INSERT INTO pools(id, name, settings, schema_attrs, created_ns, modified_ns) VALUES ('us-east-1_old', 'old', '{"UsernameAttributes":["email"]}', '[]', 1, 1)`,
	`INSERT INTO users(pool_id, key, username, sub, attributes, status, enabled, password, created_ns, modified_ns)
	VALUES ('us-east-1_old', 'olduser', 'olduser', 'sub-old', '[{"Name":"sub","Value":"sub-old"},{"Name":"email","Value":"old@example.com"}]',
		'CONFIRMED', TRUE, '{}', 1, 1)`,
}

// CheckUpgrade is the upgrade test of a backend whose schema history is
// migrations. writeOld migrates an empty database with history (the
// entries before sign-in names) and runs rows (LegacyRows) on it; open
// then opens it with today's code and reports the schema version it
// found. The store must be at the last version and pass CheckUpgraded.
func CheckUpgrade(t *testing.T, migrations []string, writeOld func(history, rows []string) error,
	open func() (s userpool.Store, version int, err error)) {
	t.Helper()
	old := -1
	for i, m := range migrations {
		if strings.Contains(m, "ADD COLUMN sign_in_names") {
			old = i
		}
	}
	if old < 1 {
		t.Fatal("no sign-in names migration in the history")
	}
	if err := writeOld(migrations[:old], LegacyRows); err != nil {
		t.Fatal(err)
	}
	s, v, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v != len(migrations) {
		t.Fatalf("schema version %d after the upgrade, want %d", v, len(migrations))
	}
	CheckUpgraded(t, s)
}

// CheckUpgraded is the smoke check of a store opened on a database that
// held LegacyRows: the rows read back, sign-in names were computed, and the
// session paths (new session, revocation check, sign-out, update) work.
func CheckUpgraded(t *testing.T, s userpool.Store) {
	t.Helper()
	p, err := s.GetPool(ctx, "us-east-1_old")
	if err != nil || p.Name != "old" {
		t.Fatalf("legacy pool: %v %+v", err, p)
	}
	u, err := s.GetUserBySignInName(ctx, "us-east-1_old", "email:old@example.com")
	if err != nil || u.Sub != "sub-old" || !u.Enabled || len(u.Attributes) != 2 {
		t.Fatalf("legacy user by its backfilled sign-in name: %v %+v", err, u)
	}
	now := time.Now()
	must(t, s.CreateFamily(ctx, userpool.Family{ID: "f-old", PoolID: "us-east-1_old", ClientID: "c", UserSub: "sub-old",
		RefreshHash: []byte("h-old"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	if _, f, err := s.GetSession(ctx, "us-east-1_old", "sub-old", "f-old"); err != nil || f.Epoch != 0 {
		t.Fatalf("session on the upgraded database: %v", err)
	}
	out, err := s.SignOutUser(ctx, "us-east-1_old", userpool.ByUsernameKey, "olduser", now)
	if err != nil || out.Epoch != 1 || out.Families != 1 {
		t.Fatalf("sign-out on the upgraded database: %v %+v", err, out)
	}
	if _, err := s.UpdateUser(ctx, "us-east-1_old", "olduser", func(u userpool.User) (userpool.User, error) {
		u.Status = userpool.StatusResetRequired
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// CheckHistoryFrozen fails unless the first released entries of a
// backend's migrations hash (SHA-256 over the entries joined by NUL) to
// hash: databases in the field hold them, so they are never edited, only
// followed by new entries.
func CheckHistoryFrozen(t *testing.T, migrations []string, released int, hash string) {
	t.Helper()
	if len(migrations) < released {
		t.Fatalf("%d migrations, %d were released", len(migrations), released)
	}
	sum := sha256.Sum256([]byte(strings.Join(migrations[:released], "\x00")))
	if got := hex.EncodeToString(sum[:]); got != hash {
		t.Fatalf("a released migration was edited: history hash %s, want %s", got, hash)
	}
}
