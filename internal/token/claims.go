package token

import (
	"encoding/json"
)

// AccessClaims are the claims of a Cognito access token.
type AccessClaims struct {
	Sub       string   `json:"sub"`
	Groups    []string `json:"cognito:groups,omitempty"`
	Iss       string   `json:"iss"`
	Version   int      `json:"version,omitempty"`
	ClientID  string   `json:"client_id"`
	OriginJTI string   `json:"origin_jti,omitempty"`
	EventID   string   `json:"event_id,omitempty"`
	TokenUse  string   `json:"token_use"`
	Scope     string   `json:"scope"`
	AuthTime  int64    `json:"auth_time"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	JTI       string   `json:"jti"`
	Username  string   `json:"username,omitempty"`
	DeviceKey string   `json:"device_key,omitempty"`
}

// ParseAccessClaims decodes the payload of a verified access token.
func ParseAccessClaims(payload []byte) (*AccessClaims, error) {
	var c AccessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// IDClaims are the claims of a Cognito ID token; Attributes (email,
// email_verified as a boolean, custom:* as strings, …) sit at the top level
// beside the reserved claims.
type IDClaims struct {
	Sub             string
	Groups          []string
	Iss             string
	CognitoUsername string
	OriginJTI       string
	Aud             string
	EventID         string
	TokenUse        string
	AuthTime        int64
	Exp             int64
	Iat             int64
	JTI             string
	Nonce           string
	AtHash          string
	Roles           []string
	PreferredRole   string
	Attributes      map[string]any
}

// reserved are the claims attributes may never overwrite.
var reserved = map[string]bool{"sub": true, "cognito:groups": true, "iss": true, "cognito:username": true,
	"origin_jti": true, "aud": true, "event_id": true, "token_use": true, "auth_time": true, "exp": true,
	"iat": true, "jti": true, "nonce": true, "at_hash": true, "cognito:roles": true, "cognito:preferred_role": true}

// MarshalJSON merges the attributes into the claim object.
func (c *IDClaims) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 16+len(c.Attributes))
	for k, v := range c.Attributes {
		if !reserved[k] {
			m[k] = v
		}
	}
	m["sub"] = c.Sub
	if len(c.Groups) > 0 {
		m["cognito:groups"] = c.Groups
	}
	if len(c.Roles) > 0 {
		m["cognito:roles"] = c.Roles
	}
	if c.PreferredRole != "" {
		m["cognito:preferred_role"] = c.PreferredRole
	}
	m["iss"] = c.Iss
	m["cognito:username"] = c.CognitoUsername
	if c.OriginJTI != "" {
		m["origin_jti"] = c.OriginJTI
	}
	m["aud"] = c.Aud
	if c.EventID != "" {
		m["event_id"] = c.EventID
	}
	m["token_use"] = c.TokenUse
	m["auth_time"] = c.AuthTime
	m["exp"] = c.Exp
	m["iat"] = c.Iat
	m["jti"] = c.JTI
	if c.Nonce != "" {
		m["nonce"] = c.Nonce
	}
	if c.AtHash != "" {
		m["at_hash"] = c.AtHash
	}
	return json.Marshal(m)
}
