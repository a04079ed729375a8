package userpool

import "strings"

// Filter is a parsed ListUsers filter: `attr = "value"` or `attr ^= "value"`.
type Filter struct {
	Attr   string
	Prefix bool
	Value  string
}

// filterable maps the filter names Cognito accepts to how they are read.
var filterable = map[string]bool{
	"username": true, "email": true, "phone_number": true, "name": true, "given_name": true,
	"family_name": true, "preferred_username": true, "cognito:user_status": true,
	"status": true, "sub": true,
}

// ParseFilter parses Cognito's ListUsers filter; "" matches everyone.
func ParseFilter(s string) (*Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	bad := Errorf(InvalidParameter, "Error while parsing filter.")
	var attr, op, rest string
	if i := strings.Index(s, "^="); i >= 0 && (strings.Index(s, "=") == i+1) {
		attr, op, rest = s[:i], "^=", s[i+2:]
	} else if i := strings.Index(s, "="); i >= 0 {
		attr, op, rest = s[:i], "=", s[i+1:]
	} else {
		return nil, bad
	}
	attr = strings.TrimSpace(attr)
	attr = strings.Trim(attr, `"`)
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, bad
	}
	var val strings.Builder
	body := rest[1 : len(rest)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && i+1 < len(body) {
			i++
			val.WriteByte(body[i])
			continue
		}
		if c == '"' {
			return nil, bad
		}
		val.WriteByte(c)
	}
	if !filterable[attr] {
		return nil, Errorf(InvalidParameter, "Invalid search attribute: %s", attr)
	}
	return &Filter{Attr: attr, Prefix: op == "^=", Value: val.String()}, nil
}

// Match reports whether u passes the filter (a nil filter passes everyone).
func (f *Filter) Match(u *User) bool {
	if f == nil {
		return true
	}
	var have string
	switch f.Attr {
	case "username":
		have = u.Username
	case "cognito:user_status":
		have = u.Status
	case "status":
		have = "Disabled"
		if u.Enabled {
			have = "Enabled"
		}
	default:
		v, ok := u.Attribute(f.Attr)
		if !ok {
			return false
		}
		have = v
	}
	if f.Prefix {
		return strings.HasPrefix(strings.ToLower(have), strings.ToLower(f.Value))
	}
	return have == f.Value
}
