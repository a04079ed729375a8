package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// rssKB reads a process's resident set size.
func rssKB(t *testing.T, pid int) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// expected reports whether an error is an outcome the mix provokes on
// purpose: refreshing or using tokens of a user another worker just signed out.
func expected(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NotAuthorizedException" &&
		(ae.ErrorMessage() == "Refresh Token has been revoked" || ae.ErrorMessage() == "Access Token has been revoked")
}

// TestLoad runs 64 concurrent clients mixing sign-in, refresh, GetUser and
// sign-out, and requires zero errors and a bounded RSS. The clients send a
// fixed number of requests (COGNATE_LOAD_REQUESTS, default 2048: four
// cycles of sign-in, refreshes, GetUsers and sign-out each), so the run's
// length follows the machine's speed, not a timer; COGNATE_LOAD_SECONDS=60
// runs them for that long instead (the nightly soak).
func TestLoad(t *testing.T) {
	const clients = 64
	perClient, seconds := 32, 0
	if v, err := strconv.Atoi(os.Getenv("COGNATE_LOAD_REQUESTS")); err == nil && v > 0 {
		perClient = max(1, v/clients)
	}
	if v, err := strconv.Atoi(os.Getenv("COGNATE_LOAD_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	if testing.Short() {
		perClient, seconds = 8, 0
	}
	s := StartServer(t)
	f := newFixture(t, s, nil)
	const users = 32
	for i := 1; i < users; i++ {
		f.addUser(t, fmt.Sprint("load", i), testPassword)
	}
	names := []string{"alice"}
	for i := 1; i < users; i++ {
		names = append(names, fmt.Sprint("load", i))
	}
	transport := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}
	api := cip.New(cip.Options{Region: testRegion, BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: s.SDK().Options().Credentials, HTTPClient: &http.Client{Transport: transport}})
	ctx := context.Background()
	rssStart := rssKB(t, s.cmd.Process.Pid)
	start := time.Now()
	deadline := start.Add(time.Duration(seconds) * time.Second)
	more := func(i int) bool { return i < perClient }
	if seconds > 0 {
		more = func(int) bool { return time.Now().Before(deadline) }
	}
	var ops, failures atomic.Int64
	var mu sync.Mutex
	var firstErrors []string
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			name := names[w%users]
			var tok *types.AuthenticationResultType
			for i := 0; more(i); i++ {
				var err error
				switch {
				case tok == nil || i%8 == 0:
					var out *cip.InitiateAuthOutput
					out, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
						AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": testPassword}})
					if err == nil {
						tok = out.AuthenticationResult
					}
				case i%8 == 7:
					_, err = api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: &name})
				case i%2 == 0:
					_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
						AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
				default:
					_, err = api.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
				}
				ops.Add(1)
				if err != nil && !expected(err) {
					failures.Add(1)
					mu.Lock()
					if len(firstErrors) < 5 {
						firstErrors = append(firstErrors, err.Error())
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	rssEnd := rssKB(t, s.cmd.Process.Pid)
	t.Logf("load: %.1f s, %d clients, %d requests (%.0f/s), errors %d, RSS %d → %d KiB",
		elapsed.Seconds(), clients, ops.Load(), float64(ops.Load())/elapsed.Seconds(), failures.Load(), rssStart, rssEnd)
	if seconds == 0 && ops.Load() != int64(clients*perClient) {
		t.Fatalf("%d requests sent, want %d", ops.Load(), clients*perClient)
	}
	if failures.Load() != 0 {
		t.Fatalf("%d errors under load, first: %v", failures.Load(), firstErrors)
	}
	if rssEnd > 1<<20 { // 1 GiB: far above the steady state, catches leaks and runaway buffers
		t.Fatalf("RSS grew to %d KiB", rssEnd)
	}
}
