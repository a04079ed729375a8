package bench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/cognate/cognate/internal/srp"
)

// Options are the command's flags.
type Options struct {
	Endpoint     string
	Region       string
	AccessKey    string
	SecretKey    string
	Workloads    string
	Concurrency  int
	Duration     time.Duration
	Users        int
	JSONFile     string
	UserSessions string // sizes for the per-user sign-out scaling run
	PoolSessions string // sizes for the per-pool sign-out scaling run
	Progress     bool
	// FloodConcurrency and FloodUsers shape getuser-flood's wrong-password
	// flood: its workers, and the users they rotate over.
	FloodConcurrency int
	FloodUsers       int
	// ClientProcs caps the load generator's GOMAXPROCS while it drives the
	// endpoint (0: every CPU). On a machine it shares with the server, one
	// thread spends less CPU waking its other threads and so leaves more to
	// the server; the RSA ceiling is always measured on every CPU.
	ClientProcs int
	// PreTokenARN and PreTokenVersion are the PreTokenGeneration function
	// of the <workload>-pretoken workloads (signin-pretoken, …): the pool
	// has it for those workloads and none for the others.
	PreTokenARN     string
	PreTokenVersion string
	// RSAWindow is the length of each of the five windows that measure the
	// RSA ceiling (400 ms by default; a test that only checks the report's
	// shape shortens them).
	RSAWindow time.Duration
}

