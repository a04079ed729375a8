package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
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
	if _, err := s.x.w.ExecContext(ctx, `CREATE TABLE scratch (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(k string) func(*txn) error {
		return func(tx *txn) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO scratch(k) VALUES (?)`, k)
			return err
		}
	}
	errBroken := errors.New("broken after its insert")

	// Hold the committer inside a batch while the next one queues up, so
	// that the writes below share one transaction.
	holding, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.x.group(ctx, func(tx *txn) error {
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
			results[i] = s.x.group(ctx, fn)
		}()
	}
	// Every write is queued before the held batch is let go.
	for len(s.x.ops) < n {
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
	rows, err := s.x.w.QueryContext(ctx, `SELECT k FROM scratch ORDER BY k`)
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

// gatherStore is a store whose gather-window timer the test fires: each
// time the committer starts waiting for company, the timer's channel is
// handed to the test.
func gatherStore(t *testing.T) (*Store, chan chan time.Time) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "gather.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.x.w.ExecContext(context.Background(), `CREATE TABLE scratch (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan chan time.Time, 1)
	s.x.after = func(time.Duration) <-chan time.Time {
		c := make(chan time.Time, 1)
		waiting <- c
		return c
	}
	return s, waiting
}

func insertScratch(k string) func(*txn) error {
	return func(tx *txn) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO scratch(k) VALUES (?)`, k)
		return err
	}
}

func within(t *testing.T, what string, c <-chan error) {
	t.Helper()
	select {
	case err := <-c:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no answer", what)
	}
}

// A patient write waits for company until its window closes, and is
// committed then.
func TestPatientWriteWaitsForItsWindow(t *testing.T) {
	s, waiting := gatherStore(t)
	commits0, _ := s.GroupCommits()
	done := make(chan error, 1)
	go func() { done <- s.x.groupPatient(context.Background(), insertScratch("patient")) }()
	var window chan time.Time
	select {
	case window = <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the committer did not wait for company")
	}
	select {
	case err := <-done:
		t.Fatalf("answered before its window closed (%v)", err)
	default:
	}
	window <- time.Now()
	within(t, "patient write", done)
	if commits, _ := s.GroupCommits(); commits-commits0 != 1 {
		t.Errorf("%d commits, want 1", commits-commits0)
	}
}

// A write that is not patient ends the wait at once and shares the commit;
// alone, it never waits.
func TestOtherWriteEndsTheWait(t *testing.T) {
	s, waiting := gatherStore(t)
	commits0, writes0 := s.GroupCommits()
	patient := make(chan error, 1)
	go func() { patient <- s.x.groupPatient(context.Background(), insertScratch("patient")) }()
	select {
	case <-waiting: // never fired: the other write must end the wait
	case <-time.After(10 * time.Second):
		t.Fatal("the committer did not wait for company")
	}
	other := make(chan error, 1)
	go func() { other <- s.x.group(context.Background(), insertScratch("other")) }()
	within(t, "other write", other)
	within(t, "patient write", patient)
	if commits, writes := s.GroupCommits(); commits-commits0 != 1 || writes-writes0 != 2 {
		t.Errorf("%d commits carrying %d writes, want 1 carrying 2", commits-commits0, writes-writes0)
	}

	alone := make(chan error, 1)
	go func() { alone <- s.x.group(context.Background(), insertScratch("alone")) }()
	within(t, "lone write", alone)
	select {
	case <-waiting:
		t.Error("a write that is not patient waited for company")
	default:
	}
}
