package awsjson

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/userpool"
)

// ContentType is the JSON 1.1 media type.
const ContentType = "application/x-amz-json-1.1"

// NewRequestID returns a request id in AWS's UUID form.
func NewRequestID() string { return uuid.NewString() }

// WriteResult writes a 200 answer; nil becomes {}.
func WriteResult(w http.ResponseWriter, requestID string, v any) {
	body := []byte("{}")
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			WriteError(w, requestID, err)
			return
		}
		body = b
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// WriteError writes a Cognito error: 400 for client faults, 500 only for
// internal errors, whose details never leave the server.
func WriteError(w http.ResponseWriter, requestID string, err error) {
	typ, msg := userpool.ErrorType(err), userpool.ErrorMessage(err)
	status := http.StatusBadRequest
	if typ == userpool.InternalError {
		status = http.StatusInternalServerError
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{typ, msg})
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-RequestId", requestID)
	h.Set("x-amzn-ErrorType", typ+":")
	h.Set("x-amzn-ErrorMessage", headerSafe(msg))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// headerSafe keeps a message printable ASCII for the header.
func headerSafe(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 512; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
