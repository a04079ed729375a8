package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/racetest"
	"github.com/cognate/cognate/internal/userpool"
)

func importJob(poolID, id string, created time.Time) userpool.UserImportJob {
	return userpool.UserImportJob{PoolID: poolID, ID: id, Name: "job " + id, CloudWatchLogsRoleArn: "arn:aws:iam::1:role/import",
		Status: userpool.ImportJobCreated, CreatedAt: created}
}

// testImportJobs: create, read without the file, update with and without
// it, list in ID order, the jobs to run by status and lease, and the jobs
// go with their pool.
func testImportJobs(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	must(t, s.CreatePool(ctx, pool("us-east-1_b")))
	for i, id := range []string{"import-b", "import-a", "import-c"} {
		must(t, s.CreateImportJob(ctx, importJob("us-east-1_a", id, t0.Add(time.Duration(i)*time.Second))))
	}
	must(t, s.CreateImportJob(ctx, importJob("us-east-1_b", "import-a", t0)))
	wantErr(t, s.CreateImportJob(ctx, importJob("us-east-1_a", "import-a", t0)), userpool.ErrAlreadyExists)
	_, err := s.GetImportJob(ctx, "us-east-1_a", "import-z")
	wantErr(t, err, userpool.ErrNotFound)
	_, err = s.UpdateImportJob(ctx, "us-east-1_a", "import-z", func(j userpool.UserImportJob) (userpool.UserImportJob, error) { return j, nil })
	wantErr(t, err, userpool.ErrNotFound)

	csv := []byte("cognito:username\nalice\n")
	out, err := s.UpdateImportJob(ctx, "us-east-1_a", "import-a", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.File, j.Uploaded = csv, int64(len(csv))
		return j, nil
	})
	must(t, err)
	if out.File != nil || out.Uploaded != int64(len(csv)) {
		t.Fatalf("update returned %+v", out)
	}
	// An update without a file keeps the one stored.
	_, err = s.UpdateImportJob(ctx, "us-east-1_a", "import-a", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		if j.File != nil {
			t.Error("UpdateImportJob handed fn the file")
		}
		j.Status, j.StartedAt, j.Imported, j.Skipped, j.Failed, j.Row = userpool.ImportJobInProgress, t0.Add(time.Minute), 3, 2, 1, 6
		j.LeaseUntil, j.CompletionMessage = t0.Add(2*time.Minute), "Working"
		return j, nil
	})
	must(t, err)
	got, err := s.GetImportJob(ctx, "us-east-1_a", "import-a")
	must(t, err)
	if got.Status != userpool.ImportJobInProgress || !got.StartedAt.Equal(t0.Add(time.Minute)) || got.Imported != 3 || got.Skipped != 2 ||
		got.Failed != 1 || got.Row != 6 || !got.LeaseUntil.Equal(t0.Add(2*time.Minute)) || got.CompletionMessage != "Working" ||
		got.Name != "job import-a" || got.CloudWatchLogsRoleArn != "arn:aws:iam::1:role/import" || !got.CreatedAt.Equal(t0.Add(time.Second)) ||
		!got.CompletedAt.IsZero() || got.File != nil {
		t.Fatalf("job %+v", got)
	}
	file, err := s.ImportJobFile(ctx, "us-east-1_a", "import-a")
	must(t, err)
	if !bytes.Equal(file, csv) {
		t.Fatalf("file %q", file)
	}
	// An empty (non-nil) file replaces the one stored.
	_, err = s.UpdateImportJob(ctx, "us-east-1_a", "import-c", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.File = csv
		return j, nil
	})
	must(t, err)
	_, err = s.UpdateImportJob(ctx, "us-east-1_a", "import-c", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.File = []byte{}
		return j, nil
	})
	must(t, err)
	if file, _ := s.ImportJobFile(ctx, "us-east-1_a", "import-c"); len(file) != 0 {
		t.Fatalf("file after dropping it %q", file)
	}
	if file, _ := s.ImportJobFile(ctx, "us-east-1_a", "import-b"); file != nil {
		t.Fatalf("a job without an upload has file %q", file)
	}
	list, err := s.ListImportJobs(ctx, "us-east-1_a", "import-a", 10)
	must(t, err)
	if len(list) != 2 || list[0].ID != "import-b" || list[1].ID != "import-c" {
		t.Fatalf("list %+v", list)
	}

	// To run: the statuses asked for, lease ended before now, oldest first.
	_, err = s.UpdateImportJob(ctx, "us-east-1_a", "import-c", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.Status = userpool.ImportJobPending
		return j, nil
	})
	must(t, err)
	statuses := []string{userpool.ImportJobPending, userpool.ImportJobInProgress}
	run, err := s.ImportJobsToRun(ctx, statuses, t0.Add(2*time.Minute), 10)
	must(t, err)
	if len(run) != 1 || run[0].ID != "import-c" {
		t.Fatalf("to run while import-a's lease holds: %+v", run)
	}
	run, _ = s.ImportJobsToRun(ctx, statuses, t0.Add(3*time.Minute), 10)
	if len(run) != 2 || run[0].ID != "import-a" || run[1].ID != "import-c" {
		t.Fatalf("to run after the lease: %+v", run)
	}

	must(t, s.DeletePool(ctx, "us-east-1_a"))
	_, err = s.GetImportJob(ctx, "us-east-1_a", "import-a")
	wantErr(t, err, userpool.ErrNotFound)
	if _, err := s.GetImportJob(ctx, "us-east-1_b", "import-a"); err != nil {
		t.Fatalf("the other pool's job: %v", err)
	}
}

// testConcurrentImportJobClaims: workers racing to take a job's lease
// (compare-and-swap on UpdateImportJob) — exactly one wins.
func testConcurrentImportJobClaims(t *testing.T, s userpool.Store) {
	must(t, s.CreatePool(ctx, pool("us-east-1_a")))
	j := importJob("us-east-1_a", "import-a", t0)
	j.Status = userpool.ImportJobPending
	must(t, s.CreateImportJob(ctx, j))
	won, _ := racetest.Count(t, 8, func(int) error {
		_, err := s.UpdateImportJob(ctx, "us-east-1_a", "import-a", func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
			if j.LeaseUntil.After(t0) {
				return j, userpool.ErrAlreadyExists
			}
			j.LeaseUntil = t0.Add(time.Minute)
			return j, nil
		})
		return err
	}, func(err error) bool { return errors.Is(err, userpool.ErrAlreadyExists) })
	if won != 1 {
		t.Fatalf("%d workers took the lease", won)
	}
}
