package userpool

import (
	"context"
	"slices"
	"strings"
)

// Sign-in identifiers other than the username: with UsernameAttributes a
// user signs in with an email or phone number (the internal username is a
// UUID); with AliasAttributes a verified email or phone number, or a
// preferred_username, works as an alias.

// aliasUser finds a user by an alias or username attribute.
func aliasUser(ctx context.Context, st UserStore, p *Pool, value string) (User, bool, error) {
	usernameAttrs, aliasAttrs := p.Settings.UsernameAttributes, p.Settings.AliasAttributes
	if len(usernameAttrs) == 0 && len(aliasAttrs) == 0 {
		return User{}, false, nil
	}
	fold := !(p.Settings.UsernameConfiguration != nil && p.Settings.UsernameConfiguration.CaseSensitive)
	for _, attr := range []string{"email", "phone_number", "preferred_username"} {
		asUsername := slices.Contains(usernameAttrs, attr)
		if !asUsername && !slices.Contains(aliasAttrs, attr) {
			continue
		}
		users, err := st.FindUsersByAttribute(ctx, p.ID, attr, value, fold && attr != "phone_number")
		if err != nil {
			return User{}, false, err
		}
		for _, u := range users {
			// An email or phone alias counts only once verified.
			if !asUsername && attr != "preferred_username" {
				if v, _ := u.Attribute(attr + "_verified"); v != "true" {
					continue
				}
			}
			return u, true, nil
		}
	}
	return User{}, false, nil
}

// newIdentity turns the username given to SignUp or AdminCreateUser into
// the internal username and attributes: in pools that sign in with email
// or phone number, the internal username is the user's sub.
func newIdentity(ctx context.Context, st UserStore, p *Pool, username, sub string, attrs []Attribute) (string, []Attribute, error) {
	ua := p.Settings.UsernameAttributes
	if len(ua) == 0 {
		if v, ok := (&User{Attributes: attrs}).Attribute("preferred_username"); ok && slices.Contains(p.Settings.AliasAttributes, "preferred_username") {
			if others, _ := st.FindUsersByAttribute(ctx, p.ID, "preferred_username", v, true); len(others) > 0 {
				return "", nil, Errorf(AliasExists, "An account with the given preferred_username already exists.")
			}
		}
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
	others, err := st.FindUsersByAttribute(ctx, p.ID, attr, username, attr == "email")
	if err != nil {
		return "", nil, err
	}
	if len(others) > 0 {
		return "", nil, Errorf(UsernameExists, "An account with the given %s already exists.", attr)
	}
	if _, ok := (&User{Attributes: attrs}).Attribute(attr); !ok {
		attrs = append(attrs, Attribute{Name: attr, Value: username})
	}
	return sub, attrs, nil
}
