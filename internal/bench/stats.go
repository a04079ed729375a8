package bench

import (
	"fmt"
	"sort"
	"time"
)

// Stats summarizes one workload.
type Stats struct {
	Workload    string         `json:"workload"`
	Concurrency int            `json:"concurrency"`
	Requests    int            `json:"requests"`
	Seconds     float64        `json:"seconds"`
	PerSecond   float64        `json:"per_second"`
	P50ms       float64        `json:"p50_ms"`
	P90ms       float64        `json:"p90_ms"`
	P99ms       float64        `json:"p99_ms"`
	MaxMs       float64        `json:"max_ms"`
	Errors      map[string]int `json:"errors"`
	// ServerCPUms and ClientCPUms are CPU milliseconds per call: the
	// server's (0 when it publishes no process_cpu_seconds_total) and the
	// load generator's own, which shares the machine with it.
	ServerCPUms float64 `json:"server_cpu_ms_per_call,omitempty"`
	ClientCPUms float64 `json:"client_cpu_ms_per_call,omitempty"`
	// WritesPerCommit is how many writes each group commit carried during
	// the workload, from Cognate's SQLite metrics.
	WritesPerCommit float64 `json:"writes_per_group_commit,omitempty"`
	// RSANearby is, for the workloads that sign two tokens (sign-in and the
	// three refreshes), the best RSA-2048 rate of the
	// windows measured just before and just after the workload: the
	// machine's ceiling at the time, where a shared machine's speed drifts
	// within a run. The run-wide ceiling is the best of all windows.
	RSANearby float64 `json:"rsa2048_sign_per_second_nearby,omitempty"`
	// Flood is getuser-flood's wrong-password traffic; the server's CPU
	// per call above then includes the flood's.
	Flood *FloodStats `json:"flood,omitempty"`
}

func cpuMs(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

// succeededPerSecond is the throughput of the calls that did not fail:
// a fast error is no sign-in.
func (s Stats) succeededPerSecond() float64 {
	if s.Seconds <= 0 {
		return 0
	}
	ok := s.Requests
	for _, n := range s.Errors {
		ok -= n
	}
	return float64(ok) / s.Seconds
}

// percentile returns the q-quantile (0..1) of sorted samples, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// summarize builds Stats from all samples of a run.
func summarize(name string, conc int, samples []time.Duration, errs map[string]int, elapsed time.Duration) Stats {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	s := Stats{Workload: name, Concurrency: conc, Requests: len(samples), Seconds: elapsed.Seconds(), Errors: errs}
	if elapsed > 0 {
		s.PerSecond = float64(len(samples)) / elapsed.Seconds()
	}
	if len(samples) > 0 {
		s.P50ms, s.P90ms, s.P99ms = ms(percentile(samples, .5)), ms(percentile(samples, .9)), ms(percentile(samples, .99))
		s.MaxMs = ms(samples[len(samples)-1])
	}
	return s
}
