package userpool_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

const preTokenARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"

// preTokenFunction is an in-process PreTokenGeneration function: it decodes
// each event with aws-lambda-go's types (V1 or V2_0 by the event's
// version), records it, lets v1 or v2 fill the response, and answers the
// whole event. fail makes it report an error instead.
type preTokenFunction struct {
	mu     sync.Mutex
	events []map[string]any
	v1     func(*events.CognitoEventUserPoolsPreTokenGen)
	v2     func(*events.CognitoEventUserPoolsPreTokenGenV2_0)
	fail   string
}

func (f *preTokenFunction) invoke(_ context.Context, arn string, body []byte) ([]byte, error) {
	if arn != preTokenARN {
		return nil, &userpool.InvokeError{Failure: userpool.InvocationRefused, Message: "ResourceNotFoundException"}
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.events = append(f.events, raw)
	f.mu.Unlock()
	if f.fail != "" {
		return nil, &userpool.InvokeError{Failure: userpool.FunctionFailed, Message: f.fail}
	}
	if raw["version"] == "1" {
		return answerWith(body, f.v1)
	}
	return answerWith(body, f.v2)
}

// answerWith decodes the event as E, lets fill change it, and encodes it.
func answerWith[E any](body []byte, fill func(*E)) ([]byte, error) {
	var ev E
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, err
	}
	if fill != nil {
		fill(&ev)
	}
	return json.Marshal(ev)
}

func (f *preTokenFunction) last(t *testing.T) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the trigger did not run")
	}
	return f.events[len(f.events)-1]
}

// preTokenWorld is a world whose pool names fn as its PreTokenGeneration
// function: lambdaVersion "" sets only the V1 PreTokenGeneration ARN.
func preTokenWorld(t *testing.T, lambdaVersion string, fn *preTokenFunction, client userpool.CreateClientInput) (*world, userpool.Pool, userpool.Client) {
	t.Helper()
	w := newWorld(t, ":memory:")
	w.auth.Triggers = &userpool.Triggers{Invoker: userpool.InvokerFunc(fn.invoke)}
	cfg := map[string]any{"PreTokenGeneration": preTokenARN}
	if lambdaVersion != "" {
		cfg = map[string]any{"PreTokenGenerationConfig": map[string]string{"LambdaVersion": lambdaVersion, "LambdaArn": preTokenARN}}
	}
	raw, _ := json.Marshal(cfg)
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: userpool.PoolSettings{LambdaConfig: raw}})
	if err != nil {
		t.Fatal(err)
	}
	client.UserPoolId, client.ClientName = p.ID, "c"
	if len(client.ExplicitAuthFlows) == 0 {
		client.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}
	c, err := w.pools.CreateClient(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	w.addUser(t, p, "alice")
	if err := w.users.UpdateAttributes(ctx, p.ID, "alice", []userpool.Attribute{{Name: "email", Value: "alice@example.com"}, {Name: "family_name", Value: "Liddell"}}); err != nil {
		t.Fatal(err)
	}
	groups := &userpool.Groups{Store: w.store, Now: w.clock.Now}
	for i, g := range []string{"readers", "writers"} {
		if _, err := groups.Create(ctx, userpool.CreateGroupInput{UserPoolId: p.ID, GroupName: g, Precedence: &i}); err != nil {
			t.Fatal(err)
		}
		if err := groups.AddUser(ctx, p.ID, "alice", g); err != nil {
			t.Fatal(err)
		}
	}
	return w, p, c
}

// claims decodes a JWT's payload (the issuer's signature is checked by
// VerifyAccess where it matters; here the claims are what is tested).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// want is a claim expectation: absent (nil value with absent) or equal.
type claimWant map[string]any

const absent = "<absent>"

func checkClaims(t *testing.T, which string, got map[string]any, want claimWant) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if v == absent {
			if ok {
				t.Errorf("%s: %s = %v, want it absent", which, k, g)
			}
			continue
		}
		// Compare as JSON, so numbers and nested values compare by value.
		wj, _ := json.Marshal(v)
		gj, _ := json.Marshal(g)
		if !ok || string(wj) != string(gj) {
			t.Errorf("%s: %s = %s, want %s", which, k, gj, wj)
		}
	}
}

