// Command migrate is a UserMigration trigger for tests: its "legacy system"
// knows one user, legacy / Legacy-Password-1, and migrates it on sign-in
// (the password checked) and on forgot-password (no password sent).
// A second user, welcomed (same password), migrates on sign-in with a
// welcome message by EMAIL (no SUPPRESS). Anyone else, or a wrong
// password, is an error, as a real function's "user not found" would be.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

const (
	legacyUser     = "legacy"
	legacyPassword = "Legacy-Password-1"
	welcomedUser   = "welcomed"
)

func handle(ctx context.Context, event events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
	if event.UserName != legacyUser && event.UserName != welcomedUser {
		return event, errors.New("Bad user")
	}
	switch event.TriggerSource {
	case "UserMigration_Authentication":
		if event.CognitoEventUserPoolsMigrateUserRequest.Password != legacyPassword {
			return event, errors.New("Bad password")
		}
		event.CognitoEventUserPoolsMigrateUserResponse.FinalUserStatus = "CONFIRMED"
	case "UserMigration_ForgotPassword":
		event.CognitoEventUserPoolsMigrateUserResponse.FinalUserStatus = "RESET_REQUIRED"
	default:
		return event, errors.New("Bad trigger source " + event.TriggerSource)
	}
	event.CognitoEventUserPoolsMigrateUserResponse.UserAttributes = map[string]string{
		"email":          event.UserName + "@example.com",
		"email_verified": "true",
		"name":           "Legacy User",
	}
	event.CognitoEventUserPoolsMigrateUserResponse.MessageAction = "SUPPRESS"
	if event.UserName == welcomedUser {
		event.CognitoEventUserPoolsMigrateUserResponse.MessageAction = ""
		event.CognitoEventUserPoolsMigrateUserResponse.DesiredDeliveryMediums = []string{"EMAIL"}
	}
	return event, nil
}

func main() {
	lambda.Start(handle)
}
