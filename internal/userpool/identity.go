package userpool

import (
	"slices"
	"strings"
)

// Sign-in identifiers other than the username: with UsernameAttributes a
// user signs in with an email or phone number (the internal username is a
// UUID); with AliasAttributes a verified email or phone number, or a
// preferred_username, works as an alias.

// newIdentity turns the username given to SignUp or AdminCreateUser into
// the internal username and attributes: in pools that sign in with email
// or phone number, the internal username is the user's sub.
func newIdentity(p *Pool, username, sub string, attrs []Attribute) (string, []Attribute, error) {
	ua := p.Settings.UsernameAttributes
	if len(ua) == 0 {
		return username, attrs, nil
	}
	attr := ""
	switch {
	case strings.Contains(username, "@") && slices.Contains(ua, "email"):
		attr = "email"
	case strings.HasPrefix(username, "+") && slices.Contains(ua, "phone_number"):
		attr = "phone_number"
	case len(ua) == 1 && ua[0] == "email":
		return "", nil, Errorf(InvalidParameter, "Username should be an email.")
	case len(ua) == 1:
		return "", nil, Errorf(InvalidParameter, "Username should be a phone number.")
	default:
		return "", nil, Errorf(InvalidParameter, "Username should be either an email or a phone number.")
	}
	if _, ok := (&User{Attributes: attrs}).Attribute(attr); !ok {
		attrs = append(attrs, Attribute{Name: attr, Value: username})
	}
	return sub, attrs, nil
}
