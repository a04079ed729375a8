package e2e

// Findings #9, #10 and #13 of the security review: what tells an attacker
// that a user exists (timing, lockouts, messages, masks, limits) when the
// client sets PreventUserExistenceErrors=ENABLED, and the request-rate
// quotas of Cognito's operation categories.

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/srp"
)

// preventExistenceErrors is the client setting every leak test runs under.
func preventExistenceErrors(c *cip.CreateUserPoolClientInput) {
	c.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// timingMedians times call(known, i) and call(unknown, i) n times each,
// interleaved in random order pair by pair, so that drift of the machine
// (other work on the box, GC) falls on both sides alike.
func timingMedians(t *testing.T, n int, call func(known bool, i int) error) (known, unknown time.Duration) {
	t.Helper()
	var k, u []time.Duration
	for i := range n {
		order := []bool{true, false}
		if b, _ := rand.Int(rand.Reader, big.NewInt(2)); b.Int64() == 1 {
			order = []bool{false, true}
		}
		for _, isKnown := range order {
			start := time.Now()
			err := call(isKnown, i)
			d := time.Since(start)
			if err != nil {
				t.Fatalf("known=%v #%d: %v", isKnown, i, err)
			}
			if isKnown {
				k = append(k, d)
			} else {
				u = append(u, d)
			}
		}
	}
	return median(k), median(u)
}

// timingBound is the largest median gap taken as noise: 0.3 ms, or 10 % of
// the faster median when that is more (≈0.55 ms here). Measured on a
// shared 2-core VM with 300 interleaved samples a side: SRP InitiateAuth,
// which does the same work either way, differs by 0.05–0.07 ms; wrong
// passwords differed by 2.06 ms before the fix (7.99 vs 5.92 ms: the
// lockout's durable write) and by 0.17 ms after.
func timingBound(a, b time.Duration) time.Duration {
	return max(300*time.Microsecond, min(a, b)/10)
}

func gap(a, b time.Duration) time.Duration {
	if a > b {
		return a - b
	}
	return b - a
}

// Security review #9: a wrong password takes as long for a user who
// exists as for one who does not, with USER_PASSWORD_AUTH and with the
// SRP flow's InitiateAuth. The server hashes at a middle argon2id cost
// (m=4096 KiB, t=1): real enough that the hash is most of the time, cheap
// enough that the durable work around it shows against a 10 % bound.
func TestLeakTimingOfWrongPasswords(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	if os.Getenv("COGNATE_E2E_RACE") != "" {
		// The race detector makes the server's Go code (the SQLite store
		// included) several times slower but not its hashing's memory
		// traffic or fsyncs, so it distorts exactly the gap measured here
		// (17.5 vs 15.4 ms under -race, 5.57 vs 5.40 ms without). The
		// suite's second run, without -race, measures it.
		t.Skip("timing is measured on a server built without -race")
	}
	// COGNATE_E2E_TIMING_ARGON2 runs it at another cost ("" for the
	// default, ≈40 ms a hash).
	cost, ok := os.LookupEnv("COGNATE_E2E_TIMING_ARGON2")
	if !ok {
		cost = "m=4096,t=1,p=1"
	}
	s := StartServer(t, "COGNATE_PASSWORD_ARGON2="+cost)
	f := newFixture(t, s, preventExistenceErrors)
	ctx := context.Background()
	const samples = 300
	const perName = 3 // below the five free attempts: no lockout on either side
	users := samples / perName
	for i := range users {
		f.addUser(t, fmt.Sprintf("known%03d", i), testPassword)
	}
	name := func(known bool, i int) string {
		if known {
			return fmt.Sprintf("known%03d", i/perName)
		}
		return fmt.Sprintf("ghost%03d", i/perName)
	}
	wrong := func(known bool, i int) error {
		_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name(known, i), "PASSWORD": fmt.Sprintf("Wrong-Horse-%d", i)}})
		if apiErrorCode(err) == "NotAuthorizedException" {
			return nil
		}
		return fmt.Errorf("want NotAuthorizedException, got %v", err)
	}
	wrong(true, 0) // warm up both paths
	wrong(false, 0)
	k, u := timingMedians(t, samples, func(known bool, i int) error { return wrong(known, i+perName) })
	t.Logf("USER_PASSWORD_AUTH wrong password: median %v for a known user, %v for an unknown one (%d each, interleaved)", k, u, samples)
	if g := gap(k, u); g > timingBound(k, u) {
		t.Errorf("USER_PASSWORD_AUTH: known %v vs unknown %v: the gap %v exceeds %v", k, u, g, timingBound(k, u))
	}

	raw := make([]byte, 128)
	rand.Read(raw)
	A := srp.ClientA(new(big.Int).SetBytes(raw)).Text(16)
	srpInit := func(known bool, i int) error {
		out, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": name(known, i%users*perName), "SRP_A": A}})
		if err == nil && out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			err = fmt.Errorf("challenge %v", out.ChallengeName)
		}
		return err
	}
	srpInit(true, 0)
	srpInit(false, 0)
	k, u = timingMedians(t, samples, srpInit)
	t.Logf("USER_SRP_AUTH InitiateAuth: median %v for a known user, %v for an unknown one (%d each, interleaved)", k, u, samples)
	if g := gap(k, u); g > timingBound(k, u) {
		t.Errorf("USER_SRP_AUTH: known %v vs unknown %v: the gap %v exceeds %v", k, u, g, timingBound(k, u))
	}
}

