package sqlite

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Group commit: the hot writes (sign-out, new sessions, revocations,
// one-time values) are queued and applied by one goroutine, many to a
// transaction, so that one fsync makes a whole batch durable. One failing
// write does not undo the others: a batch in which one fails is rolled back
// and applied again with each write in its own savepoint (savepoints cost two
// statements per write, and writes rarely fail, so only that retry pays for
// them). Every caller is answered only after COMMIT returned: a 200 still
// means the write is on disk. Writes must therefore be safe to run twice
// when the first run was rolled back.
//
// A patient write (a new session while other sign-ins are under way, its
// caller signing two tokens meanwhile) may wait up to gatherWindow for
// company before its batch commits; any other write ends the wait. Under
// load sign-ins otherwise arrive one per commit, each paying for its own
// BEGIN, WAL frames and fsync.

type groupOp struct {
	fn      func(*txn) error
	done    chan error
	patient bool
}

const maxBatch = 256

// gatherWindow is well under the time a sign-in spends signing its two
// tokens meanwhile (≥1.7 ms of CPU, several ms of wall time under load).
const gatherWindow = 500 * time.Microsecond

// groupStats count group commits and the writes they carried: their ratio
// is the number of writes one fsync made durable.
type groupStats struct {
	commits, writes atomic.Uint64
}

func (c *conn) startGroupCommit() {
	c.ops = make(chan groupOp, maxBatch)
	c.groupDone = make(chan struct{})
	c.after = time.After
	go c.groupLoop()
}

func (c *conn) groupLoop() {
	defer close(c.groupDone)
	for first := range c.ops {
		batch := c.collect([]groupOp{first}, nil)
		if allPatient(batch) {
			batch = c.collect(batch, c.after(gatherWindow))
		}
		c.commitBatch(batch)
	}
}

// collect adds queued writes to batch, up to maxBatch. With a nil window it
// takes only those already queued; otherwise it also waits for more until
// the window closes or a write that is not patient arrives, and then takes
// what is queued.
func (c *conn) collect(batch []groupOp, window <-chan time.Time) []groupOp {
	for len(batch) < maxBatch {
		var op groupOp
		var ok bool
		if window == nil {
			select {
			case op, ok = <-c.ops:
			default:
				return batch
			}
		} else {
			select {
			case op, ok = <-c.ops:
			case <-window:
				window = nil
				continue
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, op)
		if !op.patient {
			window = nil
		}
	}
	return batch
}

func allPatient(batch []groupOp) bool {
	for _, op := range batch {
		if !op.patient {
			return false
		}
	}
	return true
}

func (c *conn) commitBatch(batch []groupOp) {
	results := make([]error, len(batch))
	err := c.applyBatch(batch, results, false)
	if errors.Is(err, errWriteFailed) {
		err = c.applyBatch(batch, results, true)
	}
	if err == nil {
		c.stats.commits.Add(1)
		c.stats.writes.Add(uint64(len(batch)))
	}
	for i, op := range batch {
		if err != nil {
			op.done <- err
		} else {
			op.done <- results[i]
		}
	}
}

// errWriteFailed: a write of a batch applied without savepoints failed, and
// the batch was rolled back.
var errWriteFailed = errors.New("a write of the batch failed")

// applyBatch applies batch in one transaction and commits it, recording each
// write's outcome in results. Without isolation the first failing write
// rolls the whole transaction back and applyBatch returns errWriteFailed.
func (c *conn) applyBatch(batch []groupOp, results []error, isolated bool) error {
	tx, err := c.w.begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.end()
	tx.detached = true
	for i, op := range batch {
		if isolated {
			results[i] = runIsolated(tx, op.fn)
		} else if results[i] = op.fn(tx); results[i] != nil {
			tx.Rollback()
			return errWriteFailed
		}
	}
	return tx.Commit()
}

// runIsolated runs fn in a savepoint, undoing only its own changes on error.
func runIsolated(tx *txn, fn func(*txn) error) error {
	ctx := context.Background()
	if _, err := tx.Exec(ctx, `SAVEPOINT op`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Exec(ctx, `ROLLBACK TO op`)
		tx.Exec(ctx, `RELEASE op`)
		return err
	}
	_, err := tx.Exec(ctx, `RELEASE op`)
	return err
}

// group queues fn for the next group commit and waits until it is durable.
func (c *conn) group(ctx context.Context, fn func(*txn) error) error {
	return c.enqueue(ctx, groupOp{fn: fn, done: make(chan error, 1)})
}

// groupPatient is group for a write whose caller has other work to do
// meanwhile: its batch may wait up to gatherWindow for more writes.
func (c *conn) groupPatient(ctx context.Context, fn func(*txn) error) error {
	return c.enqueue(ctx, groupOp{fn: fn, done: make(chan error, 1), patient: true})
}

func (c *conn) enqueue(ctx context.Context, op groupOp) error {
	select {
	case c.ops <- op:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write will be applied; wait for its outcome even if
	// the caller gives up, so that the answer never lies about durability.
	return <-op.done
}
