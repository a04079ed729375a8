// Package issuer connects the domain to internal/token: it creates and seals
// each pool's signing keys (one for ID tokens, one for access tokens), keeps
// ready-to-use signers in memory, builds Cognito's claims, verifies access
// tokens and renders each pool's JWKS. Keys are immutable once created, so
// caching them never serves a stale answer; a key unknown to this process
// (created by another replica) is loaded from the store on first sight. For
// the same reason a verified access token is remembered until it expires
// (verifiedTokens); revocation is checked by the caller on every use.
package issuer

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/userpool"
)

// Issuer implements userpool.TokenService and the JWKS documents.
type Issuer struct {
	store  userpool.KeyStore
	keeper *secret.Keeper
	base   string
	now    func() time.Time

	mu    sync.RWMutex
	pools map[string]*poolKeys

	verified verifiedTokens
}

var _ userpool.TokenService = (*Issuer)(nil)

type poolKeys struct {
	id, access *token.Signer
	idKey      *token.Key // id's key: the signing certificate's
	public     map[string]*token.Key
	jwks       []byte

	certOnce sync.Once
	cert     []byte
	certErr  error
}

func (p *poolKeys) PublicKey(kid string) (*rsa.PublicKey, token.Use, bool) {
	k, ok := p.public[kid]
	if !ok {
		return nil, "", false
	}
	return &k.Private.PublicKey, k.Use, true
}

// New returns an Issuer whose tokens carry iss = base + "/" + poolID.
func New(store userpool.KeyStore, keeper *secret.Keeper, base string, now func() time.Time) *Issuer {
	return &Issuer{store: store, keeper: keeper, base: strings.TrimRight(base, "/"), now: now, pools: map[string]*poolKeys{}}
}

// SetBase sets the issuer base URL (once the listen address is known).
func (i *Issuer) SetBase(base string) { i.base = strings.TrimRight(base, "/") }

// IssuerURL returns the iss of a pool's tokens.
func (i *Issuer) IssuerURL(poolID string) string { return i.base + "/" + poolID }

func keyLabel(poolID, kid string) string { return "signing-key:" + poolID + ":" + kid }

// MakeKey generates a pool key and seals its private half for storage.
func (i *Issuer) MakeKey(poolID, use string, now time.Time) (userpool.SigningKey, error) {
	k, err := token.GenerateKey(token.Use(use), now)
	if err != nil {
		return userpool.SigningKey{}, err
	}
	return i.SealKey(poolID, k), nil
}

// SealKey makes k poolID's stored key, its private half sealed: MakeKey
// without the key generation (the domain tests reuse keys made once).
func (i *Issuer) SealKey(poolID string, k *token.Key) userpool.SigningKey {
	der := token.MarshalPrivateKey(k.Private)
	return userpool.SigningKey{PoolID: poolID, Kid: k.Kid, Use: string(k.Use),
		PrivateKey: i.keeper.Seal(der, keyLabel(poolID, k.Kid)), CreatedAt: k.CreatedAt}
}

// Opens reports whether this process's master key opens a stored signing
// key (a start-up check that the key is the database's).
func (i *Issuer) Opens(sk userpool.SigningKey) bool {
	_, err := i.keeper.Open(sk.PrivateKey, keyLabel(sk.PoolID, sk.Kid))
	return err == nil
}

// keys returns the pool's signers, loading them on first use.
func (i *Issuer) keys(ctx context.Context, poolID string) (*poolKeys, error) {
	i.mu.RLock()
	pk := i.pools[poolID]
	i.mu.RUnlock()
	if pk != nil {
		return pk, nil
	}
	stored, err := i.store.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		return nil, userpool.ErrNotFound
	}
	pk = &poolKeys{public: map[string]*token.Key{}}
	var all []*token.Key
	for _, sk := range stored {
		der, err := i.keeper.Open(sk.PrivateKey, keyLabel(poolID, sk.Kid))
		if err != nil {
			return nil, errors.New("cannot unseal signing key " + sk.Kid + ": wrong master key?")
		}
		priv, err := token.ParsePrivateKey(der)
		if err != nil {
			return nil, err
		}
		k := &token.Key{Kid: sk.Kid, Use: token.Use(sk.Use), Private: priv, CreatedAt: sk.CreatedAt}
		all = append(all, k)
		pk.public[k.Kid] = k
		// The newest key of each use signs; older ones stay in the JWKS.
		s, err := token.NewSigner(k)
		if err != nil {
			return nil, err
		}
		if k.Use == token.UseID {
			pk.id, pk.idKey = s, k
		} else {
			pk.access = s
		}
	}
	if pk.jwks, err = token.JWKS(all); err != nil {
		return nil, err
	}
	i.mu.Lock()
	i.pools[poolID] = pk
	i.mu.Unlock()
	return pk, nil
}

