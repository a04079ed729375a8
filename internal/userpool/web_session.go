package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/cognate/cognate/internal/secret"
)

// A hosted-UI session is what the hosted UI's session cookie stands for: a
// user of one pool signed in through the browser, so that the next
// /oauth2/authorize of that pool signs in silently. It lasts
// WebSessionLifetime, and ends at /logout, when the user is disabled or
// deleted, or (only with TagSignOutEndsHostedSessions) at global sign-out:
// Cognito leaves it alive then.

// WebSessionLifetime is how long a hosted-UI session signs in silently.
const WebSessionLifetime = time.Hour

// TagSignOutEndsHostedSessions is a Cognate extension, set as a pool tag:
// with the value "true", global sign-out also ends the user's hosted-UI
// sessions (Cognito leaves them alive).
const TagSignOutEndsHostedSessions = "cognate:SignOutEndsHostedSessions"

// webSessionIDLen characters of webSessionAlphabet: 258 bits.
const (
	webSessionIDLen    = 43
	webSessionAlphabet = secret.URLSafe
)

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
	id := randomString(webSessionIDLen, webSessionAlphabet)
	ws := WebSession{ID: id, Key: WebSessionKey(id), PoolID: pool.ID, UserSub: user.Sub,
		CreatedAt: now, ExpiresAt: now.Add(WebSessionLifetime)}
	stored := ws
	stored.ID = ""
	return ws, a.Store.CreateWebSession(ctx, stored)
}

// errNoWebSession: the cookie names no live session of the pool.
var errNoWebSession = errors.New("no live session")

// WebSessionUser returns the user of a live session of the pool: not
// ended, not expired, and its user still there and enabled.
func (a *Auth) WebSessionUser(ctx context.Context, pool *Pool, id string) (User, error) {
	if id == "" {
		return User{}, errNoWebSession
	}
	ws, err := a.Store.GetWebSession(ctx, WebSessionKey(id))
	if err != nil {
		return User{}, errNoWebSession
	}
	if ws.PoolID != pool.ID || !ws.EndedAt.IsZero() || !a.Now().Before(ws.ExpiresAt) {
		return User{}, errNoWebSession
	}
	u, err := a.Store.GetUserBySub(ctx, pool.ID, ws.UserSub)
	if err != nil || !u.Enabled {
		return User{}, errNoWebSession
	}
	return u, nil
}

// EndWebSession ends a session (hosted-UI /logout); an unknown or empty id
// is not an error.
func (a *Auth) EndWebSession(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if err := a.Store.EndWebSession(ctx, WebSessionKey(id), a.Now()); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
