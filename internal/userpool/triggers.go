package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The Lambda triggers a pool's LambdaConfig can name (LambdaConfigType's
// members; PreTokenGeneration may also come from PreTokenGenerationConfig).
const (
	TriggerPreSignUp                   = "PreSignUp"
	TriggerPostConfirmation            = "PostConfirmation"
	TriggerPreAuthentication           = "PreAuthentication"
	TriggerPostAuthentication          = "PostAuthentication"
	TriggerPreTokenGeneration          = "PreTokenGeneration"
	TriggerUserMigration               = "UserMigration"
	TriggerCustomMessage               = "CustomMessage"
	TriggerDefineAuthChallenge         = "DefineAuthChallenge"
	TriggerCreateAuthChallenge         = "CreateAuthChallenge"
	TriggerVerifyAuthChallengeResponse = "VerifyAuthChallengeResponse"
)

// Invoker calls one Lambda function once, synchronously (Lambda's Invoke
// with RequestResponse): it sends event to the function arn names and
// returns the function's answer. It makes exactly one attempt, within ctx;
// Cognito's time limit and retries are the domain's (Triggers). A failed
// attempt is an *InvokeError.
type Invoker interface {
	Invoke(ctx context.Context, arn string, event []byte) ([]byte, error)
}

// InvokerFunc is an Invoker written as a function (in-process functions,
// for domain tests and embedding).
type InvokerFunc func(ctx context.Context, arn string, event []byte) ([]byte, error)

// Invoke implements Invoker.
func (f InvokerFunc) Invoke(ctx context.Context, arn string, event []byte) ([]byte, error) {
	return f(ctx, arn, event)
}

// InvokeFailure says how an attempt failed.
type InvokeFailure int

const (
	// FunctionFailed: the function ran and reported an error (Lambda's
	// X-Amz-Function-Error, or an error document where an emulator drops
	// the header); Message is its errorMessage.
	FunctionFailed InvokeFailure = iota + 1
	// InvocationTimedOut: no answer in time, or the endpoint could not be
	// reached. Cognito retries these.
	InvocationTimedOut
	// InvocationRefused: the endpoint refused the call (no such function,
	// no permission); Message names the Lambda error type.
	InvocationRefused
)

// InvokeError is a failed attempt, as an Invoker reports it.
type InvokeError struct {
	Failure InvokeFailure
	Message string
}

func (e *InvokeError) Error() string {
	return fmt.Sprintf("lambda invoke failure %d: %s", e.Failure, e.Message)
}

// Triggers runs a pool's Lambda triggers the way Cognito does: synchronously,
// each attempt limited to Timeout (Cognito: 5 s, not configurable), up to
// Attempts attempts when the function does not answer in time (Cognito: 3).
// A nil *Triggers runs none, as does a pool whose LambdaConfig names none.
type Triggers struct {
	Invoker  Invoker
	Timeout  time.Duration // 0: 5 s
	Attempts int           // 0: 3
}

// triggerHeader is the envelope of every trigger event (aws-lambda-go's
// CognitoEventUserPoolsHeader, with request and response beside it).
type triggerHeader struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext callerContext `json:"callerContext"`
}

type callerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// noClient is the clientId of events caused by admin operations.
const noClient = "CLIENT_ID_NOT_APPLICABLE"

// TriggerEvent is one trigger's event: the envelope and the trigger's own
// request and response.
type TriggerEvent[Req, Resp any] struct {
	triggerHeader
	Request  Req  `json:"request"`
	Response Resp `json:"response"`
}

// newTriggerEvent builds the envelope Cognito sends: version "1" unless the
// trigger's version says otherwise, the pool's region, the internal user
// name, and the app client ("" for admin calls: CLIENT_ID_NOT_APPLICABLE).
func newTriggerEvent[Req, Resp any](pool Pool, version, source, userName, clientID string, req Req) TriggerEvent[Req, Resp] {
	if version == "" {
		version = "1"
	}
	if clientID == "" {
		clientID = noClient
	}
	region, _ := SplitPoolID(pool.ID)
	return TriggerEvent[Req, Resp]{
		triggerHeader: triggerHeader{Version: version, TriggerSource: source, Region: region, UserPoolID: pool.ID,
			UserName: userName, CallerContext: callerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: clientID}},
		Request: req,
	}
}

// lambdaConfig is what the domain reads of a pool's LambdaConfigType.
type lambdaConfig struct {
	PreSignUp, PostConfirmation, PreAuthentication, PostAuthentication string
	PreTokenGeneration, UserMigration, CustomMessage                   string
	DefineAuthChallenge, CreateAuthChallenge                           string
	VerifyAuthChallengeResponse                                        string
	PreTokenGenerationConfig                                           *struct {
		LambdaArn, LambdaVersion string
	}
	customSenderConfig
}

