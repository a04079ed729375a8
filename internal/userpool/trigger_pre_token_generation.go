package userpool

import (
	"context"
	"slices"
	"strings"
)

// The PreTokenGeneration trigger: before Cognito signs a pair of user tokens
// (or, with V3_0, a client-credentials access token) it sends the function
// what it would write, and the function's answer adds, overrides or
// suppresses claims, replaces the groups, and (V2_0/V3_0) changes the access
// token's scopes. V1_0 changes the ID token only; V2_0 and V3_0 both tokens;
// only V3_0 runs for client credentials. A failing function means no tokens.

// The trigger sources, one per way tokens are issued.
const (
	tokenSourceAuthentication    = "TokenGeneration_Authentication"
	tokenSourceNewPassword       = "TokenGeneration_NewPasswordChallenge"
	tokenSourceDevice            = "TokenGeneration_AuthenticateDevice"
	tokenSourceRefresh           = "TokenGeneration_RefreshTokens"
	tokenSourceHosted            = "TokenGeneration_HostedAuth"
	tokenSourceClientCredentials = "TokenGeneration_ClientCredentials"
)

// ClaimChanges are a trigger's changes to one token's claims: Set adds or
// overrides, Suppress removes. The domain has already dropped the claims
// no trigger may touch (unchangeableClaims).
type ClaimChanges struct {
	Set      map[string]any
	Suppress []string
}

// Empty reports whether c changes nothing.
func (c ClaimChanges) Empty() bool { return len(c.Set) == 0 && len(c.Suppress) == 0 }

// unchangeableClaims are the claims Cognito's developer guide says a pre
// token generation trigger cannot add, override or suppress. Cognito
// documents no error for trying; Cognate ignores such changes silently.
var unchangeableClaims = map[string]bool{"acr": true, "amr": true, "aud": true, "at_hash": true, "auth_time": true,
	"azp": true, "cognito:username": true, "exp": true, "iat": true, "identities": true, "iss": true, "jti": true,
	"nbf": true, "nonce": true, "origin_jti": true, "sub": true, "token_use": true}

// claimChangesOf keeps the changes a trigger may make.
func claimChangesOf(set map[string]any, suppress []string) ClaimChanges {
	var c ClaimChanges
	for k, v := range set {
		if !unchangeableClaims[k] {
			if c.Set == nil {
				c.Set = map[string]any{}
			}
			c.Set[k] = v
		}
	}
	for _, k := range suppress {
		if !unchangeableClaims[k] {
			c.Suppress = append(c.Suppress, k)
		}
	}
	return c
}

// tokenCause says which trigger source and client metadata the tokens
// issued under a context belong to; the sign-in steps that are not a plain
// authentication (a new-password challenge, a device's proof) set it.
type tokenCause struct {
	source   string
	metadata map[string]string
}

type tokenCauseKey struct{}

func withTokenCause(ctx context.Context, source string, metadata map[string]string) context.Context {
	return context.WithValue(ctx, tokenCauseKey{}, tokenCause{source: source, metadata: metadata})
}

// tokenCauseOf returns the context's cause, or fallback without metadata.
func tokenCauseOf(ctx context.Context, fallback string) tokenCause {
	if c, ok := ctx.Value(tokenCauseKey{}).(tokenCause); ok && c.source != "" {
		return c
	}
	return tokenCause{source: fallback}
}

// tokenSourceOfChallenge is the trigger source of tokens that answer a
// challenge (RespondToAuthChallenge): "" for a plain authentication.
func tokenSourceOfChallenge(challenge string) string {
	switch challenge {
	case "NEW_PASSWORD_REQUIRED":
		return tokenSourceNewPassword
	case "DEVICE_PASSWORD_VERIFIER":
		return tokenSourceDevice
	}
	return tokenSourceAuthentication
}

// The event's wire shapes (aws-lambda-go's CognitoEventUserPoolsPreTokenGen
// and CognitoEventUserPoolsPreTokenGenV2_0).
type preTokenRequest struct {
	UserAttributes     map[string]string  `json:"userAttributes"`
	GroupConfiguration groupConfiguration `json:"groupConfiguration"`
	ClientMetadata     map[string]string  `json:"clientMetadata,omitempty"`
	Scopes             []string           `json:"scopes,omitempty"` // V2_0/V3_0 only
}

type groupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// preTokenResponseV1: V1_0 claim values are strings.
type preTokenResponseV1 struct {
	ClaimsOverrideDetails *struct {
		ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string            `json:"claimsToSuppress"`
		GroupOverrideDetails  *groupConfiguration `json:"groupOverrideDetails"`
	} `json:"claimsOverrideDetails,omitempty"`
}

// preTokenResponseV2: V2_0/V3_0 claim values may be any JSON value.
type preTokenResponseV2 struct {
	ClaimsAndScopeOverrideDetails *struct {
		IDTokenGeneration *struct {
			ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
			ClaimsToSuppress      []string       `json:"claimsToSuppress"`
		} `json:"idTokenGeneration"`
		AccessTokenGeneration *struct {
			ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
			ClaimsToSuppress      []string       `json:"claimsToSuppress"`
			ScopesToAdd           []string       `json:"scopesToAdd"`
			ScopesToSuppress      []string       `json:"scopesToSuppress"`
		} `json:"accessTokenGeneration"`
		GroupOverrideDetails *groupConfiguration `json:"groupOverrideDetails"`
	} `json:"claimsAndScopeOverrideDetails,omitempty"`
}

