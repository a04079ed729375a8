// Command pretoken is a PreTokenGeneration trigger (V2_0) for tests: it
// stamps both tokens with the event's trigger source, adds a nested claim
// to the ID token, suppresses the ID token's email, and adds a scope to
// and suppresses aws.cognito.signin.user.admin from the access token, so
// that a test sees each kind of change and which flow asked.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, event events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	event.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
		IDTokenGeneration: events.IDTokenGenerationV2_0{
			ClaimsToAddOrOverride: map[string]interface{}{
				"trigger_source": event.TriggerSource,
				"profile":        map[string]interface{}{"plan": "gold", "seats": 3},
			},
			ClaimsToSuppress: []string{"email"},
		},
		AccessTokenGeneration: events.AccessTokenGenerationV2_0{
			ClaimsToAddOrOverride: map[string]interface{}{"trigger_source": event.TriggerSource},
			ScopesToAdd:           []string{"api/read"},
			ScopesToSuppress:      []string{"aws.cognito.signin.user.admin"},
		},
	}
	return event, nil
}

func main() {
	lambda.Start(handle)
}
