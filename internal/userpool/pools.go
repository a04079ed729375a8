package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Pools manages user pools and their app clients (the SigV4 admin API).
type Pools struct {
	Store   Store
	Now     Clock
	MakeKey KeyMaker
}

// CreatePoolInput is CreateUserPoolRequest.
type CreatePoolInput struct {
	PoolName string
	PoolSettings
	Schema []SchemaAttribute
}

// DefaultPasswordPolicy is what a pool gets when CreateUserPool sets none.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true,
		RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7}
}

// CreatePool creates a pool in region with its ID- and access-token keys.
func (s *Pools) CreatePool(ctx context.Context, region string, in CreatePoolInput) (Pool, error) {
	now := s.Now()
	in.SoftwareTokenMfaEnabled = false // SetUserPoolMfaConfig's alone (types.go)
	in.WebAuthn = nil
	in.LogDeliveryConfiguration = nil // SetLogDeliveryConfiguration's alone
	in.EmailMfa = nil                 // SetUserPoolMfaConfig's alone
	settings, err := normalizePoolSettings(in.PoolSettings)
	if err != nil {
		return Pool{}, err
	}
	schema, err := buildSchema(in.Schema)
	if err != nil {
		return Pool{}, err
	}
	p := Pool{
		ID:         newPoolID(region),
		Name:       in.PoolName,
		Settings:   settings,
		Schema:     schema,
		CreatedAt:  now,
		ModifiedAt: now,
	}
	var keys []SigningKey
	for _, use := range []string{"id", "access"} {
		k, err := s.MakeKey(p.ID, use, now)
		if err != nil {
			return Pool{}, err
		}
		keys = append(keys, k)
	}
	if err := s.Store.CreatePool(ctx, p); err != nil {
		return Pool{}, err
	}
	if err := s.Store.CreateSigningKeys(ctx, keys); err != nil {
		return Pool{}, err
	}
	return p, nil
}

// mfaOff is MfaConfiguration OFF: a pool's default.
const (
	mfaOff = "OFF"
	mfaOn  = "ON"
)

// MFAMode is the pool's MfaConfiguration: OFF, ON or OPTIONAL; OFF when
// unset (pools stored before CreateUserPool set the default).
func (p *Pool) MFAMode() string {
	if p.Settings.MfaConfiguration == "" {
		return mfaOff
	}
	return p.Settings.MfaConfiguration
}

