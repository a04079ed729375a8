// Package app wires Cognate's parts into one server: the token issuer, the
// domain services and the HTTP edge over an opened store, exactly as
// `cognate serve` runs them. The command keeps what only a process does
// (flags, the data directory and its lock, the master key file, the
// listener, signals); tests build the same server in-process from here.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/hostedui"
	"github.com/cognate/cognate/internal/issuer"
	"github.com/cognate/cognate/internal/lambda"
	"github.com/cognate/cognate/internal/mailer"
	"github.com/cognate/cognate/internal/passkey"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/throttle"
	"github.com/cognate/cognate/internal/userpool"
)

// Config is what the wiring takes from `cognate serve`'s flags.
type Config struct {
	AccountID string
	// AuthLimit is the UserAuthentication quota; RateLimits the other
	// categories' ("Category=rate,…" or "off", throttle.ParseRates); IPLimit
	// every call per client IP. 0: unlimited.
	AuthLimit  float64
	RateLimits string
	IPLimit    float64
	// TrustedProxies are CIDRs whose X-Forwarded-For names the client IP.
	TrustedProxies string
	// PasswordArgon2 ("m=…,t=…,p=…") and PasswordWorkers: the password
	// hash's cost and how many hashes run at once (0: half the CPUs).
	PasswordArgon2  string
	PasswordWorkers int
	// SMTPAddr, when set, also emails codes (SMTPUsername/SMTPPassword
	// authenticate).
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword string
	// MetricsElsewhere: /metrics has a listener of its own.
	MetricsElsewhere bool
	// CheckWire checks every answer against the model (server.CheckWire).
	CheckWire bool
	// LambdaEndpoint is the Invoke API serving the pools' trigger functions
	// ("": AWS Lambda); LambdaFunctions the functions served elsewhere
	// (lambda.ParseFunctions); LambdaTimeout one attempt's limit (0: 5 s,
	// Cognito's); Region that of functions named without an ARN.
	LambdaEndpoint, LambdaFunctions string
	LambdaTimeout                   time.Duration
	Region                          string
}

// App is a wired server. Its issuer base URL is settled by SetIssuerBase
// once the listener is known.
type App struct {
	Server   *server.Server
	Tokens   *issuer.Issuer
	HostedUI *hostedui.Handler
}

