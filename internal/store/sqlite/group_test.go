package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// A batch in which one write fails commits the others and undoes only the
// failing write's changes, and each caller hears its own outcome.
func TestGroupCommitIsolatesAFailingWrite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE scratch (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(k string) func(*txn) error {
		return func(tx *txn) error {
			_, err := tx.Exec(`INSERT INTO scratch(k) VALUES (?)`, k)
			return err
		}
	}
	errBroken := errors.New("broken after its insert")

	// Hold the committer inside a batch while the next one queues up, so
	// that the writes below share one transaction.
	holding, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.group(ctx, func(tx *txn) error {
			close(holding)
			<-release
			return insert("held")(tx)
		})
	}()
	<-holding
	commits0, writes0 := s.GroupCommits()

	const n = 10
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := insert(fmt.Sprint("ok-", i))
			if i == 3 || i == 7 {
				fn = func(tx *txn) error {
					if err := insert(fmt.Sprint("undone-", i))(tx); err != nil {
						return err
					}
					return errBroken
				}
			}
			results[i] = s.group(ctx, fn)
		}()
	}
	// Every write is queued before the held batch is let go.
	for len(s.ops) < n {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i, err := range results {
		if failing := i == 3 || i == 7; failing != errors.Is(err, errBroken) || !failing && err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	rows, err := s.w.QueryContext(ctx, `SELECT k FROM scratch ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		got = append(got, k)
	}
	want := "[held ok-0 ok-1 ok-2 ok-4 ok-5 ok-6 ok-8 ok-9]"
	if fmt.Sprint(got) != want {
		t.Fatalf("rows %v, want %s", got, want)
	}
	// Two commits: the held write's, then one for all ten queued writes.
	if commits, writes := s.GroupCommits(); commits-commits0 != 2 || writes-writes0 != 1+n {
		t.Fatalf("%d commits carrying %d writes, want 2 carrying %d", commits-commits0, writes-writes0, 1+n)
	}
}
