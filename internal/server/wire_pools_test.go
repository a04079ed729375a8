package server_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Pools on the wire: ids, ARN, defaults, updates, paging, deletion
// protection. (Moved from e2e's TestPoolsClientsUsersThroughAWSCLI.)
func TestWirePools(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	api := w.api
	out, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("demo")})
	w.check(err)
	p := out.UserPool
	poolID := aws.ToString(p.Id)
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(poolID) {
		t.Fatalf("pool id %q", poolID)
	}
	if arn := aws.ToString(p.Arn); arn != "arn:aws:cognito-idp:us-east-1:"+wireAccount+":userpool/"+poolID {
		t.Fatalf("arn %s", arn)
	}
	if p.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Fatalf("MfaConfiguration %v", p.MfaConfiguration)
	}
	if min := aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength); min != 8 {
		t.Fatalf("MinimumLength %d", min)
	}

	desc, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	w.check(err)
	if aws.ToString(desc.UserPool.Name) != "demo" {
		t.Fatalf("describe: %+v", desc.UserPool)
	}
	w.ok(api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOff,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10), RequireLowercase: true}}}))
	desc, err = api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	w.check(err)
	if min := aws.ToInt32(desc.UserPool.Policies.PasswordPolicy.MinimumLength); min != 10 {
		t.Fatalf("update not applied: MinimumLength %d", min)
	}

	// ListUserPools pages with NextToken.
	for i := 0; i < 3; i++ {
		w.pool("extra", nil)
	}
	seen := map[string]bool{}
	in := &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)}
	for {
		page, err := api.ListUserPools(ctx, in)
		w.check(err)
		if len(page.UserPools) > 2 {
			t.Fatalf("%d pools on a page of 2", len(page.UserPools))
		}
		for _, p := range page.UserPools {
			seen[aws.ToString(p.Id)] = true
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if len(seen) != 4 || !seen[poolID] {
		t.Fatalf("paged through %d pools: %v", len(seen), seen)
	}

	// Deletion protection, then deletion.
	w.ok(api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, DeletionProtection: types.DeletionProtectionTypeActive}))
	_, err = api.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID})
	wantAPIError(t, err, "InvalidParameterException",
		"The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	w.ok(api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, DeletionProtection: types.DeletionProtectionTypeInactive}))
	w.ok(api.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}))
	_, err = api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
}

// App clients on the wire. (Moved from TestPoolsClientsUsersThroughAWSCLI.)
func TestWireClients(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	api := w.api
	poolID := w.pool("demo", nil)
	cl := w.client(poolID, func(in *cip.CreateUserPoolClientInput) {
		in.ClientName, in.GenerateSecret = aws.String("web"), true
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	clientID := aws.ToString(cl.ClientId)
	if !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(clientID) {
		t.Fatalf("client id %q", clientID)
	}
	if sec := aws.ToString(cl.ClientSecret); len(sec) < 24 {
		t.Fatalf("secret %q", sec)
	}
	if !aws.ToBool(cl.EnableTokenRevocation) {
		t.Fatal("EnableTokenRevocation should default to true")
	}
	list, err := api.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID})
	w.check(err)
	if n := len(list.UserPoolClients); n != 1 {
		t.Fatalf("%d clients", n)
	}
	w.ok(api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID, ClientName: aws.String("web2")}))
	d, err := api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	w.check(err)
	if aws.ToString(d.UserPoolClient.ClientName) != "web2" {
		t.Fatalf("describe client: %+v", d.UserPoolClient)
	}
	w.ok(api.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID}))
	_, err = api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool client "+clientID+" does not exist.")
}

