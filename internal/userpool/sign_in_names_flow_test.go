package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// A sign-in name resolves to the one user that holds it, and admin writes
// cannot give it to a second user (security review #3 and #11).
func TestSignInNameOwnership(t *testing.T) {
	attrs := func(kv ...string) []userpool.Attribute {
		var out []userpool.Attribute
		for i := 0; i < len(kv); i += 2 {
			out = append(out, userpool.Attribute{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	emailPool := userpool.PoolSettings{UsernameAttributes: []string{"email"}}
	aliasPool := userpool.PoolSettings{AliasAttributes: []string{"email"}}
	type create struct {
		username string
		attrs    []userpool.Attribute
	}
	cases := []struct {
		name     string
		settings userpool.PoolSettings
		users    []create
		update   []userpool.Attribute // applied by AdminUpdateUserAttributes to the last user
		wantErr  string               // of the update ("" = accepted)
		signIn   string               // then resolves to
		wantUser int                  // index into users, -1 = nobody
	}{
		{"email username: taking another's email", emailPool,
			[]create{{"vic@example.test", nil}, {"att@example.test", nil}},
			attrs("email", "VIC@example.test"), "An account with the given email already exists.", "vic@example.test", 0},
		{"email username: a free email moves the name", emailPool,
			[]create{{"vic@example.test", nil}, {"att@example.test", nil}},
			attrs("email", "new@example.test"), "", "new@example.test", 1},
		{"email username: the old email is released", emailPool,
			[]create{{"vic@example.test", nil}, {"att@example.test", nil}},
			attrs("email", "new@example.test"), "", "att@example.test", -1},
		{"alias: an unverified copy is allowed and hides nothing", aliasPool,
			[]create{{"zed", attrs("email", "v@example.test", "email_verified", "true")}, {"aaa1", attrs("email", "v@example.test")},
				{"aaa2", attrs("email", "v@example.test")}},
			attrs("email", "V@example.test"), "", "v@example.test", 0},
		{"alias: verifying a held alias is refused", aliasPool,
			[]create{{"zed", attrs("email", "v@example.test", "email_verified", "true")}, {"aaa", attrs("email", "v@example.test")}},
			attrs("email_verified", "true"), "An account with the given email already exists.", "v@example.test", 0},
		{"alias: unverifying releases it", aliasPool,
			[]create{{"zed", attrs("email", "v@example.test", "email_verified", "true")}},
			attrs("email_verified", "false"), "", "v@example.test", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, "")
			p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", PoolSettings: c.settings})
			if err != nil {
				t.Fatal(err)
			}
			var subs []string
			for _, u := range c.users {
				created, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: u.username,
					UserAttributes: u.attrs, MessageAction: "SUPPRESS"})
				if err != nil {
					t.Fatal(err)
				}
				subs = append(subs, created.Sub)
			}
			last := subs[len(subs)-1]
			err = w.users.UpdateAttributes(ctx, p.ID, last, c.update)
			if c.wantErr == "" && err != nil {
				t.Fatalf("update refused: %v", err)
			} else if c.wantErr != "" && (userpool.ErrorType(err) != userpool.AliasExists || userpool.ErrorMessage(err) != c.wantErr) {
				t.Fatalf("update: got %v, want AliasExistsException %q", err, c.wantErr)
			}
			got, err := w.users.GetUser(ctx, p.ID, c.signIn)
			switch {
			case c.wantUser < 0 && userpool.ErrorType(err) != userpool.UserNotFound:
				t.Fatalf("%s resolved to %+v, %v; want nobody", c.signIn, got.Username, err)
			case c.wantUser >= 0 && (err != nil || got.Sub != subs[c.wantUser]):
				t.Fatalf("%s resolved to %s, %v; want %s", c.signIn, got.Sub, err, subs[c.wantUser])
			}
		})
	}
}