// TriggerARN returns the function the pool names for trigger ("" for none).
// For PreTokenGeneration, PreTokenGenerationConfig's LambdaArn wins.
func (p Pool) TriggerARN(trigger string) string {
	if len(p.Settings.LambdaConfig) == 0 {
		return ""
	}
	var c lambdaConfig
	if json.Unmarshal(p.Settings.LambdaConfig, &c) != nil {
		return ""
	}
	switch trigger {
	case TriggerPreSignUp:
		return c.PreSignUp
	case TriggerPostConfirmation:
		return c.PostConfirmation
	case TriggerPreAuthentication:
		return c.PreAuthentication
	case TriggerPostAuthentication:
		return c.PostAuthentication
	case TriggerPreTokenGeneration:
		if c.PreTokenGenerationConfig != nil && c.PreTokenGenerationConfig.LambdaArn != "" {
			return c.PreTokenGenerationConfig.LambdaArn
		}
		return c.PreTokenGeneration
	case TriggerUserMigration:
		return c.UserMigration
	case TriggerCustomMessage:
		return c.CustomMessage
	case TriggerDefineAuthChallenge:
		return c.DefineAuthChallenge
	case TriggerCreateAuthChallenge:
		return c.CreateAuthChallenge
	case TriggerVerifyAuthChallengeResponse:
		return c.VerifyAuthChallengeResponse
	case TriggerCustomEmailSender:
		if c.CustomEmailSender != nil {
			return c.CustomEmailSender.LambdaArn
		}
	case TriggerCustomSMSSender:
		if c.CustomSMSSender != nil {
			return c.CustomSMSSender.LambdaArn
		}
	}
	return ""
}

// PreTokenGenerationVersion is the pool's PreTokenGenerationConfig
// LambdaVersion (V1_0 when only the PreTokenGeneration ARN is set).
func (p Pool) PreTokenGenerationVersion() string {
	var c lambdaConfig
	if json.Unmarshal(p.Settings.LambdaConfig, &c) == nil && c.PreTokenGenerationConfig != nil && c.PreTokenGenerationConfig.LambdaVersion != "" {
		return c.PreTokenGenerationConfig.LambdaVersion
	}
	return "V1_0"
}

// run invokes the pool's function for trigger with event and decodes the
// function's answer (the whole event, changed) into answer. It reports
// false, doing nothing, when the pool names no function for trigger. The
// errors are Cognito's: UserLambdaValidationException when the function
// failed, UnexpectedLambdaException when it could not be invoked or did not
// answer within the attempts, InvalidLambdaResponseException when its
// answer is not the event's shape.
func (t *Triggers) run(ctx context.Context, pool Pool, trigger string, event, answer any) (bool, error) {
	arn := pool.TriggerARN(trigger)
	if t == nil || t.Invoker == nil || arn == "" {
		return false, nil
	}
	body, err := json.Marshal(event)
	if err != nil {
		return true, err
	}
	timeout, attempts := t.Timeout, t.Attempts
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if attempts <= 0 {
		attempts = 3
	}
	var out []byte
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		out, err = t.Invoker.Invoke(actx, arn, body)
		cancel()
		var ie *InvokeError
		if err == nil || !errors.As(err, &ie) || ie.Failure != InvocationTimedOut || attempt == attempts || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		var ie *InvokeError
		if !errors.As(err, &ie) {
			return true, err
		}
		switch ie.Failure {
		case FunctionFailed:
			return true, Errorf("UserLambdaValidationException", "%s failed with error %s.", trigger, ie.Message)
		case InvocationRefused:
			return true, Errorf("UnexpectedLambdaException", "%s invocation failed due to error %s.", trigger, ie.Message)
		default:
			return true, Errorf("UnexpectedLambdaException", "%s invocation failed due to error Socket timeout while invoking Lambda function.", trigger)
		}
	}
	if !json.Valid(out) {
		return true, Errorf("InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")
	}
	if err := json.Unmarshal(out, answer); err != nil {
		return true, Errorf("InvalidLambdaResponseException", "Unrecognizable lambda output")
	}
	return true, nil
}

// triggerUserAttributes are the user's attributes as trigger events carry
// them: strings, with the cognito:user_status Cognito adds and, where a
// verified email or phone number signs the user in (an alias or a username
// attribute), cognito:email_alias / cognito:phone_number_alias.
func triggerUserAttributes(pool *Pool, u *User) map[string]string {
	out := make(map[string]string, len(u.Attributes)+2)
	for _, a := range u.Attributes {
		out[a.Name] = a.Value
	}
	out["cognito:user_status"] = u.Status
	for _, name := range []string{"email", "phone_number"} {
		signsIn := slices.Contains(pool.Settings.AliasAttributes, name) || slices.Contains(pool.Settings.UsernameAttributes, name)
		if v, ok := u.Attribute(name); ok && signsIn && out[name+"_verified"] == "true" {
			out["cognito:"+name+"_alias"] = v
		}
	}
	return out
}

// clientMetadataKey carries the ClientMetadata of a call to the triggers
// deep in its flow.
type clientMetadataKey struct{}

// WithClientMetadata carries an operation's ClientMetadata to the triggers
// it runs (PostConfirmation, UserMigration, CustomMessage …): the edge
// decodes it, the flow's trigger reads it.
func WithClientMetadata(ctx context.Context, metadata map[string]string) context.Context {
	if len(metadata) == 0 {
		return ctx
	}
	return context.WithValue(ctx, clientMetadataKey{}, metadata)
}

func clientMetadataOf(ctx context.Context) map[string]string {
	m, _ := ctx.Value(clientMetadataKey{}).(map[string]string)
	return m
}
