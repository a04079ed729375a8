// Command custommessage is a CustomMessage handler for the end-to-end
// tests: it writes every message as "Hello <user>, your <trigger source>
// code is <codeParameter>." (and " Campaign: <c>." when the call's
// ClientMetadata has a campaign) with the subject "Welcome, <user>"; for the
// user "nocode" it leaves the code out, and for "fail" it fails.
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	switch ev.UserName {
	case "fail":
		return ev, errors.New("no template for this user")
	case "nocode":
		ev.Response.EmailMessage = "Welcome aboard."
		return ev, nil
	}
	msg := fmt.Sprintf("Hello %s, your %s code is %s.", ev.UserName, ev.TriggerSource, ev.Request.CodeParameter)
	if campaign := ev.Request.ClientMetadata["campaign"]; campaign != "" {
		msg += " Campaign: " + campaign + "."
	}
	ev.Response.EmailMessage, ev.Response.SMSMessage = msg, msg
	ev.Response.EmailSubject = "Welcome, " + ev.UserName
	return ev, nil
}

func main() { lambda.Start(handle) }
