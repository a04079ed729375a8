package server

import (
	"encoding/json"
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