// JWKS returns the pool's public keys as a JWKS document.
func (i *Issuer) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	pk, err := i.keys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return pk.jwks, nil
}

// Issue signs an access token and an ID token for one sign-in or refresh.
func (i *Issuer) Issue(ctx context.Context, r userpool.TokenRequest) (string, string, error) {
	pk, err := i.keys(ctx, r.Pool.ID)
	if err != nil {
		return "", "", err
	}
	v := userpool.ValiditiesOf(r.Client.Settings)
	iat := r.Now.Unix()
	iss := i.IssuerURL(r.Pool.ID)
	var originJTI string
	var authTime int64
	if r.Family != nil {
		originJTI = r.Family.ID
		authTime = r.Family.AuthTime.Unix()
	}
	access := token.AccessClaims{
		Sub: r.User.Sub, Iss: iss, ClientID: r.Client.ID, OriginJTI: originJTI, EventID: r.EventID,
		TokenUse: "access", Scope: r.Scope, AuthTime: authTime, Exp: iat + int64(v.Access/time.Second),
		Iat: iat, JTI: uuid.NewString(), Username: r.User.Username, Groups: r.Groups, Version: 2,
	}
	if r.Family != nil {
		access.DeviceKey = r.Family.DeviceKey
	}
	at, err := pk.access.Sign(changed(&access, r.AccessChanges))
	if err != nil {
		return "", "", err
	}
	id := token.IDClaims{
		Sub: r.User.Sub, Iss: iss, Aud: r.Client.ID, TokenUse: "id", CognitoUsername: r.User.Username,
		AuthTime: authTime, Exp: iat + int64(v.ID/time.Second), Iat: iat, JTI: uuid.NewString(),
		OriginJTI: originJTI, EventID: r.EventID, Groups: r.Groups, Roles: r.Roles, PreferredRole: r.Role, Nonce: r.Nonce,
		Attributes: idTokenAttributes(r.User, r.Client.Settings.ReadAttributes),
	}
	if strings.Contains(" "+r.Scope+" ", " openid ") {
		// OIDC: the ID token binds the access token it came with.
		sum := sha256.Sum256([]byte(at))
		id.AtHash = base64.RawURLEncoding.EncodeToString(sum[:16])
	}
	it, err := pk.id.Sign(changed(&id, r.IDChanges))
	if err != nil {
		return "", "", err
	}
	return at, it, nil
}

// IssueClientToken signs the access token of a client_credentials grant:
// the client is its own subject, and there is no user or ID token.
func (i *Issuer) IssueClientToken(ctx context.Context, pool *userpool.Pool, client *userpool.Client, scope string, changes userpool.ClaimChanges, now time.Time) (string, error) {
	pk, err := i.keys(ctx, pool.ID)
	if err != nil {
		return "", err
	}
	v := userpool.ValiditiesOf(client.Settings)
	iat := now.Unix()
	return pk.access.Sign(changed(&token.AccessClaims{Sub: client.ID, Iss: i.IssuerURL(pool.ID), ClientID: client.ID, TokenUse: "access",
		Scope: scope, AuthTime: iat, Exp: iat + int64(v.Access/time.Second), Iat: iat, JTI: uuid.NewString(), Version: 2}, changes))
}

// changed returns claims with a PreTokenGeneration trigger's changes:
// added ones set over the others, then suppressed ones removed (the domain
// has dropped the claims no trigger may touch). Without changes the claims
// are signed as they are.
func changed(claims any, c userpool.ClaimChanges) any {
	if c.Empty() {
		return claims
	}
	return claimChanger{claims: claims, changes: c}
}

// claimChanger marshals as its claims with the changes applied.
type claimChanger struct {
	claims  any
	changes userpool.ClaimChanges
}

func (c claimChanger) MarshalJSON() ([]byte, error) {
	raw, err := json.Marshal(c.claims)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, v := range c.changes.Set {
		if m[k], err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	// Cognito: a claim both replaced and suppressed is suppressed.
	for _, k := range c.changes.Suppress {
		delete(m, k)
	}
	return json.Marshal(m)
}

// idTokenAttributes renders the attributes the client may read, with
// Cognito's JSON types (verified flags are booleans, updated_at a number).
func idTokenAttributes(u *userpool.User, readable []string) map[string]any {
	allowed := map[string]bool{}
	for _, n := range readable {
		allowed[n] = true
	}
	out := map[string]any{}
	for _, a := range u.Attributes {
		if a.Name == "sub" || (len(readable) > 0 && !allowed[a.Name]) {
			continue
		}
		switch a.Name {
		case "email_verified", "phone_number_verified":
			out[a.Name] = a.Value == "true"
		case "updated_at":
			if n, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
				out[a.Name] = n
				continue
			}
			out[a.Name] = a.Value
		default:
			out[a.Name] = a.Value
		}
	}
	return out
}