// answerOf is "ErrorCode: message", or "ok".
func answerOf(err error) string {
	var t tally
	t.add(err)
	for k := range t.n {
		return k
	}
	return ""
}

// Security review #10a: the lockout comes for an unknown name as it comes
// for a user: the sixth wrong password within the second is refused with
// "Password attempts exceeded" either way.
func TestLeakLockoutOfUnknownNames(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, preventExistenceErrors)
	ctx := context.Background()
	for _, name := range []string{"alice", "nobody"} {
		var got []string
		for i := range 6 {
			_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": fmt.Sprint("Wrong-Horse-", i)}})
			got = append(got, answerOf(err))
		}
		want := []string{answerIncorrect, answerIncorrect, answerIncorrect, answerIncorrect, answerIncorrect, answerLockedOut}
		if !slices.Equal(got, want) {
			t.Errorf("%s: answers %q, want %q", name, got, want)
		}
	}
}

// Security review #10b: an unconfirmed user's wrong password gets the
// answer an unknown name's gets; only the right one says "not confirmed".
func TestLeakUnconfirmedUserBeforePassword(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, preventExistenceErrors)
	ctx := context.Background()
	if _, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("uma"), Password: aws.String(testPassword)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "uma", "PASSWORD": "Wrong-Horse-1"}})
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "uma", "PASSWORD": testPassword}})
	expectAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")
	// SRP: the challenge comes as for anyone; the wrong proof is refused
	// as for anyone, the right one says "not confirmed".
	_, err = f.srpSignIn(t, "uma", "Wrong-Horse-1", nil)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.srpSignIn(t, "nobody", "Wrong-Horse-1", nil)
	expectAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.srpSignIn(t, "uma", testPassword, nil)
	expectAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")
}

// Security review #10c: an unknown name's simulated delivery is its own:
// stable, shaped as a user's, the name's own mask when the name is an email
// (never the one "u***@e***" for every unknown name).
func TestLeakSimulatedDestination(t *testing.T) {
	s := StartServer(t)
	f := newFixture(t, s, preventExistenceErrors)
	ctx := context.Background()
	dest := func(name string) string {
		t.Helper()
		out, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return *out.CodeDeliveryDetails.Destination
	}
	if got := dest("alice"); got != "a***@e***" {
		t.Fatalf("alice's own mask %q", got)
	}
	if a, b := dest("kate"), dest("kate"); a != b || !strings.HasPrefix(a, "k***@") {
		t.Errorf("kate: %q then %q, want one stable k***@…", a, b)
	}
	if got := dest("zed@mail.example"); got != "z***@m***" {
		t.Errorf("an email-like unknown name: %q, want its own mask z***@m***", got)
	}
	seen := map[string]bool{}
	for _, n := range []string{"bob", "carol", "dave", "erin", "frank", "grace"} {
		seen[dest(n)] = true
	}
	if len(seen) < 4 {
		t.Errorf("six unknown names got the destinations %v", seen)
	}
}

// Security review #10: the per-user limit on code requests (five an hour)
// comes for unknown names too, on ForgotPassword and on
// ResendConfirmationCode. What Cognito documents is kept: a confirmed
// user's ResendConfirmationCode says so (#10d).
func TestLeakCodeRequestLimitOfUnknownNames(t *testing.T) {
	s := StartServer(t)
	f := poolFixture(t, s, &cip.CreateUserPoolInput{PoolName: aws.String("leaks"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}, preventExistenceErrors)
	f.addUser(t, "alice", testPassword)
	ctx := context.Background()
	// uma's sign-up sent her first code: four more this hour.
	if _, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String("uma"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("uma@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		name   string
		known  string
		issued int // codes the known user was sent before
		call   func(name string) error
	}{
		{"ForgotPassword", "alice", 0, func(n string) error {
			_, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String(n)})
			return err
		}},
		{"ResendConfirmationCode", "uma", 1, func(n string) error {
			_, err := f.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &f.ClientID, Username: aws.String(n)})
			return err
		}},
	}
	for _, c := range calls {
		for _, name := range []string{c.known, "nobody-" + c.name} {
			before := 0
			if name == c.known {
				before = c.issued
			}
			var got, want []string
			for i := range 6 - before {
				got = append(got, answerOf(c.call(name)))
				if want = append(want, "ok"); i == 5-before {
					want[i] = answerLimitExceeded
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s for %s: %q, want %q", c.name, name, got, want)
			}
		}
	}
	_, err := f.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &f.ClientID, Username: aws.String("alice")})
	expectAPIError(t, err, "InvalidParameterException", "User is already confirmed.")
}

