package userpool_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// codeWorld is a pool that verifies email, with alice (verified email,
// signed in) and the Accounts service.
type codeWorld struct {
	*world
	accounts *userpool.Accounts
	pool     userpool.Pool
	client   userpool.Client
	access   string
}

func newCodeWorld(t *testing.T) *codeWorld {
	w := newWorld(t, ":memory:")
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p",
		PoolSettings: userpool.PoolSettings{AutoVerifiedAttributes: []string{"email"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{ClientName: "c",
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "alice", MessageAction: "SUPPRESS",
		UserAttributes: []userpool.Attribute{{Name: "email", Value: "alice@example.com"}, {Name: "email_verified", Value: "true"}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.users.SetPassword(ctx, p.ID, "alice", "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
	res, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return &codeWorld{world: w, pool: p, client: c, access: res.Tokens.AccessToken,
		accounts: &userpool.Accounts{Store: w.store, Now: w.clock.Now, Credentials: w.users.Credentials, Sealer: w.auth.Sealer, Sessions: w.sessions}}
}

// codeFlow is one kind of code: how to request one and how to enter one.
type codeFlow struct {
	name    string
	request func(w *codeWorld) error
	enter   func(w *codeWorld, code string) error
}

var codeFlows = []codeFlow{
	{"password reset",
		func(w *codeWorld) error {
			_, err := w.accounts.ForgotPassword(ctx, w.client.ID, "", "alice")
			return err
		},
		func(w *codeWorld, code string) error {
			return w.accounts.ConfirmForgotPassword(ctx, w.client.ID, "", "alice", code, "N3w-Passw0rd!")
		}},
	{"sign-up confirmation",
		func(w *codeWorld) error {
			// alice is confirmed: bob signs up (the first code) or asks again.
			if _, err := w.users.GetUser(ctx, w.pool.ID, "bob"); err != nil {
				_, err := w.accounts.SignUp(ctx, userpool.SignUpInput{ClientId: w.client.ID, Username: "bob", Password: "Passw0rd!",
					UserAttributes: []userpool.Attribute{{Name: "email", Value: "bob@example.com"}}})
				return err
			}
			_, err := w.accounts.ResendConfirmationCode(ctx, w.client.ID, "", "bob")
			return err
		},
		func(w *codeWorld, code string) error {
			return w.accounts.ConfirmSignUp(ctx, w.client.ID, "", "bob", code)
		}},
	{"attribute verification",
		func(w *codeWorld) error {
			_, err := w.accounts.AttributeVerificationCode(ctx, w.access, "email")
			return err
		},
		func(w *codeWorld, code string) error { return w.accounts.VerifyAttribute(ctx, w.access, "email", code) }},
}

// nextHour moves the clock an hour on, with a fresh access token.
func (w *codeWorld) nextHour(t *testing.T) {
	t.Helper()
	w.clock.Advance(time.Hour)
	res, err := w.signIn(w.client, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	w.access = res.Tokens.AccessToken
}

// lastCode is the newest code in the outbox.
func (w *codeWorld) lastCode(t *testing.T) string {
	t.Helper()
	msgs, err := w.accounts.Outbox(ctx, w.pool.ID, "", 0, 1000)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	return msgs[len(msgs)-1].Code
}

func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

const (
	mismatchMsg = "Invalid verification code provided, please try again."
	limitMsg    = "Attempt limit exceeded, please try after some time."
)

func TestCodeLimits(t *testing.T) {
	steps := []struct {
		name string
		run  func(t *testing.T, w *codeWorld, f codeFlow)
	}{
		{"five codes an hour, then LimitExceeded; the next hour again", func(t *testing.T, w *codeWorld, f codeFlow) {
			for i := 0; i < 5; i++ {
				if err := f.request(w); err != nil {
					t.Fatalf("code %d: %v", i+1, err)
				}
			}
			wantError(t, f.request(w), userpool.LimitExceeded, limitMsg)
			w.nextHour(t)
			if err := f.request(w); err != nil {
				t.Fatalf("after an hour: %v", err)
			}
		}},
		{"five wrong entries of one code, then even the right one is refused", func(t *testing.T, w *codeWorld, f codeFlow) {
			must(t, f.request(w))
			code := w.lastCode(t)
			for i := 0; i < 5; i++ {
				wantError(t, f.enter(w, wrong(code)), userpool.CodeMismatch, mismatchMsg)
			}
			wantError(t, f.enter(w, code), userpool.LimitExceeded, limitMsg)
		}},
		{"a fresh code brings no fresh budget: ten wrong entries an hour", func(t *testing.T, w *codeWorld, f codeFlow) {
			for i := 0; i < 10; i++ {
				if i%5 == 0 {
					must(t, f.request(w))
				}
				wantError(t, f.enter(w, wrong(w.lastCode(t))), userpool.CodeMismatch, mismatchMsg)
			}
			must(t, f.request(w))
			wantError(t, f.enter(w, w.lastCode(t)), userpool.LimitExceeded, limitMsg)
			w.nextHour(t)
			must(t, f.request(w))
			if err := f.enter(w, w.lastCode(t)); err != nil {
				t.Fatalf("the right code after the hour: %v", err)
			}
		}},
		{"a right code clears the hour's mistakes", func(t *testing.T, w *codeWorld, f codeFlow) {
			must(t, f.request(w))
			for i := 0; i < 4; i++ {
				wantError(t, f.enter(w, wrong(w.lastCode(t))), userpool.CodeMismatch, mismatchMsg)
			}
			must(t, f.enter(w, w.lastCode(t)))
			if f.name == "sign-up confirmation" {
				return // bob is confirmed now: no more codes
			}
			must(t, f.request(w))
			for i := 0; i < 5; i++ {
				wantError(t, f.enter(w, wrong(w.lastCode(t))), userpool.CodeMismatch, mismatchMsg)
			}
		}},
		{"a burst of 60 concurrent wrong entries evaluates at most five", func(t *testing.T, w *codeWorld, f codeFlow) {
			must(t, f.request(w))
			code := w.lastCode(t)
			var mu sync.Mutex
			var wg sync.WaitGroup
			counts := map[string]int{}
			for i := 0; i < 60; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := f.enter(w, wrong(code))
					mu.Lock()
					counts[userpool.ErrorType(err)]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if counts[userpool.CodeMismatch] != 5 || counts[userpool.LimitExceeded] != 55 {
				t.Fatalf("answers %v, want 5 CodeMismatch and 55 LimitExceeded", counts)
			}
		}},
	}
	for _, f := range codeFlows {
		for _, st := range steps {
			t.Run(f.name+"/"+st.name, func(t *testing.T) {
				st.run(t, newCodeWorld(t), f)
			})
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
