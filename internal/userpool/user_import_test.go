package userpool_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/userpool"
)

// importWorld is a world with user import jobs over its store and clock.
type importWorld struct {
	*world
	jobs *userpool.ImportJobs
}

func newImportWorld(t testing.TB, creds userpool.Credentials) *importWorld {
	w := newWorld(t, ":memory:")
	if creds == nil {
		creds = w.users.Credentials
	}
	return &importWorld{w, userpool.NewImportJobs(userpool.ImportJobs{Store: w.store, Now: w.clock.Now, Credentials: creds, Sealer: testKeeper})}
}

func (w *importWorld) pool(t testing.TB, in userpool.CreatePoolInput) userpool.Pool {
	t.Helper()
	in.PoolName = "p"
	p, err := w.pools.CreatePool(ctx, "us-east-1", in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// job creates a job and uploads file through its URL.
func (w *importWorld) job(t testing.TB, p userpool.Pool, file string) userpool.UserImportJob {
	t.Helper()
	j, err := w.jobs.CreateImportJob(ctx, p.ID, "import", "arn:aws:iam::000000000000:role/import")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.upload(j, file); err != nil {
		t.Fatal(err)
	}
	return j
}

func (w *importWorld) upload(j userpool.UserImportJob, file string) error {
	u, _ := url.Parse(w.jobs.UploadURL("http://cognate", j))
	q := u.Query()
	return w.jobs.Upload(ctx, j.PoolID, j.ID, q.Get("expires"), q.Get("token"), strings.NewReader(file))
}

// run starts the job and works it to its end.
func (w *importWorld) run(t *testing.T, j userpool.UserImportJob) userpool.UserImportJob {
	t.Helper()
	started, err := w.jobs.StartImportJob(ctx, j.PoolID, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if started.Status != userpool.ImportJobPending || !started.StartedAt.Equal(w.clock.Now()) {
		t.Fatalf("started job %+v", started)
	}
	if _, err := w.jobs.Work(ctx); err != nil {
		t.Fatal(err)
	}
	done, err := w.jobs.ImportJob(ctx, j.PoolID, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

var emailPool = userpool.CreatePoolInput{PoolSettings: userpool.PoolSettings{AutoVerifiedAttributes: []string{"email"}}}

// header is the pool's GetCSVHeader as a CSV row.
func header(t testing.TB, w *importWorld, p userpool.Pool) []string {
	h, err := w.pools.CSVHeader(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// row is a CSV row for header with the named values, the others empty.
func row(header []string, values map[string]string) string {
	out := make([]string, len(header))
	for i, c := range header {
		out[i] = values[c]
	}
	return strings.Join(out, ",")
}

// TestUserImportCSVRules: each rule of the guide's CSV format, as the
// counts and status of a job importing one file.
func TestUserImportCSVRules(t *testing.T) {
	both := userpool.CreatePoolInput{PoolSettings: userpool.PoolSettings{AutoVerifiedAttributes: []string{"email", "phone_number"}}}
	requiredName := userpool.CreatePoolInput{PoolSettings: emailPool.PoolSettings,
		Schema: []userpool.SchemaAttribute{{Name: "name", AttributeDataType: "String", Required: true, Mutable: true}}}
	alice := map[string]string{"cognito:username": "alice", "cognito:mfa_enabled": "false", "email": "alice@example.com", "email_verified": "true"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name string
		pool userpool.CreatePoolInput
		// file builds the file from the pool's header.
		file                      func(h []string) string
		imported, skipped, failed int64
		status, message           string
	}{
		{name: "one good user", pool: emailPool, file: func(h []string) string { return strings.Join(h, ",") + "\n" + row(h, alice) },
			imported: 1, status: userpool.ImportJobSucceeded, message: "Import Job Completed Successfully"},
		{name: "columns in another order, CRLF and a byte-order mark", pool: emailPool, file: func(h []string) string {
			r := make([]string, len(h))
			for i := range h {
				r[i] = h[len(h)-1-i]
			}
			return "\xef\xbb\xbf" + strings.Join(r, ",") + "\r\n" + row(r, alice) + "\r\n\r\n"
		}, imported: 1, status: userpool.ImportJobSucceeded, message: "Import Job Completed Successfully"},
		{name: "a header column missing fails the job", pool: emailPool, file: func(h []string) string {
			return strings.Join(h[1:], ",") + "\n" + row(h[1:], alice)
		}, status: userpool.ImportJobFailed, message: "The header lacks the column name."},
		{name: "an unknown column fails the job", pool: emailPool, file: func(h []string) string {
			return strings.Join(append(h, "shoe_size"), ",") + "\n" + row(h, alice) + ",44"
		}, status: userpool.ImportJobFailed, message: "Unknown column shoe_size in the header."},
		{name: "no username", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "cognito:username", "")) + "\n" + row(h, with(alice, "cognito:username", "bob", "email", "bob@example.com"))
		}, imported: 1, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "the auto-verified attribute not verified", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "email_verified", "false"))
		}, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "with two auto-verified attributes one verified is enough", pool: both, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "email_verified", "false", "phone_number", "+15555550100", "phone_number_verified", "true"))
		}, imported: 1, status: userpool.ImportJobSucceeded, message: "Import Job Completed Successfully"},
		{name: "email_verified true without an email", pool: both, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "email", "", "phone_number", "+15555550100", "phone_number_verified", "true"))
		}, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "a required attribute empty", pool: requiredName, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, alice) + "\n" + row(h, with(alice, "cognito:username", "bob", "email", "bob@example.com", "name", "Bob"))
		}, imported: 1, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "a value with a comma (values are not quoted)", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "name", `"Smith, Alice"`))
		}, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "a boolean that is not one", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "email_verified", "yes"))
		}, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "cognito:mfa_enabled true (SMS MFA)", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, with(alice, "cognito:mfa_enabled", "true"))
		}, failed: 1, status: userpool.ImportJobFailed, message: "Import Job Completed with 1 failed users"},
		{name: "an existing username is skipped", pool: emailPool, file: func(h []string) string {
			return strings.Join(h, ",") + "\n" + row(h, alice) + "\n" + row(h, with(alice, "cognito:username", "ALICE", "email", "a2@example.com"))
		}, imported: 1, skipped: 1, status: userpool.ImportJobSucceeded, message: "Import Job Completed Successfully"},
		{name: "only a header", pool: emailPool, file: func(h []string) string { return strings.Join(h, ",") + "\n" },
			status: userpool.ImportJobSucceeded, message: "Import Job Completed Successfully"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newImportWorld(t, nil)
			p := w.pool(t, tc.pool)
			done := w.run(t, w.job(t, p, tc.file(header(t, w, p))))
			if done.Status != tc.status || done.CompletionMessage != tc.message || done.Imported != tc.imported ||
				done.Skipped != tc.skipped || done.Failed != tc.failed || !done.CompletedAt.Equal(w.clock.Now()) {
				t.Fatalf("job %s %q imported %d skipped %d failed %d; want %s %q %d %d %d", done.Status, done.CompletionMessage,
					done.Imported, done.Skipped, done.Failed, tc.status, tc.message, tc.imported, tc.skipped, tc.failed)
			}
			if n, _ := w.store.CountUsers(ctx, p.ID); int64(n) != tc.imported {
				t.Fatalf("%d users in the pool", n)
			}
		})
	}
}

