package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/awsjson"
	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/throttle"
	"github.com/cognate/cognate/internal/userpool"
)

// MaxBodyBytes bounds a request body; Cognito's largest inputs are far
// smaller.
const MaxBodyBytes = 1 << 20

// Discovery serves a pool's JWKS (the public halves of its signing keys).
type Discovery interface {
	JWKS(ctx context.Context, poolID string) ([]byte, error)
	// SigningCertificate is the pool's signing certificate (DER).
	SigningCertificate(ctx context.Context, poolID string) ([]byte, error)
}

// Server holds the explicit dependencies of the HTTP edge.
type Server struct {
	Pools    *userpool.Pools
	Users    *userpool.Users
	Auth     *userpool.Auth
	Sessions *userpool.Sessions
	Devices  *userpool.Devices
	Groups   *userpool.Groups
	Accounts *userpool.Accounts
	MFA      *userpool.MFA
	Store    userpool.Store
	Keys     Discovery
	Verifier *sigv4.Verifier
	Model    *awsmodel.Model
	// Audit receives the admin API's audit lines (audit.go); nil: none.
	Audit   userpool.Auditor
	Log     *slog.Logger
	Metrics *Metrics // nil: no /metrics
	// MetricsElsewhere: /metrics has a listener of its own (--metrics-addr)
	// and the API port does not serve it. Otherwise the API port serves it
	// to loopback peers only.
	MetricsElsewhere bool
	// HostedUI mounts the OAuth 2.0 / OIDC endpoints and the login page.
	HostedUI interface{ Mount(*http.ServeMux) }
	// Quotas throttle each of Cognito's operation categories per app client
	// and per client IP, the hosted UI's sign-in endpoints included
	// (quotas.go); IPLimit every API call per client IP. Nil allows
	// everything.
	Quotas  *throttle.Quotas
	IPLimit *throttle.Limiter
	// Proxies are the trusted proxies whose X-Forwarded-For names the
	// client IP (client_ip.go); none: the connection's address.
	Proxies TrustedProxies
	Account string
	// IssuerBase is the public base URL (issuer without the pool id): the
	// discovery document names it for the issuer and every endpoint.
	IssuerBase string
	// CheckWire checks every successful response against the operation's
	// output shape in the model and logs an error line "wire conformance"
	// on a mismatch (tests turn it on: COGNATE_CHECK_WIRE=1). Off, the
	// product pays nothing.
	CheckWire bool

	ops map[string]handler
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler {
	s.ops = s.operations()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	if s.Metrics != nil && !s.MetricsElsewhere {
		mux.Handle("GET /metrics", loopbackOnly(s.Metrics.Handler()))
	}
	if s.HostedUI != nil {
		s.HostedUI.Mount(mux)
	}
	mux.HandleFunc("GET /{pool}/.well-known/jwks.json", s.serveJWKS)
	mux.HandleFunc("GET /{pool}/.well-known/openid-configuration", s.serveDiscovery)
	mux.HandleFunc("/", s.serveAPI)
	return s.recoverPanics(s.limitHostedUI(mux))
}

// loopbackOnly answers 403 to peers that are not on this machine: what
// /metrics counts (sign-ins, failures per operation) is not for everyone.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := net.ParseIP(remoteIP(r)); ip == nil || !ip.IsLoopback() {
			http.Error(w, "metrics are served to loopback clients only; use --metrics-addr to scrape from elsewhere", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "panic", v, "path", r.URL.Path)
				awsjson.WriteError(w, awsjson.NewRequestID(), errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var corsAllowHeaders = "content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, " +
	"x-amz-security-token, x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request"

func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
}

// serveAPI is the JSON 1.1 endpoint: any path, dispatched on X-Amz-Target.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	reqID := awsjson.NewRequestID()
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", corsAllowHeaders)
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		awsjson.WriteError(w, reqID, userpool.Errorf(userpool.UnknownOperation, "Only POST requests with an X-Amz-Target header are served here."))
		return
	}
	start := time.Now()
	target := r.Header.Get("X-Amz-Target")
	if target == awsmodel.OutboxTarget {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			awsjson.WriteError(w, reqID, userpool.Errorf(userpool.SerializationError, "Request body is too large or could not be read."))
			return
		}
		s.serveOutbox(w, r, reqID, body)
		return
	}
	name, ok := strings.CutPrefix(target, s.Model.TargetPrefix+".")
	op, known := s.Model.Operation(name)
	h, implemented := s.ops[name]
	if !ok || !known || !implemented {
		msg := "Unknown operation: " + clip(target, 128)
		if ok && known {
			msg = "Operation " + name + " is not supported by Cognate yet."
		}
		awsjson.WriteError(w, reqID, userpool.Errorf(userpool.UnknownOperation, "%s", msg))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		awsjson.WriteError(w, reqID, userpool.Errorf(userpool.SerializationError, "Request body is too large or could not be read."))
		return
	}
	c := &call{op: op, requestID: reqID}
	if authOps[name] {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
	}
	if !s.allowed(r, name, body) {
		s.finish(w, r, c, start, nil, userpool.Errorf(userpool.TooManyRequests, "Rate exceeded"))
		return
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, reqID)
	ctx = userpool.WithClientIP(ctx, s.Proxies.ClientIP(r))
	if op.Signed {
		res, err := s.Verifier.Verify(r, body)
		if err != nil {
			s.auditSignatureFailure(ctx, r, name, err)
			s.finish(w, r, c, start, nil, err)
			return
		}
		c.caller = userpool.Caller{AccessKeyID: res.Principal.AccessKeyID, Region: res.Region}
		if err := s.authorize(ctx, r, res.Principal, name, poolOf(op, body)); err != nil {
			s.finish(w, r, c, start, nil, err)
			return
		}
	}
	out, err := h(ctx, c, body)
	if op.Signed {
		s.auditCall(ctx, r, name, c.caller, body, err)
	}
	s.finish(w, r, c, start, out, err)
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, c *call, start time.Time, out any, err error) {
	typ := ""
	if err != nil {
		typ = userpool.ErrorType(err)
	}
	s.Metrics.observe(c.op.Name, typ, time.Since(start))
	if err != nil {
		if typ == userpool.InternalError {
			s.Log.Error("internal error", "request_id", c.requestID, "operation", c.op.Name, "error", err.Error())
		}
		s.Log.Debug("request", "request_id", c.requestID, "operation", c.op.Name, "error_type", typ,
			"ms", time.Since(start).Milliseconds())
		awsjson.WriteError(w, c.requestID, err)
		return
	}
	s.Log.Debug("request", "request_id", c.requestID, "operation", c.op.Name, "ms", time.Since(start).Milliseconds())
	if s.CheckWire {
		out = s.checkWire(c, out)
	}
	awsjson.WriteResult(w, c.requestID, out)
}

