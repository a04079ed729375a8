package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	poolA = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_aaa"
	poolB = "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_bbb"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "aéc", true}, // ? is one character, not one byte
		{"list*", "listusers", true},
		{"*users", "listusers", true},
		{"*user*", "adminlistusersingroup", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"arn:aws:cognito-idp:*:*:userpool/*", poolA, true},
		{"arn:aws:cognito-idp:us-*:*:userpool/*", poolB, false},
		{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_aa?", poolA, true},
		{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_aa", poolA, false},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false}, // no exponential backtracking
	} {
		if got := Match(c.pattern, c.value); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	for _, c := range []struct {
		name, doc, action, resource string
		want                        Decision
	}{
		{"allow all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			"cognito-idp:AdminDeleteUser", poolA, Allowed},
		{"one statement, not a list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"cognito-idp:*","Resource":"*"}}`,
			"cognito-idp:CreateUserPool", "*", Allowed},
		{"one pool: its pool", onePool, "cognito-idp:AdminGetUser", poolA, Allowed},
		{"one pool: another pool", onePool, "cognito-idp:AdminGetUser", poolB, ImplicitDeny},
		{"one pool: account-level action", onePool, "cognito-idp:CreateUserPool", "*", ImplicitDeny},
		{"pool wildcard does not cover account-level", `{"Statement":[{"Effect":"Allow","Action":"cognito-idp:*","Resource":"arn:aws:cognito-idp:*:*:userpool/*"}]}`,
			"cognito-idp:ListUserPools", "*", ImplicitDeny},
		{"resource list", `{"Statement":[{"Effect":"Allow","Action":"cognito-idp:*","Resource":["` + poolA + `","` + poolB + `"]}]}`,
			"cognito-idp:ListUsers", poolB, Allowed},
		{"read-only: read", readOnly, "cognito-idp:AdminGetUser", poolB, Allowed},
		{"read-only: list", readOnly, "cognito-idp:ListUserPools", "*", Allowed},
		{"read-only: write", readOnly, "cognito-idp:AdminDeleteUser", poolB, ImplicitDeny},
		{"action case-insensitive", readOnly, "COGNITO-IDP:describeuserpool", poolA, Allowed},
		{"action ?", `{"Statement":[{"Effect":"Allow","Action":"cognito-idp:?dminGetUser","Resource":"*"}]}`,
			"cognito-idp:AdminGetUser", poolA, Allowed},
		{"resource case-sensitive", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"` + strings.Replace(poolA, "_aaa", "_AAA", 1) + `"}]}`,
			"cognito-idp:AdminGetUser", poolA, ImplicitDeny},
		{"deny wins", allowButDeleteInA, "cognito-idp:AdminDeleteUser", poolA, ExplicitDeny},
		{"deny elsewhere", allowButDeleteInA, "cognito-idp:AdminDeleteUser", poolB, Allowed},
		{"deny another action", allowButDeleteInA, "cognito-idp:AdminGetUser", poolA, Allowed},
		{"deny before allow in the list", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			"cognito-idp:ListUserPools", "*", ExplicitDeny},
		{"NotAction allow", `{"Statement":[{"Effect":"Allow","NotAction":"cognito-idp:*Delete*","Resource":"*"}]}`,
			"cognito-idp:AdminDeleteUser", poolA, ImplicitDeny},
		{"NotAction allow other", `{"Statement":[{"Effect":"Allow","NotAction":["cognito-idp:*Delete*"],"Resource":"*"}]}`,
			"cognito-idp:AdminCreateUser", poolA, Allowed},
		{"NotAction deny", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"cognito-idp:List*","Resource":"*"}]}`,
			"cognito-idp:AdminGetUser", poolA, ExplicitDeny},
		{"NotAction deny spares", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"cognito-idp:List*","Resource":"*"}]}`,
			"cognito-idp:ListUsers", poolA, Allowed},
		{"outbox extension", `{"Statement":[{"Effect":"Allow","Action":"cognito-idp:ListOutboxMessages","Resource":"` + poolA + `"}]}`,
			"cognito-idp:ListOutboxMessages", poolA, Allowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Evaluate(c.action, c.resource); got != c.want {
				t.Fatalf("Evaluate(%s, %s) = %v, want %v", c.action, c.resource, got, c.want)
			}
		})
	}
}

const (
	onePool  = `{"Version":"2012-10-17","Statement":[{"Sid":"CI","Effect":"Allow","Action":"cognito-idp:*","Resource":"` + poolA + `"}]}`
	readOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cognito-idp:Describe*","cognito-idp:List*","cognito-idp:AdminGet*"],"Resource":"*"}]}`

	allowButDeleteInA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"cognito-idp:*Delete*","Resource":"` + poolA + `"}]}`
)

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, "Condition is not supported"},
		{`{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"*"}]}`, "NotResource is not supported"},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, "Principal is not supported"},
		{`{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, `Effect must be "Allow" or "Deny"`},
		{`{"Statement":[{"Action":"*","Resource":"*"}]}`, `Effect must be`},
		{`{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Action (or NotAction) is required"},
		{`{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}`, "not both"},
		{`{"Statement":[{"Effect":"Allow","Action":"*"}]}`, "Resource is required"},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, `only "*" and cognito-idp:<Action>`},
		{`{"Statement":[{"Effect":"Allow","Action":"ListUsers","Resource":"*"}]}`, `only "*" and cognito-idp:<Action>`},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"us-east-1_abc"}]}`, "use \"*\" or a user pool ARN"},
		{`{"Statement":[{"Effect":"Allow","Actions":"*","Resource":"*"}]}`, `unknown field "Actions"`},
		{`{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "non-empty list"},
		{`{"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}`, "a string or a non-empty list"},
		{`{"Statement":[]}`, "non-empty list of statements"},
		{`{"Version":"2012-10-17"}`, "non-empty list of statements"},
		{`{"Version":"2021-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `Version "2021-01-01"`},
		{`{"Statements":[]}`, `unknown field "Statements"`},
		{`[]`, "policy:"},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", c.doc, err, c.want)
		}
	}
}

func TestEmbeddedRoundTrip(t *testing.T) {
	var holder struct{ Policy *Policy }
	if err := json.Unmarshal([]byte(`{"Policy":`+onePool+`}`), &holder); err != nil || holder.Policy == nil {
		t.Fatalf("%v %v", holder.Policy, err)
	}
	if holder.Policy.Evaluate("cognito-idp:ListUsers", poolA) != Allowed {
		t.Fatal("embedded policy lost its statements")
	}
	out, err := json.Marshal(holder)
	if err != nil || !strings.Contains(string(out), `"Sid":"CI"`) {
		t.Fatalf("%s %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"Policy":{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}}`), &holder); err == nil {
		t.Fatal("an invalid embedded policy was accepted")
	}
}
