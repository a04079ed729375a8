package userpool

import (
	"context"
	"errors"
	"time"
)

// Sessions owns revocation: global sign-out, RevokeToken, and the one check
// every token-authorized operation goes through.
type Sessions struct {
	Store  Store
	Now    Clock
	Tokens TokenService
	Audit  Auditor
	// Observer hears each access-token check and each sign-out (nil: none).
	Observer Observer
}

// Authorized is what a valid access token grants.
type Authorized struct {
	User   User
	Claims AccessClaims
}

// Session is what a valid access token grants, with the user's pool: what
// most token-authorized operations need next (its schema, policies and
// settings).
type Session struct {
	Authorized
	Pool Pool
}

// AuthorizeSession is Authorize, then the pool of the token's user: the
// prelude of every token-authorized operation that applies a pool rule.
// (Authorize alone serves those that do not, such as GetUser, so they read
// no pool.)
func (s *Sessions) AuthorizeSession(ctx context.Context, accessToken string) (Session, error) {
	a, err := s.Authorize(ctx, accessToken)
	if err != nil {
		return Session{}, err
	}
	pool, err := GetPool(ctx, s.Store, a.User.PoolID)
	if err != nil {
		return Session{}, err
	}
	return Session{Authorized: a, Pool: pool}, nil
}

// Authorize is the single gate of every operation authorized by an access
// token (GetUser, GlobalSignOut, ChangePassword, …): signature, expiry and
// token_use through the TokenService, then the token family's state in one
// indexed lookup, so a revocation committed before this call is always seen.
func (s *Sessions) Authorize(ctx context.Context, accessToken string) (Authorized, error) {
	return s.AuthorizeScope(ctx, accessToken, ScopeUserAdmin)
}

// AuthorizeScope is Authorize for a given scope (the hosted UI's userInfo
// needs openid rather than aws.cognito.signin.user.admin).
func (s *Sessions) AuthorizeScope(ctx context.Context, accessToken, scope string) (Authorized, error) {
	a, err := s.authorize(ctx, accessToken, scope)
	observeCheck(ctx, s.Observer, CheckedAccessToken, err)
	return a, err
}

func (s *Sessions) authorize(ctx context.Context, accessToken, scope string) (Authorized, error) {
	claims, err := s.Tokens.VerifyAccess(ctx, accessToken)
	if err != nil {
		return Authorized{}, err
	}
	if !claims.HasScope(scope) {
		return Authorized{}, Errorf(NotAuthorized, "Access Token does not have required scopes")
	}
	var user User
	if claims.OriginJTI != "" {
		var fam Family
		user, fam, err = s.Store.GetSession(ctx, claims.PoolID, claims.Sub, claims.OriginJTI)
		if errors.Is(err, ErrNotFound) {
			// The user or its family is gone: a deleted user's tokens are dead.
			if _, uerr := s.Store.GetUserBySub(ctx, claims.PoolID, claims.Sub); errors.Is(uerr, ErrNotFound) {
				return Authorized{}, Errorf(NotAuthorized, "User does not exist.")
			}
			return Authorized{}, Errorf(NotAuthorized, "Access Token has been revoked")
		} else if err != nil {
			return Authorized{}, err
		}
		if !fam.RevokedAt.IsZero() || fam.Epoch != user.SignOutEpoch {
			return Authorized{}, Errorf(NotAuthorized, "Access Token has been revoked")
		}
	} else {
		// Clients with token revocation off issue tokens without origin_jti:
		// the user's sign-outs are checked by time, the client by existence.
		user, err = s.Store.GetUserBySub(ctx, claims.PoolID, claims.Sub)
		if errors.Is(err, ErrNotFound) {
			return Authorized{}, Errorf(NotAuthorized, "User does not exist.")
		} else if err != nil {
			return Authorized{}, err
		}
		if signedOutSince(&user, claims.IssuedAt) {
			return Authorized{}, Errorf(NotAuthorized, "Access Token has been revoked")
		}
		if _, err := s.Store.GetClient(ctx, claims.ClientID); errors.Is(err, ErrNotFound) {
			return Authorized{}, Errorf(NotAuthorized, "Access Token has been revoked")
		} else if err != nil {
			return Authorized{}, err
		}
	}
	if !user.Enabled {
		return Authorized{}, Errorf(NotAuthorized, "User is disabled.")
	}
	return Authorized{User: user, Claims: claims}, nil
}

// signedOutSince reports whether the user signed out (or was disabled) at or
// after issuedAt, a token's iat. Tokens carry iat in whole seconds, so a
// token issued in the same second as a sign-out counts as issued before it:
// for that second, new tokens of clients without token revocation are
// refused rather than old ones accepted.
func signedOutSince(u *User, issuedAt time.Time) bool {
	return !u.SignedOutAt.IsZero() && !issuedAt.After(u.SignedOutAt.Truncate(time.Second))
}

// AdminGlobalSignOut is AdminUserGlobalSignOut: every refresh token of the
// user dies, and every access token issued before is rejected by Authorize.
func (s *Sessions) AdminGlobalSignOut(ctx context.Context, caller Caller, poolID, username string) error {
	pool, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return err
	}
	// Most callers name the user by username: that lookup happens inside
	// the write. A sub or an alias falls back to FindUser.
	out, err := s.Store.SignOutUser(ctx, pool.ID, ByUsernameKey, UsernameKey(&pool, username), s.Now())
	if errors.Is(err, ErrNotFound) {
		u, _, ferr := FindUser(ctx, s.Store, &pool, username)
		if ferr != nil {
			return ferr
		}
		out, err = s.Store.SignOutUser(ctx, pool.ID, BySub, u.Sub, s.Now())
	}
	return s.afterSignOut(ctx, caller, "AdminUserGlobalSignOut", &pool, out, err)
}

