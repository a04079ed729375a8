package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// `cognate bench` drives a real server and reports every workload.
func TestBenchCommand(t *testing.T) {
	s := StartServer(t)
	out := filepath.Join(t.TempDir(), "bench.json")
	workloads := []string{"signin", "srp", "refresh", "gettokens", "rotate", "getuser", "getuser-flood", "signout"}
	r := runCommand(t, s.cliEnv(), cognateBinary(t), "bench", "--endpoint-url", s.URL, "--access-key-id", testAccessKey,
		"--secret-access-key", testSecretKey, "--duration", "500ms", "--rsa-window", "20ms", "--concurrency", "2", "--users", "4", "--flood-concurrency", "2", "--flood-users", "3",
		"--workload", strings.Join(workloads, ","),
		"--scaling-user", "1,3", "--scaling-pool", "20", "--progress=false", "--json", out)
	if r.Code != 0 {
		t.Fatalf("bench: %d %s %s", r.Code, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "RSA-2048 signatures") || !strings.Contains(r.Stdout, "getuser") || !strings.Contains(r.Stdout, "server RSS") {
		t.Fatalf("report:\n%s", r.Stdout)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Machine struct {
			CPUs          int     `json:"cpus"`
			ClientProcs   int     `json:"client_gomaxprocs"`
			RSASignPerSec float64 `json:"rsa2048_sign_per_second"`
			RSABefore     float64 `json:"rsa2048_sign_per_second_before"`
			RSAAfter      float64 `json:"rsa2048_sign_per_second_after"`
		}
		Workloads []struct {
			Workload string
			Requests int
			Errors   map[string]int
			Server   float64 `json:"server_cpu_ms_per_call"`
			Client   float64 `json:"client_cpu_ms_per_call"`
			Batch    float64 `json:"writes_per_group_commit"`
			Nearby   float64 `json:"rsa2048_sign_per_second_nearby"`
			Flood    *struct {
				Requests, Evaluated, Locked int
				Errors                      map[string]int
			}
		}
		UserScaling []struct{ Sessions int } `json:"signout_by_user_sessions"`
		PoolScaling []struct {
			Sessions    int
			ServerRSSMB float64 `json:"server_rss_mb"`
		} `json:"signout_by_pool_sessions"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	best := max(rep.Machine.RSABefore, rep.Machine.RSAAfter)
	for _, w := range rep.Workloads {
		best = max(best, w.Nearby)
	}
	if m := rep.Machine; m.RSABefore <= 0 || m.RSAAfter <= 0 || m.RSASignPerSec != best || len(rep.Workloads) != len(workloads) || len(rep.UserScaling) != 2 || len(rep.PoolScaling) != 1 ||
		rep.PoolScaling[0].ServerRSSMB <= 0 {
		t.Fatalf("report %s", raw)
	}
	// The load generator drives on one thread by default; the ceiling is the
	// whole machine's.
	if m := rep.Machine; m.CPUs != runtime.GOMAXPROCS(0) || m.ClientProcs != 1 {
		t.Fatalf("machine %+v, want %d CPUs and a load generator on 1", m, runtime.GOMAXPROCS(0))
	}
	for i, w := range rep.Workloads {
		if w.Workload != workloads[i] {
			t.Fatalf("workload %d is %q, want %q", i, w.Workload, workloads[i])
		}
		// The server's CPU comes from its /metrics, the client's from rusage.
		if w.Requests == 0 || len(w.Errors) != 0 || w.Server <= 0 || w.Client <= 0 {
			t.Fatalf("workload %+v", w)
		}
		// The ceiling is measured around the workloads that sign two
		// tokens, only; every refresh does.
		if signs := !strings.HasPrefix(w.Workload, "getuser") && w.Workload != "signout"; signs != (w.Nearby > 0) {
			t.Fatalf("workload %+v: nearby RSA rate", w)
		}
		// The flood's wrong passwords are compared, or refused once their
		// user is locked out (three users, five failures each), never
		// accepted.
		if f := w.Flood; (w.Workload == "getuser-flood") != (f != nil) || f != nil && (f.Requests == 0 || f.Evaluated+f.Locked != f.Requests || len(f.Errors) != 0) {
			t.Fatalf("workload %+v: flood %+v", w, f)
		}
		// On SQLite, sign-in, rotation and sign-out write through the group
		// commit; PostgreSQL has none, and reports none.
		onSQLite := os.Getenv("COGNATE_E2E_POSTGRES") == ""
		if writes := w.Workload == "signin" || w.Workload == "rotate" || w.Workload == "signout"; onSQLite && writes && w.Batch < 1 || !onSQLite && w.Batch != 0 {
			t.Fatalf("workload %+v: group commits in /metrics do not match the backend", w)
		}
	}
}
