package userpool

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/cognate/cognate/internal/secret"
)

// User import jobs: CreateUserImportJob, StartUserImportJob,
// StopUserImportJob, DescribeUserImportJob, ListUserImportJobs, and the
// upload of the job's CSV file to its PreSignedUrl, after Cognito's guide
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html
// (the file's rules: user_import_csv.go; the work: user_import_run.go).

// PreconditionNotMet is Cognito's PreconditionNotMetException: the job is
// not in a status that allows the request.
const PreconditionNotMet = "PreconditionNotMetException"

const (
	// ImportJobExpiry: a job not started this long after its creation is
	// Expired. Cognito's guide says a job not started "within 24-48 hours"
	// expires; Cognate takes 24 hours.
	ImportJobExpiry = 24 * time.Hour
	// ImportUploadLifetime is how long a job's PreSignedUrl accepts the
	// file. Cognito's is an S3 presigned URL whose lifetime it does not
	// publish; Cognate's is an hour, well within the job's expiry.
	ImportUploadLifetime = time.Hour
	// MaxImportFileBytes bounds the uploaded file: Cognito's guide limits
	// the CSV file to 100 MB.
	MaxImportFileBytes = 100 << 20
	// maxImportJobsListed is ListUserImportJobs' MaxResults ceiling
	// (PoolQueryLimitType's max is 60 but UserImportJobsListType holds 50).
	maxImportJobsListed = 50
)

// ImportJobs runs the pools' user import jobs.
type ImportJobs struct {
	Store       Store
	Now         Clock
	Credentials Credentials
	// Sealer's MAC binds an upload URL to its pool, job and expiry.
	Sealer Sealer
	// RowFailed, when set, hears why a row of a job failed (row counted
	// from the header, 1; blank lines not counted).
	RowFailed func(j UserImportJob, row int, err error)
	// Finished, when set, hears of each job a worker brought to a final
	// status.
	Finished func(j UserImportJob)
	// kick wakes Run when a job is started (nil: Run's ticker finds it).
	kick chan struct{}
}

// CreateImportJob creates a job in status Created, waiting for its file.
func (s *ImportJobs) CreateImportJob(ctx context.Context, poolID, name, roleArn string) (UserImportJob, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return UserImportJob{}, err
	}
	now := s.Now()
	// A Created job's lease is when it expires: Work's sweep finds it
	// then (ImportJobsToRun), and not before.
	j := UserImportJob{PoolID: poolID, ID: "import-" + secret.RandomAlphanumeric(10), Name: name, CloudWatchLogsRoleArn: roleArn,
		Status: ImportJobCreated, CreatedAt: now, LeaseUntil: now.Add(ImportJobExpiry)}
	return j, s.Store.CreateImportJob(ctx, j)
}

// ImportJob returns the job (DescribeUserImportJob).
func (s *ImportJobs) ImportJob(ctx context.Context, poolID, id string) (UserImportJob, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return UserImportJob{}, err
	}
	j, err := s.Store.GetImportJob(ctx, poolID, id)
	if errors.Is(err, ErrNotFound) {
		return j, Errorf(ResourceNotFound, "Import job %s does not exist in user pool %s.", id, poolID)
	}
	expire(&j, s.Now())
	return j, err
}

// ListImportJobs returns up to max jobs of the pool ordered by ID and the
// token of the next page ("" on the last). The token is the last job's ID.
func (s *ImportJobs) ListImportJobs(ctx context.Context, poolID string, max int, token string) ([]UserImportJob, string, error) {
	if max < 1 {
		return nil, "", Errorf(InvalidParameter, "MaxResults must be at least 1.")
	}
	// The model lets MaxResults reach 60 but a page holds 50 at most:
	// Cognate answers 50 and a token rather than refuse a valid request.
	max = min(max, maxImportJobsListed)
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return nil, "", err
	}
	jobs, err := s.Store.ListImportJobs(ctx, poolID, token, max+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(jobs) > max {
		jobs, next = jobs[:max], jobs[max-1].ID
	}
	now := s.Now()
	for i := range jobs {
		expire(&jobs[i], now)
	}
	return jobs, next, nil
}

// expire marks a job that was not started in time Expired and drops its
// file (Cognito deletes an expired job's data). Reads show it at once; the
// next write stores it — at the latest Work's sweep (expireDue).
func expire(j *UserImportJob, now time.Time) {
	if j.Status == ImportJobCreated && !now.Before(j.CreatedAt.Add(ImportJobExpiry)) {
		j.Status, j.CompletedAt, j.LeaseUntil = ImportJobExpired, j.CreatedAt.Add(ImportJobExpiry), time.Time{}
		j.File = noFile
	}
}

// noFile, stored as a job's File, drops the uploaded one: a job that
// ended needs it no more, and it holds the users' addresses.
var noFile = []byte{}

// updateJob is UpdateImportJob with the job expired first and Cognito's
// error for a job that does not exist.
func (s *ImportJobs) updateJob(ctx context.Context, poolID, id string, fn func(j *UserImportJob, now time.Time) error) (UserImportJob, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return UserImportJob{}, err
	}
	j, err := s.Store.UpdateImportJob(ctx, poolID, id, func(j UserImportJob) (UserImportJob, error) {
		now := s.Now()
		expire(&j, now)
		return j, fn(&j, now)
	})
	if errors.Is(err, ErrNotFound) {
		return j, Errorf(ResourceNotFound, "Import job %s does not exist in user pool %s.", id, poolID)
	}
	return j, err
}

