package userpool_test

import (
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

// signInPath is one way to sign in: it reports whether tokens (or, for the
// hosted UI, a signed-in user) came out.
type signInPath struct {
	name string
	// initiate: the path's InitiateAuth carries ClientMetadata (validationData).
	initiate bool
	run      func(t *testing.T, w *world, p userpool.Pool, c userpool.Client, password string, md map[string]string) (bool, error)
}

var signInPaths = []signInPath{
	{"USER_PASSWORD_AUTH", true, func(t *testing.T, w *world, p userpool.Pool, c userpool.Client, pw string, md map[string]string) (bool, error) {
		r, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_PASSWORD_AUTH", ClientMetadata: md,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}}, false)
		return r.Tokens != nil, err
	}},
	{"ADMIN_USER_PASSWORD_AUTH", true, func(t *testing.T, w *world, p userpool.Pool, c userpool.Client, pw string, md map[string]string) (bool, error) {
		r, err := w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: p.ID, ClientId: c.ID, AuthFlow: "ADMIN_USER_PASSWORD_AUTH", ClientMetadata: md,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}}, true)
		return r.Tokens != nil, err
	}},
	{"USER_SRP_AUTH", true, srpSignIn},
	{"NEW_PASSWORD_REQUIRED", true, func(t *testing.T, w *world, p userpool.Pool, c userpool.Client, pw string, md map[string]string) (bool, error) {
		if err := w.users.SetPassword(ctx, p.ID, "alice", "Passw0rd!", false); err != nil {
			t.Fatal(err)
		}
		r, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_PASSWORD_AUTH", ClientMetadata: md,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}}, false)
		if err != nil {
			return false, err
		}
		if r.ChallengeName != "NEW_PASSWORD_REQUIRED" || r.Tokens != nil {
			t.Fatalf("%+v", r)
		}
		r, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: r.Session, ClientMetadata: md,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "N3wPassw0rd!"}}, false)
		return r.Tokens != nil, err
	}},
	{"hosted UI", false, func(t *testing.T, w *world, p userpool.Pool, c userpool.Client, pw string, md map[string]string) (bool, error) {
		step, err := w.auth.HostedSignIn(ctx, &p, &c, "alice", pw)
		return step.Challenge == "" && step.User.Username == "alice", err
	}},
}

// srpSignIn is a whole USER_SRP_AUTH sign-in, the client's side included.
func srpSignIn(t *testing.T, w *world, p userpool.Pool, c userpool.Client, pw string, md map[string]string) (bool, error) {
	a := srp.DecodeHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	ch, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_SRP_AUTH", ClientMetadata: md,
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": srp.ClientA(a).Text(16)}}, false)
	if err != nil {
		return false, err
	}
	prm := ch.ChallengeParameters
	salt, _ := new(big.Int).SetString(prm["SALT"], 16)
	B, _ := new(big.Int).SetString(prm["SRP_B"], 16)
	block, _ := base64.StdEncoding.DecodeString(prm["SECRET_BLOCK"])
	ts := w.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := srp.ClientSignature(strings.SplitN(p.ID, "_", 2)[1], "alice", pw, salt.Bytes(), a, B, block, ts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "PASSWORD_VERIFIER", ClientMetadata: md,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": prm["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}}, false)
	return r.Tokens != nil, err
}

