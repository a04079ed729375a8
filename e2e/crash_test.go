package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// acked is what the server acknowledged before it was killed.
type acked struct {
	mu      sync.Mutex
	users   []string
	revoked []*types.AuthenticationResultType // signed out (or revoked) after a 200
}

// The server is SIGKILLed at a random moment in a stream of writes (create
// user, sign-in, sign-out, revoke). After each restart every acknowledged
// write is there, and no token revoked with a 200 works.
func TestCrashDuringWrites(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	f := newFixture(t, s, nil)
	ctx := context.Background()
	var all acked
	rounds := 4
	for round := 0; round < rounds; round++ {
		killAt := int64(20 + rand.IntN(60)) // acknowledged writes before the kill
		var count atomic.Int64
		killed := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-killed:
						return
					default:
					}
					name := fmt.Sprintf("r%d-w%d-u%d", round, w, i)
					_, err := f.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.PoolID, Username: &name,
						MessageAction: types.MessageActionTypeSuppress})
					if err != nil {
						return // the server is gone
					}
					all.mu.Lock()
					all.users = append(all.users, name)
					all.mu.Unlock()
					if _, err := f.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.PoolID, Username: &name,
						Password: aws.String(testPassword), Permanent: true}); err != nil {
						return
					}
					res, err := f.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
						AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": testPassword}})
					if err != nil {
						return
					}
					if i%2 == 0 {
						_, err = f.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.PoolID, Username: &name})
					} else {
						_, err = f.api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &f.ClientID, Token: res.AuthenticationResult.RefreshToken})
					}
					if err != nil {
						return
					}
					all.mu.Lock()
					all.revoked = append(all.revoked, res.AuthenticationResult)
					all.mu.Unlock()
					if count.Add(1) == killAt {
						once.Do(func() {
							s.Kill()
							close(killed)
						})
					}
				}
			}(w)
		}
		wg.Wait()
		once.Do(func() { s.Kill(); close(killed) })
		s.Start()
	}
	lost, alive := 0, 0
	for _, name := range all.users {
		if _, err := f.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.PoolID, Username: aws.String(name)}); err != nil {
			lost++
			t.Errorf("acknowledged user %s lost: %v", name, err)
		}
	}
	for _, tok := range all.revoked {
		if _, err := f.refresh(*tok.RefreshToken); err == nil {
			alive++
		}
		if _, err := f.getUser(*tok.AccessToken); err == nil {
			alive++
		}
	}
	if alive != 0 {
		t.Errorf("%d revoked tokens still work after a crash", alive)
	}
	t.Logf("rounds %d: acknowledged users %d (lost %d), acknowledged revocations %d (tokens alive %d)",
		rounds, len(all.users), lost, len(all.revoked), alive)
}
