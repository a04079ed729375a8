package server

import (
	"encoding/json"
	"github.com/cognate/cognate/internal/awsmodel"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A handler that panics answers InternalErrorException (500, JSON) and the
// panic is logged; the server goes on serving.
func TestPanicsBecomeInternalErrors(t *testing.T) {
	var logs strings.Builder
	s := &Server{Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("{}")))
	body, _ := io.ReadAll(rec.Body)
	var m map[string]string
	json.Unmarshal(body, &m)
	if rec.Code != 500 || m["__type"] != "InternalErrorException" || rec.Header().Get("x-amzn-ErrorType") != "InternalErrorException:" {
		t.Fatalf("status %d body %s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Fatalf("panic not logged: %s", logs.String())
	}
}

// Security review #28: /metrics on the API port answers this machine's
// clients only, and not at all when it has a listener of its own.
func TestMetricsForLoopbackOnly(t *testing.T) {
	for _, c := range []struct {
		remote    string
		elsewhere bool
		want      int // 0: anything but 200 (the API's own answer)
	}{
		{"127.0.0.1:40000", false, 200},
		{"[::1]:40000", false, 200},
		{"192.0.2.7:40000", false, 403},
		{"[2001:db8::1]:40000", false, 403},
		{"127.0.0.1:40000", true, 0},
	} {
		s := &Server{Metrics: NewMetrics(), MetricsElsewhere: c.elsewhere, Model: awsmodel.Default()}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = c.remote
		s.Handler().ServeHTTP(rec, req)
		if got := rec.Code; (c.want != 0 && got != c.want) || (c.want == 0 && got == 200) {
			t.Errorf("%s (elsewhere %v): status %d, want %d", c.remote, c.elsewhere, got, c.want)
		}
	}
}
