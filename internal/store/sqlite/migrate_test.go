package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/store/storetest"
	"github.com/cognate/cognate/internal/userpool"
)

// The schema history main's binaries created (15 entries), frozen: see
// storetest.CheckHistoryFrozen.
func TestMigrationHistoryFrozen(t *testing.T) {
	storetest.CheckHistoryFrozen(t, migrations, 15, "9f8e57814cb71ed61bff40a6e5565629cccbab6485b107c9e80c6978bcc28f37")
}

// A database an older release wrote (migrated to the version before
// sign-in names, holding rows) opens with today's code.
func TestUpgradeFromOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := context.Background()
	storetest.CheckUpgrade(t, migrations, func(history, rows []string) error {
		if err := ownerOnly(path); err != nil {
			return err
		}
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_txlock=immediate")
		if err != nil {
			return err
		}
		d := newDB(raw)
		defer d.Close()
		if err := sqlstore.Migrate(ctx, d.rawTx, dialect, history); err != nil {
			return err
		}
		for _, q := range rows {
			if _, err := raw.Exec(q); err != nil {
				return err
			}
		}
		return nil
	}, func() (userpool.Store, int, error) {
		s, err := Open(path)
		if err != nil {
			return nil, 0, err
		}
		var v int
		return s, v, s.x.w.QueryRow(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	})
}
