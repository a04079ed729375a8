// Command pretokengen is a PreTokenGeneration trigger (LambdaVersion V2_0):
// it adds a tenant claim to the ID and access tokens, a scope to the access
// token, and keeps the user's groups. Set PreTokenGenerationConfig
// {LambdaVersion: V2_0, LambdaArn: …} on the pool; see ../README.md.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// tenantOf is where an application would look the user up.
func tenantOf(attributes map[string]string) string {
	if t := attributes["custom:tenant"]; t != "" {
		return t
	}
	return "default"
}

func handle(ctx context.Context, event events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	tenant := tenantOf(event.Request.UserAttributes)
	event.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
		IDTokenGeneration: events.IDTokenGenerationV2_0{
			ClaimsToAddOrOverride: map[string]interface{}{"tenant": tenant},
		},
		AccessTokenGeneration: events.AccessTokenGenerationV2_0{
			ClaimsToAddOrOverride: map[string]interface{}{"tenant": tenant},
			ScopesToAdd:           []string{"tenant/" + tenant},
		},
		// The override replaces cognito:groups: hand back the user's own.
		GroupOverrideDetails: event.Request.GroupConfiguration,
	}
	return event, nil
}

func main() {
	lambda.Start(handle)
}
