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
	"slices"
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
// the faster median when that is more. With 300 interleaved samples a side,
// the two medians of one population differ by well under 0.1 ms on this
// machine (the review measured the same; see the report in the commit),
// while one durable write (an fsync) costs ≈1 ms.
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
	s := StartServer(t, "COGNATE_PASSWORD_ARGON2=m=4096,t=1,p=1")
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
	_ = aws.String
}
