package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cognate/cognate/internal/app"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/store/postgres"
	"github.com/cognate/cognate/internal/store/sqlite"
	"github.com/cognate/cognate/internal/userpool"
)

type serveConfig struct {
	Addr        string
	DataDir     string
	Region      string
	AccountID   string
	DatabaseURL string
	IssuerBase  string
	LogLevel    string
	AuthLimit   float64
	IPLimit     float64
	SMTPAddr    string
	SMTPFrom    string
	DebugAddr   string
	MetricsAddr string
	// MasterKeyFile holds the master key when COGNATE_MASTER_KEY is unset
	// ("": <data-dir>/master.key).
	MasterKeyFile string
	// RateLimits are the other quota categories' rates ("Category=rate,…"
	// over throttle.DefaultRates, or "off"); TrustedProxies the CIDRs whose
	// X-Forwarded-For names the client IP.
	RateLimits     string
	TrustedProxies string
	DBPoolSize     int
	GCPercent      int
	// PasswordArgon2 and PasswordWorkers: the password hash's cost and how
	// many hashes run at once.
	PasswordArgon2  string
	PasswordWorkers int

	// LambdaEndpoint, LambdaFunctions and LambdaTimeout: where the pools'
	// trigger functions are invoked, and one attempt's limit.
	LambdaEndpoint  string
	LambdaFunctions string
	LambdaTimeout   time.Duration

	// ChangeIssuer lets IssuerBase replace the one the database remembers.
	ChangeIssuer bool
	// CheckWire (COGNATE_CHECK_WIRE=1, for tests; no flag) checks every
	// answer against the model and logs "wire conformance" on a mismatch.
	CheckWire bool
}

// envDefault reads COGNATE_<NAME>, so every flag can come from the environment.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv("COGNATE_" + name); ok && v != "" {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(envDefault(name, ""), 64); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(envDefault(name, "")); err == nil {
		return v
	}
	return def
}

