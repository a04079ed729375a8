package userpool

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The background work of started import jobs. A job is durable: its
// status, counts and the number of rows worked through (Row) are stored
// after every row, and a worker holds it under a lease it renews as it
// goes. A process that shuts down gives the lease up between rows
// (release); one that crashes leaves it to run out. Either way the job —
// still InProgress — is resumed at its Row by whichever worker looks
// next: this process after a restart, or another replica. A user
// is one write (newUser), so a crash never leaves half a user; the one
// user written just before a crash, before its row's count was stored, is
// counted Skipped (its username exists) when the row is worked again.

const (
	// importLease is how long a worker holds a job without renewing.
	importLease = 30 * time.Second
	// importPoll is how often Run looks for jobs besides being woken:
	// the jobs of other replicas' requests and jobs whose lease ran out.
	importPoll = 2 * time.Second
	// maxCompletionMessage is CompletionMessageType's max length.
	maxCompletionMessage = 128
)

// NewImportJobs is ImportJobs with Run's wake-up channel.
func NewImportJobs(s ImportJobs) *ImportJobs {
	s.kick = make(chan struct{}, 1)
	return &s
}

func (s *ImportJobs) wake() {
	select {
	case s.kick <- struct{}{}:
	default: // a wake-up is already pending (or nobody runs)
	}
}

