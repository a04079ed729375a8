package userpool

import (
	"context"
	"errors"
	"time"
)

// Refresh renews a session's tokens with its refresh token. Three callers
// share one path: InitiateAuth REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken
// and the token endpoint's refresh_token grant.
//
// Rotation (a client's RefreshTokenRotation ENABLED): every refresh through
// GetTokensFromRefreshToken or the token endpoint answers with a new refresh
// token of the same family, expiring when the family does; the submitted
// token is retired and still refreshes for the client's retry grace period,
// after which it gets RefreshTokenReuseException. The chain stays one
// session: revoking any of its tokens, global sign-out, disabling or
// deleting the user end the family and so every token of it. Reuse after
// the grace period only fails that call — it does not revoke the family
// (Cognito does not document reuse detection; shared/spec §3a).

// RefreshInput is GetTokensFromRefreshTokenRequest.
type RefreshInput struct {
	RefreshToken   string
	ClientId       string
	ClientSecret   string
	DeviceKey      string
	ClientMetadata map[string]string
}

// refreshRequest is what the three callers hand the common path.
type refreshRequest struct {
	token     string
	deviceKey string
	// newDevice: GetTokensFromRefreshToken in a pool that tracks devices
	// registers a new device when the caller names none.
	newDevice bool
	// secretHash is checked for REFRESH_TOKEN_AUTH on confidential
	// clients (the other callers authenticate the client themselves).
	checkSecretHash      bool
	secretHash, username string
	// rotate: the caller may hand out a new refresh token.
	rotate bool
	// metadata: GetTokensFromRefreshToken's ClientMetadata, for the
	// PreTokenGeneration trigger.
	metadata map[string]string
}

var errInvalidRefresh = Errorf(NotAuthorized, "Invalid Refresh Token.")

// GetTokensFromRefresh is GetTokensFromRefreshToken.
func (a *Auth) GetTokensFromRefresh(ctx context.Context, in RefreshInput) (AuthResult, error) {
	pool, client, err := a.poolAndClient(ctx, "", in.ClientId, false)
	if err != nil {
		return AuthResult{}, err
	}
	if client.Confidential() {
		if in.ClientSecret == "" {
			return AuthResult{}, Errorf(NotAuthorized, "Client %s is configured with secret but ClientSecret was not received", client.ID)
		}
		if !client.SecretMatches(in.ClientSecret) {
			return AuthResult{}, Errorf(NotAuthorized, "Unable to verify client secret for client %s", client.ID)
		}
	}
	if in.RefreshToken == "" {
		return AuthResult{}, missing("RefreshToken")
	}
	tokens, err := a.refresh(ctx, &pool, &client, refreshRequest{token: in.RefreshToken, deviceKey: in.DeviceKey,
		newDevice: tracksDevices(&pool) && in.DeviceKey == "", rotate: client.Settings.Rotates(), metadata: in.ClientMetadata})
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}

// refreshTokenAuth is InitiateAuth / AdminInitiateAuth with REFRESH_TOKEN_AUTH,
// which Cognito refuses on rotating clients: rotation needs
// GetTokensFromRefreshToken, whose answer can carry the new refresh token.
func (a *Auth) refreshTokenAuth(ctx context.Context, pool *Pool, client *Client, params map[string]string) (AuthResult, error) {
	if client.Settings.Rotates() {
		return AuthResult{}, Errorf(InvalidParameter,
			"REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation enabled; use GetTokensFromRefreshToken.")
	}
	if params["REFRESH_TOKEN"] == "" {
		return AuthResult{}, missing("REFRESH_TOKEN")
	}
	tokens, err := a.refresh(ctx, pool, client, refreshRequest{token: params["REFRESH_TOKEN"], deviceKey: params["DEVICE_KEY"],
		checkSecretHash: client.Confidential(), secretHash: params["SECRET_HASH"], username: params["USERNAME"]})
	if err != nil {
		return AuthResult{}, err
	}
	return AuthResult{Tokens: &tokens}, nil
}

// RefreshOAuth is the refresh_token grant of the token endpoint, where the
// client authenticated with its secret already. It rotates as
// GetTokensFromRefreshToken does.
func (a *Auth) RefreshOAuth(ctx context.Context, pool *Pool, client *Client, token string) (Tokens, error) {
	if token == "" {
		return Tokens{}, missing("refresh_token")
	}
	return a.refresh(ctx, pool, client, refreshRequest{token: token, rotate: client.Settings.Rotates()})
}

// refresh is the common path: find the session, check it is alive, rotate
// when asked, sign new tokens. Its outcome is the refresh's revocation check.
func (a *Auth) refresh(ctx context.Context, pool *Pool, client *Client, req refreshRequest) (Tokens, error) {
	tokens, err := a.refreshChecked(ctx, pool, client, req)
	observeCheck(ctx, a.Observer, CheckedRefreshToken, err)
	return tokens, err
}

