package userpool_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// userAuthWorld is a world with a pool whose users may sign in with a
// password or an email code, a client that allows USER_AUTH (and prevent),
// and alice, with a password and a verified email.
func userAuthWorld(t *testing.T, prevent string, factors ...string) (*world, userpool.Pool, userpool.Client) {
	t.Helper()
	w := newWorld(t, ":memory:")
	if len(factors) == 0 {
		factors = []string{"PASSWORD", "EMAIL_OTP"}
	}
	policy, _ := json.Marshal(map[string]any{"AllowedFirstAuthFactors": factors})
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
		PoolSettings: userpool.PoolSettings{Policies: &userpool.PoolPolicies{SignInPolicy: policy}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c",
		ExplicitAuthFlows: []string{"ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, PreventUserExistenceErrors: prevent}})
	if err != nil {
		t.Fatal(err)
	}
	w.addVerifiedUser(t, p, "alice", "alice@example.com")
	return w, p, c
}

func (w *world) addVerifiedUser(t *testing.T, p userpool.Pool, name, email string) {
	t.Helper()
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: name, MessageAction: "SUPPRESS",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: email}, {Name: "email_verified", Value: "true"}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.users.SetPassword(ctx, p.ID, name, "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
}

func (w *world) userAuth(c userpool.Client, params map[string]string) (userpool.AuthResult, error) {
	return w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_AUTH", AuthParameters: params}, false)
}

func (w *world) answer(c userpool.Client, challenge, session string, r map[string]string) (userpool.AuthResult, error) {
	return w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: challenge, Session: session, ChallengeResponses: r}, false)
}

// lastCode is the newest code in name's outbox.
func (w *world) lastCode(t *testing.T, p userpool.Pool, name string) userpool.Message {
	t.Helper()
	msgs, err := w.auth.Accounts.Outbox(ctx, p.ID, name, 0, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox of %s: %v %v", name, msgs, err)
	}
	return msgs[len(msgs)-1]
}

// emailOTP starts alice's EMAIL_OTP sign-in.
func (w *world) emailOTP(t *testing.T, c userpool.Client, name string) userpool.AuthResult {
	t.Helper()
	r, err := w.userAuth(c, map[string]string{"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != "EMAIL_OTP" {
		t.Fatalf("EMAIL_OTP start: %+v %v", r, err)
	}
	return r
}

func TestUserAuthOffersTheFactorsTheUserHas(t *testing.T) {
	w, p, c := userAuthWorld(t, "", "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "bob", MessageAction: "SUPPRESS",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: "bob@example.com"}, {Name: "phone_number", Value: "+15555550100"},
			{Name: "phone_number_verified", Value: "true"}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"alice", []string{"PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"}},
		{"bob", []string{"PASSWORD_SRP", "PASSWORD", "SMS_OTP"}}, // email unverified; no passkey
	} {
		r, err := w.userAuth(c, map[string]string{"USERNAME": tc.name})
		if err != nil || r.ChallengeName != "SELECT_CHALLENGE" || r.Session == "" || !slices.Equal(r.AvailableChallenges, tc.want) {
			t.Errorf("%s: %+v %v, want %v", tc.name, r, err, tc.want)
		}
	}
}

func TestUserAuthDefaultPolicyIsPasswordOnly(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}}})
	w.addVerifiedUser(t, p, "alice", "alice@example.com")
	r, err := w.userAuth(c, map[string]string{"USERNAME": "alice"})
	if err != nil || !slices.Equal(r.AvailableChallenges, []string{"PASSWORD_SRP", "PASSWORD"}) {
		t.Fatalf("%+v %v", r, err)
	}
	// EMAIL_OTP preferred but not allowed: the choice instead.
	r, err = w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != "SELECT_CHALLENGE" {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestUserAuthNeedsAllowUserAuth(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, c := w.setup(t, userpool.CreateClientInput{})
	w.addUser(t, p, "alice")
	_, err := w.userAuth(c, map[string]string{"USERNAME": "alice"})
	wantError(t, err, userpool.InvalidParameter, "USER_AUTH flow not enabled for this client")
}

func TestUserAuthPassword(t *testing.T) {
	w, _, c := userAuthWorld(t, "")
	for _, tc := range []struct {
		name string
		run  func() (userpool.AuthResult, error)
	}{
		{"preferred with password", func() (userpool.AuthResult, error) {
			return w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})
		}},
		{"select with password", func() (userpool.AuthResult, error) {
			r, _ := w.userAuth(c, map[string]string{"USERNAME": "alice"})
			return w.answer(c, "SELECT_CHALLENGE", r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
		}},
		{"select, then the password challenge", func() (userpool.AuthResult, error) {
			r, _ := w.userAuth(c, map[string]string{"USERNAME": "alice"})
			r, err := w.answer(c, "SELECT_CHALLENGE", r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD"})
			if err != nil || r.ChallengeName != "PASSWORD" {
				t.Fatalf("%+v %v", r, err)
			}
			return w.answer(c, "PASSWORD", r.Session, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
		}},
	} {
		r, err := tc.run()
		if err != nil || r.Tokens == nil || r.Tokens.AccessToken == "" {
			t.Errorf("%s: %+v %v", tc.name, r, err)
		}
	}
	_, err := w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "wrong"})
	wantError(t, err, userpool.NotAuthorized, "Incorrect username or password.")
	_, err = w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "NOPE"})
	wantError(t, err, userpool.InvalidParameter, "Invalid value for PREFERRED_CHALLENGE: NOPE")
}

