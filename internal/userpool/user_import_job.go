package userpool

import "time"

// UserImportJob is a bulk import of users from a CSV file (Cognito's
// UserImportJobType): created, given its file through the upload URL,
// started, then worked through in the background (user_import_run.go).
type UserImportJob struct {
	PoolID                string
	ID                    string // import-<alphanumerics>
	Name                  string
	CloudWatchLogsRoleArn string
	Status                string // one of the ImportJob* statuses
	CreatedAt             time.Time
	StartedAt             time.Time // zero until started
	CompletedAt           time.Time // zero until a final status
	Imported              int64
	Skipped               int64
	Failed                int64
	CompletionMessage     string
	// Uploaded: the file has been received (its size in bytes).
	Uploaded int64
	// Row is how many data rows of the file were worked through: where a
	// worker resumes after a restart.
	Row int
	// LeaseUntil: a worker holds the job until then and renews the lease
	// as it goes; a job whose lease ended is free for any worker (another
	// replica, or this process after a restart).
	LeaseUntil time.Time
	// File is the uploaded CSV. Reads leave it nil (ImportJobFile reads
	// it); UpdateImportJob stores it only when fn returns it non-nil.
	File []byte
}

// The statuses of UserImportJobStatusType.
const (
	ImportJobCreated    = "Created"
	ImportJobPending    = "Pending"
	ImportJobInProgress = "InProgress"
	ImportJobStopping   = "Stopping"
	ImportJobExpired    = "Expired"
	ImportJobStopped    = "Stopped"
	ImportJobFailed     = "Failed"
	ImportJobSucceeded  = "Succeeded"
)

// finished reports a final status: nothing more happens to the job.
func (j *UserImportJob) finished() bool {
	switch j.Status {
	case ImportJobExpired, ImportJobStopped, ImportJobFailed, ImportJobSucceeded:
		return true
	}
	return false
}
