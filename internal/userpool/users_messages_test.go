package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// AdminUpdateUserAttributes: a changed email the pool verifies becomes
// unverified and gets a code, which verifies it; with email_verified=true
// in the same call there is no message and the email stays verified.
func TestAdminUpdateUserAttributesSendsVerification(t *testing.T) {
	w, p, c, a, _ := triggerWorld(t, nil)
	w.users.Messages = a
	if _, err := a.SignUp(ctx, signUpZoe(c, nil)); err != nil {
		t.Fatal(err)
	}
	if err := a.AdminConfirmSignUp(ctx, p.ID, "zoe"); err != nil {
		t.Fatal(err)
	}
	verified := func() string {
		u, err := w.users.GetUser(ctx, p.ID, "zoe")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := u.Attribute("email_verified")
		return v
	}
	before := len(outbox(t, a, p))
	if err := w.users.UpdateAttributes(ctx, p.ID, "zoe", []userpool.Attribute{attr("email", "zoe@example.net"), attr("email_verified", "true")}); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox(t, a, p)); n != before || verified() != "true" {
		t.Fatalf("with email_verified=true: %d → %d messages, verified %q", before, n, verified())
	}
	if err := w.users.UpdateAttributes(ctx, p.ID, "zoe", []userpool.Attribute{attr("email", "zoe@example.org")}); err != nil {
		t.Fatal(err)
	}
	msgs := outbox(t, a, p)
	if len(msgs) != before+1 || msgs[len(msgs)-1].Purpose != "verify:email" || msgs[len(msgs)-1].Destination != "zoe@example.org" || verified() != "false" {
		t.Fatalf("after the change: %+v, verified %q", msgs, verified())
	}
	res, err := w.signIn(c, "zoe", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.VerifyAttribute(ctx, res.Tokens.AccessToken, "email", msgs[len(msgs)-1].Code); err != nil || verified() != "true" {
		t.Fatalf("verify with the code: %v, verified %q", err, verified())
	}
}

// AdminCreateUser's ForceAliasCreation moves a verified email alias from
// its holder to the new user; without it the creation fails.
func TestAdminCreateUserForceAliasCreation(t *testing.T) {
	w, p, _, _, _ := triggerWorld(t, nil)
	if _, err := w.store.UpdatePool(ctx, p.ID, func(p userpool.Pool) (userpool.Pool, error) {
		p.Settings.AliasAttributes = []string{"email"}
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	create := func(name string, force bool) error {
		_, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: name, MessageAction: "SUPPRESS", ForceAliasCreation: force,
			UserAttributes: []userpool.Attribute{attr("email", "shared@example.com"), attr("email_verified", "true")}})
		return err
	}
	if err := create("first", false); err != nil {
		t.Fatal(err)
	}
	wantError(t, create("second", false), "AliasExistsException", "An account with the given email already exists.")
	if err := create("second", true); err != nil {
		t.Fatal(err)
	}
	first, _ := w.users.GetUser(ctx, p.ID, "first")
	holder, err := w.users.GetUser(ctx, p.ID, "shared@example.com")
	if v, _ := first.Attribute("email_verified"); err != nil || holder.Username != "second" || v != "false" {
		t.Fatalf("the alias is %q's (%v); first's email_verified %q", holder.Username, err, v)
	}
}
