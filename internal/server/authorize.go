package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/policy"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/userpool"
)

// Admin keys with rights (security review #25): a principal whose
// credential carries an IAM policy may call an operation only when the
// policy allows cognito-idp:<Operation> on the operation's resource, the
// pool ARN when the call names a UserPoolId, else "*". The outbox is
// cognito-idp:ListOutboxMessages on its pool. A principal without a policy
// may do everything.

// poolOf is the UserPoolId a signed call acts on, "" when its input has no
// such member (CreateUserPool, ListUserPools, DescribeUserPoolDomain): a
// UserPoolId slipped into such a body is ignored by the handler, so it
// must not decide the resource either. json.Unmarshal picks the member
// the way the handlers' decoding does (the last of case-variant keys).
// The tag operations name their pool by its ARN (ResourceArn).
func poolOf(op *awsmodel.Operation, body []byte) string {
	if op.Input == nil {
		return ""
	}
	var in struct{ UserPoolId, ResourceArn string }
	switch {
	case op.Input.MemberByName("UserPoolId") != nil:
		json.Unmarshal(body, &in) // a malformed body fails validation after this
		return in.UserPoolId
	case op.Input.MemberByName("ResourceArn") != nil:
		json.Unmarshal(body, &in)
		_, id, _ := strings.Cut(in.ResourceArn, ":userpool/")
		return id
	}
	return ""
}

// authorize applies p's policy to action on the pool (or on "*" when pool
// is ""), answering AccessDeniedException in AWS's words when it refuses.
func (s *Server) authorize(ctx context.Context, r *http.Request, p sigv4.Principal, action, pool string) error {
	if p.Policy == nil {
		return nil
	}
	resource := "*"
	if pool != "" {
		resource = s.poolARN(pool)
	}
	qualified := policy.Service + ":" + action
	decision := p.Policy.Evaluate(qualified, resource)
	if decision == policy.Allowed {
		return nil
	}
	user := "arn:aws:iam::" + s.Account + ":user/" + cmp.Or(p.Name, p.AccessKeyID)
	why, kind := "because no identity-based policy allows the "+qualified+" action", "implicit"
	if decision == policy.ExplicitDeny {
		why, kind = "with an explicit deny in an identity-based policy", "explicit"
	}
	if s.Audit != nil {
		s.Audit.Audit(ctx, "access-denied", "operation", action, "by", "access-key:"+p.AccessKeyID, "ip", s.Proxies.ClientIP(r),
			"resource", resource, "deny", kind)
	}
	return userpool.Errorf(userpool.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s",
		user, qualified, resource, why)
}
