// Command customauth is the three functions of a CUSTOM_AUTH sign-in in
// one handler, told apart by the event's triggerSource: AWS's example
// quiz (one question per round, "2+2?"; tokens after a right answer,
// failure after three wrong ones; after SRP_A, the password first).
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func define(ev *events.CognitoEventUserPoolsDefineAuthChallenge) {
	s := ev.Request.Session
	questions := 0
	for _, r := range s {
		if r.ChallengeName == "CUSTOM_CHALLENGE" {
			questions++
		}
	}
	switch last := len(s) - 1; {
	case len(s) == 0:
		ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
	case s[last].ChallengeName == "SRP_A":
		ev.Response.ChallengeName = "PASSWORD_VERIFIER"
	case s[last].ChallengeName == "PASSWORD_VERIFIER" && s[last].ChallengeResult:
		ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
	case s[last].ChallengeName == "CUSTOM_CHALLENGE" && s[last].ChallengeResult:
		ev.Response.IssueTokens = true
	case s[last].ChallengeName == "CUSTOM_CHALLENGE" && questions < 3:
		ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
	default:
		ev.Response.FailAuthentication = true
	}
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var head events.CognitoEventUserPoolsHeader
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	switch head.TriggerSource {
	case "DefineAuthChallenge_Authentication":
		var ev events.CognitoEventUserPoolsDefineAuthChallenge
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		define(&ev)
		return ev, nil
	case "CreateAuthChallenge_Authentication":
		var ev events.CognitoEventUserPoolsCreateAuthChallenge
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		ev.Response.PublicChallengeParameters = map[string]string{"question": "2+2?"}
		ev.Response.PrivateChallengeParameters = map[string]string{"answer": "4"}
		ev.Response.ChallengeMetadata = fmt.Sprintf("Q%d", len(ev.Request.Session)+1)
		return ev, nil
	case "VerifyAuthChallengeResponse_Authentication":
		var ev events.CognitoEventUserPoolsVerifyAuthChallenge
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
		return ev, nil
	}
	return nil, fmt.Errorf("not a custom-auth event: %s", head.TriggerSource)
}

func main() { lambda.Start(handle) }