// apiCall posts one unsigned JSON call with extra headers and returns its
// error type ("" on success).
func apiCall(t *testing.T, s *Server, op, body string, header map[string]string) string {
	t.Helper()
	_, _, m := rawCall(t, s.URL, "AWSCognitoIdentityProviderService."+op, body, header)
	typ, _ := m["__type"].(string)
	return typ
}

// Security review #13: SignUp and ForgotPassword are throttled by their
// categories' quotas (UserCreation, UserAccountRecovery) with the default
// rates, past a burst of twice the rate, per app client.
func TestThrottleCategoriesByDefault(t *testing.T) {
	s := StartServer(t, "COGNATE_RATE_LIMITS=") // the defaults: UserCreation 50/s, UserAccountRecovery 30/s
	f := newFixture(t, s, preventExistenceErrors)
	ctx := context.Background()
	calls := []struct {
		name string
		rate float64
		call func(i int) error
	}{
		{"SignUp", 50, func(i int) error {
			_, err := f.api.SignUp(ctx, &cip.SignUpInput{ClientId: &f.ClientID, Username: aws.String(fmt.Sprint("new", i)),
				Password: aws.String(testPassword)})
			return err
		}},
		{"ForgotPassword", 30, func(i int) error {
			_, err := f.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.ClientID, Username: aws.String(fmt.Sprint("ghost", i))})
			return err
		}},
	}
	for _, c := range calls {
		var answers tally
		start := time.Now()
		burst(250, &answers, c.call)
		elapsed := time.Since(start).Seconds()
		refused := answers.get("TooManyRequestsException: Rate exceeded")
		passed := answers.get("ok")
		// The burst (twice the rate) and what refilled while it ran.
		most := int(2*c.rate + c.rate*elapsed + 1)
		t.Logf("%s: %d passed, %d refused in %.2fs (at most %d may pass)", c.name, passed, refused, elapsed, most)
		if refused == 0 || passed > most || passed+refused != 250 {
			t.Errorf("%s: answers %v, want at most %d passing and the rest TooManyRequestsException", c.name, &answers, most)
		}
	}
}

// The per-IP key is the connection's address unless the operator names
// trusted proxies: a spoofed X-Forwarded-For gets an attacker no fresh
// buckets, and behind a named proxy every client has its own.
func TestThrottleTrustedProxies(t *testing.T) {
	spoofed := func(t *testing.T, s *Server) (refused int) {
		// Each call with its own made-up ClientId and X-Forwarded-For:
		// only the per-IP bucket (burst 2) can refuse them.
		for i := range 6 {
			typ := apiCall(t, s, "ForgotPassword", fmt.Sprintf(`{"ClientId":"client%d","Username":"u"}`, i),
				map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)})
			if typ == "TooManyRequestsException" {
				refused++
			}
		}
		return refused
	}
	t.Run("ignored without --trusted-proxies", func(t *testing.T) {
		s := StartServer(t, "COGNATE_RATE_LIMITS=UserAccountRecovery=1")
		if n := spoofed(t, s); n < 3 {
			t.Fatalf("%d of 6 calls from one address with spoofed X-Forwarded-For refused, want at least 3", n)
		}
	})
	t.Run("honoured from a trusted proxy", func(t *testing.T) {
		s := newServer(t, "COGNATE_RATE_LIMITS=UserAccountRecovery=1")
		s.Args = []string{"--trusted-proxies", "127.0.0.0/8"}
		s.Start()
		if n := spoofed(t, s); n != 0 {
			t.Fatalf("%d of 6 calls from 6 clients behind the proxy refused, want none", n)
		}
		refused := 0
		for i := range 6 {
			if typ := apiCall(t, s, "ForgotPassword", fmt.Sprintf(`{"ClientId":"other%d","Username":"u"}`, i),
				map[string]string{"X-Forwarded-For": "203.0.113.9"}); typ == "TooManyRequestsException" {
				refused++
			}
		}
		if refused < 3 {
			t.Fatalf("one client behind the proxy: %d of 6 refused, want at least 3", refused)
		}
	})
}

// The hosted UI's POST /login and /oauth2/token are under the
// UserAuthentication quota too.
func TestThrottleHostedUI(t *testing.T) {
	s := StartServer(t, "COGNATE_RATE_LIMIT_AUTH=1")
	for _, path := range []string{"/login?client_id=c1&response_type=code", "/oauth2/token"} {
		limited := 0
		for range 6 {
			resp, err := http.PostForm(s.URL+path, url.Values{"client_id": {"c1"}, "grant_type": {"authorization_code"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited < 3 {
			t.Errorf("%s: %d of 6 posts answered 429, want at least 3", path, limited)
		}
	}
}
