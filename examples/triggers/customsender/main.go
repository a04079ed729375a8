// Command customsender is a CustomEmailSender / CustomSMSSender handler
// that runs unchanged against Cognito and against Cognate.
//
// Cognito encrypts request.code (a code, or AdminCreateUser's temporary
// password) with the AWS Encryption SDK under the pool's KMSKeyID; Cognate,
// which has no KMS key of the pool's, sends it in clear. So the handler
// decrypts only a value that is an Encryption SDK message (base64 of bytes
// starting 0x01 0x80, the ESDK's version 1 header: Cognito's codes read
// "AYAD…") and uses any other value as it is.
//
// "Sending" here is one JSON line per message, to the file DELIVERY_FILE
// when set (what a test can read), else to standard output (CloudWatch
// Logs in Lambda). Replace deliver with your provider's call.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// senderEvent is a custom sender's event (aws-lambda-go has no type for it).
type senderEvent struct {
	events.CognitoEventUserPoolsHeader
	Request struct {
		Type           string            `json:"type"` // customEmailSenderRequestV1 or customSMSSenderRequestV1
		Code           string            `json:"code"`
		ClientMetadata map[string]string `json:"clientMetadata"`
		UserAttributes map[string]string `json:"userAttributes"`
	} `json:"request"`
}

// isEncryptionSDKMessage reports whether v is an AWS Encryption SDK message
// (as Cognito sends), rather than a code in clear (as Cognate sends).
func isEncryptionSDKMessage(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) > 32 && b[0] == 0x01 && b[1] == 0x80
}

// decrypt opens a code Cognito encrypted. Plug in the AWS Encryption SDK
// here (a KMS keyring on the pool's KMSKeyID) when the function runs in
// AWS; this example has no SDK dependency.
var decrypt = func(ctx context.Context, ciphertext string) (string, error) {
	return "", errors.New("an AWS Encryption SDK ciphertext: configure decrypt (see the package comment)")
}

// code is the event's code in clear.
func code(ctx context.Context, ev *senderEvent) (string, error) {
	if isEncryptionSDKMessage(ev.Request.Code) {
		return decrypt(ctx, ev.Request.Code)
	}
	return ev.Request.Code, nil
}

// delivery is one message this function sends.
type delivery struct {
	Source  string `json:"source"`
	To      string `json:"to"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

func handle(ctx context.Context, ev senderEvent) error {
	secret, err := code(ctx, &ev)
	if err != nil {
		return err
	}
	d := delivery{Source: ev.TriggerSource, Code: secret}
	switch {
	case ev.Request.Type == "customSMSSenderRequestV1":
		d.To = ev.Request.UserAttributes["phone_number"]
	default:
		d.To = ev.Request.UserAttributes["email"]
	}
	switch {
	case strings.HasSuffix(ev.TriggerSource, "_AdminCreateUser"):
		d.Message = fmt.Sprintf("Welcome %s. Your temporary password is %s", ev.UserName, secret)
	case strings.HasSuffix(ev.TriggerSource, "_ForgotPassword"):
		d.Message = "Your password reset code is " + secret
	default:
		d.Message = "Your verification code is " + secret
	}
	return deliver(d)
}

func deliver(d delivery) error {
	line, err := json.Marshal(d)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	path := os.Getenv("DELIVERY_FILE")
	if path == "" {
		_, err = os.Stdout.Write(line)
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(line)
	return err
}

func main() { lambda.Start(handle) }
