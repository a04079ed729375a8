package userpool

import "context"

// PostConfirmation (Cognito's post confirmation Lambda trigger) runs once a
// user is confirmed: on ConfirmSignUp and AdminConfirmSignUp
// (PostConfirmation_ConfirmSignUp), on a SignUp that PreSignUp
// auto-confirmed (the same source), and on ConfirmForgotPassword
// (PostConfirmation_ConfirmForgotPassword). Not on users an administrator
// creates.
//
// It runs after the confirmation is written, and its failure does not undo
// it: the user stays confirmed (or keeps the new password) and the call
// returns the trigger's error, as Cognito does (amplify-cli #2735: a user
// confirmed anyway while the client saw InvalidLambdaResponseException).
// A retried invocation writes nothing: the write came before it, once.

// Trigger sources of PostConfirmation.
const (
	sourcePostConfirmationSignUp = "PostConfirmation_ConfirmSignUp"
	sourcePostConfirmationForgot = "PostConfirmation_ConfirmForgotPassword"
)

// postConfirmationRequest is aws-lambda-go's
// CognitoEventUserPoolsPostConfirmationRequest.
type postConfirmationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

type postConfirmationResponse struct{}

// postConfirmation runs the pool's PostConfirmation function for u, just
// confirmed ("" clientID: an admin call).
func (t *Triggers) postConfirmation(ctx context.Context, pool *Pool, source, clientID string, u *User, metadata map[string]string) error {
	event := newTriggerEvent[postConfirmationRequest, postConfirmationResponse](*pool, "", source, u.Username, clientID,
		postConfirmationRequest{UserAttributes: triggerUserAttributes(pool, u), ClientMetadata: metadata})
	var answer TriggerEvent[postConfirmationRequest, postConfirmationResponse]
	_, err := t.run(ctx, *pool, TriggerPostConfirmation, event, &answer)
	return err
}
