package server

import (
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
	userpool.PoolSettings
}

// wirePoolSummary is UserPoolDescriptionType.
type wirePoolSummary struct {
	Id               string
	Name             string
	CreationDate     epoch
	LastModifiedDate epoch
	LambdaConfig     any
}

func (s *Server) poolARN(poolID string) string {
	region, _ := userpool.SplitPoolID(poolID)
	return "arn:aws:cognito-idp:" + region + ":" + s.Account + ":userpool/" + poolID
}

func (s *Server) renderPool(p userpool.Pool, users int) wirePool {
	return wirePool{
		Id: p.ID, Name: p.Name, Arn: s.poolARN(p.ID),
		CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.ModifiedAt),
		EstimatedNumberOfUsers: users, SchemaAttributes: p.Schema, PoolSettings: p.Settings,
	}
}

// wireClient is UserPoolClientType.
type wireClient struct {
	UserPoolId       string
	ClientId         string
	ClientSecret     string `json:",omitempty"`
	CreationDate     epoch
	LastModifiedDate epoch
	userpool.ClientSettings
}

// renderClient shows the client's first secret as ClientSecret (the one
// it was created with, until that is deleted); ListUserPoolClientSecrets
// names them all.
func renderClient(c userpool.Client) wireClient {
	w := wireClient{UserPoolId: c.PoolID, ClientId: c.ID,
		CreationDate: epoch(c.CreatedAt), LastModifiedDate: epoch(c.ModifiedAt), ClientSettings: c.Settings}
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

// wireAuthOutput is InitiateAuthResponse and its siblings.
type wireAuthOutput struct {
	ChallengeName        string            `json:",omitempty"`
	Session              string            `json:",omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	AuthenticationResult *wireAuthResult   `json:",omitempty"`
}

func renderAuth(r userpool.AuthResult) wireAuthOutput {
	out := wireAuthOutput{ChallengeName: r.ChallengeName, Session: r.Session, ChallengeParameters: r.ChallengeParameters}
	if out.ChallengeParameters == nil {
		out.ChallengeParameters = map[string]string{}
	}
	if t := r.Tokens; t != nil {
		out.AuthenticationResult = &wireAuthResult{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn,
			TokenType: t.TokenType, RefreshToken: t.RefreshToken, IdToken: t.IDToken, NewDeviceMetadata: t.NewDevice}
	}
	return out
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

func renderDevices(ds []userpool.Device, next string) map[string]any {
	out := make([]wireDevice, 0, len(ds))
	for _, d := range ds {
		out = append(out, renderDevice(d))
	}
	res := map[string]any{"Devices": out}
	if next != "" {
		res["PaginationToken"] = next
	}
	return res
}
