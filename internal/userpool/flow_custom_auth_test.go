package userpool_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

// quizFunctions are the three custom-auth functions of AWS's example: one
// question per round ("2+2?", answer 4), tokens after a right answer,
// failure after three wrong ones; with SRP_A first, the password is checked
// (PASSWORD_VERIFIER) before the question. defined records each session
// Define saw.
func quizFunctions(t *testing.T, defined *[][]events.CognitoEventUserPoolsChallengeResult, notFound *[]bool) map[string]userpool.InvokerFunc {
	return map[string]userpool.InvokerFunc{
		userpool.TriggerDefineAuthChallenge: handler(t, func(ev *events.CognitoEventUserPoolsDefineAuthChallenge) error {
			s := ev.Request.Session
			seen := []events.CognitoEventUserPoolsChallengeResult{}
			questions := 0
			for _, r := range s {
				seen = append(seen, *r)
				if r.ChallengeName == "CUSTOM_CHALLENGE" {
					questions++
				}
			}
			*defined = append(*defined, seen)
			*notFound = append(*notFound, ev.Request.UserNotFound)
			if ev.TriggerSource != "DefineAuthChallenge_Authentication" {
				return fmt.Errorf("source %s", ev.TriggerSource)
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
			return nil
		}),
		userpool.TriggerCreateAuthChallenge: handler(t, func(ev *events.CognitoEventUserPoolsCreateAuthChallenge) error {
			if ev.TriggerSource != "CreateAuthChallenge_Authentication" || ev.Request.ChallengeName != "CUSTOM_CHALLENGE" {
				return fmt.Errorf("create: %s %s", ev.TriggerSource, ev.Request.ChallengeName)
			}
			ev.Response.PublicChallengeParameters = map[string]string{"question": "2+2?"}
			ev.Response.PrivateChallengeParameters = map[string]string{"answer": "4"}
			ev.Response.ChallengeMetadata = fmt.Sprintf("Q%d", len(ev.Request.Session)+1)
			return nil
		}),
		userpool.TriggerVerifyAuthChallengeResponse: handler(t, func(ev *events.CognitoEventUserPoolsVerifyAuthChallenge) error {
			if ev.TriggerSource != "VerifyAuthChallengeResponse_Authentication" {
				return fmt.Errorf("verify: %s", ev.TriggerSource)
			}
			ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
			return nil
		}),
		userpool.TriggerPostAuthentication: handler[events.CognitoEventUserPoolsPostAuthentication](t, nil),
	}
}

// customWorld is a pool with fns and a client allowing CUSTOM_AUTH.
func customWorld(t *testing.T, fns map[string]userpool.InvokerFunc, settings userpool.ClientSettings) (*world, userpool.Pool, userpool.Client, *lambdas) {
	t.Helper()
	w, p, _, _, l := triggerWorld(t, fns)
	settings.ClientName = "custom"
	if settings.ExplicitAuthFlows == nil {
		settings.ExplicitAuthFlows = []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return w, p, c, l
}

// customSignIn drives a CUSTOM_AUTH sign-in: SRP_A first when password is
// set, answers for the CUSTOM_CHALLENGEs in turn.
func customSignIn(t *testing.T, w *world, p userpool.Pool, c userpool.Client, admin bool, user, password string, answers []string) (userpool.AuthResult, error) {
	t.Helper()
	poolID := ""
	if admin {
		poolID = p.ID
	}
	params := map[string]string{"USERNAME": user}
	a := srp.DecodeHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	if password != "" {
		params["CHALLENGE_NAME"], params["SRP_A"] = "SRP_A", srp.ClientA(a).Text(16)
	}
	r, err := w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: poolID, ClientId: c.ID, AuthFlow: "CUSTOM_AUTH", AuthParameters: params}, admin)
	for err == nil && r.Tokens == nil {
		var resp map[string]string
		switch r.ChallengeName {
		case "PASSWORD_VERIFIER":
			resp = srpAnswer(t, w, strings.SplitN(p.ID, "_", 2)[1], r.ChallengeParameters["USER_ID_FOR_SRP"], password, a, r.ChallengeParameters)
		case "CUSTOM_CHALLENGE":
			if r.ChallengeParameters["question"] != "2+2?" || r.ChallengeParameters["USERNAME"] != user || r.ChallengeParameters["answer"] != "" {
				t.Fatalf("challenge parameters %v", r.ChallengeParameters)
			}
			if len(answers) == 0 {
				t.Fatal("more questions than answers")
			}
			resp, answers = map[string]string{"ANSWER": answers[0]}, answers[1:]
		default:
			t.Fatalf("challenge %+v", r)
		}
		resp["USERNAME"] = user
		r, err = w.auth.Respond(ctx, userpool.RespondInput{UserPoolId: poolID, ClientId: c.ID, ChallengeName: r.ChallengeName,
			Session: r.Session, ChallengeResponses: resp}, admin)
	}
	return r, err
}

