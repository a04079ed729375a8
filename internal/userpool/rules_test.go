package userpool

import (
	"testing"
	"time"
)

func TestCheckPasswordPolicy(t *testing.T) {
	def := DefaultPasswordPolicy()
	lax := PasswordPolicy{MinimumLength: 6}
	cases := []struct {
		name, pw string
		policy   PasswordPolicy
		want     string // "" = accepted
	}{
		{"ok", "Passw0rd!", def, ""},
		{"short", "Pa0!", def, "Password did not conform with policy: Password not long enough"},
		{"no lower", "PASSW0RD!", def, "Password did not conform with policy: Password must have lowercase characters"},
		{"no upper", "passw0rd!", def, "Password did not conform with policy: Password must have uppercase characters"},
		{"no digit", "Password!", def, "Password did not conform with policy: Password must have numeric characters"},
		{"no symbol", "Passw0rdd", def, "Password did not conform with policy: Password must have symbol characters"},
		{"space counts as symbol", "Passw0rd x", def, ""},
		{"lax policy", "abcdef", lax, ""},
		{"runes not bytes", "ééééé", lax, "Password did not conform with policy: Password not long enough"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPasswordPolicy(c.policy, c.pw)
			if c.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if ErrorType(err) != InvalidPassword || ErrorMessage(err) != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
	for i := 0; i < 50; i++ {
		if err := CheckPasswordPolicy(def, GeneratePassword(def)); err != nil {
			t.Fatalf("generated password breaks the policy: %v", err)
		}
	}
}

func TestParseFilter(t *testing.T) {
	u := &User{Username: "Alice", Status: StatusConfirmed, Enabled: true,
		Attributes: []Attribute{{"email", "alice@example.com"}, {"sub", "1234"}}}
	cases := []struct {
		filter  string
		match   bool
		wantErr string
	}{
		{``, true, ""},
		{`email = "alice@example.com"`, true, ""},
		{`email="alice@example.com"`, true, ""},
		{`email = "bob@example.com"`, false, ""},
		{`email ^= "ALICE"`, true, ""},
		{`username = "Alice"`, true, ""},
		{`"username" = "Alice"`, true, ""},
		{`cognito:user_status = "CONFIRMED"`, true, ""},
		{`status = "Enabled"`, true, ""},
		{`sub = "1234"`, true, ""},
		{`name = "x"`, false, ""},
		{`email = "a\"b"`, false, ""},
		{`nickname = "x"`, false, "Invalid search attribute: nickname"},
		{`email = alice`, false, "Error while parsing filter."},
		{`email`, false, "Error while parsing filter."},
		{`email = "a"b"`, false, "Error while parsing filter."},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			f, err := ParseFilter(c.filter)
			if c.wantErr != "" {
				if ErrorType(err) != InvalidParameter || ErrorMessage(err) != c.wantErr {
					t.Fatalf("got %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(u); got != c.match {
				t.Fatalf("match = %v", got)
			}
		})
	}
}

func TestValiditiesAndClientSettings(t *testing.T) {
	v := ValiditiesOf(ClientSettings{})
	if v.Access != time.Hour || v.ID != time.Hour || v.Refresh != 30*24*time.Hour {
		t.Fatalf("defaults %+v", v)
	}
	v = ValiditiesOf(ClientSettings{AccessTokenValidity: 10, IdTokenValidity: 2, RefreshTokenValidity: 90,
		TokenValidityUnits: &TokenValidityUnits{AccessToken: "minutes", RefreshToken: "minutes"}})
	if v.Access != 10*time.Minute || v.ID != 2*time.Hour || v.Refresh != 90*time.Minute {
		t.Fatalf("units %+v", v)
	}
	cases := []struct {
		name string
		st   ClientSettings
		want string
	}{
		{"defaults", ClientSettings{}, ""},
		{"access too short", ClientSettings{AccessTokenValidity: 4, TokenValidityUnits: &TokenValidityUnits{AccessToken: "minutes"}}, "Access token validity must be between 5 minutes and 1 day."},
		{"id too long", ClientSettings{IdTokenValidity: 25}, "Id token validity must be between 5 minutes and 1 day."},
		{"refresh too short", ClientSettings{RefreshTokenValidity: 59, TokenValidityUnits: &TokenValidityUnits{RefreshToken: "minutes"}}, "Refresh token validity must be between 60 minutes and 3650 days."},
		{"mixed flows", ClientSettings{ExplicitAuthFlows: []string{"USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}, "The combination of ExplicitAuthFlows values is invalid. Cannot mix legacy and new auth flow names."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.st
			err := normalizeClientSettings(&st)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(st.ExplicitAuthFlows) != 3 || st.PreventUserExistenceErrors != "LEGACY" || st.RefreshTokenValidity != 30 {
					t.Fatalf("defaults not applied: %+v", st)
				}
				return
			}
			if ErrorType(err) != InvalidParameter || ErrorMessage(err) != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestFlowAllowed(t *testing.T) {
	modern := &Client{Settings: ClientSettings{ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH"}}}
	legacy := &Client{Settings: ClientSettings{ExplicitAuthFlows: []string{"USER_PASSWORD_AUTH"}}}
	if flowAllowed(modern, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH") {
		t.Fatal("password flow allowed on an SRP-only client")
	}
	if flowAllowed(modern, "ALLOW_REFRESH_TOKEN_AUTH", "") {
		t.Fatal("refresh allowed without ALLOW_REFRESH_TOKEN_AUTH")
	}
	if !flowAllowed(legacy, "ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH") || !flowAllowed(legacy, "ALLOW_REFRESH_TOKEN_AUTH", "") {
		t.Fatal("legacy flow names not honoured")
	}
}

func TestSecretHash(t *testing.T) {
	c := &Client{ID: "client1", Secrets: []ClientSecret{{Value: "s3cr3t"}}}
	good := SecretHash("s3cr3t", "alice", "client1")
	if err := checkSecretHash(c, good, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := checkSecretHash(c, "", "alice"); ErrorMessage(err) != "Client client1 is configured with secret but SECRET_HASH was not received" {
		t.Fatal(err)
	}
	if err := checkSecretHash(c, good, "bob"); ErrorMessage(err) != "Unable to verify secret hash for client client1" {
		t.Fatal(err)
	}
	if err := checkSecretHash(&Client{ID: "x"}, "", "alice"); err != nil {
		t.Fatal("public client asked for a secret hash")
	}
	// With a second secret (rotation without downtime) either one works.
	c.Secrets = append(c.Secrets, ClientSecret{Value: "n3w"})
	for _, sec := range []string{"s3cr3t", "n3w"} {
		if err := checkSecretHash(c, SecretHash(sec, "alice", "client1"), "alice"); err != nil {
			t.Fatalf("secret %s: %v", sec, err)
		}
		if !c.SecretMatches(sec) {
			t.Fatalf("SecretMatches(%s) false", sec)
		}
	}
	if c.SecretMatches("other") || c.SecretMatches("") {
		t.Fatal("SecretMatches accepts a value that is no secret")
	}
}

func TestCheckRedirectURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://app.example/callback":    true,
		"https://app.example:8443/cb?x=1": true,
		"http://localhost:3000/callback":  true,
		"http://127.0.0.1:8080/cb":        true,
		"http://[::1]/cb":                 true,
		"http://my-app.localhost:9229/cb": true,
		"myapp://callback":                true,
		"com.example.app:/oauth2redirect": true,
		"http://app.example/callback":     false, // http off the local machine
		"javascript:alert(1)":             false,
		"JavaScript://x/%0aalert(1)":      false,
		"data:text/html,<script>":         false,
		"https://*.example.com/cb":        false,
		"https://app.example/cb#fragment": false,
		"/relative/callback":              false,
		"https:///no-host":                false,
		"":                                false,
		"file:///etc/passwd":              false,
	} {
		err := checkRedirectURL("CallbackURLs", raw)
		if (err == nil) != ok {
			t.Errorf("%q: got %v, want ok=%v", raw, err, ok)
		}
		if err != nil && ErrorType(err) != InvalidParameter {
			t.Errorf("%q: type %s", raw, ErrorType(err))
		}
	}
}
