package userpool

import "context"

// PreAuthentication and PostAuthentication (Cognito's pre and post
// authentication Lambda triggers) bracket every sign-in of a user.
//
// PreAuthentication_Authentication runs when a sign-in is attempted, before
// the secret is checked ("invokes this trigger when a user attempts to sign
// in", user-pool-lambda-pre-authentication.md; it is the trigger InitiateAuth's
// ClientMetadata reaches, as validationData): in CheckPassword once the user
// is found (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted UI's
// password step) and in srpInitiate (USER_SRP_AUTH's InitiateAuth, before the
// PASSWORD_VERIFIER challenge). A wrong password therefore still invokes it,
// and its rejection ("PreAuthentication failed with error <message>.") is not
// a failed attempt for the lockout. An unknown user invokes it only when the
// client sets PreventUserExistenceErrors (userNotFound true), as the page
// says. Refresh does not invoke it ("Renewal of an existing authentication
// session also doesn't activate this trigger").
//
// PostAuthentication_Authentication runs when the sign-in has succeeded,
// every challenge answered, in signIn — the one step every sign-in path ends
// in (password, SRP, device SRP, MFA, NEW_PASSWORD_REQUIRED, the hosted UI)
// — before any token or session is made, so its error fails the call with
// nothing issued. newDeviceUsed is true when the sign-in registers a new
// device. Its clientMetadata is the ClientMetadata of the call that ends the
// sign-in (InitiateAuth or RespondToAuthChallenge).

// Trigger sources of the authentication triggers.
const (
	sourcePreAuthentication  = "PreAuthentication_Authentication"
	sourcePostAuthentication = "PostAuthentication_Authentication"
)

// preAuthenticationRequest is aws-lambda-go's
// CognitoEventUserPoolsPreAuthenticationRequest.
type preAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	UserNotFound   bool              `json:"userNotFound,omitempty"`
}

// postAuthenticationRequest is CognitoEventUserPoolsPostAuthenticationRequest.
type postAuthenticationRequest struct {
	NewDeviceUsed  bool              `json:"newDeviceUsed"`
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

type noTriggerResponse struct{}

// preAuthentication runs the pool's PreAuthentication function for u
// (for an unknown user, u holds only the name asked for).
func (a *Auth) preAuthentication(ctx context.Context, pool *Pool, client *Client, u *User, userNotFound bool) error {
	attrs := map[string]string{}
	if !userNotFound {
		attrs = triggerUserAttributes(pool, u)
	}
	event := newTriggerEvent[preAuthenticationRequest, noTriggerResponse](*pool, "", sourcePreAuthentication, u.Username, client.ID,
		preAuthenticationRequest{UserAttributes: attrs, ValidationData: clientMetadataOf(ctx), UserNotFound: userNotFound})
	var answer TriggerEvent[preAuthenticationRequest, noTriggerResponse]
	_, err := a.Triggers.run(ctx, *pool, TriggerPreAuthentication, event, &answer)
	return err
}

// postAuthentication runs the pool's PostAuthentication function for u,
// signed in.
func (a *Auth) postAuthentication(ctx context.Context, pool *Pool, client *Client, u *User, newDevice bool) error {
	event := newTriggerEvent[postAuthenticationRequest, noTriggerResponse](*pool, "", sourcePostAuthentication, u.Username, client.ID,
		postAuthenticationRequest{NewDeviceUsed: newDevice, UserAttributes: triggerUserAttributes(pool, u), ClientMetadata: clientMetadataOf(ctx)})
	var answer TriggerEvent[postAuthenticationRequest, noTriggerResponse]
	_, err := a.Triggers.run(ctx, *pool, TriggerPostAuthentication, event, &answer)
	return err
}