// New wires the server over store. It does no I/O: the command checks the
// master key against the store (with Tokens.Opens) before serving.
func New(cfg Config, store userpool.Store, keeper *secret.Keeper, keys sigv4.Keyring, log *slog.Logger, now func() time.Time) (*App, error) {
	rates, err := throttle.ParseRates(cfg.RateLimits)
	if err != nil {
		return nil, fmt.Errorf("--rate-limits: %w", err)
	}
	rates[throttle.UserAuthentication] = cfg.AuthLimit
	proxies, err := server.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	argon, err := password.ParseArgon2(cfg.PasswordArgon2)
	if err != nil {
		return nil, fmt.Errorf("--password-argon2: %w", err)
	}
	triggers, err := newTriggers(cfg, log)
	if err != nil {
		return nil, err
	}
	audit := auditLog{log}
	tokens := issuer.New(store, keeper, "", now) // the base is settled once listening
	creds := password.Credentials{Keeper: keeper, Argon2: argon, Workers: password.NewWorkers(cfg.PasswordWorkers)}
	metrics := server.NewMetrics() // also the domain's Observer: checks and sign-outs are counted where they happen
	sessions := &userpool.Sessions{Store: store, Now: now, Tokens: tokens, Audit: audit, Observer: metrics}
	dummy, _ := creds.Make("", "", "dummy password for timing", now())
	var mail userpool.Mailer
	if cfg.SMTPAddr != "" {
		mail = &mailer.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, Log: log}
	}
	passkeys := &userpool.Passkeys{Store: store, Now: now, Sealer: keeper, Sessions: sessions, Ceremony: passkey.Ceremony{}}
	auth := &userpool.Auth{Store: store, Now: now, Credentials: creds, Tokens: tokens, Sealer: keeper, DummyCredential: dummy, Audit: audit, Observer: metrics,
		Triggers: triggers, Passkeys: passkeys}
	accounts := &userpool.Accounts{Store: store, Now: now, Credentials: creds, Sealer: keeper, Sessions: sessions, Mailer: mail, Triggers: triggers}
	auth.Accounts = accounts // sign-in one-time codes
	hosted := &hostedui.Handler{Auth: auth, Sessions: sessions, Log: log}
	srv := &server.Server{
		Pools:            &userpool.Pools{Store: store, Now: now, MakeKey: tokens.MakeKey},
		Users:            &userpool.Users{Store: store, Now: now, Credentials: creds, Sessions: sessions, Triggers: triggers, Messages: accounts},
		Auth:             auth,
		HostedUI:         hosted,
		Sessions:         sessions,
		Devices:          &userpool.Devices{Store: store, Now: now, Sessions: sessions},
		Groups:           &userpool.Groups{Store: store, Now: now},
		Accounts:         accounts,
		MFA:              &userpool.MFA{Store: store, Now: now, Sealer: keeper, Sessions: sessions},
		Passkeys:         passkeys,
		Store:            store,
		Keys:             tokens,
		Verifier:         &sigv4.Verifier{Keys: keys, Now: now},
		Audit:            audit,
		Model:            awsmodel.Default(),
		Log:              log,
		Metrics:          metrics,
		Quotas:           throttle.NewQuotas(rates, now),
		IPLimit:          throttle.New(cfg.IPLimit, now),
		Proxies:          proxies,
		Account:          cfg.AccountID,
		MetricsElsewhere: cfg.MetricsElsewhere,
		CheckWire:        cfg.CheckWire,
	}
	srv.ImportJobs = userpool.NewImportJobs(userpool.ImportJobs{Store: store, Now: now, Credentials: creds, Sealer: keeper,
		RowFailed: func(j userpool.UserImportJob, row int, err error) {
			log.Warn("user import row failed", "job", j.ID, "pool", j.PoolID, "row", row, "reason", err.Error())
		},
		Finished: func(j userpool.UserImportJob) {
			log.Info("user import job finished", "job", j.ID, "pool", j.PoolID, "status", j.Status,
				"imported", j.Imported, "skipped", j.Skipped, "failed", j.Failed)
		}})
	if g, ok := store.(server.GroupCommitter); ok {
		srv.Metrics.WatchGroupCommits(g)
	}
	return &App{Server: srv, Tokens: tokens, HostedUI: hosted}, nil
}

// newTriggers is how every pool's triggers run: through Lambda's Invoke
// API at the configured endpoints, Cognito's limit per attempt.
func newTriggers(cfg Config, log *slog.Logger) (*userpool.Triggers, error) {
	if err := lambda.CheckEndpoint(cfg.LambdaEndpoint); err != nil {
		return nil, fmt.Errorf("--lambda-endpoint: %w", err)
	}
	functions, err := lambda.ParseFunctions(cfg.LambdaFunctions)
	if err != nil {
		return nil, fmt.Errorf("--lambda-functions: %w", err)
	}
	invoker, err := lambda.New(context.Background(), lambda.Config{
		Endpoint: cfg.LambdaEndpoint, Functions: functions, Region: cfg.Region, Log: log,
	})
	if err != nil {
		return nil, err
	}
	return &userpool.Triggers{Invoker: invoker, Timeout: cfg.LambdaTimeout}, nil
}

// SetIssuerBase settles the public base URL everywhere it is named: the
// tokens' iss, the discovery document, and the hosted UI (https: Secure
// cookies).
func (a *App) SetIssuerBase(base string) {
	a.Tokens.SetBase(base)
	a.Server.IssuerBase = base
	a.HostedUI.IssuerBase = base
}

// auditLog writes security events as structured log lines.
type auditLog struct{ log *slog.Logger }

func (a auditLog) Audit(ctx context.Context, event string, fields ...any) {
	a.log.InfoContext(ctx, "audit", append([]any{"event", event, "request_id", server.RequestID(ctx)}, fields...)...)
}
