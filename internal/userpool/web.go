package userpool

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The hosted UI's rules: sessions behind the cookie, authorization codes,
// and the OAuth grants. HTTP lives in internal/hostedui.

// WebSessionLifetime is how long a hosted-UI session signs in silently.
const WebSessionLifetime = time.Hour

// codeLifetime bounds an authorization code.
const codeLifetime = 5 * time.Minute

// TagSignOutEndsHostedSessions is a Cognate extension, set as a pool tag:
// with the value "true", global sign-out also ends the user's hosted-UI
// sessions (Cognito leaves them alive).
const TagSignOutEndsHostedSessions = "cognate:SignOutEndsHostedSessions"

// WebSessionKey is what stores keep of a session id: its SHA-256 (hex), as
// refresh tokens are kept (HashRefreshToken). The id carries 256 bits, so a
// plain hash is enough: a copy of the database yields no id to present.
func WebSessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// StartWebSession opens a hosted-UI session for a signed-in user; the
// returned ID is the cookie value, and only its key is stored.
func (a *Auth) StartWebSession(ctx context.Context, pool *Pool, user *User) (WebSession, error) {
	now := a.Now()
	id := randomString(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
	ws := WebSession{ID: id, Key: WebSessionKey(id), PoolID: pool.ID, UserSub: user.Sub,
		CreatedAt: now, ExpiresAt: now.Add(WebSessionLifetime)}
	stored := ws
	stored.ID = ""
	return ws, a.Store.CreateWebSession(ctx, stored)
}

// WebSessionUser returns the user of a live session of the pool.
func (a *Auth) WebSessionUser(ctx context.Context, pool *Pool, id string) (User, error) {
	none := errors.New("no live session")
	if id == "" {
		return User{}, none
	}
	ws, err := a.Store.GetWebSession(ctx, WebSessionKey(id))
	if err != nil {
		return User{}, none
	}
	if ws.PoolID != pool.ID || !ws.EndedAt.IsZero() || !a.Now().Before(ws.ExpiresAt) {
		return User{}, none
	}
	u, err := a.Store.GetUserBySub(ctx, pool.ID, ws.UserSub)
	if err != nil || !u.Enabled {
		return User{}, none
	}
	return u, nil
}

// EndWebSession ends a session (hosted-UI /logout).
func (a *Auth) EndWebSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if err := a.Store.EndWebSession(ctx, WebSessionKey(id), a.Now()); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// CodeGrant is what an authorization code stands for.
type CodeGrant struct {
	Pool          string `json:"p"`
	Client        string `json:"c"`
	Sub           string `json:"s"`
	RedirectURI   string `json:"r"`
	Scope         string `json:"o"`
	Nonce         string `json:"n,omitempty"`
	Challenge     string `json:"x,omitempty"`
	Expires       int64  `json:"e"`
	ID            string `json:"i"`
	SessionID     string `json:"w,omitempty"`
	ChallengeMeth string `json:"m,omitempty"`
}

const codeLabel = "cognate authorization code"

// NewCode seals a grant into an opaque, short-lived authorization code; it
// is single-use through the nonce store.
func (a *Auth) NewCode(g CodeGrant) string {
	g.Expires = a.Now().Add(codeLifetime).Unix()
	g.ID = uuid.NewString()
	raw, _ := json.Marshal(g)
	return base64.RawURLEncoding.EncodeToString(a.Sealer.Seal(raw, codeLabel))
}

// OAuthError is an RFC 6749 error, reported as a value by the grant rules.
type OAuthError struct {
	Code        string // invalid_grant, invalid_client, …
	Description string
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(code, desc string) error { return &OAuthError{Code: code, Description: desc} }

// RedeemCode is the authorization_code grant: the code must be genuine,
// unexpired, unused, for this client and redirect URI, and match the PKCE
// verifier when a challenge was made.
func (a *Auth) RedeemCode(ctx context.Context, pool *Pool, client *Client, code, redirectURI, verifier string) (Tokens, error) {
	raw, err := base64.RawURLEncoding.DecodeString(code)
	if err != nil {
		return Tokens{}, oauthErr("invalid_grant", "Invalid authorization code.")
	}
	plain, err := a.Sealer.Open(raw, codeLabel)
	if err != nil {
		return Tokens{}, oauthErr("invalid_grant", "Invalid authorization code.")
	}
	var g CodeGrant
	if json.Unmarshal(plain, &g) != nil || g.Pool != pool.ID || g.Client != client.ID {
		return Tokens{}, oauthErr("invalid_grant", "Invalid authorization code.")
	}
	if a.Now().Unix() > g.Expires {
		return Tokens{}, oauthErr("invalid_grant", "The authorization code has expired.")
	}
	if g.RedirectURI != redirectURI {
		return Tokens{}, oauthErr("invalid_grant", "redirect_uri does not match the authorization request.")
	}
	if g.Challenge != "" {
		sum := sha256.Sum256([]byte(verifier))
		if verifier == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.Challenge)) != 1 {
			return Tokens{}, oauthErr("invalid_grant", "The code_verifier does not match the code_challenge.")
		}
	}
	if err := a.Store.ConsumeNonce(ctx, "code:"+g.ID, time.Unix(g.Expires, 0)); errors.Is(err, ErrAlreadyExists) {
		return Tokens{}, oauthErr("invalid_grant", "The authorization code has already been used.")
	} else if err != nil {
		return Tokens{}, err
	}
	user, err := a.Store.GetUserBySub(ctx, pool.ID, g.Sub)
	if err != nil || !user.Enabled {
		return Tokens{}, oauthErr("invalid_grant", "The user is not available.")
	}
	return a.signInScoped(ctx, pool, client, &user, a.Now(), "", g.Scope, g.Nonce)
}