var (
	errInvalidAccess = userpool.Errorf(userpool.NotAuthorized, "Invalid Access Token")
	errExpiredAccess = userpool.Errorf(userpool.NotAuthorized, "Access Token has expired")
)

// VerifyAccess checks an access token's signature against its pool's keys,
// its issuer, token_use and expiry.
func (i *Issuer) VerifyAccess(ctx context.Context, tok string) (userpool.AccessClaims, error) {
	sum := sha256.Sum256([]byte(tok))
	if e, ok := i.verified.get(sum); ok && e.iss == i.IssuerURL(e.claims.PoolID) {
		if i.now().Unix() >= e.claims.ExpiresAt.Unix() {
			return userpool.AccessClaims{}, errExpiredAccess
		}
		return e.claims, nil
	}
	c, err := i.verifyAccess(ctx, tok)
	if err == nil {
		i.verified.put(sum, c, i.IssuerURL(c.PoolID))
	}
	return c, err
}

// verifyAccess is VerifyAccess without the memo.
func (i *Issuer) verifyAccess(ctx context.Context, tok string) (userpool.AccessClaims, error) {
	poolID, ok := unverifiedPool(tok)
	if !ok {
		return userpool.AccessClaims{}, errInvalidAccess
	}
	pk, err := i.keys(ctx, poolID)
	if errors.Is(err, userpool.ErrNotFound) {
		return userpool.AccessClaims{}, errInvalidAccess
	} else if err != nil {
		return userpool.AccessClaims{}, err
	}
	_, payload, err := token.Verify(tok, pk)
	if err != nil {
		return userpool.AccessClaims{}, errInvalidAccess
	}
	c, err := token.ParseAccessClaims(payload)
	if err != nil || c.TokenUse != "access" || c.Iss != i.IssuerURL(poolID) {
		return userpool.AccessClaims{}, errInvalidAccess
	}
	if i.now().Unix() >= c.Exp {
		return userpool.AccessClaims{}, errExpiredAccess
	}
	return userpool.AccessClaims{
		PoolID: poolID, Sub: c.Sub, ClientID: c.ClientID, OriginJTI: c.OriginJTI, Username: c.Username,
		Scope: c.Scope, JTI: c.JTI, IssuedAt: time.Unix(c.Iat, 0), ExpiresAt: time.Unix(c.Exp, 0),
	}, nil
}

// unverifiedPool reads the pool id from the token's iss before the
// signature is checked, only to choose which keys to check it with.
func unverifiedPool(tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > 16<<10 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return "", false
	}
	i := strings.LastIndexByte(c.Iss, '/')
	if i < 0 || i == len(c.Iss)-1 {
		return "", false
	}
	return c.Iss[i+1:], true
}

// verifiedCap bounds the memo of verified tokens (a few hundred bytes each);
// past it the memo starts over.
const verifiedCap = 20000

// verifiedTokens remembers the claims of access tokens whose signature,
// issuer and token_use checked out, by the token's SHA-256: an app sends
// the same access token on every call of its hour, and the RSA check and
// claim parsing were a quarter of GetUser's CPU. Keys never change, so a
// token that verified once always would; expiry is still checked on every
// call, and revocation is the caller's (userpool.Sessions asks the store on
// every call). Only verified tokens enter, so forgeries cannot fill it.
type verifiedTokens struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]verifiedToken
}

type verifiedToken struct {
	claims userpool.AccessClaims
	iss    string // the issuer URL it was checked against
}

func (v *verifiedTokens) get(sum [sha256.Size]byte) (verifiedToken, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	e, ok := v.m[sum]
	return e, ok
}

func (v *verifiedTokens) put(sum [sha256.Size]byte, c userpool.AccessClaims, iss string) {
	v.mu.Lock()
	if v.m == nil || len(v.m) >= verifiedCap {
		v.m = map[[sha256.Size]byte]verifiedToken{}
	}
	v.m[sum] = verifiedToken{claims: c, iss: iss}
	v.mu.Unlock()
}

func (v *verifiedTokens) len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.m)
}