type round = events.CognitoEventUserPoolsChallengeResult

func TestCustomAuthRounds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		admin    bool
		password string // "": no SRP step
		answers  []string
		typ, msg string
		last     []round // the session Define saw last
	}{
		{name: "one round right", answers: []string{"4"},
			last: []round{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q1"}}},
		{name: "wrong then right", answers: []string{"5", "4"},
			last: []round{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "Q1"}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q2"}}},
		{name: "three wrong: Define fails the sign-in", answers: []string{"1", "2", "3"}, typ: userpool.NotAuthorized, msg: "Incorrect username or password.",
			last: []round{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "Q1"}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "Q2"},
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "Q3"}}},
		{name: "admin one round right", admin: true, answers: []string{"4"},
			last: []round{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q1"}}},
		{name: "admin wrong then right", admin: true, answers: []string{"5", "4"},
			last: []round{{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "Q1"}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q2"}}},
		{name: "SRP_A, PASSWORD_VERIFIER, CUSTOM_CHALLENGE", password: "Passw0rd!", answers: []string{"4"},
			last: []round{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true},
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q3"}}},
		{name: "admin SRP then question", admin: true, password: "Passw0rd!", answers: []string{"4"},
			last: []round{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true},
				{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: true, ChallengeMetadata: "Q3"}}},
		{name: "wrong password: a false PASSWORD_VERIFIER for Define", password: "Wr0ngPassw0rd!", typ: userpool.NotAuthorized, msg: "Incorrect username or password.",
			last: []round{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "PASSWORD_VERIFIER"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var defined [][]round
			var notFound []bool
			w, p, c, l := customWorld(t, quizFunctions(t, &defined, &notFound), userpool.ClientSettings{})
			w.addUser(t, p, "alice")
			r, err := customSignIn(t, w, p, c, tc.admin, "alice", tc.password, tc.answers)
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
			} else if err != nil || r.Tokens == nil || r.Tokens.AccessToken == "" {
				t.Fatalf("sign-in: %+v %v", r, err)
			}
			if len(defined) == 0 || len(defined[0]) != 0 && tc.password == "" {
				t.Fatalf("Define's first session %v", defined)
			}
			if got := defined[len(defined)-1]; !reflect.DeepEqual(got, tc.last) {
				t.Fatalf("Define's last session\n got %+v\nwant %+v", got, tc.last)
			}
			if want := map[bool]int{true: 0, false: 1}[tc.typ != ""]; len(l.sent(t, userpool.TriggerPostAuthentication)) != want {
				t.Fatalf("PostAuthentication ran %d times, want %d", len(l.sent(t, userpool.TriggerPostAuthentication)), want)
			}
		})
	}
}

// The Session of a round lasts the client's AuthSessionValidity and can be
// answered once.
func TestCustomAuthSession(t *testing.T) {
	for _, tc := range []struct {
		name     string
		validity int // minutes; 0: the default, 3
		wait     time.Duration
		replay   bool
		typ, msg string
	}{
		{name: "within the default 3 minutes", wait: 3 * time.Minute},
		{name: "expired after 3 minutes", wait: 3*time.Minute + time.Second, typ: userpool.NotAuthorized, msg: "Invalid session for the user, session is expired."},
		{name: "within AuthSessionValidity 10", validity: 10, wait: 9 * time.Minute},
		{name: "expired after AuthSessionValidity 10", validity: 10, wait: 10*time.Minute + time.Second, typ: userpool.NotAuthorized,
			msg: "Invalid session for the user, session is expired."},
		{name: "a Session answers once", replay: true, typ: userpool.NotAuthorized, msg: "Invalid session for the user."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var defined [][]round
			var notFound []bool
			w, p, c, _ := customWorld(t, quizFunctions(t, &defined, &notFound), userpool.ClientSettings{AuthSessionValidity: tc.validity})
			w.addUser(t, p, "alice")
			// The test store sweeps spent nonces by the real clock: the fake
			// one must be ahead of it for the spent Session to stay spent.
			w.clock.Advance(time.Since(w.clock.Now()) + time.Hour)
			r, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "CUSTOM_AUTH",
				AuthParameters: map[string]string{"USERNAME": "alice"}}, false)
			if err != nil || r.ChallengeName != "CUSTOM_CHALLENGE" || r.Session == "" {
				t.Fatalf("%+v %v", r, err)
			}
			w.clock.Advance(tc.wait)
			answer := func(a string) (userpool.AuthResult, error) {
				return w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "CUSTOM_CHALLENGE", Session: r.Session,
					ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": a}}, false)
			}
			if tc.replay {
				if _, err := answer("5"); err != nil {
					t.Fatal(err)
				}
			}
			got, err := answer("4")
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
			} else if err != nil || got.Tokens == nil {
				t.Fatalf("%+v %v", got, err)
			}
		})
	}
}