// IssueImplicit issues tokens straight to the browser (response_type=token).
func (a *Auth) IssueImplicit(ctx context.Context, pool *Pool, client *Client, user *User, scope, nonce string) (Tokens, error) {
	t, err := a.signInScoped(ctx, pool, client, user, a.Now(), "", scope, nonce)
	t.RefreshToken = "" // never in a URL fragment
	return t, err
}

// ClientTokenIssuer signs access tokens for client_credentials grants.
type ClientTokenIssuer interface {
	IssueClientToken(ctx context.Context, pool *Pool, client *Client, scope string, now time.Time) (string, error)
}

// ClientCredentials is the client_credentials grant: a confidential client
// gets an access token for resource-server scopes, with no user.
func (a *Auth) ClientCredentials(ctx context.Context, pool *Pool, client *Client, scope string) (Tokens, error) {
	if !client.Confidential() || !slices.Contains(client.Settings.AllowedOAuthFlows, "client_credentials") {
		return Tokens{}, oauthErr("unauthorized_client", "The client is not allowed the client_credentials grant.")
	}
	var custom []string
	for _, s := range client.Settings.AllowedOAuthScopes {
		if strings.Contains(s, "/") {
			custom = append(custom, s)
		}
	}
	requested := strings.Fields(scope)
	if len(requested) == 0 {
		requested = custom
	}
	if len(requested) == 0 {
		return Tokens{}, oauthErr("invalid_scope", "No resource-server scope is allowed for this client.")
	}
	for _, s := range requested {
		if !slices.Contains(custom, s) {
			return Tokens{}, oauthErr("invalid_scope", "Scope "+s+" is not allowed for this client.")
		}
	}
	issuer, ok := a.Tokens.(ClientTokenIssuer)
	if !ok {
		return Tokens{}, errors.New("token service cannot issue client tokens")
	}
	tok, err := issuer.IssueClientToken(ctx, pool, client, strings.Join(requested, " "), a.Now())
	if err != nil {
		return Tokens{}, err
	}
	v := ValiditiesOf(client.Settings)
	return Tokens{AccessToken: tok, ExpiresIn: int(v.Access / time.Second), TokenType: "Bearer"}, nil
}
