package userpool_test

import (
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

// The pool's required attributes are asked for by the three paths that
// create or complete a user: SignUp refuses without them, the
// NEW_PASSWORD_REQUIRED challenge lists them and refuses an answer that
// leaves one out.
func TestRequiredAttributesAcrossFlows(t *testing.T) {
	w := newWorld(t, ":memory:")
	p, err := w.pools.CreatePool(ctx, "us-east-1", userpool.CreatePoolInput{PoolName: "p", Schema: []userpool.SchemaAttribute{
		{Name: "name", AttributeDataType: "String", Mutable: true, Required: true}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.pools.CreateClient(ctx, userpool.CreateClientInput{UserPoolId: p.ID, ClientSettings: userpool.ClientSettings{
		ClientName: "c", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}})
	if err != nil {
		t.Fatal(err)
	}
	accounts := &userpool.Accounts{Store: w.store, Now: w.clock.Now, Credentials: w.users.Credentials, Sealer: w.auth.Sealer, Sessions: w.sessions}
	_, err = accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "carol", Password: "Passw0rd!"})
	wantError(t, err, userpool.InvalidParameter, "Attributes did not conform to the schema: name: The attribute name is required")
	if _, err := accounts.SignUp(ctx, userpool.SignUpInput{ClientId: c.ID, Username: "carol", Password: "Passw0rd!",
		UserAttributes: []userpool.Attribute{{Name: "name", Value: "Carol"}}}); err != nil {
		t.Fatal(err)
	}

	if _, err := w.users.CreateUser(ctx, userpool.CreateUserInput{UserPoolId: p.ID, Username: "bob", TemporaryPassword: "Temp0rary!"}); err != nil {
		t.Fatal(err)
	}
	res, err := w.auth.Initiate(ctx, userpool.InitiateInput{UserPoolId: p.ID, ClientId: c.ID, AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}, true)
	if err != nil || res.ChallengeName != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("%+v %v", res, err)
	}
	if got := res.ChallengeParameters["requiredAttributes"]; got != `["userAttributes.name"]` {
		t.Fatalf("requiredAttributes %s", got)
	}
	respond := func(answers map[string]string) (userpool.AuthResult, error) {
		answers["USERNAME"], answers["NEW_PASSWORD"] = "bob", "Perm4nent!"
		return w.auth.Respond(ctx, userpool.RespondInput{UserPoolId: p.ID, ClientId: c.ID, ChallengeName: "NEW_PASSWORD_REQUIRED",
			Session: res.Session, ChallengeResponses: answers}, true)
	}
	_, err = respond(map[string]string{})
	wantError(t, err, userpool.InvalidParameter, "Invalid attributes given, name is missing")
	if out, err := respond(map[string]string{"userAttributes.name": "Bob"}); err != nil || out.Tokens == nil {
		t.Fatalf("%+v %v", out, err)
	}
}
