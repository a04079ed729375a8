package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cognate/cognate/internal/userpool"
)

// importJobOperations adds the user import job operations to the table.
func (s *Server) importJobOperations(ops map[string]handler) {
	jobs := s.ImportJobs
	type jobRef struct{ UserPoolId, JobId string }
	ops["CreateUserImportJob"] = typed(func(ctx context.Context, c *call, in *struct{ JobName, UserPoolId, CloudWatchLogsRoleArn string }) (any, error) {
		j, err := jobs.CreateImportJob(ctx, in.UserPoolId, in.JobName, in.CloudWatchLogsRoleArn)
		return userImportJobResponse{s.renderImportJob(j)}, err
	})
	ops["DescribeUserImportJob"] = typed(func(ctx context.Context, c *call, in *jobRef) (any, error) {
		j, err := jobs.ImportJob(ctx, in.UserPoolId, in.JobId)
		return userImportJobResponse{s.renderImportJob(j)}, err
	})
	ops["StartUserImportJob"] = typed(func(ctx context.Context, c *call, in *jobRef) (any, error) {
		j, err := jobs.StartImportJob(ctx, in.UserPoolId, in.JobId)
		return userImportJobResponse{s.renderImportJob(j)}, err
	})
	ops["StopUserImportJob"] = typed(func(ctx context.Context, c *call, in *jobRef) (any, error) {
		j, err := jobs.StopImportJob(ctx, in.UserPoolId, in.JobId)
		return userImportJobResponse{s.renderImportJob(j)}, err
	})
	ops["ListUserImportJobs"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId      string
		MaxResults      int
		PaginationToken string
	}) (any, error) {
		list, next, err := jobs.ListImportJobs(ctx, in.UserPoolId, in.MaxResults, in.PaginationToken)
		out := listUserImportJobsResponse{PaginationToken: next}
		if len(list) > 0 { // UserImportJobsListType holds at least one
			out.UserImportJobs = renderList(list, s.renderImportJob)
		}
		return out, err
	})
}

func (s *Server) renderImportJob(j userpool.UserImportJob) wireUserImportJob {
	w := wireUserImportJob{JobName: j.Name, JobId: j.ID, UserPoolId: j.PoolID, PreSignedUrl: s.ImportJobs.UploadURL(s.IssuerBase, j),
		CreationDate: epoch(j.CreatedAt), Status: j.Status, CloudWatchLogsRoleArn: j.CloudWatchLogsRoleArn,
		ImportedUsers: j.Imported, SkippedUsers: j.Skipped, FailedUsers: j.Failed, CompletionMessage: j.CompletionMessage}
	if !j.StartedAt.IsZero() {
		t := epoch(j.StartedAt)
		w.StartDate = &t
	}
	if !j.CompletedAt.IsZero() {
		t := epoch(j.CompletedAt)
		w.CompletionDate = &t
	}
	return w
}

// serveImportUpload is a job's PreSignedUrl: PUT /user-import/{pool}/{job}
// with the CSV as the body, e.g. Cognito's guide's
// curl -T users.csv -H "x-amz-server-side-encryption:aws:kms" "<PreSignedUrl>"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html).
// It is the one unsigned door that writes, so it is as narrow as a
// presigned S3 URL: PUT only, on that path only; the token (a MAC of pool,
// job and expiry under the server's key) is checked in constant time
// before the body is read; the URL expires; only a Created job takes a
// file; the body is bounded (MaxImportFileBytes); the per-IP limit
// applies. Nothing is answered about a job to a request without its
// token. The encryption header is accepted and the file is sealed at
// rest whatever it says.
func (s *Server) serveImportUpload(w http.ResponseWriter, r *http.Request) {
	if s.IPLimit != nil && !s.IPLimit.Allow(s.Proxies.ClientIP(r)) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Rate exceeded", http.StatusTooManyRequests)
		return
	}
	if r.ContentLength > userpool.MaxImportFileBytes {
		http.Error(w, fmt.Sprintf("The file is larger than %d bytes.", userpool.MaxImportFileBytes), http.StatusRequestEntityTooLarge)
		return
	}
	body := http.MaxBytesReader(w, r.Body, userpool.MaxImportFileBytes+1)
	q := r.URL.Query()
	err := s.ImportJobs.Upload(r.Context(), r.PathValue("pool"), r.PathValue("job"), q.Get("expires"), q.Get("token"), body)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusOK)
		return
	case errors.As(err, &tooLarge):
		err = userpool.Errorf(userpool.LimitExceeded, "The file is larger than %d bytes.", userpool.MaxImportFileBytes)
	case !errors.As(err, new(*userpool.Error)):
		s.Log.Error("user import upload", "error", err.Error())
		http.Error(w, "Internal server error.", http.StatusInternalServerError)
		return
	}
	status := map[string]int{
		userpool.NotAuthorized:      http.StatusForbidden,
		userpool.ResourceNotFound:   http.StatusNotFound,
		userpool.PreconditionNotMet: http.StatusConflict,
		userpool.LimitExceeded:      http.StatusRequestEntityTooLarge,
	}[userpool.ErrorType(err)]
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, userpool.ErrorMessage(err)+"\n")
}
