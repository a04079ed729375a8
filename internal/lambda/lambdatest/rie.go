// Package lambdatest runs real Lambda functions for tests: a Go handler
// package (aws-lambda-go's lambda.Start) built as a Linux binary and
// served by the AWS Lambda Runtime Interface Emulator on loopback.
// scripts/test installs the emulator (RIEBinary says where it looks).
package lambdatest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/racetest"
)

// RIEEnv names the emulator binary; scripts/test sets it.
const RIEEnv = "COGNATE_LAMBDA_RIE"

// RequireEnv=1 (scripts/test) fails, rather than skips, a test that finds
// no emulator.
const RequireEnv = "COGNATE_REQUIRE_LAMBDA"

// RIEBinary finds the emulator: $COGNATE_LAMBDA_RIE, else aws-lambda-rie
// on PATH, else ToolsDir()'s, where scripts/test installs it.
func RIEBinary() (string, bool) {
	if p := os.Getenv(RIEEnv); p != "" {
		_, err := os.Stat(p)
		return p, err == nil
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, true
	}
	p := filepath.Join(ToolsDir(), "aws-lambda-rie")
	_, err := os.Stat(p)
	return p, err == nil
}

// ToolsDir is where scripts/test installs the tools tests run
// (<user cache dir>/cognate/tools).
func ToolsDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cognate", "tools")
}

// RequireRIE returns the emulator's path, skipping the test when there is
// none (failing it under COGNATE_REQUIRE_LAMBDA=1).
func RequireRIE(t testing.TB) string {
	t.Helper()
	p, ok := RIEBinary()
	if ok {
		return p
	}
	msg := "no AWS Lambda Runtime Interface Emulator (set " + RIEEnv + ", put aws-lambda-rie on PATH, or run scripts/test, which installs it in " + ToolsDir() + ")"
	if os.Getenv(RequireEnv) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// BuildHandler builds the handler package pkg (a directory or an import
// path of this module) as a static Linux binary named bootstrap, once per
// test process, and returns its path.
func BuildHandler(t testing.TB, pkg string) string {
	t.Helper()
	abs := pkg
	if st, err := os.Stat(pkg); err == nil && st.IsDir() {
		if abs, err = filepath.Abs(pkg); err != nil {
			t.Fatal(err)
		}
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[abs]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "cognate-lambda-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-o", out, abs)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the handler %s: %v\n%s", pkg, err, msg)
	}
	built[abs] = out
	return out
}

// Function is a handler running under its own emulator.
type Function struct {
	// URL is the emulator's invocation URL
	// (http://127.0.0.1:<port>/2015-03-31/functions/function/invocations).
	URL string
	// Base is the emulator's base URL (http://127.0.0.1:<port>).
	Base string
	logs *racetest.Buffer
}

// Logs is what the emulator and the function printed so far.
func (f *Function) Logs() string { return f.logs.String() }

// Start serves the handler binary bootstrap under a new emulator on free
// loopback ports, the function limited to timeout (AWS_LAMBDA_FUNCTION_TIMEOUT,
// whole seconds: keep it below the caller's, so that a slow function ends
// before the caller's next attempt reaches the emulator), env added to the
// function's environment. It returns once the emulator accepts connections
// and stops it (SIGTERM) at the test's cleanup.
func Start(t testing.TB, bootstrap string, timeout time.Duration, env ...string) *Function {
	t.Helper()
	rie := RequireRIE(t)
	secs := int(timeout / time.Second)
	if secs < 1 {
		secs = 1
	}
	addr, runtimeAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", runtimeAddr, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(secs)), env...)
	logs := &racetest.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// Poll by connecting: the emulator prints nothing when it listens.
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the emulator exited before listening: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator is not listening on %s after 30 s\n%s", addr, logs)
		}
	}
	base := "http://" + addr
	return &Function{URL: base + "/2015-03-31/functions/function/invocations", Base: base, logs: logs}
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