func serveCommand() *cobra.Command {
	cfg := serveConfig{CheckWire: envDefault("CHECK_WIRE", "") == "1"}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Cognate server",
		Long: `Run the Cognate server. Every flag but --change-issuer-base-url can also
be set through an environment variable: COGNATE_ADDR, COGNATE_DATA_DIR,
COGNATE_REGION, COGNATE_ACCOUNT_ID, COGNATE_DATABASE_URL,
COGNATE_ISSUER_BASE_URL, COGNATE_LOG_LEVEL, COGNATE_RATE_LIMIT_AUTH,
COGNATE_RATE_LIMIT_IP, COGNATE_RATE_LIMITS, COGNATE_TRUSTED_PROXIES,
COGNATE_SMTP_ADDR, COGNATE_SMTP_FROM, COGNATE_LAMBDA_ENDPOINT,
COGNATE_LAMBDA_FUNCTIONS, COGNATE_LAMBDA_TIMEOUT.

The functions a pool's LambdaConfig names run as Cognito runs them:
synchronously, through Lambda's Invoke API, each attempt limited to
--lambda-timeout (Cognito's 5 s), three attempts when one times out. A
function is invoked at the endpoint --lambda-functions maps its ARN (or
name) to, else at --lambda-endpoint with the name (and qualifier) in its
ARN (SAM CLI's sam local start-lambda: http://127.0.0.1:3001; LocalStack:
http://localhost.localstack.cloud:4566), else in AWS Lambda in the ARN's
region with the standard AWS credential chain. A Runtime Interface
Emulator serves one function: map it with ARN=http://127.0.0.1:9000
(README: "Lambda triggers").

Request rates are limited as Cognito's quotas are, by operation category,
each per app client and per client IP (Cognito's are per account): by
default UserAuthentication 120/s (--rate-limit-auth; InitiateAuth,
RespondToAuthChallenge, their admin forms, GetTokensFromRefreshToken, and
the hosted UI's POST /login and /oauth2/token), UserCreation 50/s (SignUp,
ConfirmSignUp), UserAccountRecovery 30/s (ForgotPassword,
ConfirmForgotPassword, ResendConfirmationCode, ChangePassword), UserUpdate
25/s (UpdateUserAttributes, VerifyUserAttribute, the MFA and device
calls…), UserRead off (GetUser, GetDevice, ListDevices; Cognito's is 120/s).
Bursts of twice the rate pass. Past it the API answers
TooManyRequestsException "Rate exceeded", the hosted UI 429. Change them
with --rate-limits UserCreation=10,UserRead=120 (0 = unlimited, "off" for
all but UserAuthentication). Behind a reverse proxy every client has the
proxy's address: name it with --trusted-proxies so that X-Forwarded-For
is believed from it (and only from it).

Admin (SigV4-signed) calls must be signed with the credentials in
COGNATE_ACCESS_KEY_ID / COGNATE_SECRET_ACCESS_KEY, or with those in
<data-dir>/credentials.json (generated on first start and printed once).
A key in that file may carry an IAM policy limiting it to some pools or
actions, and an expiry; the file is read again when it changes (at most once
a second) and on SIGHUP, and a version that does not parse is logged and
ignored (README: "Admin keys and their policies").
The master key that protects passwords and signing keys comes from
COGNATE_MASTER_KEY (base64, 32 bytes) or --master-key-file (default
<data-dir>/master.key, warned about: keep it off the data directory's volume);
a key that cannot open what the database holds is refused at start.

The issuer base URL is the one public URL of the server: tokens carry
iss = <base>/<poolId>, and the discovery document names it for the issuer,
jwks_uri and every endpoint (never the request's Host). Set it with
--issuer-base-url when clients reach the server through another name (a
proxy, a load balancer: replicas share it). Without it the base is derived
from --addr: http://<host>:<port>, with localhost for 0.0.0.0, :: or an
empty host, and the actual port when --addr's port is 0. The database
remembers the base it was first served with: a start with another one is
refused (every live token names it) unless --change-issuer-base-url is
given, and a start without --issuer-base-url keeps the remembered one (with
--addr HOST:0 it listens on the remembered port again).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return serve(cmd.Context(), cfg, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", envDefault("ADDR", "127.0.0.1:9229"), "listen address HOST:PORT")
	f.StringVar(&cfg.DataDir, "data-dir", envDefault("DATA_DIR", "./cognate-data"), "directory for the SQLite database, keys and credentials")
	f.StringVar(&cfg.Region, "region", envDefault("REGION", "us-east-1"), "default region")
	f.StringVar(&cfg.AccountID, "account-id", envDefault("ACCOUNT_ID", "000000000000"), "12-digit account id used in ARNs")
	f.StringVar(&cfg.DatabaseURL, "database-url", envDefault("DATABASE_URL", ""), "postgres://… to share state between replicas (default: SQLite in --data-dir); replicas must share COGNATE_MASTER_KEY")
	f.StringVar(&cfg.IssuerBase, "issuer-base-url", envDefault("ISSUER_BASE_URL", ""), "public base URL: tokens' iss is <base>/<poolId>, and discovery names it everywhere (default: the one the database remembers, else http://<--addr> with localhost for a wildcard host)")
	f.BoolVar(&cfg.ChangeIssuer, "change-issuer-base-url", false, "move the database to this start's issuer base URL for good (access tokens issued under the old one stop working); flag only, no environment variable")
	f.StringVar(&cfg.LogLevel, "log-level", envDefault("LOG_LEVEL", "info"), "debug, info, warn or error")
	f.Float64Var(&cfg.AuthLimit, "rate-limit-auth", envFloat("RATE_LIMIT_AUTH", 120), "sign-in calls per second per app client and per client IP (Cognito's UserAuthentication quota, the hosted UI's /login and /oauth2/token included); 0 = unlimited")
	f.StringVar(&cfg.SMTPAddr, "smtp-addr", envDefault("SMTP_ADDR", ""), "also email codes through this SMTP server (host:port); credentials from COGNATE_SMTP_USERNAME/COGNATE_SMTP_PASSWORD")
	f.StringVar(&cfg.SMTPFrom, "smtp-from", envDefault("SMTP_FROM", "no-reply@cognate.local"), "sender address of emailed codes")
	f.IntVar(&cfg.DBPoolSize, "db-pool-size", int(envFloat("DB_POOL_SIZE", 16)), "PostgreSQL connections per replica")
	f.StringVar(&cfg.DebugAddr, "debug-addr", envDefault("DEBUG_ADDR", ""), "serve Go's pprof profiles on this separate loopback address (off by default; a non-loopback address is refused)")
	f.StringVar(&cfg.MasterKeyFile, "master-key-file", envDefault("MASTER_KEY_FILE", ""),
		"file holding the master key when COGNATE_MASTER_KEY is unset, created on first start (default <data-dir>/master.key, which is warned about: keep the key off the data directory's volume)")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", envDefault("METRICS_ADDR", ""), "serve Prometheus /metrics on this separate address, to anyone who reaches it (default: on the API port, to loopback clients only)")
	f.StringVar(&cfg.RateLimits, "rate-limits", envDefault("RATE_LIMITS", ""), "requests per second per app client and per client IP of the quota categories, Category=rate,… over the defaults UserCreation=50,UserAccountRecovery=30,UserUpdate=25,UserRead=0 (0 = unlimited; off = all of them)")
	f.StringVar(&cfg.TrustedProxies, "trusted-proxies", envDefault("TRUSTED_PROXIES", ""), "CIDRs (or IPs) of reverse proxies whose X-Forwarded-For names the client IP, comma-separated; without them the header is ignored")
	f.Float64Var(&cfg.IPLimit, "rate-limit-ip", envFloat("RATE_LIMIT_IP", 0), "API calls per second per client IP; 0 = unlimited")
	f.StringVar(&cfg.PasswordArgon2, "password-argon2", envDefault("PASSWORD_ARGON2", password.DefaultArgon2.String()),
		"argon2id parameters of new password hashes, m=<KiB>,t=<iterations>,p=<lanes> (default: OWASP's minimum); older hashes are upgraded at the next sign-in")
	f.IntVar(&cfg.PasswordWorkers, "password-workers", int(envFloat("PASSWORD_WORKERS", 0)),
		"password hashes computed at once; 0 = half the CPUs (at least one), leaving the rest to refresh, GetUser and sign-out")
	f.StringVar(&cfg.LambdaEndpoint, "lambda-endpoint", envDefault("LAMBDA_ENDPOINT", ""),
		"Lambda Invoke API base URL for trigger functions, e.g. http://127.0.0.1:3001 (sam local start-lambda) or LocalStack's (default: AWS Lambda in the function ARN's region, standard credential chain)")
	f.StringVar(&cfg.LambdaFunctions, "lambda-functions", envDefault("LAMBDA_FUNCTIONS", ""),
		"functions served at endpoints of their own, ARN=URL,… (or name=URL; URL an emulator's base, sent as \"function\", or a full …/2015-03-31/functions/<name>/invocations URL), @FILE for a JSON object of the same")
	f.DurationVar(&cfg.LambdaTimeout, "lambda-timeout", envDuration("LAMBDA_TIMEOUT", 5*time.Second),
		"limit of one trigger invocation attempt (Cognito's is 5s; three attempts when one times out)")
	f.IntVar(&cfg.GCPercent, "gc-percent", int(envFloat("GC_PERCENT", 400)), "Go garbage-collector target (GOGC) when GOGC is not set; 0 keeps Go's default of 100")
	return cmd
}

func serve(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	// The live heap is a few megabytes, so at Go's default every few
	// megabytes of request garbage start a collection; 400 trades ≈12 MB of
	// RSS for ≈40 % more GetUser calls per second (BENCHMARKS.md).
	if _, set := os.LookupEnv("GOGC"); !set && cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if len(cfg.AccountID) != 12 || strings.Trim(cfg.AccountID, "0123456789") != "" {
		return fmt.Errorf("--account-id must be 12 digits, got %q", cfg.AccountID)
	}
	base, err := normalizeIssuerBase(cfg.IssuerBase)
	if err != nil {
		return err
	}
	cfg.IssuerBase = base
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		lock, err := lockDataDir(cfg.DataDir)
		if err != nil {
			return err
		}
		defer lock.Close()
	}
	keyFile := cfg.MasterKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(cfg.DataDir, "master.key")
	}
	keeper, err := secret.LoadOrCreate(os.Getenv("COGNATE_MASTER_KEY"), keyFile)
	if err != nil {
		return err
	}
	keySource := "COGNATE_MASTER_KEY"
	if os.Getenv("COGNATE_MASTER_KEY") == "" {
		keySource = keyFile + " (COGNATE_MASTER_KEY is unset)"
		if inside(cfg.DataDir, keyFile) {
			// Security review #6: a copy of the data dir would hold the
			// key beside what it protects.
			log.Warn("the master key is stored inside the data directory: a copy of that directory holds everything needed "+
				"to guess passwords offline and to sign tokens; keep it elsewhere with --master-key-file or COGNATE_MASTER_KEY",
				"master_key_file", keyFile, "data_dir", cfg.DataDir)
		}
	}
	keys, err := loadCredentials(cfg.DataDir, stderr, log)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, keeper)
	if err != nil {
		return err
	}
	defer store.Close()

	now := time.Now
	a, err := app.New(app.Config{
		AccountID: cfg.AccountID, AuthLimit: cfg.AuthLimit, RateLimits: cfg.RateLimits, IPLimit: cfg.IPLimit,
		TrustedProxies: cfg.TrustedProxies, PasswordArgon2: cfg.PasswordArgon2, PasswordWorkers: cfg.PasswordWorkers,
		SMTPAddr: cfg.SMTPAddr, SMTPFrom: cfg.SMTPFrom,
		SMTPUsername: os.Getenv("COGNATE_SMTP_USERNAME"), SMTPPassword: os.Getenv("COGNATE_SMTP_PASSWORD"),
		MetricsElsewhere: cfg.MetricsAddr != "", CheckWire: cfg.CheckWire,
		LambdaEndpoint: cfg.LambdaEndpoint, LambdaFunctions: cfg.LambdaFunctions, LambdaTimeout: cfg.LambdaTimeout, Region: cfg.Region,
	}, store, keeper, keys, log, now)
	if err != nil {
		return err
	}
	srv := a.Server
	if err := checkMasterKey(ctx, store, keeper, a.Tokens.Opens, keySource); err != nil {
		return err
	}
	// Only now that the key is known to be the data's: sealing old plaintext
	// client secrets under a wrong key would lose them.
	if n, err := store.(clientSecretSealer).SealClientSecrets(ctx); err != nil {
		return fmt.Errorf("sealing client secrets: %w", err)
	} else if n > 0 {
		log.Info("sealed app-client secrets stored in plain text by an older version", "clients", n)
	}
	var ln net.Listener
	ln, base, err = listenWithIssuer(ctx, store, cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	a.SetIssuerBase(base)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go collectGarbage(ctx, srv.Sessions, srv.Accounts, log)
	go srv.ImportJobs.Run(ctx, func(err error) { log.Error("user import jobs", "error", err.Error()) })
	if file, ok := keys.(*sigv4.FileKeyring); ok {
		go reloadOnHangup(ctx, file)
	}
	if cfg.DebugAddr != "" {
		if !loopbackAddr(cfg.DebugAddr) {
			return fmt.Errorf("--debug-addr %s: pprof is served on loopback addresses only (127.0.0.1:PORT, [::1]:PORT, localhost:PORT)", cfg.DebugAddr)
		}
		go serveSide(cfg.DebugAddr, "pprof", pprofMux(), log)
	}
	if cfg.MetricsAddr != "" {
		go serveSide(cfg.MetricsAddr, "metrics", srv.Metrics.Handler(), log)
	}
	log.Info("cognate listening", "addr", ln.Addr().String(), "issuer_base", base, "data_dir", cfg.DataDir, "region", cfg.Region)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// reloadOnHangup re-reads credentials.json at each SIGHUP, for operators who
// would rather not wait for the next signed call to notice an edit.
func reloadOnHangup(ctx context.Context, keys *sigv4.FileKeyring) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			keys.Reload() // a failure is logged, and the keys in force stay
		}
	}
}

// pprofMux is net/http/pprof's handlers, for their own listener only.
func pprofMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveSide serves h on a listener of its own, never the API's, with
// timeouts that allow a 30-second profile.
func serveSide(addr, what string, h http.Handler, log *slog.Logger) {
	log.Info(what+" listening", "addr", addr)
	hs := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 2 * time.Minute, IdleTimeout: time.Minute}
	if err := hs.ListenAndServe(); err != nil {
		log.Error(what, "error", err.Error())
	}
}

// inside reports whether path lies in dir.
func inside(dir, path string) bool {
	d, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return true
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// loopbackAddr reports whether HOST:PORT names a loopback host.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openStore opens PostgreSQL when --database-url is set (replicas share
// it), else the embedded SQLite database in the data dir.
func openStore(ctx context.Context, cfg serveConfig, keeper *secret.Keeper) (userpool.Store, error) {
	if cfg.DatabaseURL != "" {
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
			return nil, errors.New("--database-url must be a postgres:// URL")
		}
		return postgres.Open(ctx, cfg.DatabaseURL, int32(cfg.DBPoolSize), postgres.WithSealer(keeper))
	}
	return sqlite.Open(filepath.Join(cfg.DataDir, "cognate.db"), sqlite.WithSealer(keeper))
}

// clientSecretSealer is what both stores do at start for app-client secrets
// written in plain text before they were sealed (security review #8).
type clientSecretSealer interface {
	SealClientSecrets(ctx context.Context) (int, error)
}

var (
	_ clientSecretSealer = (*sqlite.Store)(nil)
	_ clientSecretSealer = (*postgres.Store)(nil)
)

// collectGarbage removes long-expired token families, and outbox messages
// whose codes can no longer work, every ten minutes.
func collectGarbage(ctx context.Context, sessions *userpool.Sessions, accounts *userpool.Accounts, log *slog.Logger) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			n, err := sessions.CollectGarbage(ctx)
			if err != nil {
				log.Warn("garbage collection", "error", err.Error())
				continue
			}
			m, err := accounts.PurgeOutbox(ctx)
			if err != nil {
				log.Warn("garbage collection", "error", err.Error())
				continue
			}
			log.Info("garbage collection", "expired_families_deleted", n, "outbox_messages_deleted", m)
		}
	}
}

// loadCredentials returns the admin keys: from the environment when set
// (fixed for the process's life), else from <data-dir>/credentials.json,
// generating (and printing once) a key pair there. The file is read again
// when it changes (sigv4.FileKeyring), so keys can be added, removed or
// re-scoped without a restart.
func loadCredentials(dataDir string, stderr io.Writer, log *slog.Logger) (sigv4.Keyring, error) {
	if id, sec := os.Getenv("COGNATE_ACCESS_KEY_ID"), os.Getenv("COGNATE_SECRET_ACCESS_KEY"); id != "" || sec != "" {
		if id == "" || sec == "" {
			return nil, errors.New("set both COGNATE_ACCESS_KEY_ID and COGNATE_SECRET_ACCESS_KEY, or neither")
		}
		return sigv4.StaticKeyring{id: {AccessKeyID: id, SecretAccessKey: sec, Name: "env"}}, nil
	}
	path := filepath.Join(dataDir, "credentials.json")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		cred := sigv4.Credential{AccessKeyID: "AKIA" + strings.ToUpper(randomText(16)), SecretAccessKey: randomText(40), Name: "admin"}
		raw, _ := json.MarshalIndent(sigv4.CredentialsFile{Principals: []sigv4.Credential{cred}}, "", "  ")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			return nil, err
		}
		// The secret goes to a person at a terminal, never into a log
		// stream (stderr is the JSON log when it is not a terminal).
		if isTerminal(stderr) {
			fmt.Fprintf(stderr, "Generated admin credentials (stored in %s, shown only now):\n"+
				"  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n  export AWS_DEFAULT_REGION=us-east-1\n",
				path, cred.AccessKeyID, cred.SecretAccessKey)
		} else {
			fmt.Fprintf(stderr, "Generated admin credentials for access key %s; the secret is in %s (mode 0600).\n", cred.AccessKeyID, path)
		}
	}
	return sigv4.LoadFileKeyring(path, log, nil)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func randomText(n int) string {
	return secret.RandomAlphanumeric(n)
}