// Unknown users, missing functions and configuration, failing functions.
func TestCustomAuthRefusals(t *testing.T) {
	defineFails := handler(t, func(ev *events.CognitoEventUserPoolsDefineAuthChallenge) error { return errors.New("no rounds today.") })
	for _, tc := range []struct {
		name      string
		settings  userpool.ClientSettings
		drop      string // a trigger the pool does not have
		replace   map[string]userpool.InvokerFunc
		user      string
		typ, msg  string
		notFound  bool   // Define heard userNotFound
		challenge bool   // the sign-in got as far as a challenge
		after     string // the challenge after the answer (else tokens)
	}{
		{name: "unknown user", user: "bob", typ: userpool.UserNotFound, msg: "User does not exist."},
		{name: "unknown user, existence hidden: Define hears userNotFound, a right answer is a false result", user: "bob",
			settings: userpool.ClientSettings{PreventUserExistenceErrors: "ENABLED"}, notFound: true, challenge: true, after: "CUSTOM_CHALLENGE"},
		{name: "no DefineAuthChallenge", user: "alice", drop: userpool.TriggerDefineAuthChallenge,
			typ: userpool.InvalidParameter, msg: "Custom auth lambda trigger is not configured for the user pool."},
		{name: "client without ALLOW_CUSTOM_AUTH", user: "alice", settings: userpool.ClientSettings{ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}},
			typ: userpool.InvalidParameter, msg: "Auth flow not enabled for this client"},
		{name: "legacy CUSTOM_AUTH_FLOW_ONLY client", user: "alice", settings: userpool.ClientSettings{ExplicitAuthFlows: []string{"CUSTOM_AUTH_FLOW_ONLY"}},
			challenge: true},
		{name: "Define fails", user: "alice", replace: map[string]userpool.InvokerFunc{userpool.TriggerDefineAuthChallenge: defineFails},
			typ: "UserLambdaValidationException", msg: "DefineAuthChallenge failed with error no rounds today.."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var defined [][]round
			var notFound []bool
			fns := quizFunctions(t, &defined, &notFound)
			delete(fns, tc.drop)
			for k, fn := range tc.replace {
				fns[k] = fn
			}
			w, p, c, _ := customWorld(t, fns, tc.settings)
			w.addUser(t, p, "alice")
			r, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "CUSTOM_AUTH",
				AuthParameters: map[string]string{"USERNAME": tc.user}}, false)
			if (r.ChallengeName == "CUSTOM_CHALLENGE") != tc.challenge {
				t.Fatalf("initiate: %+v %v", r, err)
			}
			if tc.challenge {
				r, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "CUSTOM_CHALLENGE", Session: r.Session,
					ChallengeResponses: map[string]string{"USERNAME": tc.user, "ANSWER": "4"}}, false)
			}
			if tc.typ != "" {
				wantError(t, err, tc.typ, tc.msg)
			} else if err != nil || (r.Tokens == nil) != (tc.after != "") || r.ChallengeName != tc.after {
				t.Fatalf("%+v %v", r, err)
			}
			if tc.after != "" && defined[len(defined)-1][0].ChallengeResult {
				t.Fatalf("an unknown user's answer was right: %v", defined)
			}
			if len(notFound) > 0 && notFound[0] != tc.notFound {
				t.Fatalf("userNotFound %v", notFound)
			}
		})
	}
}
