package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

// The audit trail of the admin API: one line per signed call that changes
// something or reveals secrets (principal, source IP, operation, target,
// outcome), and one per request whose signature failed. Sign-outs,
// revocations, failed sign-ins and lockouts are audited by the domain.

// revealing are reads that show secrets, audited like writes.
var revealing = map[string]bool{"DescribeUserPoolClient": true, "ListOutboxMessages": true}

// audited reports whether a signed operation gets an audit line: every one
// but the plain reads.
func audited(op string) bool {
	if revealing[op] {
		return true
	}
	for _, read := range []string{"Describe", "List", "Get", "AdminGet", "AdminList"} {
		if strings.HasPrefix(op, read) {
			return false
		}
	}
	return true
}

// auditTarget is what an admin call names; members absent from the
// operation stay empty.
type auditTarget struct {
	UserPoolId, Username, ClientId, GroupName, ProviderName, Identifier string
}

func (s *Server) auditCall(ctx context.Context, r *http.Request, op string, caller userpool.Caller, body []byte, err error) {
	if s.Audit == nil || !audited(op) {
		return
	}
	var t auditTarget
	json.Unmarshal(body, &t) // validated already; a member of another type stays empty
	outcome := "ok"
	if err != nil {
		outcome = userpool.ErrorType(err)
	}
	fields := []any{"operation", op, "by", "access-key:" + caller.AccessKeyID, "ip", s.Proxies.ClientIP(r), "outcome", outcome}
	for _, kv := range [][2]string{{"pool", t.UserPoolId}, {"username", t.Username}, {"client", t.ClientId},
		{"group", t.GroupName}, {"provider", t.ProviderName}, {"resource_server", t.Identifier}} {
		if kv[1] != "" {
			fields = append(fields, kv[0], kv[1])
		}
	}
	s.Audit.Audit(ctx, "admin-call", fields...)
}

func (s *Server) auditSignatureFailure(ctx context.Context, r *http.Request, op string, err error) {
	if s.Audit == nil {
		return
	}
	s.Audit.Audit(ctx, "signature-failed", "operation", op, "ip", s.Proxies.ClientIP(r), "error", userpool.ErrorType(err),
		"access_key", accessKeyOf(r.Header.Get("Authorization")))
}

// accessKeyOf reads the access key id a SigV4 Authorization header claims
// (unverified; for the audit line only).
func accessKeyOf(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return clip(id, 128)
}

// remoteIP is the connection's peer address (not what a proxy says).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
