package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

const importJobCols = `j.pool_id, j.id, j.name, j.role_arn, j.status, j.created_ns, j.started_ns, j.completed_ns,
	j.imported, j.skipped, j.failed, j.message, j.uploaded, j.row_, j.lease_ns`

func scanImportJob(r Row) (userpool.UserImportJob, error) {
	var j userpool.UserImportJob
	var created, started, completed, lease int64
	if err := r.Scan(&j.PoolID, &j.ID, &j.Name, &j.CloudWatchLogsRoleArn, &j.Status, &created, &started, &completed,
		&j.Imported, &j.Skipped, &j.Failed, &j.CompletionMessage, &j.Uploaded, &j.Row, &lease); err != nil {
		return j, notFound(err)
	}
	j.CreatedAt, j.StartedAt, j.CompletedAt, j.LeaseUntil = fromNS(created), fromNS(started), fromNS(completed), fromNS(lease)
	return j, nil
}

// CreateImportJob implements userpool.ImportJobStore.
func (s *Store) CreateImportJob(ctx context.Context, j userpool.UserImportJob) error {
	_, err := s.x.Writer().Exec(ctx, `INSERT INTO import_jobs(pool_id, id, name, role_arn, status, created_ns, started_ns, completed_ns,
		imported, skipped, failed, message, uploaded, row_, lease_ns, file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		j.PoolID, j.ID, j.Name, j.CloudWatchLogsRoleArn, j.Status, ns(j.CreatedAt), ns(j.StartedAt), ns(j.CompletedAt),
		j.Imported, j.Skipped, j.Failed, j.CompletionMessage, j.Uploaded, j.Row, ns(j.LeaseUntil), j.File)
	if s.d.IsUnique(err) {
		return userpool.ErrAlreadyExists
	}
	return err
}

// GetImportJob implements userpool.ImportJobStore.
func (s *Store) GetImportJob(ctx context.Context, poolID, id string) (userpool.UserImportJob, error) {
	return scanImportJob(s.x.Reader().QueryRow(ctx, `SELECT `+importJobCols+` FROM import_jobs j WHERE j.pool_id = ? AND j.id = ?`, poolID, id))
}

// ListImportJobs implements userpool.ImportJobStore.
func (s *Store) ListImportJobs(ctx context.Context, poolID, after string, limit int) ([]userpool.UserImportJob, error) {
	return queryAll(ctx, s.x.Reader(), scanImportJob,
		`SELECT `+importJobCols+` FROM import_jobs j WHERE j.pool_id = ? AND j.id > ? ORDER BY j.id`+s.d.ByteOrder+` LIMIT ?`, poolID, after, limit)
}

// UpdateImportJob implements userpool.ImportJobStore.
func (s *Store) UpdateImportJob(ctx context.Context, poolID, id string, fn func(userpool.UserImportJob) (userpool.UserImportJob, error)) (userpool.UserImportJob, error) {
	var out userpool.UserImportJob
	err := s.x.Tx(ctx, func(tx Querier) error {
		j, err := scanImportJob(tx.QueryRow(ctx, `SELECT `+importJobCols+` FROM import_jobs j WHERE j.pool_id = ? AND j.id = ?`+s.d.ForUpdate, poolID, id))
		if err != nil {
			return err
		}
		if out, err = fn(j); err != nil {
			return err
		}
		set := `status = ?, started_ns = ?, completed_ns = ?, imported = ?, skipped = ?, failed = ?, message = ?, uploaded = ?, row_ = ?, lease_ns = ?`
		args := []any{out.Status, ns(out.StartedAt), ns(out.CompletedAt), out.Imported, out.Skipped, out.Failed, out.CompletionMessage,
			out.Uploaded, out.Row, ns(out.LeaseUntil)}
		if out.File != nil {
			set += `, file = ?`
			args = append(args, out.File)
		}
		_, err = tx.Exec(ctx, `UPDATE import_jobs SET `+set+` WHERE pool_id = ? AND id = ?`, append(args, poolID, id)...)
		return err
	})
	out.File = nil
	return out, err
}

// ImportJobFile implements userpool.ImportJobStore.
func (s *Store) ImportJobFile(ctx context.Context, poolID, id string) ([]byte, error) {
	var file []byte
	err := s.x.Reader().QueryRow(ctx, `SELECT file FROM import_jobs WHERE pool_id = ? AND id = ?`, poolID, id).Scan(&file)
	return file, notFound(err)
}

// ImportJobsToRun implements userpool.ImportJobStore.
func (s *Store) ImportJobsToRun(ctx context.Context, statuses []string, now time.Time, limit int) ([]userpool.UserImportJob, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := []any{}
	for _, st := range statuses {
		args = append(args, st)
	}
	args = append(args, ns(now), limit)
	return queryAll(ctx, s.x.Reader(), scanImportJob,
		`SELECT `+importJobCols+` FROM import_jobs j WHERE j.status IN (?`+strings.Repeat(",?", len(statuses)-1)+`) AND j.lease_ns < ?
		ORDER BY j.created_ns, j.id LIMIT ?`, args...)
}