// WireConformance is the message of the error line CheckWire logs.
const WireConformance = "wire conformance"

// checkWire marshals out once, checks it against the model and returns the
// bytes to write.
func (s *Server) checkWire(c *call, out any) any {
	if out == nil {
		out = struct{}{}
	}
	body, err := json.Marshal(out)
	if err != nil {
		return out // WriteResult reports it
	}
	var mm *awsjson.OutputMismatch
	if errors.As(awsjson.CheckOutput(c.op, body), &mm) {
		s.Log.Error(WireConformance, "request_id", c.requestID, "operation", c.op.Name, "violations", mm.Violations)
	}
	return json.RawMessage(body)
}

type requestIDKey struct{}

// RequestID returns the id of the API request ctx belongs to ("" outside one),
// so that log lines written below the HTTP layer carry it.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// call is one API request in flight.
type call struct {
	op        *awsmodel.Operation
	caller    userpool.Caller
	requestID string
}

// authOps are Cognito's UserAuthentication category. Their answers carry
// tokens, so they are never cached (RFC 6749 §5.1).
var authOps = map[string]bool{"InitiateAuth": true, "AdminInitiateAuth": true, "RespondToAuthChallenge": true,
	"AdminRespondToAuthChallenge": true, "GetTokensFromRefreshToken": true}

// allowed applies the per-IP limit and the quota of the operation's
// category.
func (s *Server) allowed(r *http.Request, op string, body []byte) bool {
	ip := s.Proxies.ClientIP(r)
	if s.IPLimit != nil && !s.IPLimit.Allow(ip) {
		return false
	}
	cat, ok := throttle.CategoryOf(op)
	if !ok || s.Quotas == nil {
		return true
	}
	return s.Quotas.Allow(cat, clientOf(body), ip)
}

// serveReady answers 200 once the storage answers.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.Store.GetPool(ctx, "readiness-probe_0"); err != nil && !errors.Is(err, userpool.ErrNotFound) {
		writeJSONStatus(w, http.StatusServiceUnavailable, map[string]string{"status": "storage unavailable"})
		return
	}
	writeJSONStatus(w, http.StatusOK, map[string]string{"status": "ready"})
}

type handler func(ctx context.Context, c *call, body []byte) (any, error)

// typed adapts a handler that takes its decoded, validated input.
func typed[In any](fn func(ctx context.Context, c *call, in *In) (any, error)) handler {
	return func(ctx context.Context, c *call, body []byte) (any, error) {
		var in In
		if err := awsjson.Decode(c.op, body, &in); err != nil {
			return nil, err
		}
		return fn(ctx, c, &in)
	}
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	pool := r.PathValue("pool")
	if _, err := s.Store.GetPool(r.Context(), pool); err != nil {
		writeJSONStatus(w, http.StatusNotFound, map[string]string{"message": "User pool " + pool + " does not exist."})
		return
	}
	doc, err := s.Keys.JWKS(r.Context(), pool)
	if err != nil {
		s.Log.Error("jwks", "pool", pool, "error", err.Error())
		writeJSONStatus(w, http.StatusInternalServerError, map[string]string{"message": "Internal server error."})
		return
	}
	setCORS(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}

// serveDiscovery answers the pool's OIDC discovery document. Every URL in it
// comes from the one configured base (never the request's Host, which anyone
// can set: a cache would keep a poisoned document), so it is the same for
// every client and safe to cache like the JWKS.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	pool := r.PathValue("pool")
	if _, err := s.Store.GetPool(r.Context(), pool); err != nil {
		writeJSONStatus(w, http.StatusNotFound, map[string]string{"message": "User pool " + pool + " does not exist."})
		return
	}
	base := strings.TrimRight(s.IssuerBase, "/")
	iss := base + "/" + pool
	setCORS(w.Header())
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSONStatus(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
		"revocation_endpoint":                   base + "/oauth2/revoke",
		"end_session_endpoint":                  base + "/logout",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// clip cuts s to at most n bytes, unmarked: input echoed into a message or
// a log line stays bounded (userpool's truncate marks its cut with "…").
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
