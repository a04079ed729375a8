package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// curlUpload uploads file to a job's PreSignedUrl with the command of
// Cognito's guide (cognito-user-pools-using-import-tool.html) and returns
// the HTTP status curl saw.
func curlUpload(t *testing.T, file, url string) string {
	t.Helper()
	out, err := exec.Command("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
		"-T", file, "-H", "x-amz-server-side-encryption:aws:kms", url).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v %s", err, out)
	}
	return string(out)
}

// csvFile writes a CSV of the pool's header (GetCSVHeader) and one row per
// user (the named values; the others empty).
func csvFile(t *testing.T, header []string, users ...map[string]string) string {
	t.Helper()
	lines := []string{strings.Join(header, ",")}
	for _, u := range users {
		row := make([]string, len(header))
		for i, c := range header {
			row[i] = u[c]
		}
		lines = append(lines, strings.Join(row, ","))
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importJob creates a job, uploads file with curl and starts it.
func importJob(t *testing.T, s *Server, api *cip.Client, poolID, file string) *types.UserImportJobType {
	t.Helper()
	ctx := context.Background()
	created, err := api.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID, JobName: aws.String("e2e import"),
		CloudWatchLogsRoleArn: aws.String("arn:aws:iam::000000000000:role/CognitoImport")})
	if err != nil {
		t.Fatal(err)
	}
	if got := curlUpload(t, file, *created.UserImportJob.PreSignedUrl); got != "200" {
		t.Fatalf("upload answered %s", got)
	}
	started, err := api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: created.UserImportJob.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if started.UserImportJob.Status != types.UserImportJobStatusTypePending || started.UserImportJob.StartDate == nil {
		t.Fatalf("started %+v", started.UserImportJob)
	}
	return started.UserImportJob
}

// finishedJob waits for the worker's log line that the job finished (an
// event, bounded by WaitLog's deadline), then describes it.
func finishedJob(t *testing.T, s *Server, api *cip.Client, poolID, jobID string) *types.UserImportJobType {
	t.Helper()
	if !s.WaitLog(`"msg":"user import job finished","job":"` + jobID + `"`) {
		t.Fatalf("job %s did not finish:\n%s", jobID, s.Logs())
	}
	out, err := api.DescribeUserImportJob(context.Background(), &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: &jobID})
	if err != nil {
		t.Fatal(err)
	}
	return out.UserImportJob
}