// TestImportedUserResetsPassword: an imported user is RESET_REQUIRED, made
// at the import time, with its attributes; a permanent password makes it
// usable.
func TestImportedUserResetsPassword(t *testing.T) {
	w := newImportWorld(t, nil)
	p := w.pool(t, emailPool)
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c",
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := header(t, w, p)
	j := w.job(t, p, strings.Join(h, ",")+"\n"+row(h, map[string]string{"cognito:username": "alice", "cognito:mfa_enabled": "false",
		"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"}))
	w.clock.Advance(time.Minute)
	if done := w.run(t, j); done.Imported != 1 {
		t.Fatalf("job %+v", done)
	}
	if file, _ := w.store.ImportJobFile(ctx, p.ID, j.ID); len(file) != 0 {
		t.Fatalf("a finished job keeps its file of %d bytes", len(file))
	}
	u, err := w.users.GetUser(ctx, p.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != userpool.StatusResetRequired || !u.CreatedAt.Equal(w.clock.Now()) {
		t.Fatalf("user %s created %v", u.Status, u.CreatedAt)
	}
	for name, want := range map[string]string{"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"} {
		if v, _ := u.Attribute(name); v != want {
			t.Fatalf("%s = %q", name, v)
		}
	}
	if err := w.users.SetPassword(ctx, p.ID, "alice", "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
		t.Fatalf("sign-in after the reset: %v", err)
	}
}

// TestUserImportJobLifecycle: what each status allows.
func TestUserImportJobLifecycle(t *testing.T) {
	w := newImportWorld(t, nil)
	p := w.pool(t, emailPool)
	h := header(t, w, p)
	file := strings.Join(h, ",") + "\n"

	_, err := w.jobs.ImportJob(ctx, p.ID, "import-nope")
	wantError(t, err, userpool.ResourceNotFound, "Import job import-nope does not exist in user pool "+p.ID+".")
	_, err = w.jobs.StartImportJob(ctx, p.ID, "import-nope")
	wantError(t, err, userpool.ResourceNotFound, "Import job import-nope does not exist in user pool "+p.ID+".")
	_, err = w.jobs.CreateImportJob(ctx, "us-east-1_nope", "j", "arn:aws:iam::0:role/r")
	if userpool.ErrorType(err) != userpool.ResourceNotFound {
		t.Fatalf("job of a pool that does not exist: %v", err)
	}

	// Not started before its file.
	empty, _ := w.jobs.CreateImportJob(ctx, p.ID, "j", "arn:aws:iam::0:role/r")
	_, err = w.jobs.StartImportJob(ctx, p.ID, empty.ID)
	wantError(t, err, userpool.PreconditionNotMet, "Import job "+empty.ID+" has no file yet: upload the CSV to its PreSignedUrl first.")

	// Started once; then neither started nor uploaded to again.
	j := w.job(t, p, file)
	if _, err := w.jobs.StartImportJob(ctx, p.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.jobs.StartImportJob(ctx, p.ID, j.ID)
	wantError(t, err, userpool.PreconditionNotMet, "Import job "+j.ID+" is Pending; only a Created job can be started.")
	wantError(t, w.upload(j, file), userpool.PreconditionNotMet, "Import job "+j.ID+" is Pending; its file can be uploaded only while it is Created.")

	// A Pending job stops at once; a Stopped one cannot be stopped again.
	stopped, err := w.jobs.StopImportJob(ctx, p.ID, j.ID)
	if err != nil || stopped.Status != userpool.ImportJobStopped || stopped.CompletionMessage != "Import Job Stopped" {
		t.Fatalf("stop: %+v %v", stopped, err)
	}
	_, err = w.jobs.StopImportJob(ctx, p.ID, j.ID)
	wantError(t, err, userpool.PreconditionNotMet, "Import job "+j.ID+" is Stopped; only a Pending or InProgress job can be stopped.")
	if n, _ := w.jobs.Work(ctx); n != 0 {
		t.Fatalf("a stopped job was worked")
	}

	// A pool without an auto-verified attribute starts no job.
	bare := w.pool(t, userpool.CreatePoolInput{})
	bj, _ := w.jobs.CreateImportJob(ctx, bare.ID, "j", "arn:aws:iam::0:role/r")
	_, err = w.jobs.StartImportJob(ctx, bare.ID, bj.ID)
	wantError(t, err, userpool.PreconditionNotMet, "User pool "+bare.ID+" has no auto-verified attributes (email or phone_number); imported users need one.")

	// Listing pages through the jobs in ID order.
	jobs, next, err := w.jobs.ListImportJobs(ctx, p.ID, 1, "")
	if err != nil || len(jobs) != 1 || next == "" {
		t.Fatalf("first page %+v %q %v", jobs, next, err)
	}
	rest, next2, _ := w.jobs.ListImportJobs(ctx, p.ID, 50, next)
	if len(rest) != 1 || next2 != "" || rest[0].ID == jobs[0].ID {
		t.Fatalf("second page %+v %q", rest, next2)
	}
	_, _, err = w.jobs.ListImportJobs(ctx, p.ID, 0, "")
	wantError(t, err, userpool.InvalidParameter, "MaxResults must be at least 1.")

	// The jobs go with their pool.
	if err := w.pools.DeletePool(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.GetImportJob(ctx, p.ID, j.ID); err == nil {
		t.Fatal("a job outlived its pool")
	}
}

// TestUserImportUploadURL: the URL opens its own job's upload, until it
// expires, with its exact token; a job not started in 24 hours expires.
func TestUserImportUploadURL(t *testing.T) {
	w := newImportWorld(t, nil)
	p := w.pool(t, emailPool)
	j, _ := w.jobs.CreateImportJob(ctx, p.ID, "j", "arn:aws:iam::0:role/r")
	other, _ := w.jobs.CreateImportJob(ctx, p.ID, "k", "arn:aws:iam::0:role/r")
	u, _ := url.Parse(w.jobs.UploadURL("http://cognate", j))
	if u.Path != "/user-import/"+p.ID+"/"+j.ID {
		t.Fatalf("path %s", u.Path)
	}
	q := u.Query()
	body := func() *strings.Reader { return strings.NewReader("cognito:username\n") }
	mismatch := "The upload URL's signature does not match."
	wantError(t, w.jobs.Upload(ctx, p.ID, j.ID, q.Get("expires"), q.Get("token")+"x", body()), userpool.NotAuthorized, mismatch)
	wantError(t, w.jobs.Upload(ctx, p.ID, other.ID, q.Get("expires"), q.Get("token"), body()), userpool.NotAuthorized, mismatch)
	later := strconv.FormatInt(w.clock.Now().Add(48*time.Hour).Unix(), 10) // a longer life under the same token
	wantError(t, w.jobs.Upload(ctx, p.ID, j.ID, later, q.Get("token"), body()), userpool.NotAuthorized, mismatch)
	wantError(t, w.jobs.Upload(ctx, p.ID, j.ID, "", q.Get("token"), body()), userpool.NotAuthorized, mismatch)
	wantError(t, w.jobs.Upload(ctx, p.ID, j.ID, q.Get("expires"), q.Get("token"), strings.NewReader("")), userpool.InvalidParameter, "The file is empty.")
	if err := w.jobs.Upload(ctx, p.ID, j.ID, q.Get("expires"), q.Get("token"), body()); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.jobs.ImportJob(ctx, p.ID, j.ID); got.Uploaded != int64(len("cognito:username\n")) {
		t.Fatalf("uploaded %d", got.Uploaded)
	}
	if w.jobs.UploadURL("http://cognate", j) != u.String() {
		t.Fatal("the URL changed between reads")
	}

	w.clock.Advance(userpool.ImportUploadLifetime)
	wantError(t, w.jobs.Upload(ctx, p.ID, j.ID, q.Get("expires"), q.Get("token"), body()), userpool.NotAuthorized, "The upload URL expired.")

	w.clock.Advance(userpool.ImportJobExpiry - userpool.ImportUploadLifetime)
	got, _ := w.jobs.ImportJob(ctx, p.ID, j.ID)
	if got.Status != userpool.ImportJobExpired {
		t.Fatalf("a day later the job is %s", got.Status)
	}
	_, err := w.jobs.StartImportJob(ctx, p.ID, j.ID)
	wantError(t, err, userpool.PreconditionNotMet, "Import job "+j.ID+" is Expired; only a Created job can be started.")
	// Work's sweep (once the lease, its expiry, has passed) stores it so
	// and drops the file.
	w.clock.Advance(time.Second)
	if _, err := w.jobs.Work(ctx); err != nil {
		t.Fatal(err)
	}
	if stored, _ := w.store.GetImportJob(ctx, p.ID, j.ID); stored.Status != userpool.ImportJobExpired {
		t.Fatalf("stored as %s", stored.Status)
	}
	if file, _ := w.store.ImportJobFile(ctx, p.ID, j.ID); len(file) != 0 {
		t.Fatalf("an expired job keeps its file of %d bytes", len(file))
	}
}

// stopOnMake is the real credentials, calling stop as the nth user's
// password is made: a stop that arrives while a row is being imported.
type stopOnMake struct {
	password.Credentials
	n    int
	stop func()
}

func (s *stopOnMake) Make(poolID, username, pw string, now time.Time) (userpool.PasswordCredential, error) {
	if s.n--; s.n == 0 {
		s.stop()
	}
	return s.Credentials.Make(poolID, username, pw, now)
}

// TestUserImportStopBetweenRows: a stop during the second row ends the
// job after that row, the third never imported.
func TestUserImportStopBetweenRows(t *testing.T) {
	creds := &stopOnMake{n: 2}
	w := newImportWorld(t, creds)
	creds.Credentials = w.users.Credentials.(password.Credentials)
	p, j := w.abcJob(t)
	creds.stop = func() {
		if s, err := w.jobs.StopImportJob(ctx, p.ID, j.ID); err != nil || s.Status != userpool.ImportJobStopping {
			t.Errorf("stop while in progress: %+v %v", s, err)
		}
	}
	done := w.run(t, j)
	if done.Status != userpool.ImportJobStopped || done.Imported != 2 || done.CompletionMessage != "Import Job Stopped" {
		t.Fatalf("job %+v", done)
	}
	if n, _ := w.store.CountUsers(ctx, p.ID); n != 2 {
		t.Fatalf("%d users", n)
	}
}

// TestUserImportResumesAfterCrash: a job left InProgress by a worker that
// went away (its lease ran out) is resumed at its stored row by the next.
func TestUserImportResumesAfterCrash(t *testing.T) {
	w := newImportWorld(t, nil)
	p, j := w.abcJob(t)
	if _, err := w.jobs.StartImportJob(ctx, p.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	// The crashed worker had done row 1 (user a) and held the lease.
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.UpdateImportJob(ctx, p.ID, j.ID, func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.Status, j.Row, j.Imported, j.LeaseUntil = userpool.ImportJobInProgress, 1, 1, w.clock.Now().Add(10*time.Second)
		return j, nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.jobs.Work(ctx); n != 0 || err != nil {
		t.Fatalf("worked a job under another worker's lease: %d %v", n, err)
	}
	w.clock.Advance(time.Minute)
	if n, err := w.jobs.Work(ctx); n != 1 || err != nil {
		t.Fatalf("resume: %d %v", n, err)
	}
	done, _ := w.jobs.ImportJob(ctx, p.ID, j.ID)
	if done.Status != userpool.ImportJobSucceeded || done.Imported != 3 || done.Skipped != 0 || done.Row != 3 {
		t.Fatalf("job %+v", done)
	}
}

// abcJob is a job importing users a, b and c into a new pool.
func (w *importWorld) abcJob(t *testing.T) (userpool.Pool, userpool.UserImportJob) {
	p := w.pool(t, emailPool)
	h := header(t, w, p)
	file := strings.Join(h, ",")
	for _, name := range []string{"a", "b", "c"} {
		file += "\n" + row(h, map[string]string{"cognito:username": name, "email": name + "@example.com", "email_verified": "true"})
	}
	j := w.job(t, p, file)
	return p, j
}

// BenchmarkUserImport: rows imported per second by one worker (cheap
// password hashes: what is measured is the import's own work and writes).
func BenchmarkUserImport(b *testing.B) {
	const rows = 200
	w := newImportWorld(b, nil)
	p := w.pool(b, emailPool)
	h := header(b, w, p)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file := strings.Join(h, ",")
		for r := 0; r < rows; r++ {
			name := "u" + strconv.Itoa(i) + "x" + strconv.Itoa(r)
			file += "\n" + row(h, map[string]string{"cognito:username": name, "email": name + "@example.com", "email_verified": "true"})
		}
		j := w.job(b, p, file)
		if _, err := w.jobs.StartImportJob(ctx, p.ID, j.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if n, err := w.jobs.Work(ctx); n != 1 || err != nil {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestUserImportStopOfAnAbandonedJob: a job stopped while the worker that
// held it is gone stays Stopping until the lease runs out; the next worker
// stops it without importing a row, and says so.
func TestUserImportStopOfAnAbandonedJob(t *testing.T) {
	w := newImportWorld(t, nil)
	var finished []userpool.UserImportJob
	w.jobs.Finished = func(j userpool.UserImportJob) { finished = append(finished, j) }
	p, j := w.abcJob(t)
	if _, err := w.jobs.StartImportJob(ctx, p.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.UpdateImportJob(ctx, p.ID, j.ID, func(j userpool.UserImportJob) (userpool.UserImportJob, error) {
		j.Status, j.LeaseUntil = userpool.ImportJobInProgress, w.clock.Now().Add(10*time.Second)
		return j, nil
	}); err != nil {
		t.Fatal(err)
	}
	if s, err := w.jobs.StopImportJob(ctx, p.ID, j.ID); err != nil || s.Status != userpool.ImportJobStopping {
		t.Fatalf("stop: %+v %v", s, err)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.jobs.Work(ctx); err != nil {
		t.Fatal(err)
	}
	if len(finished) != 1 || finished[0].Status != userpool.ImportJobStopped || finished[0].Imported != 0 {
		t.Fatalf("finished %+v", finished)
	}
	if n, _ := w.store.CountUsers(ctx, p.ID); n != 0 {
		t.Fatalf("%d users imported by a stopped job", n)
	}
}

// TestUserImportReleasesOnShutdown: a worker whose process shuts down mid
// row gives the job up; the next worker resumes it at once at that row.
func TestUserImportReleasesOnShutdown(t *testing.T) {
	creds := &stopOnMake{n: 2}
	w := newImportWorld(t, creds)
	creds.Credentials = w.users.Credentials.(password.Credentials)
	p, j := w.abcJob(t)
	if _, err := w.jobs.StartImportJob(ctx, p.ID, j.ID); err != nil {
		t.Fatal(err)
	}
	shutdown, cancel := context.WithCancel(ctx)
	creds.stop = cancel
	if _, err := w.jobs.Work(shutdown); err == nil {
		t.Fatal("Work went on after the shutdown")
	}
	left, _ := w.store.GetImportJob(ctx, p.ID, j.ID)
	if left.Status != userpool.ImportJobInProgress || left.Row != 1 || !left.LeaseUntil.IsZero() {
		t.Fatalf("left %+v", left)
	}
	if n, err := w.jobs.Work(ctx); n != 1 || err != nil { // no clock advance: no lease to wait out
		t.Fatalf("resume: %d %v", n, err)
	}
	done, _ := w.jobs.ImportJob(ctx, p.ID, j.ID)
	if done.Status != userpool.ImportJobSucceeded || done.Imported != 3 {
		t.Fatalf("job %+v", done)
	}
}