func TestPreTokenGenerationChangesTokens(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name        string
		version     string // PreTokenGenerationConfig's LambdaVersion; "" the V1 ARN alone
		v1          func(*events.CognitoEventUserPoolsPreTokenGen)
		v2          func(*events.CognitoEventUserPoolsPreTokenGenV2_0)
		id, access  claimWant
		eventWanted claimWant // top-level event fields
	}{
		{name: "V1 adds, overrides and suppresses ID token claims only", v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
			ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"tenant": "acme", "family_name": "Pleasance"}
			ev.Response.ClaimsOverrideDetails.ClaimsToSuppress = []string{"email"}
		},
			id:          claimWant{"tenant": "acme", "family_name": "Pleasance", "email": absent, "cognito:groups": []string{"readers", "writers"}},
			access:      claimWant{"tenant": absent, "scope": "aws.cognito.signin.user.admin", "cognito:groups": []string{"readers", "writers"}},
			eventWanted: claimWant{"version": "1", "triggerSource": "TokenGeneration_Authentication"}},
		{name: "V1 through PreTokenGenerationConfig V1_0", version: "V1_0", v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
			ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"tenant": "acme"}
		}, id: claimWant{"tenant": "acme"}, access: claimWant{"tenant": absent}, eventWanted: claimWant{"version": "1"}},
		{name: "V1 group override replaces groups and roles in both tokens", v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
			ev.Response.ClaimsOverrideDetails.GroupOverrideDetails = events.GroupConfiguration{GroupsToOverride: []string{"admins"},
				IAMRolesToOverride: []string{"arn:aws:iam::1:role/a"}, PreferredRole: str("arn:aws:iam::1:role/a")}
		},
			id:     claimWant{"cognito:groups": []string{"admins"}, "cognito:roles": []string{"arn:aws:iam::1:role/a"}, "cognito:preferred_role": "arn:aws:iam::1:role/a"},
			access: claimWant{"cognito:groups": []string{"admins"}}},
		{name: "V1 cannot touch the claims Cognito reserves", v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
			ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"sub": "x", "aud": "x", "token_use": "x", "iss": "x", "cognito:username": "x"}
			ev.Response.ClaimsOverrideDetails.ClaimsToSuppress = []string{"exp", "iat", "auth_time", "jti", "origin_jti"}
		}, id: claimWant{"token_use": "id", "cognito:username": "alice"}},
		{name: "V2 changes both tokens with any JSON value", version: "V2_0", v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			d := &ev.Response.ClaimsAndScopeOverrideDetails
			d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"favorite_number": 2, "vip": true, "tags": []any{"a", 1}, "org": map[string]any{"id": "o1"}}
			d.IDTokenGeneration.ClaimsToSuppress = []string{"family_name"}
			d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tenant": "acme"}
			d.AccessTokenGeneration.ClaimsToSuppress = []string{"username", "jti"}
		},
			id:          claimWant{"favorite_number": 2, "vip": true, "tags": []any{"a", 1}, "org": map[string]any{"id": "o1"}, "family_name": absent},
			access:      claimWant{"tenant": "acme", "username": absent, "cognito:groups": []string{"readers", "writers"}},
			eventWanted: claimWant{"version": "2", "triggerSource": "TokenGeneration_Authentication"}},
		{name: "V2 adds and suppresses scopes of the access token", version: "V2_0", v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = []string{"api/read", "api/write"}
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToSuppress = []string{"aws.cognito.signin.user.admin", "api/write"}
		}, access: claimWant{"scope": "api/read"}},
		{name: "V2 a claim both set and suppressed is suppressed", version: "V2_0", v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tenant": "acme"}
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToSuppress = []string{"tenant"}
		}, id: claimWant{"tenant": absent}},
		{name: "V2 an empty group override leaves no groups", version: "V2_0", v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails = events.GroupConfigurationV2_0{GroupsToOverride: []string{}}
		}, id: claimWant{"cognito:groups": absent}, access: claimWant{"cognito:groups": absent}},
		{name: "V2 answering the event unchanged changes nothing", version: "V2_0",
			id:     claimWant{"family_name": "Liddell", "cognito:groups": []string{"readers", "writers"}},
			access: claimWant{"scope": "aws.cognito.signin.user.admin", "cognito:groups": []string{"readers", "writers"}}},
		{name: "V3 changes user tokens as V2 does", version: "V3_0", v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"tenant": "acme"}
		}, access: claimWant{"tenant": "acme"}, eventWanted: claimWant{"version": "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := &preTokenFunction{v1: tc.v1, v2: tc.v2}
			w, p, c := preTokenWorld(t, tc.version, fn, userpool.CreateClientInput{})
			res, err := w.signIn(c, "alice", "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			id, access := claims(t, res.Tokens.IDToken), claims(t, res.Tokens.AccessToken)
			checkClaims(t, "ID token", id, tc.id)
			checkClaims(t, "access token", access, tc.access)
			// The reserved claims are always Cognito's.
			checkClaims(t, "ID token", id, claimWant{"aud": c.ID, "token_use": "id", "cognito:username": "alice", "sub": access["sub"]})
			checkClaims(t, "access token", access, claimWant{"client_id": c.ID, "token_use": "access"})
			if _, err := w.auth.Tokens.VerifyAccess(ctx, res.Tokens.AccessToken); err != nil {
				t.Fatalf("the changed access token does not verify: %v", err)
			}
			ev := fn.last(t)
			checkClaims(t, "event", ev, tc.eventWanted)
			checkClaims(t, "event", ev, claimWant{"userPoolId": p.ID, "userName": "alice",
				"callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": c.ID}})
			req := ev["request"].(map[string]any)
			attrs := req["userAttributes"].(map[string]any)
			if attrs["email"] != "alice@example.com" || attrs["cognito:user_status"] != "CONFIRMED" || attrs["sub"] != access["sub"] {
				t.Errorf("userAttributes %v", attrs)
			}
			groups := req["groupConfiguration"].(map[string]any)
			if !reflect.DeepEqual(groups["groupsToOverride"], []any{"readers", "writers"}) {
				t.Errorf("groupConfiguration %v", groups)
			}
			if _, hasScopes := req["scopes"]; hasScopes != (ev["version"] != "1") {
				t.Errorf("version %v event has scopes: %v", ev["version"], req["scopes"])
			}
		})
	}
}

