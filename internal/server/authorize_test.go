package server

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/policy"
	"github.com/cognate/cognate/internal/sigv4"
	"github.com/cognate/cognate/internal/userpool"
)

// The resource of a call is the pool it names, and only when its input
// has a UserPoolId: one slipped into CreateUserPool's body, which the
// handler ignores, must not let a pool-limited key create pools.
func TestPoolOf(t *testing.T) {
	model := awsmodel.Default()
	for _, c := range []struct{ op, body, want string }{
		{"AdminGetUser", `{"UserPoolId":"us-east-1_a","Username":"x"}`, "us-east-1_a"},
		{"AdminGetUser", `{"UserPoolId":"us-east-1_a","userpoolid":"us-east-1_b"}`, "us-east-1_b"}, // as the handler decodes it
		{"AdminGetUser", `{"UserPoolId":7}`, ""},
		{"AdminGetUser", `not json`, ""},
		{"CreateUserPool", `{"PoolName":"p","UserPoolId":"us-east-1_a"}`, ""},
		{"ListUserPools", `{"MaxResults":1,"UserPoolId":"us-east-1_a"}`, ""},
		{"DescribeUserPoolDomain", `{"Domain":"d","UserPoolId":"us-east-1_a"}`, ""},
		{"TagResource", `{"ResourceArn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a","Tags":{}}`, "us-east-1_a"},
		{"ListTagsForResource", `{"ResourceArn":"arn:aws:s3:::bucket"}`, ""},
	} {
		op, ok := model.Operation(c.op)
		if !ok {
			t.Fatalf("no operation %s", c.op)
		}
		if got := poolOf(op, []byte(c.body)); got != c.want {
			t.Errorf("poolOf(%s, %s) = %q, want %q", c.op, c.body, got, c.want)
		}
	}
}

func TestAuthorizeMessages(t *testing.T) {
	p, err := policy.Parse([]byte(`{"Statement":[{"Effect":"Allow","Action":"cognito-idp:*","Resource":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a"},
		{"Effect":"Deny","Action":"cognito-idp:AdminDeleteUser","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Account: "123456789012"}
	r := httptest.NewRequest("POST", "/", nil)
	ctx := context.Background()
	limited := sigv4.Principal{AccessKeyID: "AKIDCI", Policy: p}
	if err := s.authorize(ctx, r, limited, "AdminGetUser", "us-east-1_a"); err != nil {
		t.Fatal(err)
	}
	if err := s.authorize(ctx, r, sigv4.Principal{AccessKeyID: "AKIDADMIN"}, "DeleteUserPool", "us-east-1_b"); err != nil {
		t.Fatalf("a key without a policy: %v", err)
	}
	for _, c := range []struct {
		principal sigv4.Principal
		op, pool  string
		want      string
	}{
		{limited, "AdminGetUser", "us-east-1_b", "User: arn:aws:iam::123456789012:user/AKIDCI is not authorized to perform: cognito-idp:AdminGetUser on resource: " +
			"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_b because no identity-based policy allows the cognito-idp:AdminGetUser action"},
		{limited, "CreateUserPool", "", "User: arn:aws:iam::123456789012:user/AKIDCI is not authorized to perform: cognito-idp:CreateUserPool on resource: * " +
			"because no identity-based policy allows the cognito-idp:CreateUserPool action"},
		{sigv4.Principal{AccessKeyID: "AKIDCI", Name: "ci", Policy: p}, "AdminDeleteUser", "us-east-1_a",
			"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cognito-idp:AdminDeleteUser on resource: " +
				"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a with an explicit deny in an identity-based policy"},
	} {
		err := s.authorize(ctx, r, c.principal, c.op, c.pool)
		if userpool.ErrorType(err) != userpool.AccessDenied || userpool.ErrorMessage(err) != c.want {
			t.Errorf("got  %v\nwant %s", err, c.want)
		}
	}
}
