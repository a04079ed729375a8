package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/store/storetest"
	"github.com/cognate/cognate/internal/userpool"
)

// The schema history main's binaries created (7 entries), frozen: see
// storetest.CheckHistoryFrozen.
func TestMigrationHistoryFrozen(t *testing.T) {
	storetest.CheckHistoryFrozen(t, migrations, 7, "ac4cc663355ddaa4034181adfc1444461324cf36f7d936f8ce65236ea15f6fad")
}

// A database an older release wrote (migrated to the version before
// sign-in names, holding rows) opens with today's code.
func TestUpgradeFromOlderSchema(t *testing.T) {
	url := freshSchema(t)
	ctx := context.Background()
	storetest.CheckUpgrade(t, migrations, func(history, rows []string) error {
		db, err := pgxpool.New(ctx, url)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := sqlstore.Migrate(ctx, (&pool{db: db}).Tx, dialect, history); err != nil {
			return err
		}
		for _, q := range rows {
			if _, err := db.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}, func() (userpool.Store, int, error) {
		s, err := Open(ctx, url, 4)
		if err != nil {
			return nil, 0, err
		}
		var v int
		return s, v, s.p.Reader().QueryRow(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	})
}