// Each way of issuing user tokens sends its trigger source, and the
// refresh paths apply the trigger's changes to the new tokens too.
func TestPreTokenGenerationTriggerSources(t *testing.T) {
	tenant := func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"source": ev.TriggerSource}
		ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"meta": ev.Request.ClientMetadata["k"]}
	}
	rotating := userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		ExplicitAuthFlows:    []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		RefreshTokenRotation: &userpool.RefreshTokenRotation{Feature: "ENABLED"}}}
	for _, tc := range []struct {
		name   string
		client userpool.CreateClientInput
		tokens func(t *testing.T, w *world, p userpool.Pool, c userpool.Client) userpool.Tokens
		source string
		meta   string // the ID token's meta claim: the event's clientMetadata["k"]
	}{
		{name: "USER_PASSWORD_AUTH", source: "TokenGeneration_Authentication", meta: "", // InitiateAuth's ClientMetadata does not reach it
			tokens: func(t *testing.T, w *world, p userpool.Pool, c userpool.Client) userpool.Tokens {
				res, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_PASSWORD_AUTH", ClientMetadata: map[string]string{"k": "v"},
					AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}, false)
				return mustTokens(t, res, err)
			}},
		{name: "REFRESH_TOKEN_AUTH", source: "TokenGeneration_RefreshTokens", meta: "",
			tokens: func(t *testing.T, w *world, p userpool.Pool, c userpool.Client) userpool.Tokens {
				res, err := w.refresh(c, w.firstRefreshToken(t, c))
				return mustTokens(t, res, err)
			}},
		{name: "GetTokensFromRefreshToken, with its ClientMetadata", client: rotating, source: "TokenGeneration_RefreshTokens", meta: "v",
			tokens: func(t *testing.T, w *world, p userpool.Pool, c userpool.Client) userpool.Tokens {
				res, err := w.auth.GetTokensFromRefresh(ctx, userpool.RefreshInput{ClientId: c.ID, RefreshToken: w.firstRefreshToken(t, c),
					ClientMetadata: map[string]string{"k": "v"}})
				return mustTokens(t, res, err)
			}},
		{name: "NEW_PASSWORD_REQUIRED, with the answer's ClientMetadata", source: "TokenGeneration_NewPasswordChallenge", meta: "v",
			tokens: func(t *testing.T, w *world, p userpool.Pool, c userpool.Client) userpool.Tokens {
				if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "bob", TemporaryPassword: "Temp0rary!"}); err != nil {
					t.Fatal(err)
				}
				res, err := w.signIn(c, "bob", "Temp0rary!")
				if err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
					t.Fatalf("%+v %v", res, err)
				}
				res, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "NEW_PASSWORD_REQUIRED", Session: res.Session,
					ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "Perm4nent!"}, ClientMetadata: map[string]string{"k": "v"}}, false)
				return mustTokens(t, res, err)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := &preTokenFunction{v2: tenant}
			w, p, c := preTokenWorld(t, "V2_0", fn, tc.client)
			tok := tc.tokens(t, w, p, c)
			if got := fn.last(t)["triggerSource"]; got != tc.source {
				t.Errorf("triggerSource %v, want %s", got, tc.source)
			}
			checkClaims(t, "access token", claims(t, tok.AccessToken), claimWant{"source": tc.source})
			if got := claims(t, tok.IDToken)["meta"]; got != tc.meta {
				t.Errorf("clientMetadata reached the trigger as %q, want %q", got, tc.meta)
			}
			if _, sent := fn.last(t)["request"].(map[string]any)["clientMetadata"]; sent != (tc.meta != "") {
				t.Errorf("event's clientMetadata sent: %v", sent)
			}
		})
	}
}

