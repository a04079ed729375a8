package sqlite

import (
	"context"
	"sync/atomic"
)

// Group commit: the hot writes (sign-out, new sessions, revocations,
// one-time values) are queued and applied by one goroutine, many to a
// transaction, so that one fsync makes a whole batch durable. Each write runs
// inside its own savepoint, so one failing write does not undo the others,
// and every caller is answered only after COMMIT returned: a 200 still means
// the write is on disk.

type groupOp struct {
	fn   func(*txn) error
	done chan error
}

const maxBatch = 256

// groupStats count group commits and the writes they carried: their ratio
// is the number of writes one fsync made durable.
type groupStats struct {
	commits, writes atomic.Uint64
}

// GroupCommits reports how many group commits ran and how many queued
// writes they carried.
func (s *Store) GroupCommits() (commits, writes uint64) {
	return s.stats.commits.Load(), s.stats.writes.Load()
}

func (s *Store) startGroupCommit() {
	s.ops = make(chan groupOp, maxBatch)
	s.groupDone = make(chan struct{})
	go s.groupLoop()
}

func (s *Store) groupLoop() {
	defer close(s.groupDone)
	for first := range s.ops {
		batch := []groupOp{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case op, ok := <-s.ops:
				if !ok {
					break drain
				}
				batch = append(batch, op)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Store) commitBatch(batch []groupOp) {
	results := make([]error, len(batch))
	tx, err := s.w.begin(context.Background())
	if err == nil {
		for i, op := range batch {
			results[i] = runIsolated(tx, op.fn)
		}
		err = tx.Commit()
		tx.end()
	}
	if err == nil {
		s.stats.commits.Add(1)
		s.stats.writes.Add(uint64(len(batch)))
	}
	for i, op := range batch {
		if err != nil {
			op.done <- err
		} else {
			op.done <- results[i]
		}
	}
}

// runIsolated runs fn in a savepoint, undoing only its own changes on error.
func runIsolated(tx *txn, fn func(*txn) error) error {
	if _, err := tx.Exec(`SAVEPOINT op`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Exec(`ROLLBACK TO op`)
		tx.Exec(`RELEASE op`)
		return err
	}
	_, err := tx.Exec(`RELEASE op`)
	return err
}

// group queues fn for the next group commit and waits until it is durable.
func (s *Store) group(ctx context.Context, fn func(*txn) error) error {
	done := make(chan error, 1)
	select {
	case s.ops <- groupOp{fn: fn, done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write will be applied; wait for its outcome even if
	// the caller gives up, so that the answer never lies about durability.
	return <-done
}