// eventVersionOf maps PreTokenGenerationConfig's LambdaVersion to the
// event's version field.
func eventVersionOf(lambdaVersion string) string {
	switch lambdaVersion {
	case "V2_0":
		return "2"
	case "V3_0":
		return "3"
	}
	return "1"
}

// preTokenGeneration runs the pool's PreTokenGeneration trigger for the
// user tokens req describes and applies its answer to req. It does nothing
// when the pool names no function; an error means no tokens may be issued.
func (t *Triggers) preTokenGeneration(ctx context.Context, req *TokenRequest, cause tokenCause) error {
	pool := req.Pool
	if t == nil || pool.TriggerARN(TriggerPreTokenGeneration) == "" {
		return nil
	}
	version := eventVersionOf(pool.PreTokenGenerationVersion())
	request := preTokenRequest{UserAttributes: triggerUserAttributes(pool, req.User), ClientMetadata: cause.metadata,
		GroupConfiguration: groupConfiguration{GroupsToOverride: nonNil(req.Groups), IAMRolesToOverride: nonNil(req.Roles)}}
	if req.Role != "" {
		role := req.Role
		request.GroupConfiguration.PreferredRole = &role
	}
	if version == "1" {
		answer, err := askPreToken[preTokenResponseV1](ctx, t, pool, version, cause.source, req.User.Username, req.Client.ID, request)
		if err != nil {
			return err
		}
		d := answer.ClaimsOverrideDetails
		if d == nil {
			return nil
		}
		set := make(map[string]any, len(d.ClaimsToAddOrOverride))
		for k, v := range d.ClaimsToAddOrOverride {
			set[k] = v
		}
		req.IDChanges = claimChangesOf(set, d.ClaimsToSuppress)
		overrideGroups(req, d.GroupOverrideDetails)
		return nil
	}
	request.Scopes = strings.Fields(req.Scope)
	answer, err := askPreToken[preTokenResponseV2](ctx, t, pool, version, cause.source, req.User.Username, req.Client.ID, request)
	if err != nil {
		return err
	}
	d := answer.ClaimsAndScopeOverrideDetails
	if d == nil {
		return nil
	}
	if g := d.IDTokenGeneration; g != nil {
		req.IDChanges = claimChangesOf(g.ClaimsToAddOrOverride, g.ClaimsToSuppress)
	}
	if g := d.AccessTokenGeneration; g != nil {
		req.AccessChanges = claimChangesOf(g.ClaimsToAddOrOverride, g.ClaimsToSuppress)
		req.Scope = changeScopes(req.Scope, g.ScopesToAdd, g.ScopesToSuppress)
	}
	overrideGroups(req, d.GroupOverrideDetails)
	return nil
}

// clientTokenGeneration runs a V3_0 PreTokenGeneration trigger for a
// client-credentials access token (V1_0 and V2_0 do not run there) and
// returns the token's scope and claim changes.
func (t *Triggers) clientTokenGeneration(ctx context.Context, pool *Pool, client *Client, scope string) (string, ClaimChanges, error) {
	if t == nil || pool.TriggerARN(TriggerPreTokenGeneration) == "" || pool.PreTokenGenerationVersion() != "V3_0" {
		return scope, ClaimChanges{}, nil
	}
	request := preTokenRequest{UserAttributes: map[string]string{}, Scopes: strings.Fields(scope),
		GroupConfiguration: groupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}}}
	answer, err := askPreToken[preTokenResponseV2](ctx, t, pool, "3", tokenSourceClientCredentials, "", client.ID, request)
	if err != nil {
		return "", ClaimChanges{}, err
	}
	d := answer.ClaimsAndScopeOverrideDetails
	if d == nil || d.AccessTokenGeneration == nil {
		return scope, ClaimChanges{}, nil
	}
	g := d.AccessTokenGeneration
	return changeScopes(scope, g.ScopesToAdd, g.ScopesToSuppress), claimChangesOf(g.ClaimsToAddOrOverride, g.ClaimsToSuppress), nil
}

// askPreToken sends the event and returns the function's response.
func askPreToken[Resp any](ctx context.Context, t *Triggers, pool *Pool, version, source, userName, clientID string, request preTokenRequest) (Resp, error) {
	ev := newTriggerEvent[preTokenRequest, Resp](*pool, version, source, userName, clientID, request)
	var answer TriggerEvent[preTokenRequest, Resp]
	_, err := t.run(ctx, *pool, TriggerPreTokenGeneration, ev, &answer)
	return answer.Response, err
}

// overrideGroups applies groupOverrideDetails to both tokens: each member
// that is set replaces its claim (cognito:groups, cognito:roles,
// cognito:preferred_role; an empty list leaves none), and a null member
// leaves its claim as it was. aws-lambda-go's types always send all three
// members, null unless the function set them, so a function that only adds
// claims keeps the user's groups.
func overrideGroups(req *TokenRequest, g *groupConfiguration) {
	if g == nil {
		return
	}
	if g.GroupsToOverride != nil {
		req.Groups = g.GroupsToOverride
	}
	if g.IAMRolesToOverride != nil {
		req.Roles = g.IAMRolesToOverride
	}
	if g.PreferredRole != nil {
		req.Role = *g.PreferredRole
	}
}

// changeScopes returns scope without the suppressed scopes and with the
// added ones, in order, each once.
func changeScopes(scope string, add, suppress []string) string {
	var out []string
	for _, s := range append(strings.Fields(scope), add...) {
		if s != "" && !slices.Contains(suppress, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
