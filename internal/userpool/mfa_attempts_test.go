package userpool_test

import (
	"encoding/base32"
	"fmt"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// mfaWorld is codeWorld with alice enrolled in the software token.
type mfaWorld struct {
	*codeWorld
	secret []byte
}

func newMFAWorld(t *testing.T) *mfaWorld {
	w := newCodeWorld(t)
	mfa := &userpool.MFA{Store: w.store, Now: w.clock.Now, Sealer: w.auth.Sealer, Sessions: w.sessions}
	on := true
	if _, err := mfa.SetPoolConfig(ctx, w.pool.ID, "OPTIONAL", &on, nil); err != nil {
		t.Fatal(err)
	}
	b32, err := mfa.Associate(ctx, w.access)
	must(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
	must(t, err)
	must(t, mfa.Verify(ctx, w.access, userpool.TOTP(secret, w.clock.Now())))
	must(t, mfa.SetPreference(ctx, w.access, userpool.MFAPreference{SoftwareToken: &userpool.SoftwareTokenSettings{Enabled: true, PreferredMfa: true}}))
	w.clock.Advance(time.Minute) // past the step spent on verification
	return &mfaWorld{codeWorld: w, secret: secret}
}

// challenge signs alice in with her password: the SOFTWARE_TOKEN_MFA session.
func (w *mfaWorld) challenge(t *testing.T) string {
	t.Helper()
	res, err := w.signIn(w.client, "alice", "Passw0rd!")
	if err != nil || res.ChallengeName != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("want SOFTWARE_TOKEN_MFA: %v %+v", err, res)
	}
	return res.Session
}

func (w *mfaWorld) answer(session, code string) (userpool.AuthResult, error) {
	return w.auth.Respond(ctx, userpool.RespondInput{ClientId: w.client.ID, ChallengeName: "SOFTWARE_TOKEN_MFA", Session: session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code}}, false)
}

func (w *mfaWorld) right() string { return userpool.TOTP(w.secret, w.clock.Now()) }

// wrongTOTP is a code no acceptable step has.
func (w *mfaWorld) wrongTOTP(i int) string {
	for k := i; ; k++ {
		c := fmt.Sprintf("%06d", k*7919%1000000)
		if c != userpool.TOTP(w.secret, w.clock.Now().Add(-30*time.Second)) && c != w.right() &&
			c != userpool.TOTP(w.secret, w.clock.Now().Add(30*time.Second)) {
			return c
		}
	}
}

const (
	badSession = "Invalid session for the user."
	mfaWrong   = "Invalid code received for user"
)

func TestMFAAnswerLimits(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, w *mfaWorld)
	}{
		{"a session signs in once", func(t *testing.T, w *mfaWorld) {
			s := w.challenge(t)
			if res, err := w.answer(s, w.right()); err != nil || res.Tokens == nil {
				t.Fatalf("MFA sign-in: %v", err)
			}
			w.clock.Advance(30 * time.Second) // a fresh, valid code
			_, err := w.answer(s, w.right())
			wantError(t, err, userpool.NotAuthorized, badSession)
		}},
		{"three wrong codes end the session", func(t *testing.T, w *mfaWorld) {
			s := w.challenge(t)
			for i := 0; i < 3; i++ {
				_, err := w.answer(s, w.wrongTOTP(i))
				wantError(t, err, userpool.CodeMismatch, mfaWrong)
			}
			_, err := w.answer(s, w.right())
			wantError(t, err, userpool.NotAuthorized, badSession)
		}},
		{"a wrong code, then the right one", func(t *testing.T, w *mfaWorld) {
			s := w.challenge(t)
			_, err := w.answer(s, w.wrongTOTP(0))
			wantError(t, err, userpool.CodeMismatch, mfaWrong)
			if res, err := w.answer(s, w.right()); err != nil || res.Tokens == nil {
				t.Fatalf("MFA sign-in: %v", err)
			}
			u, _ := w.users.GetUser(ctx, w.pool.ID, "alice")
			if u.Password.FailedAttempts != 0 {
				t.Fatalf("the MFA success left %d failures", u.Password.FailedAttempts)
			}
		}},
		{"wrong codes count into the lockout; the password does not clear them", func(t *testing.T, w *mfaWorld) {
			for i := 0; i < 5; i++ {
				_, err := w.answer(w.challenge(t), w.wrongTOTP(i))
				wantError(t, err, userpool.CodeMismatch, mfaWrong)
			}
			_, err := w.signIn(w.client, "alice", "Passw0rd!")
			wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
			w.clock.Advance(time.Second)
			_, err = w.answer(w.challenge(t), w.wrongTOTP(9)) // the sixth failure: two seconds
			wantError(t, err, userpool.CodeMismatch, mfaWrong)
			_, err = w.signIn(w.client, "alice", "Passw0rd!")
			wantError(t, err, userpool.NotAuthorized, "Password attempts exceeded")
			w.clock.Advance(2 * time.Second)
			if res, err := w.answer(w.challenge(t), w.right()); err != nil || res.Tokens == nil {
				t.Fatalf("MFA sign-in after the lockout: %v", err)
			}
		}},
		{"a burst of 30 wrong codes on one session evaluates three", func(t *testing.T, w *mfaWorld) {
			s := w.challenge(t)
			counts := burstCount(30, func(i int) error { _, err := w.answer(s, w.wrongTOTP(i)); return err })
			if counts["CodeMismatchException: "+mfaWrong] != 3 || counts["NotAuthorizedException: "+badSession] != 27 {
				t.Fatalf("answers %v", counts)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newMFAWorld(t)) })
	}
}
