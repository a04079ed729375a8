// Command modes is a Lambda handler for tests of how Cognate tells a
// function's answers apart: COGNATE_LAMBDA_MODE (set on its emulator) picks
// what it does with the event.
//
//	echo (default)  returns the event unchanged
//	error           returns an error (Lambda's function error)
//	panic           panics (the runtime exits)
//	exit            exits with status 129 mid-invocation
//	badjson         answers bytes that are not JSON
//	string          answers a JSON string, not the event
//	metadata        returns an error naming the event's request.clientMetadata
//	                (so a test sees through the wire what the function got)
//	slow            sleeps, then echoes: for the event's "sleep" member (a
//	                Go duration) if it has one, else COGNATE_LAMBDA_SLEEP,
//	                else 10s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type handler struct{ mode string }

// Invoke answers raw bytes (lambda.Handler), so that badjson can answer
// what a JSON encoder never would.
func (h handler) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	switch h.mode {
	case "error":
		return nil, errors.New("Registration from this domain is not allowed.")
	case "panic":
		panic("the handler panicked")
	case "exit":
		os.Exit(129)
	case "badjson":
		return []byte(`{"version":"1",`), nil
	case "string":
		return []byte(`"not the event"`), nil
	case "metadata":
		var ev struct {
			Request struct {
				ClientMetadata map[string]string `json:"clientMetadata"`
			} `json:"request"`
		}
		_ = json.Unmarshal(event, &ev)
		got, _ := json.Marshal(ev.Request.ClientMetadata)
		return nil, errors.New("clientMetadata " + string(got))
	case "slow":
		var asked struct{ Sleep string }
		_ = json.Unmarshal(event, &asked)
		d, err := time.ParseDuration(asked.Sleep)
		if err != nil {
			d, err = time.ParseDuration(os.Getenv("COGNATE_LAMBDA_SLEEP"))
		}
		if err != nil {
			d = 10 * time.Second
		}
		// Past its deadline too, as a function busy with a slow call is:
		// returning at the deadline would race the emulator's time-out.
		time.Sleep(d)
	}
	return event, nil
}

func main() {
	lambda.StartHandler(handler{mode: os.Getenv("COGNATE_LAMBDA_MODE")})
}