func TestEmailOTPSignsInOnce(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	r := w.emailOTP(t, c, "alice")
	if r.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" || r.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "a***@e***" {
		t.Fatalf("parameters %v", r.ChallengeParameters)
	}
	m := w.lastCode(t, p, "alice")
	if m.Medium != "EMAIL" || m.Destination != "alice@example.com" || len(m.Code) != 6 {
		t.Fatalf("message %+v", m)
	}
	got, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": m.Code})
	if err != nil || got.Tokens == nil {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": m.Code})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
}

func TestEmailOTPThroughSelectChallenge(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	r, _ := w.userAuth(c, map[string]string{"USERNAME": "alice"})
	r, err := w.answer(c, "SELECT_CHALLENGE", r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != "EMAIL_OTP" {
		t.Fatalf("%+v %v", r, err)
	}
	got, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice@example.com" /* not a sign-in name */, "EMAIL_OTP_CODE": w.lastCode(t, p, "alice").Code})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
	got, err = w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": w.lastCode(t, p, "alice").Code})
	if err != nil || got.Tokens == nil {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = w.answer(c, "SELECT_CHALLENGE", r.Session, map[string]string{"USERNAME": "alice", "ANSWER": "SMS_OTP"})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.") // an EMAIL_OTP session is no SELECT_CHALLENGE's
}

func TestEmailOTPWrongAnswers(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	r := w.emailOTP(t, c, "alice")
	code := w.lastCode(t, p, "alice").Code
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range 3 {
		_, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": wrong})
		wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
	}
	// Three wrong answers spend the session: the right code is not compared.
	_, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
	_, err = w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice"})
	wantError(t, err, userpool.InvalidParameter, "Missing required parameter EMAIL_OTP_CODE")
}

func TestEmailOTPExpires(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	r := w.emailOTP(t, c, "alice")
	w.clock.Advance(3*time.Minute + 2*time.Second)
	_, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": w.lastCode(t, p, "alice").Code})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user, session is expired.")
}

func TestEmailOTPIsBoundToItsSessionAndUser(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	w.addVerifiedUser(t, p, "bob", "bob@example.com")
	first := w.emailOTP(t, c, "alice")
	firstCode := w.lastCode(t, p, "alice").Code
	second := w.emailOTP(t, c, "alice")
	secondCode := w.lastCode(t, p, "alice").Code
	bobs := w.emailOTP(t, c, "bob")
	bobsCode := w.lastCode(t, p, "bob").Code
	// Bob's session with alice's name, and alice's code in bob's session.
	_, err := w.answer(c, "EMAIL_OTP", bobs.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": secondCode})
	wantError(t, err, userpool.NotAuthorized, "Invalid session for the user.")
	if secondCode != bobsCode {
		_, err = w.answer(c, "EMAIL_OTP", bobs.Session, map[string]string{"USERNAME": "bob", "EMAIL_OTP_CODE": secondCode})
		wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
	}
	// The second code replaced the first; neither answers the other's session.
	_, err = w.answer(c, "EMAIL_OTP", first.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": firstCode})
	wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
	_, err = w.answer(c, "EMAIL_OTP", first.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": secondCode})
	wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
	if r, err := w.answer(c, "EMAIL_OTP", second.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": secondCode}); err != nil || r.Tokens == nil {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestWrongCodesLockTheUserOut(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	for i := range 5 {
		r := w.emailOTP(t, c, "alice")
		wrong := "000000"
		if w.lastCode(t, p, "alice").Code == wrong {
			wrong = "111111"
		}
		_, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": wrong})
		wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
		if i == 4 {
			break
		}
		w.clock.Advance(13 * time.Minute) // the hourly issue limit is not the point here
	}
	// The fifth wrong code earned a lockout: a right password is refused.
	_, err := w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})
	wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
}

func TestUserAuthUnknownNameLooksLikeAUser(t *testing.T) {
	w, p, c := userAuthWorld(t, "ENABLED")
	r, err := w.userAuth(c, map[string]string{"USERNAME": "nobody"})
	if err != nil || r.ChallengeName != "SELECT_CHALLENGE" || !slices.Equal(r.AvailableChallenges, []string{"PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"}) {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = w.answer(c, "SELECT_CHALLENGE", r.Session, map[string]string{"USERNAME": "nobody", "ANSWER": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != "EMAIL_OTP" || r.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("%+v %v", r, err)
	}
	_, err = w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "nobody", "EMAIL_OTP_CODE": "123456"})
	wantError(t, err, userpool.CodeMismatch, "Invalid code or auth state for the user.")
	_, err = w.userAuth(c, map[string]string{"USERNAME": "nobody", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})
	wantError(t, err, userpool.NotAuthorized, "Incorrect username or password.")
	if msgs, _ := w.auth.Accounts.Outbox(ctx, p.ID, "nobody", 0, 10); len(msgs) != 0 {
		t.Fatalf("sent %v", msgs)
	}
	// Without the prevention, the name is unknown.
	w2, _, c2 := userAuthWorld(t, "LEGACY")
	_, err = w2.userAuth(c2, map[string]string{"USERNAME": "nobody"})
	wantError(t, err, userpool.UserNotFound, "User does not exist.")
}

// A disabled user is told so only after the right code, as after the right
// password: the start of the sign-in looks like anyone's.
func TestDisabledUserIsToldAfterTheCode(t *testing.T) {
	w, p, c := userAuthWorld(t, "ENABLED")
	if err := w.users.SetEnabled(ctx, userpool.Caller{}, p.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	r := w.emailOTP(t, c, "alice")
	_, err := w.answer(c, "EMAIL_OTP", r.Session, map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": w.lastCode(t, p, "alice").Code})
	wantError(t, err, userpool.NotAuthorized, "User is disabled.")
}

// Where the pool requires MFA, a one-time code does not start a sign-in
// (it would skip the required second factor), nor a passkey unless the
// pool counts passkeys as MFA; the password stays, with MFA after it.
func TestUserAuthWhereMFAIsRequired(t *testing.T) {
	w, p, c := userAuthWorld(t, "", "PASSWORD", "EMAIL_OTP", "WEB_AUTHN")
	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now, Sealer: testKeeper, Sessions: w.sessions}
	on := true
	if _, err := mfa.SetPoolConfig(ctx, p.ID, "ON", &on, nil, nil); err != nil {
		t.Fatal(err)
	}
	r, err := w.userAuth(c, map[string]string{"USERNAME": "alice"})
	if err != nil || !slices.Equal(r.AvailableChallenges, []string{"PASSWORD_SRP", "PASSWORD"}) {
		t.Fatalf("MFA required: %+v %v", r, err)
	}
	r, err = w.userAuth(c, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || r.ChallengeName != "SELECT_CHALLENGE" {
		t.Fatalf("EMAIL_OTP preferred where MFA is required: %+v %v", r, err)
	}
}

// SignUp without a password makes a passwordless user where the pool signs
// in with one-time codes (botocore SignUpRequest.Password), and is the
// policy's refusal elsewhere; the passwordless user is offered the code only.
func TestPasswordlessSignUp(t *testing.T) {
	w, p, c := userAuthWorld(t, "")
	accounts := w.auth.Accounts
	if _, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "nopass",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: "nopass@example.com"}}}); err != nil {
		t.Fatalf("passwordless SignUp: %v", err)
	}
	if err := w.users.UpdateAttributes(ctx, p.ID, "nopass", []userpool.Attribute{{Name: "email_verified", Value: "true"}}); err != nil {
		t.Fatal(err)
	}
	if err := accounts.AdminConfirmSignUp(ctx, p.ID, "nopass"); err != nil {
		t.Fatal(err)
	}
	r, err := w.userAuth(c, map[string]string{"USERNAME": "nopass"})
	if err != nil || !slices.Equal(r.AvailableChallenges, []string{"EMAIL_OTP"}) {
		t.Fatalf("a passwordless user's choice: %+v %v", r, err)
	}
	r, err = w.userAuth(c, map[string]string{"USERNAME": "nopass", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": ""})
	if err != nil || r.Tokens != nil || r.ChallengeName != "SELECT_CHALLENGE" {
		t.Fatalf("PASSWORD preferred by a passwordless user: %+v %v", r, err)
	}
	for _, pw := range []string{"", "Passw0rd!"} {
		if _, err := w.auth.CheckPassword(ctx, &p, &c, "nopass", pw); !userpool.IsType(err, userpool.NotAuthorized) {
			t.Fatalf("password %q for a passwordless user: %v", pw, err)
		}
	}

	pw, _, pwClient := userAuthWorld(t, "", "PASSWORD")
	_, err = pw.auth.Accounts.SignUp(ctx, userpool.SignUpInput{ClientId: pwClient.ID, Username: "nopass",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: "nopass@example.com"}}})
	wantError(t, err, userpool.InvalidPassword, "Password did not conform with policy: Password not long enough")
}
