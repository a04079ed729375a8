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
	answer := srpAnswer(t, w, strings.SplitN(p.ID, "_", 2)[1], "alice", pw, a, ch.ChallengeParameters)
	answer["USERNAME"] = "alice"
	r, err := w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "PASSWORD_VERIFIER", ClientMetadata: md,
		ChallengeResponses: answer}, false)
	return r.Tokens != nil, err
}

// srpAnswer is the client's answer to an SRP challenge (prm: SALT, SRP_B,
// SECRET_BLOCK) for user of realm with password.
func srpAnswer(t *testing.T, w *world, realm, user, password string, a *big.Int, prm map[string]string) map[string]string {
	t.Helper()
	salt, _ := new(big.Int).SetString(prm["SALT"], 16)
	B, _ := new(big.Int).SetString(prm["SRP_B"], 16)
	block, _ := base64.StdEncoding.DecodeString(prm["SECRET_BLOCK"])
	ts := w.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := srp.ClientSignature(realm, user, password, salt.Bytes(), a, B, block, ts)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"PASSWORD_CLAIM_SECRET_BLOCK": prm["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}
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

// In a pool that tracks devices, PostAuthentication tells a new device
// (newDeviceUsed) from a remembered one, which signs in with device SRP
// after the user's SRP: PreAuthentication runs once per sign-in, before the
// user's proof, and PostAuthentication once, at the device's proof.
func TestAuthenticationTriggersWithDevices(t *testing.T) {
	w, p, c, _, l := triggerWorld(t, map[string]userpool.InvokerFunc{
		userpool.TriggerPreAuthentication:  handler[events.CognitoEventUserPoolsPreAuthentication](t, nil),
		userpool.TriggerPostAuthentication: handler[events.CognitoEventUserPoolsPostAuthentication](t, nil),
	})
	if _, err := w.store.UpdatePool(ctx, p.ID, func(p userpool.Pool) (userpool.Pool, error) {
		p.Settings.DeviceConfiguration = &userpool.DeviceConfiguration{}
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	w.addUser(t, p, "alice")
	first, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil || first.Tokens.NewDevice == nil {
		t.Fatalf("%v %+v", err, first)
	}
	dev := first.Tokens.NewDevice
	salt, verifier, err := srp.NewVerifier(dev.DeviceGroupKey, dev.DeviceKey, "d3vice")
	if err != nil {
		t.Fatal(err)
	}
	devices := &userpool.Devices{Store: w.store, Now: w.clock.Now, Sessions: w.sessions}
	if _, err := devices.ConfirmDevice(ctx, first.Tokens.AccessToken, dev.DeviceKey, salt, verifier, "phone"); err != nil {
		t.Fatal(err)
	}

	a := srp.DecodeHex("abcdef1234567890abcdef1234567890abcdef1234567890abcdef1234567890")
	ch, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_SRP_AUTH",
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": srp.ClientA(a).Text(16), "DEVICE_KEY": dev.DeviceKey}}, false)
	if err != nil {
		t.Fatal(err)
	}
	answer := srpAnswer(t, w, strings.SplitN(p.ID, "_", 2)[1], "alice", "Passw0rd!", a, ch.ChallengeParameters)
	answer["USERNAME"], answer["DEVICE_KEY"] = "alice", dev.DeviceKey
	r, err := w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "PASSWORD_VERIFIER", ChallengeResponses: answer}, false)
	if err != nil || r.ChallengeName != "DEVICE_SRP_AUTH" {
		t.Fatalf("%v %+v", err, r)
	}
	r, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "DEVICE_SRP_AUTH", Session: r.Session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "DEVICE_KEY": dev.DeviceKey, "SRP_A": srp.ClientA(a).Text(16)}}, false)
	if err != nil || r.ChallengeName != "DEVICE_PASSWORD_VERIFIER" {
		t.Fatalf("%v %+v", err, r)
	}
	if n := len(l.sent(t, userpool.TriggerPostAuthentication)); n != 1 {
		t.Fatalf("PostAuthentication ran %d times before the device's proof", n)
	}
	answer = srpAnswer(t, w, dev.DeviceGroupKey, dev.DeviceKey, "d3vice", a, r.ChallengeParameters)
	answer["USERNAME"], answer["DEVICE_KEY"] = "alice", dev.DeviceKey
	r, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "DEVICE_PASSWORD_VERIFIER", Session: r.Session,
		ChallengeResponses: answer}, false)
	if err != nil || r.Tokens == nil {
		t.Fatalf("device sign-in: %v %+v", err, r)
	}
	pre, post := l.sent(t, userpool.TriggerPreAuthentication), l.sent(t, userpool.TriggerPostAuthentication)
	if len(pre) != 2 || len(post) != 2 {
		t.Fatalf("%d PreAuthentication, %d PostAuthentication events for two sign-ins", len(pre), len(post))
	}
	for i, want := range []bool{true, false} {
		if got := post[i]["request"].(map[string]any)["newDeviceUsed"]; got != want {
			t.Errorf("sign-in %d: newDeviceUsed %v, want %v", i+1, got, want)
		}
	}
}
