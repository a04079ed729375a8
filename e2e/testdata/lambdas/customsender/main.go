// Command customsender is a CustomEmailSender / CustomSMSSender handler for
// the end-to-end tests: it appends every event it gets, one JSON line, to
// the file $COGNATE_SENDER_LOG, where the test reads it; for the user
// "fail" it fails instead.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// senderEvent is a custom sender's event (aws-lambda-go has no type for it).
type senderEvent struct {
	events.CognitoEventUserPoolsHeader
	Request struct {
		Type           string            `json:"type"`
		Code           string            `json:"code"`
		ClientMetadata map[string]string `json:"clientMetadata"`
		UserAttributes map[string]string `json:"userAttributes"`
	} `json:"request"`
}

func handle(ctx context.Context, ev senderEvent) error {
	if ev.UserName == "fail" {
		return errors.New("the provider refused the message")
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(os.Getenv("COGNATE_SENDER_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

func main() { lambda.Start(handle) }
