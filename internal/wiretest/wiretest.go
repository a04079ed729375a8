// Package wiretest reads the "wire conformance" lines a server writes with
// CheckWire on, for the tests that run one (internal/server's in-process
// harness, the e2e harness). There is no list of tolerated departures: every
// answer off the model fails the test that provoked it.
package wiretest

import (
	"encoding/json"
	"strings"

	"github.com/cognate/cognate/internal/server"
)

// OffModel returns the server's JSON log lines reporting an answer off the
// model.
func OffModel(logs string) []string {
	var found []string
	for _, line := range strings.Split(logs, "\n") {
		var entry struct {
			Msg        string
			Violations []string
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == server.WireConformance && len(entry.Violations) > 0 {
			found = append(found, line)
		}
	}
	return found
}
