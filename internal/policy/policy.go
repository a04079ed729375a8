// Package policy evaluates the IAM identity-based policies that limit an
// admin key: the document AWS users already write, with Allow and Deny
// statements over cognito-idp actions and user-pool ARNs.
//
// Supported: Version "2012-10-17" (or "2008-10-17", or none), Statement as
// one object or a list, Sid, Effect Allow or Deny, Action or NotAction, and
// Resource, each a string or a list, with the wildcards * and ?. Actions
// are matched case-insensitively, as IAM does; resources case-sensitively.
// Evaluation is IAM's: an explicit Deny wins, then any Allow, else the
// request is implicitly denied. The resource "*" (an operation that names
// no pool, such as CreateUserPool or ListUserPools) is matched only by a
// statement whose Resource includes "*" itself, as IAM treats account-level
// actions.
//
// Refused when the document is parsed, so that a key never gets more (or
// less) power than its policy reads as: NotResource, Condition, Principal,
// NotPrincipal, unknown members, actions of other services, and resources
// that are neither "*" nor a cognito-idp ARN.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Service is the action prefix of every operation.
const Service = "cognito-idp"

// Decision is the outcome of an evaluation.
type Decision int

const (
	ImplicitDeny Decision = iota // no statement allows
	Allowed                      // a statement allows and none denies
	ExplicitDeny                 // a Deny statement matches
)

// Policy is a parsed, checked policy document.
type Policy struct {
	statements []statement
	raw        json.RawMessage
}

type statement struct {
	deny      bool
	notAction bool     // actions lists the actions the statement does not cover
	actions   []string // lower-cased patterns
	resources []string
}

// Parse reads and checks a policy document.
func Parse(doc []byte) (*Policy, error) {
	var d struct {
		Version   string
		Id        string
		Statement json.RawMessage
	}
	if err := strictDecode(doc, &d); err != nil {
		return nil, err
	}
	switch d.Version {
	case "", "2012-10-17", "2008-10-17":
	default:
		return nil, fmt.Errorf("policy Version %q: use \"2012-10-17\"", d.Version)
	}
	var raws []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(d.Statement), []byte("{")) {
		raws = []json.RawMessage{d.Statement}
	} else if err := json.Unmarshal(d.Statement, &raws); err != nil || len(raws) == 0 {
		return nil, errors.New("policy Statement must be a statement or a non-empty list of statements")
	}
	p := &Policy{raw: slices.Clone(doc)}
	for i, raw := range raws {
		st, err := parseStatement(raw)
		if err != nil {
			return nil, fmt.Errorf("policy Statement %d: %w", i+1, err)
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

func parseStatement(raw json.RawMessage) (statement, error) {
	var s struct {
		Sid                     string
		Effect                  string
		Action, NotAction       stringOrList
		Resource                stringOrList
		NotResource             json.RawMessage
		Condition               json.RawMessage
		Principal, NotPrincipal json.RawMessage
	}
	if err := strictDecode(raw, &s); err != nil {
		return statement{}, err
	}
	var st statement
	for name, v := range map[string]json.RawMessage{"NotResource": s.NotResource, "Condition": s.Condition,
		"Principal": s.Principal, "NotPrincipal": s.NotPrincipal} {
		if v != nil {
			return st, fmt.Errorf("%s is not supported in a key's policy (use Action, NotAction and Resource)", name)
		}
	}
	switch s.Effect {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		return st, fmt.Errorf("Effect must be \"Allow\" or \"Deny\", not %q", s.Effect)
	}
	switch {
	case s.Action != nil && s.NotAction != nil:
		return st, errors.New("give Action or NotAction, not both")
	case s.Action == nil && s.NotAction == nil:
		return st, errors.New("Action (or NotAction) is required")
	case s.NotAction != nil:
		st.notAction, s.Action = true, s.NotAction
	}
	for _, a := range s.Action {
		service, _, ok := strings.Cut(a, ":")
		if a != "*" && (!ok || !strings.EqualFold(service, Service)) {
			return st, fmt.Errorf("action %q: only \"*\" and %s:<Action> actions apply here", a, Service)
		}
		st.actions = append(st.actions, strings.ToLower(a))
	}
	if s.Resource == nil {
		return st, errors.New("Resource is required (\"*\" or arn:aws:cognito-idp:<region>:<account>:userpool/<UserPoolId>)")
	}
	for _, r := range s.Resource {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return st, fmt.Errorf("resource %q: use \"*\" or a user pool ARN such as arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc", r)
		}
	}
	st.resources = s.Resource
	return st, nil
}

// strictDecode unmarshals one JSON object, refusing members v does not name.
func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("policy: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// stringOrList is IAM's "a string or a list of strings"; nil when absent.
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringOrList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil || len(many) == 0 {
		return errors.New("want a string or a non-empty list of strings")
	}
	*l = many
	return nil
}

// UnmarshalJSON parses a policy embedded in another document.
func (p *Policy) UnmarshalJSON(b []byte) error {
	parsed, err := Parse(b)
	if err != nil {
		return err
	}
	*p = *parsed
	return nil
}

// MarshalJSON writes the document as it was given.
func (p *Policy) MarshalJSON() ([]byte, error) { return p.raw, nil }

// Evaluate decides whether the policy allows action ("cognito-idp:<Name>")
// on resource (an ARN, or "*" for an operation that names no resource).
func (p *Policy) Evaluate(action, resource string) Decision {
	action = strings.ToLower(action)
	allowed := false
	for _, st := range p.statements {
		if !st.matches(action, resource) {
			continue
		}
		if st.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allowed
	}
	return ImplicitDeny
}

func (st statement) matches(action, resource string) bool {
	covered := slices.ContainsFunc(st.actions, func(pattern string) bool { return Match(pattern, action) })
	if covered == st.notAction {
		return false
	}
	if resource == "*" {
		return slices.Contains(st.resources, "*")
	}
	return slices.ContainsFunc(st.resources, func(pattern string) bool { return Match(pattern, resource) })
}

// Match reports whether value matches pattern, where * stands for any run
// of characters (none included) and ? for exactly one. Case-sensitive:
// callers fold case first where IAM ignores it.
func Match(pattern, value string) bool {
	// Iterative glob with one backtrack point: linear in practice, never
	// exponential whatever the pattern.
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			if pattern[p] == '?' {
				_, size := utf8.DecodeRuneInString(value[v:])
				v += size
			} else {
				v++
			}
			p++
		case star >= 0:
			p = star + 1
			_, size := utf8.DecodeRuneInString(value[mark:])
			mark += size
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