// Run works the jobs until ctx ends: when a job is started here, and
// every importPoll.
func (s *ImportJobs) Run(ctx context.Context, onError func(error)) {
	t := time.NewTicker(importPoll)
	defer t.Stop()
	for {
		if _, err := s.Work(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// Work takes every job waiting for a worker and works it to its end (or
// until it is stopped); it reports how many jobs it finished.
func (s *ImportJobs) Work(ctx context.Context) (int, error) {
	if err := s.expireDue(ctx); err != nil {
		return 0, err
	}
	done := 0
	for ctx.Err() == nil {
		jobs, err := s.Store.ImportJobsToRun(ctx, []string{ImportJobPending, ImportJobInProgress, ImportJobStopping}, s.Now(), 1)
		if err != nil || len(jobs) == 0 {
			return done, err
		}
		j, ok, err := s.claim(ctx, jobs[0])
		if err != nil {
			return done, err
		}
		if ok {
			if err := s.work(ctx, j); err != nil {
				return done, err
			}
			done++
		}
	}
	return done, ctx.Err()
}

var errLeaseHeld = errors.New("import job taken by another worker")

// claim takes the job's lease (one winner among workers); a job left
// Stopping by a worker that went away is Stopped here.
func (s *ImportJobs) claim(ctx context.Context, seen UserImportJob) (UserImportJob, bool, error) {
	j, err := s.Store.UpdateImportJob(ctx, seen.PoolID, seen.ID, func(j UserImportJob) (UserImportJob, error) {
		now := s.Now()
		if j.LeaseUntil.After(now) || j.finished() || j.Status == ImportJobCreated {
			return j, errLeaseHeld
		}
		if j.Status == ImportJobStopping {
			stopJob(&j, now)
			return j, nil
		}
		j.Status, j.LeaseUntil = ImportJobInProgress, now.Add(importLease)
		return j, nil
	})
	if errors.Is(err, errLeaseHeld) || errors.Is(err, ErrNotFound) { // another worker's, or its pool went
		return j, false, nil
	}
	if err == nil && j.Status == ImportJobStopped {
		s.finished(j)
	}
	return j, err == nil && j.Status == ImportJobInProgress, err
}

func stopJob(j *UserImportJob, now time.Time) {
	j.Status, j.CompletedAt, j.LeaseUntil, j.CompletionMessage = ImportJobStopped, now, time.Time{}, "Import Job Stopped"
	j.File = noFile
}

// finish ends the job in a final status, or in Stopped if a stop came.
func (s *ImportJobs) finish(ctx context.Context, j UserImportJob, status, message string) error {
	done, err := s.Store.UpdateImportJob(ctx, j.PoolID, j.ID, func(cur UserImportJob) (UserImportJob, error) {
		now := s.Now()
		if cur.Status == ImportJobStopping {
			stopJob(&cur, now)
			return cur, nil
		}
		if len(message) > maxCompletionMessage {
			message = message[:maxCompletionMessage]
		}
		cur.Status, cur.CompletedAt, cur.LeaseUntil, cur.CompletionMessage = status, now, time.Time{}, message
		cur.File = noFile
		return cur, nil
	})
	if errors.Is(err, ErrNotFound) { // the pool was deleted meanwhile
		return nil
	}
	if err == nil {
		s.finished(done)
	}
	return err
}

func (s *ImportJobs) finished(j UserImportJob) {
	if s.Finished != nil {
		s.Finished(j)
	}
}

// work imports the job's rows from its Row on, storing the counts after
// each row and honouring a stop between rows.
func (s *ImportJobs) work(ctx context.Context, j UserImportJob) error {
	pool, err := GetPool(ctx, s.Store, j.PoolID)
	if IsType(err, ResourceNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	sealed, err := s.Store.ImportJobFile(ctx, j.PoolID, j.ID)
	if err != nil {
		return err
	}
	file, err := s.Sealer.Open(sealed, importFileLabel(j.PoolID, j.ID))
	if err != nil {
		return s.finish(ctx, j, ImportJobFailed, "The uploaded file cannot be opened with this server's key.")
	}
	header, err := s.poolsView().CSVHeader(ctx, j.PoolID)
	if err != nil {
		return err
	}
	f, err := parseImportFile(&pool, file, header)
	if err != nil {
		return s.finish(ctx, j, ImportJobFailed, err.Error())
	}
	for j.Row < len(f.rows) {
		if ctx.Err() != nil {
			return s.release(j)
		}
		imported, skipped, failed, err := s.importRow(ctx, &pool, j, f.columns, f.rows[j.Row])
		if ctx.Err() != nil {
			return s.release(j)
		} else if err != nil {
			return err // the store failed: the lease runs out and the row is worked again
		}
		stopped := false
		j, err = s.Store.UpdateImportJob(ctx, j.PoolID, j.ID, func(cur UserImportJob) (UserImportJob, error) {
			now := s.Now()
			cur.Imported, cur.Skipped, cur.Failed = cur.Imported+imported, cur.Skipped+skipped, cur.Failed+failed
			cur.Row++
			if cur.Status == ImportJobStopping {
				stopJob(&cur, now)
				stopped = true
			} else {
				cur.LeaseUntil = now.Add(importLease)
			}
			return cur, nil
		})
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		} else if stopped {
			s.finished(j)
			return nil
		}
	}
	if j.Failed > 0 {
		return s.finish(ctx, j, ImportJobFailed, fmt.Sprintf("Import Job Completed with %d failed users", j.Failed))
	}
	return s.finish(ctx, j, ImportJobSucceeded, "Import Job Completed Successfully")
}

func (s *ImportJobs) poolsView() *Pools { return &Pools{Store: s.Store, Now: s.Now} }

// importRow creates the row's user through newUser, as AdminCreateUser
// does, in RESET_REQUIRED with a random password no one knows (Cognito's
// imported users have none: they reset it before signing in). The user's
// creation date is the import's. A username the pool has is skipped; a
// row that breaks a rule fails. Other errors (the store's) are returned.
func (s *ImportJobs) importRow(ctx context.Context, pool *Pool, j UserImportJob, columns, row []string) (imported, skipped, failed int64, err error) {
	username, attrs, rowErr := importUser(pool, columns, row)
	if rowErr != nil {
		s.rowFailed(j, rowErr)
		return 0, 0, 1, nil
	}
	_, err = newUser(ctx, s.Store, s.Credentials, s.Now(), pool, userToCreate{username: username, attrs: attrs,
		status: StatusResetRequired, password: GeneratePassword(passwordPolicy(pool)), existsMessage: "User account already exists"})
	var e *Error
	switch {
	case err == nil:
		return 1, 0, 0, nil
	case IsType(err, UsernameExists):
		return 0, 1, 0, nil
	case errors.As(err, &e):
		s.rowFailed(j, err)
		return 0, 0, 1, nil
	}
	return 0, 0, 0, err
}

// rowFailed tells the operator why a row failed (Cognito writes it to the
// job's CloudWatch log); the row is numbered as in the file, header 1.
func (s *ImportJobs) rowFailed(j UserImportJob, err error) {
	if s.RowFailed != nil {
		s.RowFailed(j, j.Row+2, err)
	}
}

// expireDue stores Expired (dropping the file) on the Created jobs whose
// day ran out.
func (s *ImportJobs) expireDue(ctx context.Context) error {
	for {
		due, err := s.Store.ImportJobsToRun(ctx, []string{ImportJobCreated}, s.Now(), 100)
		if err != nil || len(due) == 0 {
			return err
		}
		for _, j := range due {
			_, err := s.Store.UpdateImportJob(ctx, j.PoolID, j.ID, func(j UserImportJob) (UserImportJob, error) {
				expire(&j, s.Now())
				if j.Status == ImportJobCreated { // not due after all: a clock behind the one that listed it
					return j, errLeaseHeld
				}
				return j, nil
			})
			if errors.Is(err, errLeaseHeld) {
				return nil
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
}

// release gives up the job's lease when the process shuts down, so that
// the next worker (this process restarted, or another replica) resumes
// it at once rather than when the lease would have run out.
func (s *ImportJobs) release(j UserImportJob) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.Store.UpdateImportJob(ctx, j.PoolID, j.ID, func(cur UserImportJob) (UserImportJob, error) {
		cur.LeaseUntil = time.Time{}
		return cur, nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return context.Canceled
}