func (a *Auth) refreshChecked(ctx context.Context, pool *Pool, client *Client, req refreshRequest) (Tokens, error) {
	hash := HashRefreshToken(req.token)
	user, fam, retired, err := a.findRefreshSession(ctx, hash)
	if err != nil {
		return Tokens{}, err
	}
	if fam.ClientID != client.ID || fam.PoolID != pool.ID {
		return Tokens{}, errInvalidRefresh
	}
	if req.deviceKey != "" && fam.DeviceKey != "" && req.deviceKey != fam.DeviceKey {
		return Tokens{}, errInvalidRefresh
	}
	if req.checkSecretHash {
		if err := checkSecretHash(client, req.secretHash, req.username, user.Username, user.Sub); err != nil {
			return Tokens{}, err
		}
	}
	now := a.Now()
	if !fam.RevokedAt.IsZero() || fam.Epoch != user.SignOutEpoch {
		return Tokens{}, Errorf(NotAuthorized, "Refresh Token has been revoked")
	}
	if !now.Before(fam.ExpiresAt) {
		return Tokens{}, Errorf(NotAuthorized, "Refresh Token has expired")
	}
	if !user.Enabled {
		return Tokens{}, Errorf(NotAuthorized, "User is disabled.")
	}
	if retired != nil && !now.Before(retired.GraceUntil) {
		return Tokens{}, errRefreshReused(req)
	}

	scope := fam.Scope
	if scope == "" {
		scope = ScopeUserAdmin
	}
	// Before the rotation or a new device is written: a failing trigger
	// leaves the refresh token as it was.
	treq, err := a.tokenRequest(ctx, pool, client, &user, scope, "", tokenCause{source: tokenSourceRefresh, metadata: req.metadata})
	if err != nil {
		return Tokens{}, err
	}
	var fresh *NewDevice
	if req.newDevice {
		d, err := newDevice(ctx, a.Store, pool, &user, a.Now)
		if err != nil {
			return Tokens{}, err
		}
		fresh = &NewDevice{DeviceKey: d.Key, DeviceGroupKey: d.GroupKey}
		fam.DeviceKey = d.Key // the new tokens name the new device
	}
	v := ValiditiesOf(client.Settings)
	out := Tokens{ExpiresIn: int(v.Access / time.Second), TokenType: "Bearer", NewDevice: fresh}
	if !req.rotate {
		out.AccessToken, out.IDToken, err = a.issue(ctx, treq, &fam, now)
		if err != nil {
			return Tokens{}, err
		}
		return out, nil
	}
	// The rotation's durable write and the two signatures overlap, as at
	// sign-in; nothing is answered before the write is on disk.
	next, nextHash := newRefreshToken()
	rotation := Rotation{FamilyID: fam.ID, From: hash, To: nextHash, Now: now}
	if grace := client.Settings.RetryGrace(); grace > 0 {
		// Without a grace period GraceUntil stays zero: the retired token
		// never refreshes again, even for a request that read the clock
		// before the rotation but reached the store after it.
		rotation.GraceUntil = now.Add(grace)
	}
	stored := make(chan error, 1)
	go func() { stored <- a.Store.RotateRefreshToken(ctx, rotation) }()
	out.AccessToken, out.IDToken, err = a.issue(ctx, treq, &fam, now)
	switch werr := <-stored; {
	case errors.Is(werr, ErrRefreshReused):
		return Tokens{}, errRefreshReused(req)
	case errors.Is(werr, ErrNotFound):
		return Tokens{}, errInvalidRefresh
	case werr != nil:
		return Tokens{}, werr
	}
	if err != nil {
		return Tokens{}, err
	}
	out.RefreshToken = next
	return out, nil
}

// errRefreshReused is the answer to a rotated-out token past its grace
// period: RefreshTokenReuseException where the operation has it (the
// rotating paths), else the ordinary invalid-token answer.
func errRefreshReused(req refreshRequest) error {
	if !req.rotate {
		return errInvalidRefresh
	}
	return Errorf(RefreshTokenReuse, "Refresh Token has been rotated and its retry grace period has ended.")
}

// findRefreshSession finds the session of a refresh token: the family whose
// current token it is (one indexed read), or else the family that retired
// it by rotation (retired is then set).
func (a *Auth) findRefreshSession(ctx context.Context, hash []byte) (User, Family, *RetiredRefresh, error) {
	user, fam, err := a.Store.GetSessionByRefreshHash(ctx, hash)
	if err == nil {
		return user, fam, nil, nil
	} else if !errors.Is(err, ErrNotFound) {
		return User{}, Family{}, nil, err
	}
	rr, err := a.Store.GetRetiredRefresh(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return User{}, Family{}, nil, errInvalidRefresh
	} else if err != nil {
		return User{}, Family{}, nil, err
	}
	user, fam, err = a.Store.GetSession(ctx, rr.PoolID, rr.UserSub, rr.FamilyID)
	if errors.Is(err, ErrNotFound) {
		return User{}, Family{}, nil, errInvalidRefresh
	} else if err != nil {
		return User{}, Family{}, nil, err
	}
	return user, fam, &rr, nil
}