func normalizePoolSettings(st PoolSettings) (PoolSettings, error) {
	if st.Policies == nil {
		st.Policies = &PoolPolicies{}
	}
	if st.Policies.PasswordPolicy == nil {
		p := DefaultPasswordPolicy()
		st.Policies.PasswordPolicy = &p
	} else if st.Policies.PasswordPolicy.TemporaryPasswordValidityDays == 0 {
		st.Policies.PasswordPolicy.TemporaryPasswordValidityDays = 7
	}
	if st.Policies.PasswordPolicy.MinimumLength == 0 {
		st.Policies.PasswordPolicy.MinimumLength = 8
	}
	if st.MfaConfiguration == "" {
		st.MfaConfiguration = mfaOff
	}
	if st.DeletionProtection == "" {
		st.DeletionProtection = "INACTIVE"
	}
	if st.UsernameConfiguration == nil {
		// Cognate follows its product decision: case-insensitive by default.
		st.UsernameConfiguration = &UsernameConfiguration{CaseSensitive: false}
	}
	if st.AdminCreateUserConfig == nil {
		st.AdminCreateUserConfig = &AdminCreateUserConfig{}
	}
	if st.UserPoolTier == "" {
		st.UserPoolTier = TierEssentials
	}
	if err := requirePoolTier(st); err != nil {
		return st, err
	}
	if len(st.AliasAttributes) > 0 && len(st.UsernameAttributes) > 0 {
		return st, Errorf(InvalidParameter, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	if err := checkPreTokenGenerationConfig(st.LambdaConfig); err != nil {
		return st, err
	}
	if err := checkCustomSenderConfig(st.LambdaConfig); err != nil {
		return st, err
	}
	return st, nil
}

// checkPreTokenGenerationConfig holds LambdaConfigType's rule for the two
// ways to name the PreTokenGeneration function: when both PreTokenGeneration
// and PreTokenGenerationConfig are set they must name the same function (the
// wire decoder checks PreTokenGenerationConfig's required members and
// LambdaVersion's values against the model). Cognito's message for a
// mismatch is not documented; this one says what is wrong.
func checkPreTokenGenerationConfig(raw json.RawMessage) error {
	var c lambdaConfig
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil || c.PreTokenGenerationConfig == nil {
		return nil
	}
	if arn := c.PreTokenGenerationConfig.LambdaArn; c.PreTokenGeneration != "" && arn != "" && c.PreTokenGeneration != arn {
		return Errorf(InvalidParameter, "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function when both are set.")
	}
	return nil
}

// GetPool returns the pool or ResourceNotFoundException.
func GetPool(ctx context.Context, st PoolStore, id string) (Pool, error) {
	p, err := st.GetPool(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Pool{}, Errorf(ResourceNotFound, "User pool %s does not exist.", id)
	}
	return p, err
}

// DescribePool returns the pool and its user count.
func (s *Pools) DescribePool(ctx context.Context, id string) (Pool, int, error) {
	p, err := GetPool(ctx, s.Store, id)
	if err != nil {
		return Pool{}, 0, err
	}
	n, err := s.Store.CountUsers(ctx, id)
	return p, n, err
}

// ListPools pages through pools; the token is the last ID of the page.
func (s *Pools) ListPools(ctx context.Context, max int, token string) ([]Pool, string, error) {
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	pools, err := s.Store.ListPools(ctx, after, max+1)
	if err != nil {
		return nil, "", err
	}
	pools, next := page(pools, max, func(p Pool) string { return p.ID })
	return pools, next, nil
}

// UpdatePoolInput is UpdateUserPoolRequest: settings replace the old ones.
type UpdatePoolInput struct {
	UserPoolId string
	PoolName   string
	PoolSettings
}

// UpdatePool replaces the pool's updatable settings, as UpdateUserPool does:
// members left out return to their defaults.
func (s *Pools) UpdatePool(ctx context.Context, in UpdatePoolInput) error {
	cur, err := GetPool(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return err
	}
	if err := checkClientsAllowTier(ctx, s.Store, &cur, in.UserPoolTier); err != nil {
		return err
	}
	_, err = s.Store.UpdatePool(ctx, in.UserPoolId, func(p Pool) (Pool, error) {
		next := in.PoolSettings
		if next.UserPoolTier == "" {
			next.UserPoolTier = p.Settings.UserPoolTier // the one member left out that keeps its value
		}
		// Immutable after creation.
		next.UsernameAttributes = p.Settings.UsernameAttributes
		next.AliasAttributes = p.Settings.AliasAttributes
		next.UsernameConfiguration = p.Settings.UsernameConfiguration
		// Not an UpdateUserPool member: SetUserPoolMfaConfig's alone.
		next.SoftwareTokenMfaEnabled = p.Settings.SoftwareTokenMfaEnabled
		next.WebAuthn = p.Settings.WebAuthn
		next.LogDeliveryConfiguration = p.Settings.LogDeliveryConfiguration
		next.EmailMfa = p.Settings.EmailMfa
		norm, err := normalizePoolSettings(next)
		if err != nil {
			return p, err
		}
		if err := checkSettledAllowTier(&p, norm.UserPoolTier); err != nil {
			return p, err
		}
		p.Settings = norm
		if in.PoolName != "" {
			p.Name = in.PoolName
		}
		p.ModifiedAt = s.Now()
		return p, nil
	})
	return err
}

// DeletePool deletes a pool unless deletion protection is on.
func (s *Pools) DeletePool(ctx context.Context, id string) error {
	p, err := GetPool(ctx, s.Store, id)
	if err != nil {
		return err
	}
	if p.Settings.DeletionProtection == "ACTIVE" {
		return Errorf(InvalidParameter, "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	return s.Store.DeletePool(ctx, id)
}

// CreateClientInput is CreateUserPoolClientRequest.
type CreateClientInput struct {
	UserPoolId     string
	GenerateSecret bool
	ClientSecret   string
	ClientSettings
	EnableTokenRevocation *bool
}

// defaultExplicitAuthFlows are what a client gets when it names none.
var defaultExplicitAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}

// CreateClient creates an app client.
func (s *Pools) CreateClient(ctx context.Context, in CreateClientInput) (Client, error) {
	pool, err := GetPool(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return Client{}, err
	}
	settings := in.ClientSettings
	settings.EnableTokenRevocation = in.EnableTokenRevocation == nil || *in.EnableTokenRevocation
	if err := normalizeClientSettings(&settings); err != nil {
		return Client{}, err
	}
	if err := RequireTier(tierOf(&pool), clientFeatures(settings)...); err != nil {
		return Client{}, err
	}
	now := s.Now()
	c := Client{
		ID:         randomString(26, idAlphabet),
		PoolID:     in.UserPoolId,
		Settings:   settings,
		CreatedAt:  now,
		ModifiedAt: now,
	}
	if in.ClientSecret != "" && in.GenerateSecret {
		return Client{}, Errorf(InvalidParameter, "You cannot specify both GenerateSecret as true and a ClientSecret value.")
	}
	switch {
	case in.ClientSecret != "":
		c.Secrets = []ClientSecret{{ID: ClientSecretID(c.ID, now), Value: in.ClientSecret, CreatedAt: now}}
	case in.GenerateSecret:
		c.Secrets = []ClientSecret{{ID: ClientSecretID(c.ID, now), Value: newClientSecretValue(), CreatedAt: now}}
	}
	if err := s.Store.CreateClient(ctx, c); err != nil {
		return Client{}, err
	}
	return c, nil
}

func normalizeClientSettings(st *ClientSettings) error {
	if len(st.ExplicitAuthFlows) == 0 {
		st.ExplicitAuthFlows = append([]string(nil), defaultExplicitAuthFlows...)
	}
	legacy, modern := false, false
	for _, f := range st.ExplicitAuthFlows {
		if strings.HasPrefix(f, "ALLOW_") {
			modern = true
		} else {
			legacy = true
		}
	}
	if legacy && modern {
		return Errorf(InvalidParameter, "The combination of ExplicitAuthFlows values is invalid. Cannot mix legacy and new auth flow names.")
	}
	if st.RefreshTokenValidity == 0 {
		st.RefreshTokenValidity = 30
		if st.TokenValidityUnits != nil && st.TokenValidityUnits.RefreshToken != "" && st.TokenValidityUnits.RefreshToken != "days" {
			st.RefreshTokenValidity = int(30 * 24 * time.Hour / unitDuration(st.TokenValidityUnits.RefreshToken))
		}
	}
	if err := checkRedirectURLs(st); err != nil {
		return err
	}
	if st.PreventUserExistenceErrors == "" {
		st.PreventUserExistenceErrors = "LEGACY"
	}
	if st.AuthSessionValidity == 0 {
		st.AuthSessionValidity = 3
	}
	v := ValiditiesOf(*st)
	if v.Access < 5*time.Minute || v.Access > 24*time.Hour {
		return Errorf(InvalidParameter, "Access token validity must be between 5 minutes and 1 day.")
	}
	if v.ID < 5*time.Minute || v.ID > 24*time.Hour {
		return Errorf(InvalidParameter, "Id token validity must be between 5 minutes and 1 day.")
	}
	if v.Refresh < time.Hour || v.Refresh > 10*365*24*time.Hour {
		return Errorf(InvalidParameter, "Refresh token validity must be between 60 minutes and 3650 days.")
	}
	if v.Refresh < v.Access || v.Refresh < v.ID {
		return Errorf(InvalidParameter, "Refresh token validity must be greater than or equal to access and id token validity.")
	}
	return nil
}

// Validities are a client's token lifetimes.
type Validities struct{ Access, ID, Refresh time.Duration }

func unitDuration(unit string) time.Duration {
	switch unit {
	case "seconds":
		return time.Second
	case "minutes":
		return time.Minute
	case "days":
		return 24 * time.Hour
	}
	return time.Hour
}

// ValiditiesOf resolves values and units (defaults: hours, hours, days).
func ValiditiesOf(st ClientSettings) Validities {
	u := TokenValidityUnits{AccessToken: "hours", IdToken: "hours", RefreshToken: "days"}
	if st.TokenValidityUnits != nil {
		if st.TokenValidityUnits.AccessToken != "" {
			u.AccessToken = st.TokenValidityUnits.AccessToken
		}
		if st.TokenValidityUnits.IdToken != "" {
			u.IdToken = st.TokenValidityUnits.IdToken
		}
		if st.TokenValidityUnits.RefreshToken != "" {
			u.RefreshToken = st.TokenValidityUnits.RefreshToken
		}
	}
	v := Validities{Access: time.Hour, ID: time.Hour, Refresh: 30 * 24 * time.Hour}
	if st.AccessTokenValidity > 0 {
		v.Access = time.Duration(st.AccessTokenValidity) * unitDuration(u.AccessToken)
	}
	if st.IdTokenValidity > 0 {
		v.ID = time.Duration(st.IdTokenValidity) * unitDuration(u.IdToken)
	}
	if st.RefreshTokenValidity > 0 {
		v.Refresh = time.Duration(st.RefreshTokenValidity) * unitDuration(u.RefreshToken)
	}
	return v
}

// GetClient returns the client of the pool or ResourceNotFoundException.
func GetClient(ctx context.Context, st ClientStore, poolID, clientID string) (Client, error) {
	c, err := st.GetClient(ctx, clientID)
	if errors.Is(err, ErrNotFound) || (err == nil && poolID != "" && c.PoolID != poolID) {
		return Client{}, Errorf(ResourceNotFound, "User pool client %s does not exist.", clientID)
	}
	return c, err
}

// DescribeClient returns a client of a pool.
func (s *Pools) DescribeClient(ctx context.Context, poolID, clientID string) (Client, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return Client{}, err
	}
	return GetClient(ctx, s.Store, poolID, clientID)
}

// ListClients pages through a pool's clients.
func (s *Pools) ListClients(ctx context.Context, poolID string, max int, token string) ([]Client, string, error) {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return nil, "", err
	}
	after, err := decodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	if max <= 0 {
		max = 60
	}
	cs, err := s.Store.ListClients(ctx, poolID, after, max+1)
	if err != nil {
		return nil, "", err
	}
	cs, next := page(cs, max, func(c Client) string { return c.ID })
	return cs, next, nil
}

// UpdateClientInput is UpdateUserPoolClientRequest.
type UpdateClientInput struct {
	UserPoolId string
	ClientId   string
	ClientSettings
	EnableTokenRevocation *bool
}

// UpdateClient replaces a client's settings; members left out return to
// their defaults, as in Cognito.
func (s *Pools) UpdateClient(ctx context.Context, in UpdateClientInput) (Client, error) {
	pool, err := GetPool(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return Client{}, err
	}
	if _, err := GetClient(ctx, s.Store, in.UserPoolId, in.ClientId); err != nil {
		return Client{}, err
	}
	return s.Store.UpdateClient(ctx, in.ClientId, func(c Client) (Client, error) {
		next := in.ClientSettings
		if next.ClientName == "" {
			next.ClientName = c.Settings.ClientName
		}
		next.EnableTokenRevocation = c.Settings.EnableTokenRevocation
		if in.EnableTokenRevocation != nil {
			next.EnableTokenRevocation = *in.EnableTokenRevocation
		}
		if err := normalizeClientSettings(&next); err != nil {
			return c, err
		}
		if err := RequireTier(tierOf(&pool), clientFeatures(next)...); err != nil {
			return c, err
		}
		c.Settings = next
		c.ModifiedAt = s.Now()
		return c, nil
	})
}

// DeleteClient deletes a client of a pool.
func (s *Pools) DeleteClient(ctx context.Context, poolID, clientID string) error {
	if _, err := s.DescribeClient(ctx, poolID, clientID); err != nil {
		return err
	}
	return s.Store.DeleteClient(ctx, clientID)
}

// Page tokens are opaque to clients; they carry the last key of a page.
func encodePageToken(last string) string { return pageTokenEncoding.EncodeToString([]byte(last)) }

func decodePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := pageTokenEncoding.DecodeString(tok)
	if err != nil {
		return "", Errorf(InvalidParameter, "Invalid pagination token: %s", truncate(tok, 64))
	}
	return string(b), nil
}

// truncate shortens input quoted in an error message to n bytes, marking
// the cut with "…" (the server's clip cuts without a mark).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s…", s[:n])
}