// StartImportJob queues a Created job whose file was uploaded; the work
// happens in the background (Run), so the answer is Pending.
func (s *ImportJobs) StartImportJob(ctx context.Context, poolID, id string) (UserImportJob, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return UserImportJob{}, err
	}
	// Cognito's guide: a pool without an auto-verified attribute cannot
	// verify its imported users, and the job does not start.
	if len(p.Settings.AutoVerifiedAttributes) == 0 {
		return UserImportJob{}, Errorf(PreconditionNotMet, "User pool %s has no auto-verified attributes (email or phone_number); imported users need one.", poolID)
	}
	j, err := s.updateJob(ctx, poolID, id, func(j *UserImportJob, now time.Time) error {
		if j.Status != ImportJobCreated {
			return Errorf(PreconditionNotMet, "Import job %s is %s; only a Created job can be started.", id, j.Status)
		}
		if j.Uploaded == 0 {
			return Errorf(PreconditionNotMet, "Import job %s has no file yet: upload the CSV to its PreSignedUrl first.", id)
		}
		j.Status, j.StartedAt, j.LeaseUntil = ImportJobPending, now, time.Time{} // free for the first worker
		return nil
	})
	if err == nil {
		s.wake()
	}
	return j, err
}

// StopImportJob stops a job: a Pending one at once, an InProgress one
// between two rows (Stopping until the worker sees it).
func (s *ImportJobs) StopImportJob(ctx context.Context, poolID, id string) (UserImportJob, error) {
	return s.updateJob(ctx, poolID, id, func(j *UserImportJob, now time.Time) error {
		switch j.Status {
		case ImportJobPending:
			stopJob(j, now)
		case ImportJobInProgress:
			j.Status = ImportJobStopping
		default:
			return Errorf(PreconditionNotMet, "Import job %s is %s; only a Pending or InProgress job can be stopped.", id, j.Status)
		}
		return nil
	})
}

// UploadURL is the job's PreSignedUrl on this server (base: its public
// base URL): PUT <base>/user-import/<pool>/<job>?expires=<unix>&token=<MAC>.
// The token is a MAC of pool, job and expiry under the server's key, so
// the URL opens that one job's upload until then and nothing else. It is
// the same on every read of the job.
func (s *ImportJobs) UploadURL(base string, j UserImportJob) string {
	expires := j.CreatedAt.Add(ImportUploadLifetime).Unix()
	q := url.Values{"expires": {strconv.FormatInt(expires, 10)}, "token": {s.uploadToken(j.PoolID, j.ID, expires)}}
	return base + "/user-import/" + url.PathEscape(j.PoolID) + "/" + url.PathEscape(j.ID) + "?" + q.Encode()
}

func (s *ImportJobs) uploadToken(poolID, id string, expires int64) string {
	mac := s.Sealer.MAC([]byte(fmt.Sprintf("user-import-upload\x00%s\x00%s\x00%d", poolID, id, expires)))
	return base64.RawURLEncoding.EncodeToString(mac)
}

// Upload stores the file of a Created job through its upload URL. The
// token is checked in constant time before anything is read; the body is
// bounded by MaxImportFileBytes. A second upload replaces the first, as a
// second PUT to a presigned S3 URL does.
func (s *ImportJobs) Upload(ctx context.Context, poolID, id, expires, token string, body io.Reader) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	want := s.uploadToken(poolID, id, exp)
	if err != nil || !hmac.Equal([]byte(token), []byte(want)) {
		return Errorf(NotAuthorized, "The upload URL's signature does not match.")
	}
	if !s.Now().Before(time.Unix(exp, 0)) {
		return Errorf(NotAuthorized, "The upload URL expired.")
	}
	// Refuse before reading a body that could not be stored.
	if j, err := s.ImportJob(ctx, poolID, id); err != nil {
		return err
	} else if j.Status != ImportJobCreated {
		return notCreated(j)
	}
	file, err := io.ReadAll(io.LimitReader(body, MaxImportFileBytes+1))
	if err != nil {
		return err
	}
	if len(file) > MaxImportFileBytes {
		return Errorf(LimitExceeded, "The file is larger than %d bytes.", MaxImportFileBytes)
	}
	if len(file) == 0 {
		return Errorf(InvalidParameter, "The file is empty.")
	}
	_, err = s.updateJob(ctx, poolID, id, func(j *UserImportJob, now time.Time) error {
		if j.Status != ImportJobCreated {
			return notCreated(*j)
		}
		// Sealed at rest, as the other secrets: the file holds the users'
		// emails and phone numbers.
		j.File, j.Uploaded = s.Sealer.Seal(file, importFileLabel(j.PoolID, j.ID)), int64(len(file))
		return nil
	})
	return err
}

func notCreated(j UserImportJob) error {
	return Errorf(PreconditionNotMet, "Import job %s is %s; its file can be uploaded only while it is Created.", j.ID, j.Status)
}

func importFileLabel(poolID, id string) string { return "user-import-file:" + poolID + ":" + id }
