package server

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// epoch renders a time as Cognito does: epoch seconds, a JSON number.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// wirePool is UserPoolType.
type wirePool struct {
	Id                     string
	Name                   string
	Arn                    string
	CreationDate           epoch
	LastModifiedDate       epoch
	EstimatedNumberOfUsers int
	SchemaAttributes       []userpool.SchemaAttribute
	wirePoolSettings
}

// wirePoolSettings is userpool.PoolSettings as UserPoolType shows it. It has
// the same fields, so renderPool converts rather than copies, and a field
// added to the domain does not compile here until it gets a wire name or
// is hidden: domain-only state never reaches the wire by accident.
type wirePoolSettings struct {
	Policies                    *userpool.PoolPolicies          `json:"Policies,omitempty"`
	DeletionProtection          string                          `json:"DeletionProtection,omitempty"`
	LambdaConfig                json.RawMessage                 `json:"LambdaConfig,omitempty"`
	AutoVerifiedAttributes      []string                        `json:"AutoVerifiedAttributes,omitempty"`
	AliasAttributes             []string                        `json:"AliasAttributes,omitempty"`
	UsernameAttributes          []string                        `json:"UsernameAttributes,omitempty"`
	SmsVerificationMessage      string                          `json:"SmsVerificationMessage,omitempty"`
	EmailVerificationMessage    string                          `json:"EmailVerificationMessage,omitempty"`
	EmailVerificationSubject    string                          `json:"EmailVerificationSubject,omitempty"`
	VerificationMessageTemplate json.RawMessage                 `json:"VerificationMessageTemplate,omitempty"`
	SmsAuthenticationMessage    string                          `json:"SmsAuthenticationMessage,omitempty"`
	UserAttributeUpdateSettings json.RawMessage                 `json:"UserAttributeUpdateSettings,omitempty"`
	MfaConfiguration            string                          `json:"MfaConfiguration,omitempty"`
	DeviceConfiguration         *userpool.DeviceConfiguration   `json:"DeviceConfiguration,omitempty"`
	EmailConfiguration          json.RawMessage                 `json:"EmailConfiguration,omitempty"`
	SmsConfiguration            json.RawMessage                 `json:"SmsConfiguration,omitempty"`
	UserPoolTags                map[string]string               `json:"UserPoolTags,omitempty"`
	AdminCreateUserConfig       *userpool.AdminCreateUserConfig `json:"AdminCreateUserConfig,omitempty"`
	UserPoolAddOns              json.RawMessage                 `json:"UserPoolAddOns,omitempty"`
	UsernameConfiguration       *userpool.UsernameConfiguration `json:"UsernameConfiguration,omitempty"`
	AccountRecoverySetting      json.RawMessage                 `json:"AccountRecoverySetting,omitempty"`
	UserPoolTier                string                          `json:"UserPoolTier,omitempty"`
	SoftwareTokenMfaEnabled     bool                            `json:"-"` // domain state: GetUserPoolMfaConfig shows it
	LogDeliveryConfiguration    []userpool.LogConfiguration     `json:"-"` // GetLogDeliveryConfiguration shows it
	EmailMfa                    *userpool.EmailMfaConfig        `json:"-"` // the same
}

// wirePoolSummary is UserPoolDescriptionType.
type wirePoolSummary struct {
	Id               string
	Name             string
	CreationDate     epoch
	LastModifiedDate epoch
	LambdaConfig     json.RawMessage
}

// noLambdas is LambdaConfigType with no triggers: ListUserPools always
// names it.
var noLambdas = json.RawMessage(`{}`)

func renderPoolSummary(p userpool.Pool) wirePoolSummary {
	sum := wirePoolSummary{Id: p.ID, Name: p.Name, CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.ModifiedAt),
		LambdaConfig: p.Settings.LambdaConfig}
	if len(sum.LambdaConfig) == 0 {
		sum.LambdaConfig = noLambdas
	}
	return sum
}

func (s *Server) poolARN(poolID string) string {
	region, _ := userpool.SplitPoolID(poolID)
	return "arn:aws:cognito-idp:" + region + ":" + s.Account + ":userpool/" + poolID
}

func (s *Server) renderPool(p userpool.Pool, users int) wirePool {
	return wirePool{
		Id: p.ID, Name: p.Name, Arn: s.poolARN(p.ID),
		CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.ModifiedAt),
		EstimatedNumberOfUsers: users, SchemaAttributes: p.Schema, wirePoolSettings: wirePoolSettings(p.Settings),
	}
}

// wireClient is UserPoolClientType.
type wireClient struct {
	UserPoolId       string
	ClientId         string
	ClientSecret     string `json:",omitempty"`
	CreationDate     epoch
	LastModifiedDate epoch
	wireClientSettings
}

