// Command presignup is a PreSignUp trigger: it rejects sign-ups from
// e-mail domains outside ALLOWED_DOMAINS (comma-separated; default
// example.com) and confirms and verifies the others at once, so that they
// can sign in without a code. See ../README.md.
package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func allowed(email string) bool {
	domains := os.Getenv("ALLOWED_DOMAINS")
	if domains == "" {
		domains = "example.com"
	}
	_, domain, ok := strings.Cut(email, "@")
	if !ok {
		return false
	}
	for _, d := range strings.Split(domains, ",") {
		if strings.EqualFold(strings.TrimSpace(d), domain) {
			return true
		}
	}
	return false
}

func handle(ctx context.Context, event events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	if !allowed(event.Request.UserAttributes["email"]) {
		// The client sees UserLambdaValidationException
		// "PreSignUp failed with error Registration from this domain is not allowed.."
		return event, errors.New("Registration from this domain is not allowed.")
	}
	event.Response.AutoConfirmUser = true
	event.Response.AutoVerifyEmail = true
	return event, nil
}

func main() {
	lambda.Start(handle)
}
