package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate/cognate/internal/wiretest"
)

const (
	testAccessKey = "AKIDCOGNATETEST"
	testSecretKey = "cognate-test-secret-key-0123456789abcdef"
	testRegion    = "us-east-1"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary cognateBinary built: each run's is 40 MB
// (more under -race), and runs add up in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// cognateBinary builds cmd/cognate once per test run.
func cognateBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cognate-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "cognate")
		args := []string{"build", "-o", binPath}
		if os.Getenv("COGNATE_E2E_RACE") != "" {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "../cmd/cognate")...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Server is a running `cognate serve` process.
type Server struct {
	t       testing.TB
	DataDir string
	Addr    string
	URL     string
	Env     []string
	Args    []string // more `cognate serve` arguments
	cmd     *exec.Cmd
	logs    *syncBuffer
	done    chan struct{}
}

type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// waitFor blocks until the buffer contains sub, or the timeout passes.
func (b *syncBuffer) waitFor(sub string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), sub) {
			b.mu.Unlock()
			return true
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartServer runs cognate on a fresh data dir and a free loopback port.
func StartServer(t testing.TB, extraEnv ...string) *Server {
	t.Helper()
	s := newServer(t, extraEnv...)
	s.Start()
	return s
}

// newServer prepares a server on a fresh data dir without starting it.
func newServer(t testing.TB, extraEnv ...string) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir()}
	s.Env = append([]string{
		"COGNATE_ACCESS_KEY_ID=" + testAccessKey,
		"COGNATE_SECRET_ACCESS_KEY=" + testSecretKey,
		"COGNATE_DATA_DIR=" + s.DataDir,
		"COGNATE_LOG_LEVEL=info",
		"COGNATE_RATE_LIMIT_AUTH=0", // tests that need throttling turn it on
		"COGNATE_RATE_LIMITS=off",
		// Cheap password hashes: the suite signs in thousands of times; the
		// test of the default cost sets its own.
		"COGNATE_PASSWORD_ARGON2=m=64,t=1,p=1",
		// Every answer is checked against the model; Stop fails the test on
		// a "wire conformance" line.
		"COGNATE_CHECK_WIRE=1",
	}, extraEnv...)
	// COGNATE_E2E_POSTGRES=1 runs the whole suite on PostgreSQL: each server
	// gets its own schema on the throwaway cluster.
	if os.Getenv("COGNATE_E2E_POSTGRES") != "" && !strings.Contains(strings.Join(extraEnv, " "), "COGNATE_DATABASE_URL=") {
		if tt, ok := t.(*testing.T); ok {
			s.Env = append(s.Env, "COGNATE_DATABASE_URL="+pgURL(tt, requirePostgres(tt)))
		}
	}
	t.Cleanup(s.Stop)
	return s
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start (re)starts the process on the same data dir and address.
func (s *Server) Start() {
	s.t.Helper()
	if s.Addr == "" {
		s.Addr = freePort(s.t)
		s.URL = "http://" + s.Addr
	}
	s.logs = &syncBuffer{}
	s.cmd = exec.Command(cognateBinary(s.t), append([]string{"serve", "--addr", s.Addr}, s.Args...)...)
	s.cmd.Env = append(os.Environ(), s.Env...)
	s.cmd.Stdout = s.logs
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	// The server logs "cognate listening" once its socket accepts
	// connections: wait for that line rather than polling.
	ready := make(chan struct{})
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			if !signalled && strings.Contains(line, "cognate listening") {
				signalled = true
				close(ready)
			}
		}
		cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	select {
	case <-ready:
	case <-s.done:
		s.t.Fatalf("cognate exited during start:\n%s", s.logs.String())
	case <-time.After(60 * time.Second):
		s.t.Fatalf("cognate did not start:\n%s", s.logs.String())
	}
}

// Stop sends SIGTERM and waits for a graceful exit.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.cmd = nil
	s.checkWire()
}

// Kill sends SIGKILL: a crash.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
	s.checkWire()
}

// checkWire fails the test for every answer the server found off the model
// (COGNATE_CHECK_WIRE): the log of the process that just ended is complete.
func (s *Server) checkWire() {
	for _, line := range wiretest.OffModel(s.logs.String()) {
		s.t.Errorf("the server answered off the model: %s", line)
	}
}

// WaitLog waits until the server has printed sub.
func (s *Server) WaitLog(sub string) bool { return s.logs.waitFor(sub, 10*time.Second) }

// Logs returns what the server printed.
func (s *Server) Logs() string { return s.logs.String() }

// SDK returns an aws-sdk-go-v2 client signed with the admin credentials.
func (s *Server) SDK() *cip.Client {
	return cip.New(cip.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		RetryMaxAttempts: 1,
	})
}

// SDKWith returns a client signed with other credentials.
func (s *Server) SDKWith(akid, secret string) *cip.Client {
	return cip.New(cip.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(akid, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// CLIResult is what a command printed and its exit code.
type CLIResult struct {
	Stdout, Stderr string
	Code           int
}

// JSON decodes stdout.
func (r CLIResult) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s\nstderr: %s", err, r.Stdout, r.Stderr)
	}
	return m
}

func runCommand(t testing.TB, env []string, name string, args ...string) CLIResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return CLIResult{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// cliEnv is a clean environment for the AWS CLI: admin credentials, no
// profile files from the machine.
func (s *Server) cliEnv(extra ...string) []string {
	home := s.t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + testAccessKey, "AWS_SECRET_ACCESS_KEY=" + testSecretKey,
		"AWS_DEFAULT_REGION=" + testRegion, "AWS_PAGER=",
	}
	for _, v := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG", "GORACE"} {
		if val, ok := os.LookupEnv(v); ok {
			env = append(env, v+"="+val)
		}
	}
	return append(env, extra...)
}

// AWS runs `aws cognito-idp <args> --endpoint-url <server>`.
func (s *Server) AWS(args ...string) CLIResult {
	s.t.Helper()
	return s.AWSEnv(nil, args...)
}

// AWSEnv runs the AWS CLI with extra environment.
func (s *Server) AWSEnv(extraEnv []string, args ...string) CLIResult {
	s.t.Helper()
	full := append([]string{"cognito-idp"}, args...)
	full = append(full, "--endpoint-url", s.URL, "--output", "json")
	return runCommand(s.t, s.cliEnv(extraEnv...), "aws", full...)
}

// Cognate runs the cognate command line against the server.
func (s *Server) Cognate(args ...string) CLIResult {
	s.t.Helper()
	full := append(append([]string{}, args...), "--endpoint-url", s.URL)
	return runCommand(s.t, s.cliEnv(), cognateBinary(s.t), full...)
}

// awsErrorLine is how the AWS CLI prints a service error.
func awsErrorLine(code, op, msg string) string {
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", code, op, msg)
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	return last
}

func envPath() string { return os.Getenv("PATH") }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
