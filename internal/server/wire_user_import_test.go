package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/userpool"
)

// upload PUTs body to a job's PreSignedUrl, as the guide's curl -T does,
// and checks the status.
func (w *wire) upload(presigned string, body any, want int) string {
	w.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case io.Reader:
		r = b
	}
	req, err := http.NewRequest(http.MethodPut, presigned, r)
	w.check(err)
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp, err := http.DefaultClient.Do(req)
	w.check(err)
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		w.t.Fatalf("upload answered %d %s, want %d", resp.StatusCode, text, want)
	}
	return strings.TrimSpace(string(text))
}

// TestUserImportUploadDoor: the PreSignedUrl is this server's, and it
// opens its own job's upload only, with its exact token, until it
// expires, while the job is Created, for a bounded body.
func TestUserImportUploadDoor(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	poolID := w.pool("imports", func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	})
	create := func() *types.UserImportJobType {
		out, err := w.api.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID, JobName: aws.String("j"),
			CloudWatchLogsRoleArn: aws.String("arn:aws:iam::" + wireAccount + ":role/import")})
		w.check(err)
		return out.UserImportJob
	}
	job, other := create(), create()
	u, err := url.Parse(*job.PreSignedUrl)
	w.check(err)
	if !strings.HasPrefix(*job.PreSignedUrl, w.URL+"/user-import/"+poolID+"/"+*job.JobId+"?") || job.Status != types.UserImportJobStatusTypeCreated {
		t.Fatalf("job %s %s", *job.PreSignedUrl, job.Status)
	}
	q := u.Query()
	with := func(path string, q url.Values) string { return w.URL + path + "?" + q.Encode() }
	bad := url.Values{"expires": q["expires"], "token": {q.Get("token")[1:] + "A"}}
	if got := w.upload(with(u.Path, bad), "x", http.StatusForbidden); got != "The upload URL's signature does not match." {
		t.Fatalf("wrong token: %q", got)
	}
	otherPath := "/user-import/" + poolID + "/" + *other.JobId
	w.upload(with(otherPath, q), "x", http.StatusForbidden) // another job's token
	w.upload(w.URL+u.Path, "x", http.StatusForbidden)       // no token
	// Only PUT opens it.
	resp, err := http.Get(*job.PreSignedUrl)
	w.check(err)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("GET on the upload URL answered 200")
	}
	// A body past the bound is refused as it streams (no Content-Length).
	huge := io.LimitReader(zeros{}, userpool.MaxImportFileBytes+1)
	w.upload(*job.PreSignedUrl, huge, http.StatusRequestEntityTooLarge)

	h, err := w.api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &poolID})
	w.check(err)
	w.upload(*job.PreSignedUrl, strings.Join(h.CSVHeader, ",")+"\n", http.StatusOK)
	_, err = w.api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId})
	w.check(err)
	_, err = w.api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId})
	wantAPIError(t, err, "PreconditionNotMetException", "Import job "+*job.JobId+" is Pending; only a Created job can be started.")
	if got := w.upload(*job.PreSignedUrl, "x", http.StatusConflict); got != "Import job "+*job.JobId+" is Pending; its file can be uploaded only while it is Created." {
		t.Fatalf("upload after start: %q", got)
	}

	_, err = w.api.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: aws.String("import-nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Import job import-nope does not exist in user pool "+poolID+".")
	// 60 is a valid MaxResults; a page holds 50 at most.
	listed, err := w.api.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: &poolID, MaxResults: aws.Int32(60)})
	w.check(err)
	if len(listed.UserImportJobs) != 2 || listed.PaginationToken != nil {
		t.Fatalf("listed %+v", listed)
	}
	// Later (the SDK's signatures would be too old: the domain is asked).
	w.clock.Advance(userpool.ImportUploadLifetime)
	if got := w.upload(*other.PreSignedUrl, "x", http.StatusForbidden); got != "The upload URL expired." {
		t.Fatalf("expired: %q", got)
	}
	w.clock.Advance(userpool.ImportJobExpiry)
	got, err := w.app.Server.ImportJobs.ImportJob(ctx, poolID, *other.JobId)
	w.check(err)
	if got.Status != userpool.ImportJobExpired {
		t.Fatalf("a day on, an unstarted job is %s", got.Status)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
