package userpool

import (
	"context"
	"encoding/json"
	"strings"
)

// CustomEmailSender and CustomSMSSender (Cognito's custom sender Lambda
// triggers, LambdaConfig.CustomEmailSender / CustomSMSSender {LambdaVersion
// V1_0, LambdaArn} with LambdaConfig.KMSKeyID) deliver a message instead of
// the pool: when one is set for the message's medium, Cognate invokes it
// with the code (or AdminCreateUser's temporary password) and writes no
// message itself — no CustomMessage for that medium (there is no message
// to write), no SMTP. The outbox still records that the code was issued,
// with an empty body, so that `cognate outbox` shows it and a test can
// read it; the code is verifiable either way.
//
// The event (no type in aws-lambda-go; the shape of Cognito's developer
// guide): the common envelope with triggerSource CustomEmailSender_<X> /
// CustomSMSSender_<X>, X taken from the CustomMessage source of the same
// message (CustomMessage_SignUp → CustomEmailSender_SignUp, so every
// message Cognate sends names its sender source), and request {type:
// customEmailSenderRequestV1 | customSMSSenderRequestV1, code,
// clientMetadata, userAttributes}; no response.
//
// The code: Cognito encrypts it with the AWS Encryption SDK under the
// pool's KMSKeyID, and the function decrypts it with KMS. A local stack has
// no KMS key of the pool's, so Cognate sends the code in clear. A handler
// that runs against both decrypts only a value that is an Encryption SDK
// message (base64 whose first two bytes are 0x01 0x80, the ESDK's version
// 1 header, as Cognito's "AYAD…" codes are) and uses any other as is
// (examples/triggers/customsender).
//
// Cognito invokes custom senders asynchronously, so its call succeeds
// whatever the function does. Cognate invokes them as every other trigger,
// synchronously with Cognito's rules (triggers.go), so that a local run
// shows a failing sender: the call gets the trigger's error and no code is
// stored (what the call wrote before the message stays, as for
// CustomMessage). A decision where Cognate is louder than Cognito, on
// purpose.

// Custom sender triggers.
const (
	TriggerCustomEmailSender = "CustomEmailSender"
	TriggerCustomSMSSender   = "CustomSMSSender"
)

// customSenderRequest is the request of a custom sender event.
type customSenderRequest struct {
	Type           string            `json:"type"`
	Code           string            `json:"code"`
	ClientMetadata map[string]string `json:"clientMetadata"`
	UserAttributes map[string]string `json:"userAttributes"`
}

// customSenderEvent is a custom sender's event: the envelope and the
// request, no response.
type customSenderEvent struct {
	triggerHeader
	Request customSenderRequest `json:"request"`
}

// senderTrigger is the custom sender of medium (EMAIL or SMS), its trigger
// source for the message cause, and the event's request type.
func senderTrigger(medium string, cause messageCause) (trigger, source, requestType string) {
	trigger, requestType = TriggerCustomEmailSender, "customEmailSenderRequestV1"
	if medium == "SMS" {
		trigger, requestType = TriggerCustomSMSSender, "customSMSSenderRequestV1"
	}
	return trigger, trigger + "_" + strings.TrimPrefix(cause.source, "CustomMessage_"), requestType
}

// hasCustomSender reports whether the pool sends medium's messages through
// a custom sender.
func (t *Triggers) hasCustomSender(pool *Pool, medium string) bool {
	trigger, _, _ := senderTrigger(medium, messageCause{})
	return t != nil && t.Invoker != nil && pool.TriggerARN(trigger) != ""
}

// customSender hands code, for u by medium, to the pool's custom sender for
// the medium. It reports false, doing nothing, when the pool has none.
func (t *Triggers) customSender(ctx context.Context, pool *Pool, cause messageCause, u *User, medium, code string) (bool, error) {
	if !t.hasCustomSender(pool, medium) {
		return false, nil
	}
	trigger, source, requestType := senderTrigger(medium, cause)
	envelope := newTriggerEvent[struct{}, struct{}](*pool, "", source, u.Username, cause.clientID, struct{}{})
	event := customSenderEvent{triggerHeader: envelope.triggerHeader, Request: customSenderRequest{Type: requestType, Code: code,
		ClientMetadata: cause.metadata, UserAttributes: triggerUserAttributes(pool, u)}}
	var answer json.RawMessage // the function's answer is not read
	_, err := t.run(ctx, *pool, trigger, event, &answer)
	return true, err
}

// customSenderConfig is the LambdaConfig's part about custom senders.
type customSenderConfig struct {
	CustomEmailSender, CustomSMSSender *struct{ LambdaArn, LambdaVersion string }
	KMSKeyID                           string
}

// checkCustomSenderConfig holds LambdaConfigType's rule for custom senders:
// Cognito encrypts what it hands them under KMSKeyID, so a custom sender
// without a key is refused (the message is Cognate's; the wire decoder has
// checked the members' shapes and LambdaVersion's value). Cognate keeps the
// key's ARN and uses no KMS (see above).
func checkCustomSenderConfig(raw json.RawMessage) error {
	var c customSenderConfig
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil {
		return nil
	}
	if (c.CustomEmailSender != nil || c.CustomSMSSender != nil) && c.KMSKeyID == "" {
		return Errorf(InvalidParameter, "KMSKeyID is required when CustomEmailSender or CustomSMSSender is set.")
	}
	return nil
}
