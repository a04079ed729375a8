package userpool

import (
	"slices"
	"testing"
)

func TestSignInNames(t *testing.T) {
	emailUser := &Pool{Settings: PoolSettings{UsernameAttributes: []string{"email"}}}
	both := &Pool{Settings: PoolSettings{UsernameAttributes: []string{"email", "phone_number"}}}
	alias := &Pool{Settings: PoolSettings{AliasAttributes: []string{"email", "phone_number", "preferred_username"}}}
	sensitive := &Pool{Settings: PoolSettings{AliasAttributes: []string{"email", "preferred_username"},
		UsernameConfiguration: &UsernameConfiguration{CaseSensitive: true}}}
	plain := &Pool{}
	a := func(kv ...string) []Attribute {
		var out []Attribute
		for i := 0; i < len(kv); i += 2 {
			out = append(out, Attribute{kv[i], kv[i+1]})
		}
		return out
	}
	cases := []struct {
		name  string
		pool  *Pool
		attrs []Attribute
		want  []string
	}{
		{"username attribute, unverified", emailUser, a("email", "Vic@Example.test"), []string{"email:vic@example.test"}},
		{"username attribute, verified", emailUser, a("email", "vic@example.test", "email_verified", "true"), []string{"email:vic@example.test"}},
		{"phone is not a name where only email is", emailUser, a("email", "v@x.test", "phone_number", "+15550100"), []string{"email:v@x.test"}},
		{"email and phone as usernames", both, a("phone_number", "+15550100", "email", "v@x.test"), []string{"email:v@x.test", "phone_number:+15550100"}},
		{"alias unverified is no name", alias, a("email", "v@x.test", "email_verified", "false"), []string{}},
		{"alias without the flag is no name", alias, a("email", "v@x.test"), []string{}},
		{"alias verified", alias, a("email", "V@x.test", "email_verified", "true"), []string{"email:v@x.test"}},
		{"phone alias verified, exact", alias, a("phone_number", "+15550100", "phone_number_verified", "true"), []string{"phone_number:+15550100"}},
		{"preferred_username needs no verification", alias, a("preferred_username", "Vic"), []string{"preferred_username:vic"}},
		{"case-sensitive pool keeps preferred_username's case", sensitive, a("preferred_username", "Vic"), []string{"preferred_username:Vic"}},
		{"case-sensitive pool still folds emails", sensitive, a("email", "V@X.test", "email_verified", "true"), []string{"email:v@x.test"}},
		{"empty value is no name", alias, a("preferred_username", ""), []string{}},
		{"no username or alias attributes", plain, a("email", "v@x.test", "email_verified", "true"), []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SignInNames(c.pool, c.attrs)
			if got == nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %#v, want %q", got, c.want)
			}
		})
	}
}

func TestNameTaken(t *testing.T) {
	cases := []struct {
		err      error
		typ      string
		wantType string
		wantMsg  string
	}{
		{&NameTakenError{Name: "email:v@x.test"}, AliasExists, AliasExists, "An account with the given email already exists."},
		{&NameTakenError{Name: "phone_number:+1555"}, UsernameExists, UsernameExists, "An account with the given phone_number already exists."},
		{&NameTakenError{Name: "preferred_username:vic"}, AliasExists, AliasExists, "An account with the given preferred_username already exists."},
		{ErrNotFound, AliasExists, InternalError, ""},
	}
	for _, c := range cases {
		err := nameTaken(c.err, c.typ)
		if ErrorType(err) != c.wantType || (c.wantMsg != "" && ErrorMessage(err) != c.wantMsg) {
			t.Errorf("nameTaken(%v) = %v, want %s %q", c.err, err, c.wantType, c.wantMsg)
		}
	}
}
