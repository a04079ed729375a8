package userpool

import (
	"maps"
	"slices"
	"testing"
)

func TestUserInfoClaims(t *testing.T) {
	u := &User{Sub: "sub-1", Username: "alice", Attributes: []Attribute{
		{Name: "sub", Value: "sub-1"}, {Name: "email", Value: "a@example.com"}, {Name: "email_verified", Value: "true"},
		{Name: "phone_number", Value: "+15555550100"}, {Name: "phone_number_verified", Value: "false"},
		{Name: "name", Value: "Alice"}, {Name: "updated_at", Value: "1700000000"}, {Name: "address", Value: "1 Main St"},
		{Name: "custom:team", Value: "blue"}, {Name: "dev:custom:secret", Value: "x"},
	}}
	always := []string{"sub", "username"}
	for _, tc := range []struct {
		name  string
		scope string
		read  []string
		want  []string
	}{
		{"openid alone: every readable attribute", "openid", nil,
			append([]string{"email", "email_verified", "phone_number", "phone_number_verified", "name", "updated_at", "address", "custom:team"}, always...)},
		{"the admin scope changes nothing", "openid aws.cognito.signin.user.admin", nil,
			append([]string{"email", "email_verified", "phone_number", "phone_number_verified", "name", "updated_at", "address", "custom:team"}, always...)},
		{"email", "openid email", nil, append([]string{"email", "email_verified"}, always...)},
		{"phone", "openid phone", nil, append([]string{"phone_number", "phone_number_verified"}, always...)},
		{"profile: profile claims and custom attributes", "openid profile", nil, append([]string{"name", "updated_at", "custom:team"}, always...)},
		{"email and phone", "openid email phone", nil, append([]string{"email", "email_verified", "phone_number", "phone_number_verified"}, always...)},
		{"ReadAttributes limit openid", "openid", []string{"email", "custom:team"}, append([]string{"email", "custom:team"}, always...)},
		{"ReadAttributes limit email", "openid email", []string{"email", "name"}, append([]string{"email"}, always...)},
		{"ReadAttributes never hide sub and username", "openid", []string{"locale"}, always},
		{"scope order and spacing", "  email   openid ", nil, append([]string{"email", "email_verified"}, always...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := UserInfoClaims(u, tc.read, tc.scope)
			keys := slices.Sorted(maps.Keys(got))
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(keys, want) {
				t.Fatalf("claims %v, want %v", keys, want)
			}
			if got["sub"] != "sub-1" || got["username"] != "alice" {
				t.Fatalf("sub/username: %v", got)
			}
		})
	}
}
