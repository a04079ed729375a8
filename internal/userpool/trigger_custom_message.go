package userpool

import (
	"context"
	"strings"
	"unicode/utf8"
)

// CustomMessage (Cognito's custom message Lambda trigger) writes the email
// or SMS that carries a code, before Cognate puts it in the outbox (and
// hands it to SMTP). Cognate sends codes on sign-up, resend, forgotten
// password (ForgotPassword and AdminResetUserPassword), attribute update
// and attribute verification; it sends no invitation on AdminCreateUser
// and no SMS MFA codes, so CustomMessage_AdminCreateUser and
// CustomMessage_Authentication never run.
//
// The function gets the placeholder "{####}" as codeParameter (the real
// code never leaves Cognate) and answers smsMessage, emailMessage and
// emailSubject; Cognate replaces the placeholder in its answer with the
// code. An empty answer for the message's medium leaves the pool's own
// message. A message without the placeholder, or an email over 20,000
// characters, is refused with InvalidParameterException: Cognito checks the
// function's message against the pattern of its own message templates
// (amazon-cognito-identity-js #99: "Value at 'emailBody' failed to satisfy
// constraint: Member must satisfy regular expression pattern: …\{####\}…").
//
// The function runs before the code is made and stored, so when it fails
// (or its message is refused) no code is stored and nothing is sent; the
// call returns the trigger's error, and what the call wrote before the
// message stays — a signed-up user exists, UNCONFIRMED, and can ask for the
// code again (as AdminCreateUser keeps its user when delivery fails, boto3
// #3524). A retried invocation sends nothing: the message is written once,
// after the function answered.

// Trigger sources of CustomMessage Cognate sends.
const (
	sourceCustomMessageSignUp          = "CustomMessage_SignUp"
	sourceCustomMessageResendCode      = "CustomMessage_ResendCode"
	sourceCustomMessageForgotPassword  = "CustomMessage_ForgotPassword"
	sourceCustomMessageUpdateAttribute = "CustomMessage_UpdateUserAttribute"
	sourceCustomMessageVerifyAttribute = "CustomMessage_VerifyUserAttribute"
)

// codePlaceholder stands for the code in messages: in the pool's templates
// and in the function's answer.
const codePlaceholder = "{####}"

// usernamePlaceholder stands for the user name in invitations.
const usernamePlaceholder = "{username}"

// maxCustomEmailMessage is the longest emailMessage Cognito accepts.
const maxCustomEmailMessage = 20000

// messageCause is why a code is sent: the CustomMessage source, the app
// client of the call ("" for admin calls) and its ClientMetadata.
type messageCause struct {
	source   string
	clientID string
	metadata map[string]string
}

// customMessageRequest is aws-lambda-go's
// CognitoEventUserPoolsCustomMessageRequest. usernameParameter is null:
// only AdminCreateUser's invitation carries the user name. There is no
// linkParameter: Cognate verifies by code only.
type customMessageRequest struct {
	UserAttributes    map[string]string `json:"userAttributes"`
	CodeParameter     string            `json:"codeParameter"`
	UsernameParameter *string           `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata"`
}

// customMessageResponse is CognitoEventUserPoolsCustomMessageResponse;
// Cognito sends its fields null.
type customMessageResponse struct {
	SMSMessage   *string `json:"smsMessage"`
	EmailMessage *string `json:"emailMessage"`
	EmailSubject *string `json:"emailSubject"`
}

// customMessage asks the pool's CustomMessage function for the message to
// u by medium (EMAIL or SMS). It returns the function's body, with the code
// placeholder still in it, and subject; "" for either means the pool's own.
func (t *Triggers) customMessage(ctx context.Context, pool *Pool, cause messageCause, u *User, medium string) (body, subject string, err error) {
	event := newTriggerEvent[customMessageRequest, customMessageResponse](*pool, "", cause.source, u.Username, cause.clientID,
		customMessageRequest{UserAttributes: triggerUserAttributes(pool, u), CodeParameter: codePlaceholder, ClientMetadata: cause.metadata})
	var answer TriggerEvent[customMessageRequest, customMessageResponse]
	if ran, err := t.run(ctx, *pool, TriggerCustomMessage, event, &answer); !ran || err != nil {
		return "", "", err
	}
	field, message := "smsMessage", answer.Response.SMSMessage
	if medium == "EMAIL" {
		field, message = "emailBody", answer.Response.EmailMessage
		if answer.Response.EmailSubject != nil {
			subject = *answer.Response.EmailSubject
		}
	}
	if message == nil || *message == "" {
		return "", subject, nil
	}
	if !strings.Contains(*message, codePlaceholder) {
		return "", "", Errorf(InvalidParameter, `1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`, field)
	}
	if medium == "EMAIL" && utf8.RuneCountInString(*message) > maxCustomEmailMessage {
		return "", "", Errorf(InvalidParameter, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, maxCustomEmailMessage)
	}
	return *message, subject, nil
}