// Report is the JSON output.
type Report struct {
	Endpoint    string         `json:"endpoint"`
	Machine     Machine        `json:"machine"`
	Workloads   []Stats        `json:"workloads"`
	UserScaling []ScalingPoint `json:"signout_by_user_sessions,omitempty"`
	PoolScaling []ScalingPoint `json:"signout_by_pool_sessions,omitempty"`
	StartedAt   time.Time      `json:"started_at"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs int `json:"cpus"`
	// ClientProcs is the load generator's GOMAXPROCS during the workloads.
	ClientProcs int `json:"client_gomaxprocs"`
	// RSASignPerSec is the best of every measurement of the run (before,
	// around each workload that signs two tokens, after): a ceiling is what the machine can
	// do at its best.
	RSASignPerSec  float64 `json:"rsa2048_sign_per_second"`
	PairCeilingSec float64 `json:"two_signatures_per_second"`
	// RSABefore and RSAAfter show how much the machine's speed drifted
	// during the run (shared virtual machines do).
	RSABefore float64 `json:"rsa2048_sign_per_second_before"`
	RSAAfter  float64 `json:"rsa2048_sign_per_second_after,omitempty"`
}

// pairCPUms is the CPU time two signatures take on one core, the least a
// sign-in or refresh can cost the server.
func (m Machine) pairCPUms() float64 {
	if m.RSASignPerSec <= 0 {
		return 0
	}
	return 2 * 1000 * float64(m.CPUs) / m.RSASignPerSec
}

// ScalingPoint is the median sign-out latency at a number of sessions.
type ScalingPoint struct {
	Sessions int     `json:"sessions"`
	MedianMs float64 `json:"median_ms"`
	Samples  int     `json:"samples"`
	// ServerRSSMB is the server's resident memory after the point, read
	// from its Prometheus /metrics when it has one (Cognate does).
	ServerRSSMB float64 `json:"server_rss_mb,omitempty"`
}

// Command is `cognate bench`.
func Command() *cobra.Command {
	var o Options
	var cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a Cognito-compatible endpoint (Cognate, moto, AWS) through aws-sdk-go-v2",
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Endpoint == "" {
				return errors.New("--endpoint-url is required")
			}
			// The load generator shares the machine with the server it
			// measures: fewer collections of aws-sdk-go-v2's garbage leave
			// more CPU to the server.
			if _, set := os.LookupEnv("GOGC"); !set {
				debug.SetGCPercent(400)
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			r, err := Run(cmd.Context(), o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			Print(cmd.OutOrStdout(), r)
			if o.JSONFile != "" {
				raw, _ := json.MarshalIndent(r, "", "  ")
				return os.WriteFile(o.JSONFile, raw, 0o644)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Endpoint, "endpoint-url", "", "the endpoint to drive")
	f.StringVar(&o.Region, "region", "us-east-1", "signing region")
	f.StringVar(&o.AccessKey, "access-key-id", "", "admin access key (default: the AWS credential chain)")
	f.StringVar(&o.SecretKey, "secret-access-key", "", "admin secret key")
	f.StringVar(&o.Workloads, "workload", "signin,refresh,getuser,signout",
		"comma list of signin, srp (USER_SRP_AUTH and PASSWORD_VERIFIER), refresh, gettokens (GetTokensFromRefreshToken), rotate (the same on a client that rotates refresh tokens), getuser, getuser-flood (GetUser during a wrong-password flood), signout")
	f.IntVar(&o.Concurrency, "concurrency", 8, "concurrent clients")
	f.DurationVar(&o.Duration, "duration", 10*time.Second, "time per workload")
	f.IntVar(&o.Users, "users", 100, "users in the benchmark pool")
	f.IntVar(&o.FloodConcurrency, "flood-concurrency", 8, "getuser-flood: workers sending wrong passwords beside the GetUser clients")
	f.IntVar(&o.FloodUsers, "flood-users", 200, "getuser-flood: users the wrong passwords rotate over (others than GetUser's; each is locked out after five)")
	f.StringVar(&o.JSONFile, "json", "", "also write the report as JSON to this file")
	f.StringVar(&o.UserSessions, "scaling-user", "", "measure sign-out latency with users holding these many sessions, e.g. 1,10,100,1000")
	f.StringVar(&o.PoolSessions, "scaling-pool", "", "measure sign-out latency as the pool grows to these many sessions, e.g. 1000,10000,100000")
	f.BoolVar(&o.Progress, "progress", true, "show progress on stderr")
	f.IntVar(&o.ClientProcs, "client-procs", 1, "GOMAXPROCS of this load generator while it drives the endpoint (0: every CPU); the RSA ceiling always uses every CPU")
	f.StringVar(&o.PreTokenARN, "pre-token-generation", "", "PreTokenGeneration function ARN of the <workload>-pretoken workloads (signin, srp, refresh, gettokens and rotate with the trigger); the server must be able to invoke it (cognate serve --lambda-functions)")
	f.StringVar(&o.PreTokenVersion, "pre-token-generation-version", "V2_0", "the trigger's LambdaVersion (V1_0, V2_0, V3_0)")
	f.DurationVar(&o.RSAWindow, "rsa-window", 400*time.Millisecond, "length of each of the five windows measuring the RSA-2048 signing ceiling")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile here (the server's: cognate serve --debug-addr)")
	return cmd
}

// runner holds a run's client and fixtures.
type runner struct {
	o        Options
	api      *cip.Client
	poolID   string
	clientID string
	// rotatingID is an app client of the pool that rotates refresh tokens
	// with no grace period, made for the first rotate workload.
	rotatingID string
	names      []string
	// flooded are getuser-flood's users, made for its first run.
	flooded []string
	// preToken: the pool has the PreTokenGeneration function now.
	preToken bool
	log      io.Writer
}

// preTokenSuffix marks a workload run with the pool's PreTokenGeneration
// trigger: signin-pretoken is signin, the function invoked for each token
// pair, so that one run reports the trigger's cost beside its absence.
const preTokenSuffix = "-pretoken"

// withoutTrigger is the workload name without preTokenSuffix, and whether
// it had it.
func withoutTrigger(workload string) (string, bool) {
	base, ok := strings.CutSuffix(workload, preTokenSuffix)
	return base, ok
}

// usePreToken gives the pool the PreTokenGeneration function, or takes it
// away, when it is not already so. UpdateUserPool sets the pool's whole
// LambdaConfig; the bench pool has no other trigger.
func (r *runner) usePreToken(ctx context.Context, on bool) error {
	if on == r.preToken {
		return nil
	}
	lc := &types.LambdaConfigType{}
	if on {
		lc.PreTokenGenerationConfig = &types.PreTokenGenerationVersionConfigType{LambdaArn: &r.o.PreTokenARN,
			LambdaVersion: types.PreTokenGenerationLambdaVersionType(r.o.PreTokenVersion)}
	}
	if _, err := r.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &r.poolID, LambdaConfig: lc}); err != nil {
		return fmt.Errorf("setting the PreTokenGeneration trigger: %w", err)
	}
	r.preToken = on
	return nil
}

// twoSignatures reports whether a workload's call signs two JWTs (access
// and ID token), so that half the RSA rate is its ceiling.
func twoSignatures(workload string) bool {
	workload, _ = withoutTrigger(workload)
	switch workload {
	case "signin", "srp", "refresh", "gettokens", "rotate":
		return true
	}
	return false
}

// errNotRotated: a rotating client's refresh answered no new refresh token.
var errNotRotated = errors.New("no new refresh token")

const benchPassword = "Bench-Pass-1!"

// Run executes the workloads and the scaling runs.
func Run(ctx context.Context, o Options, log io.Writer) (*Report, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &runner{o: o, log: log}
	cpus := runtime.GOMAXPROCS(0)
	procs := cpus
	if o.ClientProcs > 0 && o.ClientProcs < cpus {
		procs = o.ClientProcs
	}
	runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(cpus)
	if err := r.connect(ctx); err != nil {
		return nil, err
	}
	if err := r.setup(ctx); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	rep := &Report{Endpoint: o.Endpoint, StartedAt: time.Now().UTC(), Machine: Machine{CPUs: cpus, ClientProcs: procs}}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	rsaKey.Precompute()
	rep.Machine.RSABefore = measureRSA(rsaKey, cpus, o.RSAWindow)
	// Tokens for refresh, GetUser and the GetTokensFromRefreshToken
	// workloads come from one sign-in per client, made again before each
	// such workload: a sign-out workload revokes them. Rotation's come from
	// the rotating client: each worker's chain is its own, and each call
	// sends the refresh token the worker's previous call got back.
	toks := make([]*types.AuthenticationResultType, o.Concurrency)
	rot := make([]*types.AuthenticationResultType, o.Concurrency)
	prime := func(toks []*types.AuthenticationResultType, clientID string) error {
		for i := range toks {
			res, err := r.signInWith(ctx, clientID, r.names[i%len(r.names)])
			if err != nil {
				return fmt.Errorf("priming sign-in: %w", err)
			}
			toks[i] = res
		}
		return nil
	}
	var nearby float64 // the best of the windows around the signing workloads
	for _, w := range strings.Split(o.Workloads, ",") {
		w = strings.TrimSpace(w)
		base, trigger := withoutTrigger(w)
		if trigger && (o.PreTokenARN == "" || !twoSignatures(base)) {
			return nil, fmt.Errorf("workload %q: the %s workloads are signin, srp, refresh, gettokens and rotate, with --pre-token-generation", w, preTokenSuffix)
		}
		if err := r.usePreToken(ctx, trigger); err != nil {
			return nil, err
		}
		var err error
		switch base {
		case "refresh", "getuser", "gettokens":
			err = prime(toks, r.clientID)
		case "getuser-flood":
			if err = r.makeFloodUsers(ctx); err == nil {
				err = prime(toks, r.clientID)
			}
		case "rotate":
			if err = r.makeRotatingClient(ctx); err == nil {
				err = prime(rot, r.rotatingID)
			}
		}
		if err != nil {
			return nil, err
		}
		var fn func(ctx context.Context, worker, i int) error
		switch base {
		case "signin":
			fn = func(ctx context.Context, worker, i int) error {
				_, err := r.signIn(ctx, r.names[(worker*7919+i)%len(r.names)])
				return err
			}
		case "srp":
			fn = func(ctx context.Context, worker, i int) error {
				return r.srpSignIn(ctx, r.names[(worker*7919+i)%len(r.names)])
			}
		case "refresh":
			fn = func(ctx context.Context, worker, i int) error {
				_, err := r.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &r.clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
					AuthParameters: map[string]string{"REFRESH_TOKEN": *toks[worker].RefreshToken}})
				return err
			}
		case "gettokens":
			fn = func(ctx context.Context, worker, i int) error {
				_, err := r.api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &r.clientID,
					RefreshToken: toks[worker].RefreshToken})
				return err
			}
		case "rotate":
			// After a failed call the worker starts a new chain (a sign-in
			// inside that call's time), so that one lost answer counts as
			// one error and not as every call after it.
			broken := make([]bool, o.Concurrency)
			fn = func(ctx context.Context, worker, i int) error {
				if broken[worker] {
					res, err := r.signInWith(ctx, r.rotatingID, r.names[worker%len(r.names)])
					if err != nil {
						return err
					}
					rot[worker], broken[worker] = res, false
				}
				out, err := r.api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &r.rotatingID,
					RefreshToken: rot[worker].RefreshToken})
				if err == nil && (out.AuthenticationResult == nil || out.AuthenticationResult.RefreshToken == nil) {
					err = errNotRotated
				}
				if err != nil {
					broken[worker] = true
					return err
				}
				rot[worker] = out.AuthenticationResult
				return nil
			}
		case "getuser", "getuser-flood":
			fn = func(ctx context.Context, worker, i int) error {
				_, err := r.api.GetUser(ctx, &cip.GetUserInput{AccessToken: toks[worker].AccessToken})
				return err
			}
		case "signout":
			fn = func(ctx context.Context, worker, i int) error {
				_, err := r.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &r.poolID,
					Username: aws.String(r.names[(worker*7919+i)%len(r.names)])})
				return err
			}
		case "":
			continue
		default:
			return nil, fmt.Errorf("unknown workload %q", w)
		}
		signs := twoSignatures(w)
		var before float64
		if signs {
			before = measureRSA(rsaKey, cpus, o.RSAWindow)
		}
		var flood func() *FloodStats
		if w == "getuser-flood" {
			flood = r.flood(ctx)
		}
		st := r.load(ctx, w, fn)
		if flood != nil {
			st.Flood = flood()
		}
		if signs {
			st.RSANearby = max(before, measureRSA(rsaKey, cpus, o.RSAWindow))
			nearby = max(nearby, st.RSANearby)
		}
		rep.Workloads = append(rep.Workloads, st)
	}
	rep.Machine.RSAAfter = measureRSA(rsaKey, cpus, o.RSAWindow)
	rep.Machine.settle(nearby)
	if o.UserSessions != "" {
		if rep.UserScaling, err = r.userScaling(ctx, sizes(o.UserSessions)); err != nil {
			return nil, err
		}
	}
	if o.PoolSessions != "" {
		if rep.PoolScaling, err = r.poolScaling(ctx, sizes(o.PoolSessions)); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func sizes(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(p), &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func (r *runner) connect(ctx context.Context) error {
	var creds aws.CredentialsProvider
	if r.o.AccessKey != "" {
		creds = credentials.NewStaticCredentialsProvider(r.o.AccessKey, r.o.SecretKey, "")
	} else {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(r.o.Region))
		if err != nil {
			return err
		}
		creds = cfg.Credentials
	}
	transport := &http.Transport{MaxIdleConns: 4 * r.o.Concurrency, MaxIdleConnsPerHost: 4 * r.o.Concurrency, IdleConnTimeout: time.Minute}
	r.api = cip.New(cip.Options{Region: r.o.Region, BaseEndpoint: aws.String(r.o.Endpoint), Credentials: creds,
		RetryMaxAttempts: 1, HTTPClient: &http.Client{Transport: transport, Timeout: time.Minute}})
	return nil
}

func (r *runner) setup(ctx context.Context) error {
	pool, err := r.api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("cognate-bench")})
	if err != nil {
		return err
	}
	r.poolID = *pool.UserPool.Id
	client, err := r.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &r.poolID, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		return err
	}
	r.clientID = *client.UserPoolClient.ClientId
	r.names, r.flooded = nil, nil
	for i := 0; i < r.o.Users; i++ {
		r.names = append(r.names, fmt.Sprintf("bench-user-%d", i))
	}
	return r.parallel(ctx, len(r.names), "users", func(ctx context.Context, i int) error { return r.addUser(ctx, r.names[i]) })
}

func (r *runner) addUser(ctx context.Context, name string) error {
	if _, err := r.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &r.poolID, Username: &name,
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		return err
	}
	_, err := r.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &r.poolID, Username: &name,
		Password: aws.String(benchPassword), Permanent: true})
	return err
}

// makeRotatingClient adds the app client of the rotate workload, once:
// RefreshTokenRotation ENABLED, no retry grace period, so that every
// refresh token is good for one refresh.
func (r *runner) makeRotatingClient(ctx context.Context) error {
	if r.rotatingID != "" {
		return nil
	}
	client, err := r.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &r.poolID, ClientName: aws.String("bench-rotating"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}})
	if err != nil {
		return fmt.Errorf("rotating client: %w", err)
	}
	r.rotatingID = *client.UserPoolClient.ClientId
	return nil
}

// srpSignIn is USER_SRP_AUTH then PASSWORD_VERIFIER, the client's side
// computed with internal/srp. The client's secret a has 256 bits, as the
// server's b (Amplify draws 1,024): the load generator shares the machine.
func (r *runner) srpSignIn(ctx context.Context, name string) error {
	raw := make([]byte, 32)
	rand.Read(raw)
	a := new(big.Int).SetBytes(raw)
	init, err := r.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &r.clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": name, "SRP_A": srp.ClientA(a).Text(16)}})
	if err != nil {
		return err
	}
	p := init.ChallengeParameters
	salt, _ := new(big.Int).SetString(p["SALT"], 16)
	B, _ := new(big.Int).SetString(p["SRP_B"], 16)
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier || salt == nil || B == nil || err != nil {
		return errors.New("USER_SRP_AUTH answered no password verifier")
	}
	ts := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	_, realm, _ := strings.Cut(r.poolID, "_")
	sig, err := srp.ClientSignature(realm, p["USER_ID_FOR_SRP"], benchPassword, salt.Bytes(), a, B, block, ts)
	if err != nil {
		return err
	}
	out, err := r.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &r.clientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: map[string]string{"USERNAME": p["USERNAME"],
			"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}})
	if err == nil && out.AuthenticationResult == nil {
		err = errors.New("sign-in answered a challenge")
	}
	return err
}

// makeFloodUsers adds getuser-flood's users, once.
func (r *runner) makeFloodUsers(ctx context.Context) error {
	if r.flooded != nil {
		return nil
	}
	names := make([]string, r.o.FloodUsers)
	for i := range names {
		names[i] = fmt.Sprintf("bench-flood-%d", i)
	}
	if err := r.parallel(ctx, len(names), "flood users", func(ctx context.Context, i int) error { return r.addUser(ctx, names[i]) }); err != nil {
		return fmt.Errorf("flood users: %w", err)
	}
	r.flooded = names
	return nil
}

// FloodStats are the wrong-password sign-ins of getuser-flood:
// InitiateAuth USER_PASSWORD_AUTH with a wrong password for users other
// than GetUser's, rotating over them. Evaluated are the answers "Incorrect
// username or password." (the password was compared); Locked, "Password
// attempts exceeded" (refused during the user's lockout, before any
// comparison).
type FloodStats struct {
	Concurrency int            `json:"concurrency"`
	Users       int            `json:"users"`
	Requests    int            `json:"requests"`
	Seconds     float64        `json:"seconds"`
	PerSecond   float64        `json:"per_second"`
	Evaluated   int            `json:"evaluated"`
	Locked      int            `json:"locked"`
	P50ms       float64        `json:"p50_ms"`
	P99ms       float64        `json:"p99_ms"`
	Errors      map[string]int `json:"errors,omitempty"`
}

// flood starts the wrong-password workers; the function it returns stops
// them and summarizes.
func (r *runner) flood(ctx context.Context) func() *FloodStats {
	var next atomic.Int64
	var stop atomic.Bool
	var mu sync.Mutex
	var lat []time.Duration
	fs := &FloodStats{Concurrency: r.o.FloodConcurrency, Users: len(r.flooded), Errors: map[string]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	for range r.o.FloodConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				name := r.flooded[int(next.Add(1))%len(r.flooded)]
				t0 := time.Now()
				_, err := r.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &r.clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
					AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Wrong-" + benchPassword}})
				d := time.Since(t0)
				var ae smithy.APIError
				mu.Lock()
				lat = append(lat, d)
				switch {
				case errors.As(err, &ae) && ae.ErrorCode() == "NotAuthorizedException" && strings.Contains(ae.ErrorMessage(), "attempts exceeded"):
					fs.Locked++
				case errors.As(err, &ae) && ae.ErrorCode() == "NotAuthorizedException":
					fs.Evaluated++
				case err == nil:
					fs.Errors["Accepted"]++
				default:
					fs.Errors[errorCode(err)]++
				}
				mu.Unlock()
			}
		}()
	}
	return func() *FloodStats {
		stop.Store(true)
		wg.Wait()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fs.Requests, fs.Seconds = len(lat), time.Since(start).Seconds()
		fs.PerSecond = float64(fs.Requests) / fs.Seconds
		fs.P50ms, fs.P99ms = ms(percentile(lat, .5)), ms(percentile(lat, .99))
		return fs
	}
}

func (r *runner) signIn(ctx context.Context, name string) (*types.AuthenticationResultType, error) {
	return r.signInWith(ctx, r.clientID, name)
}

func (r *runner) signInWith(ctx context.Context, clientID, name string) (*types.AuthenticationResultType, error) {
	out, err := r.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &r.poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": benchPassword}})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, errors.New("sign-in answered a challenge")
	}
	return out.AuthenticationResult, nil
}

// parallel runs n jobs on Concurrency workers, reporting progress.
func (r *runner) parallel(ctx context.Context, n int, what string, job func(context.Context, int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	stop := r.progress(what, n, func() int64 { return next.Load() })
	defer stop()
	for w := 0; w < r.o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := job(ctx, i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// progress prints a one-line counter about once a second.
func (r *runner) progress(what string, total int, done func() int64) func() {
	if !r.o.Progress || r.log == nil {
		return func() {}
	}
	quit := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprintf(r.log, "\r%-60s\r", "")
				return
			case <-tick.C:
				if total > 0 {
					fmt.Fprintf(r.log, "\r%s: %d/%d", what, min(done(), int64(total)), total)
				} else {
					fmt.Fprintf(r.log, "\r%s: %d requests", what, done())
				}
			}
		}
	}()
	return func() { close(quit) }
}

// load runs one workload for the configured duration.
func (r *runner) load(ctx context.Context, name string, fn func(ctx context.Context, worker, i int) error) Stats {
	var mu sync.Mutex
	var all []time.Duration
	errs := map[string]int{}
	var count atomic.Int64
	before, cliCPU0 := r.serverMetrics(ctx), ownCPU()
	stop := r.progress(name, 0, count.Load)
	start := time.Now()
	deadline := start.Add(r.o.Duration)
	var wg sync.WaitGroup
	for w := 0; w < r.o.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			local := map[string]int{}
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				err := fn(ctx, w, i)
				mine = append(mine, time.Since(t0))
				count.Add(1)
				if err != nil {
					local[errorCode(err)]++
				}
			}
			mu.Lock()
			all = append(all, mine...)
			for k, v := range local {
				errs[k] += v
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	st := summarize(name, r.o.Concurrency, all, errs, elapsed)
	if n := float64(st.Requests); n > 0 {
		st.ClientCPUms = float64((ownCPU() - cliCPU0).Microseconds()) / 1000 / n
		after := r.serverMetrics(ctx)
		delta := func(name string) float64 { return after[name] - before[name] }
		if _, ok := before["process_cpu_seconds_total"]; ok {
			st.ServerCPUms = delta("process_cpu_seconds_total") * 1000 / n
		}
		if commits := delta("cognate_store_group_commits_total"); commits > 0 {
			st.WritesPerCommit = delta("cognate_store_group_commit_writes_total") / commits
		}
	}
	return st
}

func errorCode(err error) string {
	if errors.Is(err, errNotRotated) {
		return "NoNewRefreshToken"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "transport"
}

// userScaling measures sign-out of users holding n sessions each. Every
// user of every size is prepared first, and the sign-outs then run
// interleaved across the sizes, so that neither the machine's drift nor the
// writes that prepared a size fall on one size more than another.
func (r *runner) userScaling(ctx context.Context, ns []int) ([]ScalingPoint, error) {
	const samples = 25
	name := func(n, s int) string { return fmt.Sprintf("scale-%d-%d", n, s) }
	for s := 0; s < samples; s++ {
		for _, n := range ns {
			user := name(n, s)
			if err := r.addUser(ctx, user); err != nil {
				return nil, err
			}
			if err := r.parallel(ctx, n, fmt.Sprintf("sessions for %s", user), func(ctx context.Context, _ int) error {
				_, err := r.signIn(ctx, user)
				return err
			}); err != nil {
				return nil, err
			}
		}
	}
	lat := make([][]time.Duration, len(ns))
	for s := 0; s < samples; s++ {
		for i, n := range ns {
			d, err := r.timeSignOut(ctx, name(n, s))
			if err != nil {
				return nil, err
			}
			lat[i] = append(lat[i], d)
		}
	}
	var out []ScalingPoint
	for i, n := range ns {
		out = append(out, point(n, lat[i]))
	}
	return out, nil
}

// timeSignOut times one AdminUserGlobalSignOut.
func (r *runner) timeSignOut(ctx context.Context, user string) (time.Duration, error) {
	t0 := time.Now()
	_, err := r.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &r.poolID, Username: &user})
	return time.Since(t0), err
}

// poolScaling grows a fresh pool's sessions and, at each size, measures
// the sign-out of users who hold one session each, so that only the pool's
// size changes between points.
func (r *runner) poolScaling(ctx context.Context, ns []int) ([]ScalingPoint, error) {
	if err := r.setup(ctx); err != nil {
		return nil, fmt.Errorf("pool scaling setup: %w", err)
	}
	var out []ScalingPoint
	have := 0
	for _, n := range ns {
		if n > have {
			if err := r.parallel(ctx, n-have, fmt.Sprintf("growing the pool to %d sessions", n), func(ctx context.Context, i int) error {
				_, err := r.signIn(ctx, r.names[i%len(r.names)])
				return err
			}); err != nil {
				return nil, err
			}
			have = n
		}
		// New one-session users, all prepared before any is signed out.
		const samples = 50
		name := func(s int) string { return fmt.Sprintf("pool-%d-%d", n, s) }
		for s := 0; s < samples; s++ {
			if err := r.addUser(ctx, name(s)); err != nil {
				return nil, err
			}
			if _, err := r.signIn(ctx, name(s)); err != nil {
				return nil, err
			}
		}
		var lat []time.Duration
		for s := 0; s < samples; s++ {
			d, err := r.timeSignOut(ctx, name(s))
			if err != nil {
				return nil, err
			}
			lat = append(lat, d)
		}
		pt := point(n, lat)
		pt.ServerRSSMB = r.serverRSS(ctx)
		out = append(out, pt)
	}
	return out, nil
}

// serverRSS reads the server's resident memory in MB; 0 when the endpoint
// has no Prometheus /metrics (Cognate does).
func (r *runner) serverRSS(ctx context.Context) float64 {
	return r.serverMetrics(ctx)["process_resident_memory_bytes"] / (1 << 20)
}

// serverMetrics reads the unlabelled samples of the endpoint's /metrics;
// empty when it has none.
func (r *runner) serverMetrics(ctx context.Context) map[string]float64 {
	out := map[string]float64{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(r.o.Endpoint, "/")+"/metrics", nil)
	if err != nil {
		return out
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	for _, line := range strings.Split(string(body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(value, &v); err == nil {
			out[name] = v
		}
	}
	return out
}

// ownCPU is the CPU time this process has used.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func point(n int, lat []time.Duration) ScalingPoint {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return ScalingPoint{Sessions: n, MedianMs: ms(percentile(lat, .5)), Samples: len(lat)}
}

// measureRSA reports the machine's RSA-2048 PKCS#1 v1.5 SHA-256 signing
// rate on every core: the best of five short windows, so that a moment of
// background work (the server settling after a workload, a neighbour on a
// shared host) does not lower the ceiling and flatter the fractions.
func measureRSA(key *rsa.PrivateKey, cpus int, window time.Duration) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cpus))
	digest := sha256.Sum256([]byte("cognate"))
	if window <= 0 {
		window = 400 * time.Millisecond
	}
	best := 0.0
	for range 5 {
		var n atomic.Int64
		deadline := time.Now().Add(window)
		var wg sync.WaitGroup
		for range cpus {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		best = max(best, float64(n.Load())/window.Seconds())
	}
	return best
}

// settle fills in the ceiling from the measurements, which ran one
// goroutine per usable CPU: the run's first and last, and the best of those
// taken around the workloads that sign two tokens.
func (m *Machine) settle(nearby float64) {
	m.RSASignPerSec = max(m.RSABefore, m.RSAAfter, nearby)
	m.PairCeilingSec = m.RSASignPerSec / 2
}

// Print writes the human-readable report.
func Print(w io.Writer, r *Report) {
	m := r.Machine
	fmt.Fprintf(w, "endpoint %s — %d CPUs (load generator on %d), RSA-2048 signatures %.0f/s (best of before %.0f/s, after %.0f/s; ceiling for sign-in/refresh: %.0f/s, %.2f ms of CPU)\n\n",
		r.Endpoint, m.CPUs, m.ClientProcs, m.RSASignPerSec, m.RSABefore, m.RSAAfter, m.PairCeilingSec, m.pairCPUms())
	fmt.Fprintf(w, "%-18s %5s %9s %10s %8s %8s %8s %9s %9s %9s %9s %9s  %s\n", "workload", "conc", "requests", "ops/s", "p50 ms", "p99 ms", "max ms",
		"ceiling", "nearby", "srv cpu", "cli cpu", "rsa/srv", "errors")
	for _, s := range r.Workloads {
		frac, near, share := "-", "-", "-"
		if twoSignatures(s.Workload) && m.PairCeilingSec > 0 {
			frac = fmt.Sprintf("%.0f %%", 100*s.succeededPerSecond()/m.PairCeilingSec)
			if s.RSANearby > 0 {
				near = fmt.Sprintf("%.0f %%", 100*s.succeededPerSecond()/(s.RSANearby/2))
			}
			if s.ServerCPUms > 0 {
				share = fmt.Sprintf("%.0f %%", 100*m.pairCPUms()/s.ServerCPUms)
			}
		}
		fmt.Fprintf(w, "%-18s %5d %9d %10.0f %8.2f %8.2f %8.2f %9s %9s %9s %9s %9s  %v\n", s.Workload, s.Concurrency, s.Requests, s.PerSecond, s.P50ms, s.P99ms, s.MaxMs,
			frac, near, cpuMs(s.ServerCPUms), cpuMs(s.ClientCPUms), share, s.Errors)
	}
	fmt.Fprintf(w, "(ceiling: share of the run's best two-signature rate; nearby: of the best measured just before and after the workload; srv/cli cpu: CPU ms per call of the server, from its /metrics, and of this load generator; rsa/srv: the two signatures' share of the server's CPU)\n")
	printTriggerCost(w, r.Workloads)
	for _, s := range r.Workloads {
		if f := s.Flood; f != nil {
			fmt.Fprintf(w, "%s: beside %d wrong-password workers over %d users: %d sign-ins (%.0f/s; p50 %.2f ms, p99 %.2f ms), %d evaluated, %d refused as locked out, errors %v\n",
				s.Workload, f.Concurrency, f.Users, f.Requests, f.PerSecond, f.P50ms, f.P99ms, f.Evaluated, f.Locked, f.Errors)
		}
	}
	for _, s := range r.Workloads {
		if s.WritesPerCommit > 0 {
			fmt.Fprintf(w, "%s: %.1f writes per group commit (fsync)\n", s.Workload, s.WritesPerCommit)
		}
	}
	for _, sc := range []struct {
		title string
		pts   []ScalingPoint
	}{{"sign-out median by the user's sessions", r.UserScaling}, {"sign-out median by the pool's sessions", r.PoolScaling}} {
		if len(sc.pts) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", sc.title)
		for _, p := range sc.pts {
			fmt.Fprintf(w, "  %8d sessions  %7.2f ms  (%d samples)", p.Sessions, p.MedianMs, p.Samples)
			if p.ServerRSSMB > 0 {
				fmt.Fprintf(w, "  server RSS %.1f MB", p.ServerRSSMB)
			}
			fmt.Fprintln(w)
		}
	}
}

// printTriggerCost sets each <workload>-pretoken beside its workload of the
// same concurrency: what the PreTokenGeneration function adds to the median
// call and what share of the call it is. The function's own CPU (its
// runtime, the emulator) is not in the server's.
func printTriggerCost(w io.Writer, stats []Stats) {
	for _, t := range stats {
		base, trigger := withoutTrigger(t.Workload)
		if !trigger {
			continue
		}
		for _, b := range stats {
			if b.Workload == base && b.Concurrency == t.Concurrency && t.P50ms > 0 {
				fmt.Fprintf(w, "%s: the trigger adds %.2f ms to the median call (%.0f %% of it), %+.2f ms of server CPU per call; %.0f → %.0f ops/s\n",
					t.Workload, t.P50ms-b.P50ms, 100*(t.P50ms-b.P50ms)/t.P50ms, t.ServerCPUms-b.ServerCPUms, b.PerSecond, t.PerSecond)
				break
			}
		}
	}
}