func mustTokens(t *testing.T, res userpool.AuthResult, err error) userpool.Tokens {
	t.Helper()
	if err != nil || res.Tokens == nil {
		t.Fatalf("%+v %v", res, err)
	}
	return *res.Tokens
}

// The hosted UI's code grant sends TokenGeneration_HostedAuth.
func TestPreTokenGenerationHostedAuth(t *testing.T) {
	fn := &preTokenFunction{v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"via": ev.TriggerSource}
	}}
	w := newWorld(t, ":memory:")
	w.auth.Triggers = &userpool.Triggers{Invoker: userpool.InvokerFunc(fn.invoke)}
	p, c := w.oauthClient(t, nil)
	if err := w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: withLambdaConfig(p.Settings, `{"PreTokenGeneration":"`+preTokenARN+`"}`)}); err != nil {
		t.Fatal(err)
	}
	p, _, _ = w.pools.DescribePool(ctx, p.ID)
	w.addUser(t, p, "alice")
	tok := w.codeTokens(t, p, c)
	checkClaims(t, "ID token (code grant)", claims(t, tok.IDToken), claimWant{"via": "TokenGeneration_HostedAuth"})

	user := w.hostedUser(t, p, c, "alice")
	params := authorize(c)
	params.ResponseType = "token"
	ar, err := w.auth.CheckAuthorizeRequest(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err = w.auth.IssueImplicit(ctx, &ar, &user); err != nil {
		t.Fatal(err)
	}
	checkClaims(t, "ID token (implicit grant)", claims(t, tok.IDToken), claimWant{"via": "TokenGeneration_HostedAuth"})

	// The token endpoint tells a failing trigger as an OAuth error.
	fn.fail = "not now."
	ar, _ = w.auth.CheckAuthorizeRequest(ctx, authorize(c))
	_, err = w.auth.GrantTokens(ctx, &p, &c, userpool.GrantRequest{GrantType: "authorization_code",
		Code: w.auth.IssueCode(&ar, &user, ""), RedirectURI: callback})
	wantOAuth(t, err, "invalid_request", "PreTokenGeneration failed with error not now..")
}

