package userpool

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
)

// The authorization code flow: /oauth2/authorize issues a code for a
// signed-in user (IssueCode), the token endpoint exchanges it once for
// tokens (the authorization_code grant). The code is the sealed grant
// itself, so nothing is stored until it is spent.

// codeLifetime bounds an authorization code.
const codeLifetime = 5 * time.Minute

// codeGrant is what an authorization code stands for.
type codeGrant struct {
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

// IssueCode seals the grant of an authorization request for user into an
// opaque, short-lived code; sessionID is the hosted-UI session it came from.
func (a *Auth) IssueCode(ar *AuthorizeRequest, user *User, sessionID string) string {
	g := codeGrant{Pool: ar.Pool.ID, Client: ar.Client.ID, Sub: user.Sub, RedirectURI: ar.RedirectURI,
		Scope: ar.Scope, Nonce: ar.Nonce, Challenge: ar.CodeChallenge, ChallengeMeth: ar.CodeChallengeMethod,
		SessionID: sessionID, Expires: a.Now().Add(codeLifetime).Unix(), ID: uuid.NewString()}
	raw, _ := json.Marshal(g)
	return base64.RawURLEncoding.EncodeToString(a.Sealer.Seal(raw, codeLabel))
}

// redeemCode is the authorization_code grant: the code must be genuine,
// unexpired, unused, for this client and redirect URI, and match the PKCE
// verifier when a challenge was made; its user must still be enabled.
func (a *Auth) redeemCode(ctx context.Context, pool *Pool, client *Client, code, redirectURI, verifier string) (Tokens, error) {
	if code == "" || redirectURI == "" {
		return Tokens{}, oauthErr("invalid_request", "code and redirect_uri are required.")
	}
	invalid := oauthErr("invalid_grant", "Invalid authorization code.")
	raw, err := base64.RawURLEncoding.DecodeString(code)
	if err != nil {
		return Tokens{}, invalid
	}
	plain, err := a.Sealer.Open(raw, codeLabel)
	if err != nil {
		return Tokens{}, invalid
	}
	var g codeGrant
	if json.Unmarshal(plain, &g) != nil || g.Pool != pool.ID || g.Client != client.ID {
		return Tokens{}, invalid
	}
	if a.Now().Unix() > g.Expires {
		return Tokens{}, oauthErr("invalid_grant", "The authorization code has expired.")
	}
	if g.RedirectURI != redirectURI {
		return Tokens{}, oauthErr("invalid_grant", "redirect_uri does not match the authorization request.")
	}
	if g.Challenge != "" && !pkceVerifies(g.Challenge, verifier) {
		return Tokens{}, oauthErr("invalid_grant", "The code_verifier does not match the code_challenge.")
	}
	// The code is accepted through the whole second g.Expires: it must be
	// remembered as spent until that second is over, or a store that
	// forgets expired nonces would take a replay for a first use.
	spentUntil := time.Unix(g.Expires, 0).Add(time.Second)
	if err := a.Store.ConsumeNonce(ctx, "code:"+g.ID, spentUntil); errors.Is(err, ErrAlreadyExists) {
		return Tokens{}, oauthErr("invalid_grant", "The authorization code has already been used.")
	} else if err != nil {
		return Tokens{}, err
	}
	user, err := a.Store.GetUserBySub(ctx, pool.ID, g.Sub)
	if err != nil || !user.Enabled {
		return Tokens{}, oauthErr("invalid_grant", "The user is not available.")
	}
	return a.signInScoped(ctx, pool, client, &user, a.Now(), "", g.Scope, g.Nonce, tokenCause{source: tokenSourceHosted})
}