// GlobalSignOut signs out the owner of the access token everywhere.
func (s *Sessions) GlobalSignOut(ctx context.Context, accessToken string) error {
	a, err := s.Authorize(ctx, accessToken)
	if err != nil {
		return err
	}
	return s.signOut(ctx, Caller{}, "GlobalSignOut", nil, a.User)
}

// signOut revokes every family of u; pool is looked up when nil.
func (s *Sessions) signOut(ctx context.Context, caller Caller, op string, pool *Pool, u User) error {
	out, err := s.Store.SignOutUser(ctx, u.PoolID, BySub, u.Sub, s.Now())
	return s.afterSignOut(ctx, caller, op, pool, out, err)
}

// afterSignOut completes a sign-out whose epoch write returned out and err:
// hosted-UI sessions (when the pool's tag asks) and the audit line.
func (s *Sessions) afterSignOut(ctx context.Context, caller Caller, op string, pool *Pool, out SignedOut, err error) error {
	if errors.Is(err, ErrNotFound) {
		return Errorf(UserNotFound, "User does not exist.")
	}
	if err != nil {
		return err
	}
	poolID := out.PoolID
	if pool == nil {
		p, err := GetPool(ctx, s.Store, poolID)
		if err != nil {
			return err
		}
		pool = &p
	}
	ended := 0
	if pool.Settings.UserPoolTags[TagSignOutEndsHostedSessions] == "true" {
		if ended, err = s.Store.EndWebSessionsOfUser(ctx, poolID, out.Sub, s.Now()); err != nil {
			return err
		}
	}
	if s.Audit != nil {
		by := "user-token"
		if caller.AccessKeyID != "" {
			by = "access-key:" + caller.AccessKeyID
		}
		s.Audit.Audit(ctx, "sign-out", "operation", op, "by", by, "pool", poolID,
			"sub", out.Sub, "username", out.Username, "epoch", out.Epoch, "families", out.Families, "hosted_sessions_ended", ended)
	}
	if s.Observer != nil {
		s.Observer.SignedOut(ctx, op)
	}
	return nil
}

// RevokeToken revokes the one family of a refresh token.
func (s *Sessions) RevokeToken(ctx context.Context, clientID, clientSecret, token string) error {
	client, err := authenticatedClient(ctx, s.Store, clientID, clientSecret)
	switch {
	case errors.Is(err, ErrNotFound):
		return Errorf(Unauthorized, "Client is not authorized to revoke this token.")
	case errors.Is(err, errClientSecret):
		return Errorf(Unauthorized, "Client authentication failed.")
	case err != nil:
		return err
	}
	return s.RevokeTokenOf(ctx, &client, token)
}

// RevokeTokenOf is RevokeToken for a client that has already proven its
// secret (the revocation endpoint authenticates clients itself).
func (s *Sessions) RevokeTokenOf(ctx context.Context, client *Client, token string) error {
	if !client.Settings.EnableTokenRevocation {
		return Errorf(UnsupportedOperation, "Token revocation is not enabled for this app client.")
	}
	if looksLikeJWT(token) {
		return Errorf(UnsupportedTokenType, "The token type is not supported for revocation; only refresh tokens can be revoked.")
	}
	fam, err := s.familyOfRefreshToken(ctx, HashRefreshToken(token))
	if errors.Is(err, ErrNotFound) {
		return nil // RFC 7009: an unknown token is not an error
	} else if err != nil {
		return err
	}
	if fam.ClientID != client.ID {
		return Errorf(Unauthorized, "Client is not authorized to revoke this token.")
	}
	if err := s.Store.RevokeFamily(ctx, fam.ID, s.Now()); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if s.Audit != nil {
		s.Audit.Audit(ctx, "revoke-token", "operation", "RevokeToken", "by", "client:"+client.ID,
			"pool", fam.PoolID, "sub", fam.UserSub, "families", 1, "family", fam.ID)
	}
	if s.Observer != nil {
		s.Observer.SignedOut(ctx, "RevokeToken")
	}
	return nil
}

// familyOfRefreshToken finds the family of a refresh token: the one whose
// current token it is, or the one that retired it by rotation (revoking a
// rotated-out token ends its whole chain).
func (s *Sessions) familyOfRefreshToken(ctx context.Context, hash []byte) (Family, error) {
	fam, err := s.Store.GetFamilyByRefreshHash(ctx, hash)
	if !errors.Is(err, ErrNotFound) {
		return fam, err
	}
	rr, err := s.Store.GetRetiredRefresh(ctx, hash)
	if err != nil {
		return Family{}, err
	}
	return Family{ID: rr.FamilyID, PoolID: rr.PoolID, ClientID: rr.ClientID, UserSub: rr.UserSub}, nil
}

func looksLikeJWT(tok string) bool {
	dots := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] == '.' {
			dots++
		}
	}
	return dots == 2
}

// CollectGarbage deletes token families whose refresh token has expired:
// they can authorize nothing any more (access tokens live at most a day,
// refresh tokens at least an hour longer than them).
func (s *Sessions) CollectGarbage(ctx context.Context) (int, error) {
	return s.Store.DeleteExpiredFamilies(ctx, s.Now().Add(-24*time.Hour))
}