// Users on the wire: status, case-insensitive names, sub, password policy,
// the schema, attribute updates, enable/disable, ListUsers filters and
// paging, deletion. (Moved from TestPoolsClientsUsersThroughAWSCLI.)
func TestWireUsers(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	api := w.api
	poolID := w.pool("demo", func(in *cip.CreateUserPoolInput) {
		in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10), RequireLowercase: true}}
	})
	user := func(name string) *cip.AdminGetUserInput {
		return &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(name)}
	}
	u, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("Alice"),
		UserAttributes:    []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alice@example.com")}},
		TemporaryPassword: aws.String("Temp0rary!x"), MessageAction: types.MessageActionTypeSuppress})
	w.check(err)
	if u.User.UserStatus != types.UserStatusTypeForceChangePassword || !u.User.Enabled {
		t.Fatalf("created user: %+v", u.User)
	}
	_, err = api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	wantAPIError(t, err, "UsernameExistsException", "User account already exists")
	got, err := api.AdminGetUser(ctx, user("ALICE"))
	w.check(err)
	if aws.ToString(got.Username) != "Alice" {
		t.Fatalf("case-insensitive lookup: %s", aws.ToString(got.Username))
	}
	sub := attrs(got.UserAttributes)["sub"]
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(sub) {
		t.Fatalf("sub %q", sub)
	}
	bySub, err := api.AdminGetUser(ctx, user(sub))
	w.check(err)
	if aws.ToString(bySub.Username) != "Alice" {
		t.Fatalf("lookup by sub: %s", aws.ToString(bySub.Username))
	}

	setPassword := func(pw string) error {
		_, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("alice"),
			Password: aws.String(pw), Permanent: true})
		return err
	}
	wantAPIError(t, setPassword("short"), "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	w.check(setPassword("longenough-pass"))
	if got, err := api.AdminGetUser(ctx, user("alice")); err != nil || got.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("status after a permanent password: %v %v", got, err)
	}

	update := func(kv ...string) error {
		var list []types.AttributeType
		for i := 0; i < len(kv); i += 2 {
			list = append(list, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		_, err := api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"), UserAttributes: list})
		return err
	}
	wantAPIError(t, update("name", "Alice A", "custom:nope", "x"), "InvalidParameterException",
		"Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined")
	w.check(update("name", "Alice A", "given_name", "Al"))
	w.ok(api.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"),
		UserAttributeNames: []string{"given_name"}}))
	got, err = api.AdminGetUser(ctx, user("alice"))
	w.check(err)
	if a := attrs(got.UserAttributes); a["name"] != "Alice A" || a["email"] != "alice@example.com" || a["given_name"] != "" {
		t.Fatalf("attributes: %v", a)
	}
	w.ok(api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	if got, err := api.AdminGetUser(ctx, user("alice")); err != nil || got.Enabled {
		t.Fatalf("disabled user: %v %v", got, err)
	}
	w.ok(api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	if got, err := api.AdminGetUser(ctx, user("alice")); err != nil || !got.Enabled {
		t.Fatalf("enabled user: %v %v", got, err)
	}

	// ListUsers: filters and paging.
	for _, name := range []string{"bob", "bobby", "carol"} {
		w.ok(api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String(name),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}},
			MessageAction:  types.MessageActionTypeSuppress}))
	}
	count := func(filter string) int {
		t.Helper()
		out, err := api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(filter)})
		w.check(err)
		return len(out.Users)
	}
	if n := count(`username ^= "bob"`); n != 2 {
		t.Fatalf("prefix filter matched %d users", n)
	}
	if n := count(`email = "carol@example.com"`); n != 1 {
		t.Fatalf("equality filter matched %d users", n)
	}
	names := map[string]bool{}
	in := &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(3)}
	for {
		page, err := api.ListUsers(ctx, in)
		w.check(err)
		if len(page.Users) > 3 {
			t.Fatalf("%d users on a page of 3", len(page.Users))
		}
		for _, u := range page.Users {
			names[aws.ToString(u.Username)] = true
		}
		if page.PaginationToken == nil {
			break
		}
		in.PaginationToken = page.PaginationToken
	}
	if len(names) != 4 {
		t.Fatalf("paged through users %v", names)
	}
	_, err = api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`nickname = "x"`)})
	wantAPIError(t, err, "InvalidParameterException", "Invalid search attribute: nickname")

	w.ok(api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	_, err = api.AdminGetUser(ctx, user("alice"))
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
}

// Input validation, missing pools and missing users answer Cognito's exact
// errors. (Moved
// from e2e's TestValidationErrorsThroughAWSCLI.)
func TestWireValidationErrors(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	_, err := w.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("bad pool"), Username: aws.String("x")})
	wantAPIError(t, err, "InvalidParameterException",
		`1 validation error detected: Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`)
	_, err = w.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String("us-east-1_nothere"), Username: aws.String("x")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nothere does not exist.")
	// The same call on an existing pool and a missing user (e2e's
	// TestAdminGlobalSignOutEndsEveryDevice asks it through the AWS CLI).
	poolID := w.pool("p", nil)
	_, err = w.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("nobody")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
}