// TestUserImport: GetCSVHeader, fill it, create a job, upload with the
// guide's curl command, start, wait for the end; the users are
// RESET_REQUIRED and sign in after ForgotPassword/ConfirmForgotPassword.
// Then the error paths, and a restart keeps the job.
func TestUserImport(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ctx := context.Background()
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("imports"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, nil)
	api := f.api
	h, err := api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &f.PoolID})
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string) map[string]string {
		return map[string]string{"cognito:username": name, "cognito:mfa_enabled": "false", "email": name + "@example.com",
			"email_verified": "true", "given_name": strings.ToUpper(name[:1]) + name[1:]}
	}
	good := csvFile(t, h.CSVHeader, user("alice"), user("bob"))
	job := importJob(t, s, api, f.PoolID, good)
	done := finishedJob(t, s, api, f.PoolID, *job.JobId)
	if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers != 2 || done.SkippedUsers != 0 || done.FailedUsers != 0 ||
		*done.CompletionMessage != "Import Job Completed Successfully" || done.CompletionDate == nil {
		t.Fatalf("job %+v", done)
	}

	u, err := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if u.UserStatus != types.UserStatusTypeResetRequired {
		t.Fatalf("imported user is %s", u.UserStatus)
	}
	if _, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}); err == nil {
		t.Fatal("an imported user signed in before resetting the password")
	}
	if _, err := api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String("alice"),
		ConfirmationCode: aws.String(lastCode(t, s, f.PoolID, "alice")), Password: aws.String(testPassword)}); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "alice", testPassword)

	// The same file again: both usernames exist, so both are skipped.
	again := finishedJob(t, s, api, f.PoolID, *importJob(t, s, api, f.PoolID, good).JobId)
	if again.Status != types.UserImportJobStatusTypeSucceeded || again.ImportedUsers != 0 || again.SkippedUsers != 2 {
		t.Fatalf("re-import %+v", again)
	}
	// A row breaking a rule fails; a bad header fails the job.
	bad := user("carol")
	bad["email_verified"] = "false"
	mixed := finishedJob(t, s, api, f.PoolID, *importJob(t, s, api, f.PoolID, csvFile(t, h.CSVHeader, user("dave"), bad)).JobId)
	if mixed.Status != types.UserImportJobStatusTypeFailed || mixed.ImportedUsers != 1 || mixed.FailedUsers != 1 {
		t.Fatalf("mixed %+v", mixed)
	}
	if !s.WaitLog(`"msg":"user import row failed","job":"` + *mixed.JobId + `"`) {
		t.Fatal("no log line for the failed row")
	}
	header := finishedJob(t, s, api, f.PoolID, *importJob(t, s, api, f.PoolID, csvFile(t, h.CSVHeader[1:], user("erin"))).JobId)
	if header.Status != types.UserImportJobStatusTypeFailed || *header.CompletionMessage != "The header lacks the column "+h.CSVHeader[0]+"." {
		t.Fatalf("bad header %+v", header)
	}

	// Error paths.
	_, err = api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &f.PoolID, JobId: job.JobId})
	expectAPIError(t, err, "PreconditionNotMetException", "Import job "+*job.JobId+" is Succeeded; only a Created job can be started.")
	_, err = api.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: &f.PoolID, JobId: job.JobId})
	expectAPIError(t, err, "PreconditionNotMetException", "Import job "+*job.JobId+" is Succeeded; only a Pending or InProgress job can be stopped.")
	_, err = api.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &f.PoolID, JobId: aws.String("import-unknown")})
	expectAPIError(t, err, "ResourceNotFoundException", "Import job import-unknown does not exist in user pool "+f.PoolID+".")
	if got := curlUpload(t, good, *job.PreSignedUrl); got != "409" {
		t.Fatalf("upload after start answered %s", got)
	}
	fresh, err := api.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &f.PoolID, JobName: aws.String("fresh"),
		CloudWatchLogsRoleArn: aws.String("arn:aws:iam::000000000000:role/CognitoImport")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: &f.PoolID, JobId: fresh.UserImportJob.JobId})
	expectAPIError(t, err, "PreconditionNotMetException", "Import job "+*fresh.UserImportJob.JobId+" is Created; only a Pending or InProgress job can be stopped.")
	url := *fresh.UserImportJob.PreSignedUrl
	token := url[strings.LastIndex(url, "token=")+len("token="):]
	if got := curlUpload(t, good, strings.Replace(url, "token="+token, "token=x"+token[1:], 1)); got != "403" {
		t.Fatalf("wrong token answered %s", got)
	}
	if got := curlUpload(t, good, strings.Replace(url, "expires=", "expires=9", 1)); got != "403" { // a later expiry under the same token
		t.Fatalf("a stretched expiry answered %s", got)
	}
	_, err = api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &f.PoolID, JobId: fresh.UserImportJob.JobId})
	expectAPIError(t, err, "PreconditionNotMetException", "Import job "+*fresh.UserImportJob.JobId+" has no file yet: upload the CSV to its PreSignedUrl first.")

	// A restart keeps the jobs and their counts.
	s.Stop()
	s.Start()
	api = s.SDK()
	list, err := api.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: &f.PoolID, MaxResults: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.UserImportJobs) != 5 {
		t.Fatalf("%d jobs after a restart", len(list.UserImportJobs))
	}
	for _, j := range list.UserImportJobs {
		if *j.JobId == *job.JobId && (j.Status != types.UserImportJobStatusTypeSucceeded || j.ImportedUsers != 2) {
			t.Fatalf("after a restart %+v", j)
		}
	}
}