// Every sign-in path runs PreAuthentication before the password is checked
// and PostAuthentication before anything is issued; either one's failure
// fails the sign-in with nothing issued.
func TestAuthenticationTriggers(t *testing.T) {
	for _, path := range signInPaths {
		for _, tc := range []struct {
			name      string
			password  string
			preFails  bool
			postFails bool
			typ, msg  string
			post      int // PostAuthentication invocations
		}{
			{name: "signed in", password: "Passw0rd!", post: 1},
			{name: "PreAuthentication rejects", password: "Passw0rd!", preFails: true,
				typ: "UserLambdaValidationException", msg: "PreAuthentication failed with error not during maintenance.."},
			{name: "PostAuthentication fails", password: "Passw0rd!", postFails: true, post: 1,
				typ: "UserLambdaValidationException", msg: "PostAuthentication failed with error audit log down.."},
			{name: "a wrong password still runs PreAuthentication", password: "Wr0ngPassw0rd!",
				typ: userpool.NotAuthorized, msg: "Incorrect username or password."},
		} {
			t.Run(path.name+"/"+tc.name, func(t *testing.T) {
				w, p, c, _, l := triggerWorld(t, map[string]userpool.InvokerFunc{
					userpool.TriggerPreAuthentication: handler(t, func(ev *events.CognitoEventUserPoolsPreAuthentication) error {
						if tc.preFails {
							return errors.New("not during maintenance.")
						}
						return nil
					}),
					userpool.TriggerPostAuthentication: handler(t, func(ev *events.CognitoEventUserPoolsPostAuthentication) error {
						if tc.postFails {
							return errors.New("audit log down.")
						}
						return nil
					}),
				})
				w.addUser(t, p, "alice")
				md := map[string]string{"device": "kiosk"}
				issued, err := path.run(t, w, p, c, tc.password, md)
				if tc.typ != "" {
					wantError(t, err, tc.typ, tc.msg)
					if issued {
						t.Fatal("a failed sign-in issued tokens")
					}
				} else if err != nil || !issued {
					t.Fatalf("sign-in: %v, issued %v", err, issued)
				}
				pre, post := l.sent(t, userpool.TriggerPreAuthentication), l.sent(t, userpool.TriggerPostAuthentication)
				if len(pre) != 1 || pre[0]["triggerSource"] != "PreAuthentication_Authentication" || pre[0]["userName"] != "alice" ||
					pre[0]["callerContext"].(map[string]any)["clientId"] != c.ID {
					t.Fatalf("PreAuthentication events %v", pre)
				}
				req := pre[0]["request"].(map[string]any)
				if v, _ := req["validationData"].(map[string]any); path.initiate && v["device"] != "kiosk" {
					t.Fatalf("InitiateAuth's ClientMetadata did not arrive as validationData: %v", req)
				}
				if st := req["userAttributes"].(map[string]any)["cognito:user_status"]; st != "CONFIRMED" && st != "FORCE_CHANGE_PASSWORD" {
					t.Fatalf("PreAuthentication userAttributes %v", req["userAttributes"])
				}
				if len(post) != tc.post {
					t.Fatalf("PostAuthentication ran %d times, want %d", len(post), tc.post)
				}
				if tc.post == 1 {
					preq := post[0]["request"].(map[string]any)
					if post[0]["triggerSource"] != "PostAuthentication_Authentication" || preq["newDeviceUsed"] != false ||
						(path.initiate && preq["clientMetadata"].(map[string]any)["device"] != "kiosk") {
						t.Fatalf("PostAuthentication event %v", post[0])
					}
				}
			})
		}
	}
}

// With PreventUserExistenceErrors, an unknown user's sign-in reaches
// PreAuthentication with userNotFound; without, it does not.
func TestPreAuthenticationUnknownUser(t *testing.T) {
	for _, prevent := range []string{"ENABLED", "LEGACY"} {
		t.Run(prevent, func(t *testing.T) {
			w, p, c, _, l := triggerWorld(t, map[string]userpool.InvokerFunc{
				userpool.TriggerPreAuthentication: handler[events.CognitoEventUserPoolsPreAuthentication](t, nil),
			})
			if _, err := w.pools.UpdateClient(ctx, userpool.UpdateClientInput{UserPoolId: p.ID, ClientId: c.ID, ClientSettings: userpool.ClientSettings{
				ClientName: "c", PreventUserExistenceErrors: prevent, ExplicitAuthFlows: c.Settings.ExplicitAuthFlows}}); err != nil {
				t.Fatal(err)
			}
			_, err := w.signIn(c, "nobody", "Passw0rd!")
			if err == nil {
				t.Fatal("an unknown user signed in")
			}
			pre := l.sent(t, userpool.TriggerPreAuthentication)
			if prevent == "LEGACY" {
				if len(pre) != 0 {
					t.Fatalf("PreAuthentication ran for an unknown user: %v", pre)
				}
				return
			}
			if len(pre) != 1 || pre[0]["userName"] != "nobody" || pre[0]["request"].(map[string]any)["userNotFound"] != true {
				t.Fatalf("events %v", pre)
			}
		})
	}
}