// wireClientSettings is userpool.ClientSettings as UserPoolClientType
// shows it (a conversion, like wirePoolSettings).
type wireClientSettings struct {
	ClientName                               string                         `json:"ClientName"`
	RefreshTokenValidity                     int                            `json:"RefreshTokenValidity"`
	AccessTokenValidity                      int                            `json:"AccessTokenValidity,omitempty"`
	IdTokenValidity                          int                            `json:"IdTokenValidity,omitempty"`
	TokenValidityUnits                       *userpool.TokenValidityUnits   `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                           []string                       `json:"ReadAttributes,omitempty"`
	WriteAttributes                          []string                       `json:"WriteAttributes,omitempty"`
	ExplicitAuthFlows                        []string                       `json:"ExplicitAuthFlows,omitempty"`
	SupportedIdentityProviders               []string                       `json:"SupportedIdentityProviders,omitempty"`
	CallbackURLs                             []string                       `json:"CallbackURLs,omitempty"`
	LogoutURLs                               []string                       `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI                       string                         `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows                        []string                       `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes                       []string                       `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient          bool                           `json:"AllowedOAuthFlowsUserPoolClient"`
	AnalyticsConfiguration                   json.RawMessage                `json:"AnalyticsConfiguration,omitempty"`
	PreventUserExistenceErrors               string                         `json:"PreventUserExistenceErrors,omitempty"`
	EnableTokenRevocation                    bool                           `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData bool                           `json:"EnablePropagateAdditionalUserContextData"`
	AuthSessionValidity                      int                            `json:"AuthSessionValidity,omitempty"`
	RefreshTokenRotation                     *userpool.RefreshTokenRotation `json:"RefreshTokenRotation,omitempty"`
}

// renderClient shows the client's first secret as ClientSecret (the one
// it was created with, until that is deleted); ListUserPoolClientSecrets
// names them all.
func renderClient(c userpool.Client) wireClient {
	w := wireClient{UserPoolId: c.PoolID, ClientId: c.ID,
		CreationDate: epoch(c.CreatedAt), LastModifiedDate: epoch(c.ModifiedAt), wireClientSettings: wireClientSettings(c.Settings)}
	if c.Confidential() {
		w.ClientSecret = c.Secrets[0].Value
	}
	return w
}

// wireClientSecret is ClientSecretDescriptorType.
type wireClientSecret struct {
	ClientSecretId         string
	ClientSecretValue      string `json:",omitempty"`
	ClientSecretCreateDate epoch
}

// renderClientSecret shows a secret's value only when Cognate generated it
// in the same call, as Cognito does.
func renderClientSecret(sec userpool.ClientSecret, showValue bool) wireClientSecret {
	w := wireClientSecret{ClientSecretId: sec.ID, ClientSecretCreateDate: epoch(sec.CreatedAt)}
	if showValue {
		w.ClientSecretValue = sec.Value
	}
	return w
}

// wireUser is UserType (Attributes) — AdminGetUser renders UserAttributes.
type wireUser struct {
	Username             string
	Attributes           []userpool.Attribute
	UserCreateDate       epoch
	UserLastModifiedDate epoch
	Enabled              bool
	UserStatus           string
}

func renderUser(u userpool.User) wireUser {
	attrs := u.Attributes
	if attrs == nil {
		attrs = []userpool.Attribute{}
	}
	return wireUser{Username: u.Username, Attributes: attrs, UserCreateDate: epoch(u.CreatedAt),
		UserLastModifiedDate: epoch(u.ModifiedAt), Enabled: u.Enabled, UserStatus: u.Status}
}

// wireAuthResult is AuthenticationResultType.
type wireAuthResult struct {
	AccessToken       string
	ExpiresIn         int
	TokenType         string
	RefreshToken      string `json:",omitempty"`
	IdToken           string
	NewDeviceMetadata *userpool.NewDevice `json:",omitempty"`
}

func renderTokens(t *userpool.Tokens) *wireAuthResult {
	if t == nil {
		return nil
	}
	return &wireAuthResult{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn,
		TokenType: t.TokenType, RefreshToken: t.RefreshToken, IdToken: t.IDToken, NewDeviceMetadata: t.NewDevice}
}

// wireDevice is DeviceType.
type wireDevice struct {
	DeviceKey                   string
	DeviceAttributes            []userpool.Attribute
	DeviceCreateDate            epoch
	DeviceLastModifiedDate      epoch
	DeviceLastAuthenticatedDate epoch
}

func renderDevice(d userpool.Device) wireDevice {
	attrs := []userpool.Attribute{{Name: "device_status", Value: "valid"}}
	if d.Name != "" {
		attrs = append(attrs, userpool.Attribute{Name: "device_name", Value: d.Name})
	}
	if d.Remembered != "" {
		attrs = append(attrs, userpool.Attribute{Name: "dev:device_remembered_status", Value: d.Remembered})
	}
	return wireDevice{DeviceKey: d.Key, DeviceAttributes: attrs, DeviceCreateDate: epoch(d.CreatedAt),
		DeviceLastModifiedDate: epoch(d.ModifiedAt), DeviceLastAuthenticatedDate: epoch(d.LastAuthAt)}
}
