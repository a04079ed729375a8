package userpool

import (
	"slices"
	"strings"
)

// UserInfoClaims is what /oauth2/userInfo answers for a user, given the
// scopes of the access token and the client's ReadAttributes, as Cognito
// documents it:
//   - openid without email, phone or profile: every attribute the client
//     can read;
//   - profile: the OIDC profile claims and the custom attributes;
//   - email: email and email_verified; phone: phone_number and
//     phone_number_verified;
//   - always sub and username; aws.cognito.signin.user.admin and
//     resource-server scopes change nothing.
//
// Either way only attributes in readAttributes, when it is set. Values stay
// strings, as in Cognito's answer.
func UserInfoClaims(u *User, readAttributes []string, scope string) map[string]string {
	scopes := strings.Fields(scope)
	narrowed := slices.Contains(scopes, "email") || slices.Contains(scopes, "phone") || slices.Contains(scopes, "profile")
	out := map[string]string{"sub": u.Sub, "username": u.Username}
	for _, at := range u.Attributes {
		if at.Name == "sub" || strings.HasPrefix(at.Name, "dev:") {
			continue
		}
		if len(readAttributes) > 0 && !slices.Contains(readAttributes, at.Name) {
			continue
		}
		if narrowed && !slices.Contains(scopes, attributeScope(at.Name)) {
			continue
		}
		out[at.Name] = at.Value
	}
	return out
}

// attributeScope is the scope that covers an attribute in userInfo ("" for
// attributes only openid alone returns, such as address).
func attributeScope(name string) string {
	switch name {
	case "email", "email_verified":
		return "email"
	case "phone_number", "phone_number_verified":
		return "phone"
	case "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "gender", "birthdate", "zoneinfo", "locale", "updated_at":
		return "profile"
	}
	if strings.HasPrefix(name, "custom:") {
		return "profile"
	}
	return ""
}