func withLambdaConfig(st userpool.PoolSettings, raw string) userpool.PoolSettings {
	st.LambdaConfig = json.RawMessage(raw)
	return st
}

// A failing trigger means no tokens, and nothing of the sign-in or refresh
// is written: no session at sign-in, no rotation at refresh.
func TestPreTokenGenerationFailureIssuesNothing(t *testing.T) {
	fn := &preTokenFunction{}
	w, _, c := preTokenWorld(t, "V2_0", fn, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		ExplicitAuthFlows:    []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		RefreshTokenRotation: &userpool.RefreshTokenRotation{Feature: "ENABLED"}}})
	counted := &familyCounter{Store: w.store}
	w.auth.Store = counted
	r1 := w.firstRefreshToken(t, c)
	if counted.created != 1 {
		t.Fatalf("a sign-in wrote %d sessions", counted.created)
	}

	fn.fail = "no tokens today."
	res, err := w.signIn(c, "alice", "Passw0rd!")
	wantError(t, err, "UserLambdaValidationException", "PreTokenGeneration failed with error no tokens today..")
	if res.Tokens != nil || counted.created != 1 {
		t.Fatalf("a failed trigger answered %+v and wrote %d sessions in all", res, counted.created)
	}
	_, err = w.getTokens(c, r1)
	wantError(t, err, "UserLambdaValidationException", "PreTokenGeneration failed with error no tokens today..")

	fn.fail = ""
	w.mustRotate(t, c, r1) // r1 was not retired by the failed refresh
}

type familyCounter struct {
	userpool.Store
	created int
}

func (f *familyCounter) CreateFamily(ctx context.Context, fam userpool.Family) error {
	f.created++
	return f.Store.CreateFamily(ctx, fam)
}

// Client-credentials tokens run only a V3_0 trigger.
func TestPreTokenGenerationClientCredentials(t *testing.T) {
	for _, version := range []string{"", "V2_0", "V3_0"} {
		t.Run(fmt.Sprintf("version %q", version), func(t *testing.T) {
			fn := &preTokenFunction{v2: func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
				d := &ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
				d.ClaimsToAddOrOverride = map[string]any{"tenant": "acme", "client_id": "forged-but-allowed", "sub": "x"}
				d.ScopesToAdd, d.ScopesToSuppress = []string{"api/extra"}, []string{"api/write"}
			}}
			w, p, _ := preTokenWorld(t, version, fn, userpool.CreateClientInput{})
			svc, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, GenerateSecret: true, ClientSettings: userpool.ClientSettings{
				ClientName: "svc", AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"api/read", "api/write"}, AllowedOAuthFlowsUserPoolClient: true}})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := w.auth.GrantTokens(ctx, &p, &svc, userpool.GrantRequest{GrantType: "client_credentials"})
			if err != nil {
				t.Fatal(err)
			}
			access := claims(t, tok.AccessToken)
			if version != "V3_0" {
				if len(fn.events) != 0 {
					t.Fatalf("a %q trigger ran for client credentials", version)
				}
				checkClaims(t, "access token", access, claimWant{"scope": "api/read api/write", "tenant": absent})
				return
			}
			ev := fn.last(t)
			checkClaims(t, "event", ev, claimWant{"version": "3", "triggerSource": "TokenGeneration_ClientCredentials",
				"callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": svc.ID}})
			checkClaims(t, "event request", ev["request"].(map[string]any), claimWant{"scopes": []string{"api/read", "api/write"}})
			checkClaims(t, "access token", access, claimWant{"scope": "api/read api/extra", "tenant": "acme", "sub": svc.ID})
		})
	}
}

