package userpool

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// With PreventUserExistenceErrors, a sign-in name that is no user's must
// look like one that is (security review #9, #10): its wrong passwords cost
// the same durable work and earn the same lockout, it meets the same limits
// on codes, and its simulated code delivery has a destination of its own.
//
// Everything an unknown name needs to remember is kept under its name ID, a
// MAC (with the master key) of pool and username key: the database never
// holds the names tried, and the same name always finds the same counts.
//
// The failure count of an unknown name is an attempt window (AttemptStore)
// whose count is the number of failures and whose end is the last failure
// plus nameMemory: the lockout it earns is then known without another
// column (last failure + lockoutFor(count), as for a user). The window is
// forgotten a day after the last failure; a user's count is kept until a
// success, so only someone who failed five times, waited a day and tried
// again could tell the difference.
const (
	nameMemory      = 24 * time.Hour
	nameLockoutKind = "lockout"
)

// unknownNameID is the ID an unknown sign-in name's counts are kept under;
// it cannot be a sub (those are UUIDs).
func unknownNameID(s Sealer, pool *Pool, username string) string {
	mac := s.MAC([]byte("cognate unknown sign-in name\x00" + pool.ID + "\x00" + UsernameKey(pool, username)))
	return "unknown:" + base64.RawURLEncoding.EncodeToString(mac[:18])
}

// lockedUntil is when the lockout earned by the window's last failure ends.
func nameLockedUntil(w AttemptWindow) time.Time {
	if w.Count == 0 {
		return time.Time{}
	}
	return w.Ends.Add(-nameMemory).Add(lockoutFor(w.Count))
}

// claimName counts one failed attempt of an unknown name, in one
// compare-and-swap write as a user's claim is, or refuses it (errLocked)
// during the lockout the earlier failures earned.
func (l lockout) claimName(ctx context.Context, pool *Pool, id string) error {
	now := l.Now()
	_, err := l.Store.UpdateAttempts(ctx, pool.ID, id, nameLockoutKind, now, func(w AttemptWindow) (AttemptWindow, error) {
		if now.Before(nameLockedUntil(w)) {
			return w, errLocked()
		}
		return AttemptWindow{Count: w.Count + 1, Ends: now.Add(nameMemory)}, nil
	})
	return err
}

// failUnknown is a wrong secret for an unknown name, under
// PreventUserExistenceErrors: the claim a user's attempt makes, the check
// (the dummy password, or an SRP proof), the audit line and the event a
// user's failure records, then the answer a user's failure gets.
func (a *Auth) failUnknown(ctx context.Context, pool *Pool, client *Client, username string, check func()) error {
	id := unknownNameID(a.Sealer, pool, username)
	ghost := &User{Username: username, Sub: id}
	if err := a.lockout().claimName(ctx, pool, id); err != nil {
		if IsType(err, NotAuthorized) {
			a.audit(ctx, "sign-in-locked-out", pool, client, ghost)
		}
		return err
	}
	check()
	a.audit(ctx, "sign-in-failed", pool, client, ghost)
	if err := recordEvent(ctx, a.Store, a.Now, pool, ghost, "SignIn", "Password", false); err != nil {
		return err
	}
	return errIncorrect
}

// simulatedSend answers a code request for an unknown name: the issuance
// a user's request claims (so the same LimitExceededException comes after
// as many requests), and a delivery to a simulated destination.
func (s *Accounts) simulatedSend(ctx context.Context, pool *Pool, username, purpose string) (CodeDelivery, error) {
	if err := s.claimCodeIssue(ctx, pool.ID, unknownNameID(s.Sealer, pool, username), purpose); err != nil {
		return CodeDelivery{}, err
	}
	return CodeDelivery{Destination: simulatedDestination(s.Sealer, pool, username), DeliveryMedium: "EMAIL", AttributeName: "email"}, nil
}

// simulatedDestination is the masked email an unknown name's codes are
// said to go to: always the same for the name, and shaped as a user's.
// A name that is an email address is masked as itself (a user who signs
// in with an email gets codes there); otherwise the mask starts with the
// name's first letter, as people's addresses often do, and the domain's
// initial is drawn by the name's MAC with roughly the weights of common
// mail providers (g for gmail.com most often).
func simulatedDestination(s Sealer, pool *Pool, username string) string {
	if at := strings.IndexByte(username, '@'); at > 0 && at < len(username)-1 {
		return mask(strings.ToLower(username))
	}
	mac := s.MAC([]byte("cognate simulated destination\x00" + pool.ID + "\x00" + UsernameKey(pool, username)))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	local := letters[int(mac[0])%len(letters)]
	if c := unicode.ToLower(rune(username[0])); c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
		local = byte(c)
	}
	const domains = "ggggggggyyyhhhooiicamnpstw"
	return string(local) + "***@" + string(domains[int(mac[1])%len(domains)]) + "***"
}