// LambdaConfigType: PreTokenGeneration and PreTokenGenerationConfig, when
// both are set, name the same function.
func TestPreTokenGenerationConfigMustMatch(t *testing.T) {
	w := newWorld(t, ":memory:")
	for _, tc := range []struct {
		config string
		ok     bool
	}{
		{`{"PreTokenGeneration":"` + preTokenARN + `"}`, true},
		{`{"PreTokenGenerationConfig":{"LambdaVersion":"V2_0","LambdaArn":"` + preTokenARN + `"}}`, true},
		{`{"PreTokenGeneration":"` + preTokenARN + `","PreTokenGenerationConfig":{"LambdaVersion":"V2_0","LambdaArn":"` + preTokenARN + `"}}`, true},
		{`{"PreTokenGeneration":"` + preTokenARN + `x","PreTokenGenerationConfig":{"LambdaVersion":"V2_0","LambdaArn":"` + preTokenARN + `"}}`, false},
	} {
		_, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: userpool.PoolSettings{LambdaConfig: json.RawMessage(tc.config)}})
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.config, err)
		}
		if !tc.ok {
			wantError(t, err, userpool.InvalidParameter, "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function when both are set.")
		}
	}
	p, _ := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "q"})
	err := w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: withLambdaConfig(p.Settings,
		`{"PreTokenGeneration":"a","PreTokenGenerationConfig":{"LambdaVersion":"V1_0","LambdaArn":"b"}}`)})
	wantError(t, err, userpool.InvalidParameter, "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function when both are set.")
}

// userAttributes carry cognito:email_alias when a verified email signs the
// user in, as Cognito's events do.
func TestPreTokenGenerationEmailAlias(t *testing.T) {
	for _, verified := range []string{"true", "false"} {
		t.Run("email_verified="+verified, func(t *testing.T) {
			fn := &preTokenFunction{}
			w := newWorld(t, ":memory:")
			w.auth.Triggers = &userpool.Triggers{Invoker: userpool.InvokerFunc(fn.invoke)}
			p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: userpool.PoolSettings{
				AliasAttributes: []string{"email"}, LambdaConfig: json.RawMessage(`{"PreTokenGeneration":"` + preTokenARN + `"}`)}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{
				ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
			if err != nil {
				t.Fatal(err)
			}
			w.addUser(t, p, "alice")
			if err := w.users.UpdateAttributes(ctx, p.ID, "alice", []userpool.Attribute{{Name: "email", Value: "alice@example.com"},
				{Name: "email_verified", Value: verified}}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.signIn(c, "alice", "Passw0rd!"); err != nil {
				t.Fatal(err)
			}
			attrs := fn.last(t)["request"].(map[string]any)["userAttributes"].(map[string]any)
			want := claimWant{"cognito:email_alias": absent}
			if verified == "true" {
				want = claimWant{"cognito:email_alias": "alice@example.com"}
			}
			checkClaims(t, "userAttributes", attrs, want)
		})
	}
}

// A remembered device's sign-in (DEVICE_SRP_AUTH, then
// DEVICE_PASSWORD_VERIFIER) sends TokenGeneration_AuthenticateDevice.
func TestPreTokenGenerationAuthenticateDevice(t *testing.T) {
	fn := &preTokenFunction{v1: func(ev *events.CognitoEventUserPoolsPreTokenGen) {
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"via": ev.TriggerSource}
	}}
	w, p, c := preTokenWorld(t, "", fn, userpool.CreateClientInput{ClientSettings: userpool.ClientSettings{
		ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	p.Settings.DeviceConfiguration = &userpool.DeviceConfiguration{}
	if err := w.pools.UpdatePool(ctx, userpool.UpdatePoolInput{UserPoolId: p.ID, PoolSettings: p.Settings}); err != nil {
		t.Fatal(err)
	}
	first, err := w.signIn(c, "alice", "Passw0rd!")
	if err != nil || first.Tokens == nil || first.Tokens.NewDevice == nil {
		t.Fatalf("%+v %v", first, err)
	}
	dev := first.Tokens.NewDevice
	salt, verifier, err := srp.NewVerifier(dev.DeviceGroupKey, dev.DeviceKey, "device-secret")
	if err != nil {
		t.Fatal(err)
	}
	devices := &userpool.Devices{Store: w.store, Now: w.clock.Now, Sessions: w.sessions}
	if _, err := devices.ConfirmDevice(ctx, first.Tokens.AccessToken, dev.DeviceKey, salt, verifier, "laptop"); err != nil {
		t.Fatal(err)
	}
	poolName := strings.SplitN(p.ID, "_", 2)[1]
	a := srp.DecodeHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	A := srp.ClientA(a).Text(16)
	// answer signs the server's challenge for realm/user/password.
	answer := func(prm map[string]string, realm, user, password string) map[string]string {
		s, _ := new(big.Int).SetString(prm["SALT"], 16)
		B, _ := new(big.Int).SetString(prm["SRP_B"], 16)
		block, _ := base64.StdEncoding.DecodeString(prm["SECRET_BLOCK"])
		ts := w.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		sig, err := srp.ClientSignature(realm, user, password, s.Bytes(), a, B, block, ts)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"USERNAME": "alice", "DEVICE_KEY": dev.DeviceKey, "PASSWORD_CLAIM_SECRET_BLOCK": prm["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}
	}
	res, err := w.auth.Initiate(ctx, userpool.InitiateInput{ClientId: c.ID, AuthFlow: "USER_SRP_AUTH",
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": A, "DEVICE_KEY": dev.DeviceKey}}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "PASSWORD_VERIFIER",
		ChallengeResponses: answer(res.ChallengeParameters, poolName, "alice", "Passw0rd!")}, false)
	if err != nil || res.ChallengeName != "DEVICE_SRP_AUTH" {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "DEVICE_SRP_AUTH", Session: res.Session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "DEVICE_KEY": dev.DeviceKey, "SRP_A": A}}, false)
	if err != nil || res.ChallengeName != "DEVICE_PASSWORD_VERIFIER" {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = w.auth.Respond(ctx, userpool.RespondInput{ClientId: c.ID, ChallengeName: "DEVICE_PASSWORD_VERIFIER", Session: res.Session,
		ChallengeResponses: answer(res.ChallengeParameters, dev.DeviceGroupKey, dev.DeviceKey, "device-secret")}, false)
	tok := mustTokens(t, res, err)
	checkClaims(t, "ID token", claims(t, tok.IDToken), claimWant{"via": "TokenGeneration_AuthenticateDevice"})
}

// Answers Cognito cannot use fail the sign-in with its exception: V1_0's
// claim values are strings (aws-lambda-go's ClaimsOverrideDetails), and an
// answer that is not JSON is refused.
func TestPreTokenGenerationBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, version, answer, msg string
	}{
		{"V1 number claim", "", `{"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"n":2}}}}`, "Unrecognizable lambda output"},
		{"V2 number claim is fine", "V2_0", `{"response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"n":2}}}}}`, ""},
		{"not JSON", "V2_0", `Task timed out after 3.00 seconds`, "Invalid lambda function output : Invalid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, c := preTokenWorld(t, tc.version, &preTokenFunction{}, userpool.CreateClientInput{})
			w.auth.Triggers = &userpool.Triggers{Invoker: userpool.InvokerFunc(func(context.Context, string, []byte) ([]byte, error) {
				return []byte(tc.answer), nil
			})}
			res, err := w.signIn(c, "alice", "Passw0rd!")
			if tc.msg == "" {
				checkClaims(t, "ID token", claims(t, mustTokens(t, res, err).IDToken), claimWant{"n": 2})
				return
			}
			wantError(t, err, "InvalidLambdaResponseException", tc.msg)
		})
	}
}
