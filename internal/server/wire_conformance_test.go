package server_test

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/srp"
	"github.com/cognate/cognate/internal/userpool"
)

// TestEveryOperationAnswersInTheModelsShape drives every operation of the
// server's table to a 200 through the SDK; the harness checks each body
// against the model. An implemented operation without a case fails it.
func TestEveryOperationAnswersInTheModelsShape(t *testing.T) {
	t.Parallel() // each test owns its server and store
	w := newWire(t)
	api := w.api
	const pw, pw2 = "Passw0rd!wire", "Passw0rd!wire2"

	// Pools.
	devices := &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true}
	addOns := &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}
	poolID := w.pool("wire", func(in *cip.CreateUserPoolInput) {
		in.DeviceConfiguration, in.UserPoolAddOns = devices, addOns
		in.UserPoolTier = types.UserPoolTierTypePlus // threat protection is Plus's
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
		in.UserPoolTags = map[string]string{"team": "wire"}
	})
	w.ok(api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}))
	w.ok(api.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}))
	w.ok(api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, DeviceConfiguration: devices, UserPoolAddOns: addOns,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}))
	w.ok(api.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}}))
	w.ok(api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}))
	w.ok(api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &poolID}))
	// With software-token MFA on: the domain-only flag stays off the wire.
	w.ok(api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}))
	described, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	w.check(err)
	w.ok(api.TagResource(ctx, &cip.TagResourceInput{ResourceArn: described.UserPool.Arn, Tags: map[string]string{"env": "wire"}}))
	w.ok(api.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: described.UserPool.Arn}))
	w.ok(api.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: described.UserPool.Arn, TagKeys: []string{"env"}}))
	w.ok(api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &poolID}))
	w.ok(api.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: &poolID}))
	w.ok(api.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: &poolID,
		LogConfigurations: []types.LogConfigurationType{{LogLevel: types.LogLevelError, EventSource: types.EventSourceNameUserNotification,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:wire")}}}}))
	w.ok(api.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: &poolID}))
	// User import jobs: created, given a file, started (Pending: no worker
	// runs in-process), stopped; listed and described on the way.
	created, err := api.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID, JobName: aws.String("wire import"),
		CloudWatchLogsRoleArn: aws.String("arn:aws:iam::" + wireAccount + ":role/import")})
	w.check(err)
	jobID := created.UserImportJob.JobId
	w.upload(*created.UserImportJob.PreSignedUrl, "cognito:username\n", http.StatusOK)
	w.ok(api.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: jobID}))
	w.ok(api.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: &poolID, MaxResults: aws.Int32(10)}))
	w.ok(api.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: jobID}))
	w.ok(api.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: &poolID, JobId: jobID}))
	w.ok(api.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: jobID})) // with its dates and message

	// Clients and their secrets.
	public := w.client(poolID, nil)
	clientID := *public.ClientId
	conf := w.client(poolID, func(in *cip.CreateUserPoolClientInput) {
		in.ClientName, in.GenerateSecret = aws.String("backend"), true
	})
	w.ok(api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: conf.ClientId}))
	w.ok(api.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID}))
	w.ok(api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: conf.ClientId, ClientName: aws.String("backend2")}))
	w.ok(api.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &poolID, ClientId: conf.ClientId}))
	secrets, err := api.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: &poolID, ClientId: conf.ClientId})
	w.check(err)
	if len(secrets.ClientSecrets) != 2 {
		t.Fatalf("%d secrets", len(secrets.ClientSecrets))
	}
	w.ok(api.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: &poolID, ClientId: conf.ClientId,
		ClientSecretId: secrets.ClientSecrets[0].ClientSecretId}))
	w.ok(api.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: conf.ClientId}))

	// The hosted UI's domain and resource servers.
	domain := "wire-" + strings.ToLower(strings.SplitN(poolID, "_", 2)[1])
	w.ok(api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: &domain}))
	w.ok(api.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: &domain}))
	w.ok(api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: &domain, ManagedLoginVersion: aws.Int32(2)}))
	rs := &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}}}
	w.ok(api.CreateResourceServer(ctx, rs))
	w.ok(api.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: rs.Identifier}))
	w.ok(api.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(10)}))
	w.ok(api.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &poolID, Identifier: rs.Identifier, Name: aws.String("api2"),
		Scopes: rs.Scopes}))
	w.ok(api.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: &poolID, Identifier: rs.Identifier}))
	w.ok(api.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &poolID, Domain: &domain}))

	// Users created by the admin sign in with a temporary password:
	// NEW_PASSWORD_REQUIRED, answered by the public and the admin flow.
	email := func(name string) []types.AttributeType {
		return []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}
	}
	for _, name := range []string{"alice", "bob"} {
		w.ok(api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String(name),
			TemporaryPassword: aws.String("Temp0rary!x"), MessageAction: types.MessageActionTypeSuppress, UserAttributes: email(name)}))
	}
	first, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Temp0rary!x"}})
	w.check(err)
	aliceOut, err := api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: first.Session,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": pw}})
	w.check(err)
	alice := aliceOut.AuthenticationResult
	if alice == nil || alice.NewDeviceMetadata == nil {
		t.Fatalf("NEW_PASSWORD_REQUIRED answered without tokens or a new device: %+v", aliceOut)
	}
	adminFirst, err := api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!x"}})
	w.check(err)
	w.ok(api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &clientID,
		Session: adminFirst.Session, ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": pw}}))

	// Admin user operations.
	w.ok(api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	w.ok(api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID}))
	w.ok(api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("bob"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:team"), Value: aws.String("wire")}, {Name: aws.String("name"), Value: aws.String("Bob")}}}))
	w.ok(api.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("bob"),
		UserAttributeNames: []string{"name"}}))
	w.ok(api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("bob")}))
	w.ok(api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &poolID, Username: aws.String("bob")}))
	w.ok(api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("bob"), Password: aws.String(pw2), Permanent: true}))
	w.ok(api.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("alice")}))

	// Tokens: the refresh flows, GetUser, SRP.
	w.ok(api.GetUser(ctx, &cip.GetUserInput{AccessToken: alice.AccessToken}))
	w.ok(api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: alice.RefreshToken,
		DeviceKey: alice.NewDeviceMetadata.DeviceKey}))
	w.ok(api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *alice.RefreshToken, "DEVICE_KEY": *alice.NewDeviceMetadata.DeviceKey}}))
	srpBob := w.srpSignIn(poolID, clientID, "bob", pw2)

	// Devices: alice's first sign-in registered one.
	deviceKey := alice.NewDeviceMetadata.DeviceKey
	w.ok(api.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: alice.AccessToken, DeviceKey: deviceKey, DeviceName: aws.String("phone"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString([]byte("verifier"))),
			Salt: aws.String(base64.StdEncoding.EncodeToString([]byte("salt")))}}))
	w.ok(api.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: alice.AccessToken, DeviceKey: deviceKey,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}))
	w.ok(api.AdminUpdateDeviceStatus(ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: &poolID, Username: aws.String("alice"), DeviceKey: deviceKey,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}))
	w.ok(api.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: alice.AccessToken, DeviceKey: deviceKey}))
	w.ok(api.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: aws.String("alice"), DeviceKey: deviceKey}))
	w.ok(api.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: alice.AccessToken}))
	w.ok(api.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	w.ok(api.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: alice.AccessToken, DeviceKey: deviceKey}))
	other := w.signIn(clientID, "bob", pw2)
	w.ok(api.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: &poolID, Username: aws.String("bob"), DeviceKey: other.NewDeviceMetadata.DeviceKey}))

	// Self-service accounts.
	for _, name := range []string{"carol", "dave"} {
		w.ok(api.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(name), Password: aws.String(pw),
			UserAttributes: email(name)[:1]}))
	}
	w.ok(api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("carol")}))
	w.ok(api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("carol"), ConfirmationCode: aws.String(w.code(poolID, "carol"))}))
	w.ok(api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("dave")}))
	w.ok(api.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("carol")}))
	w.ok(api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("carol"),
		ConfirmationCode: aws.String(w.code(poolID, "carol")), Password: aws.String(pw2)}))
	carol := w.signIn(clientID, "carol", pw2)
	w.ok(api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: carol.AccessToken, PreviousPassword: aws.String(pw2), ProposedPassword: aws.String(pw)}))
	w.ok(api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: carol.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("carol2@example.com")}, {Name: aws.String("name"), Value: aws.String("Carol")}}}))
	w.ok(api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: carol.AccessToken, AttributeName: aws.String("email")}))
	w.ok(api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: carol.AccessToken, AttributeName: aws.String("email"),
		Code: aws.String(w.code(poolID, "carol"))}))
	w.ok(api.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: carol.AccessToken, UserAttributeNames: []string{"name"}}))

	// Software-token MFA: enrol alice, then both sign-in flows ask for it.
	assoc, err := api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: alice.AccessToken})
	w.check(err)
	totpKey, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(*assoc.SecretCode)
	if err != nil {
		t.Fatal(err)
	}
	w.ok(api.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: alice.AccessToken, FriendlyDeviceName: aws.String("app"),
		UserCode: aws.String(userpool.TOTP(totpKey, w.clock.Now()))}))
	w.ok(api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: alice.AccessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}}))
	w.ok(api.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &poolID, Username: aws.String("alice"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	w.clock.Advance(time.Minute) // past the step the verification spent
	mfa, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}})
	w.check(err)
	w.ok(api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: mfa.Session,
		ChallengeName:      types.ChallengeNameTypeSoftwareTokenMfa,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": userpool.TOTP(totpKey, w.clock.Now())}}))
	w.clock.Advance(time.Minute)
	adminMFA, err := api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": pw}})
	w.check(err)
	w.ok(api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &clientID,
		Session: adminMFA.Session, ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": userpool.TOTP(totpKey, w.clock.Now())}}))

	// An enrolled user's MFA settings; a rotating client's new refresh token.
	w.ok(api.GetUser(ctx, &cip.GetUserInput{AccessToken: alice.AccessToken}))
	w.ok(api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	w.ok(api.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: alice.AccessToken}))
	rotating := w.client(poolID, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(10)}
	})
	fresh := w.signIn(*rotating.ClientId, "carol", pw)
	rotated, err := api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: rotating.ClientId, RefreshToken: fresh.RefreshToken})
	w.check(err)
	if rotated.AuthenticationResult.RefreshToken == nil {
		t.Fatal("a rotating client's refresh returned no new refresh token")
	}

	// Groups.
	group := aws.String("staff")
	w.ok(api.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: group, Precedence: aws.Int32(1),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/staff"), Description: aws.String("Staff")}))
	w.ok(api.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: group}))
	w.ok(api.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID}))
	w.ok(api.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: group, Description: aws.String("All staff")}))
	w.ok(api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("bob"), GroupName: group}))
	w.ok(api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("bob")}))
	w.ok(api.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: group}))
	w.ok(api.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &poolID, Username: aws.String("bob"), GroupName: group}))
	w.ok(api.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &poolID, GroupName: group}))

	// Sign-out, revocation, deletion.
	w.ok(api.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: srpBob.RefreshToken}))
	w.ok(api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: other.AccessToken}))
	w.ok(api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("alice")}))
	w.ok(api.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("bob")}))
	w.ok(api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: carol.AccessToken}))
	w.ok(api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("dave")}))
	w.ok(api.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}))

	w.passkeyCases(pw)

	for _, name := range (&server.Server{}).OperationNames() {
		if !w.rec.answered(name) {
			t.Errorf("%s is implemented but no case drives it to a 200: add one", name)
		}
	}
}

// srpSignIn runs USER_SRP_AUTH → PASSWORD_VERIFIER as a client does.
func (w *wire) srpSignIn(poolID, clientID, user, password string) *types.AuthenticationResultType {
	w.t.Helper()
	raw := make([]byte, 128)
	rand.Read(raw)
	a := new(big.Int).SetBytes(raw)
	init, err := w.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": user, "SRP_A": srp.ClientA(a).Text(16)}})
	w.check(err)
	p := init.ChallengeParameters
	salt, _ := new(big.Int).SetString(p["SALT"], 16)
	B, _ := new(big.Int).SetString(p["SRP_B"], 16)
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if err != nil {
		w.t.Fatal(err)
	}
	ts := w.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := srp.ClientSignature(strings.SplitN(poolID, "_", 2)[1], p["USER_ID_FOR_SRP"], password, salt.Bytes(), a, B, block, ts)
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := w.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: map[string]string{"USERNAME": p["USERNAME"],
			"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig), "TIMESTAMP": ts}})
	w.check(err)
	return out.AuthenticationResult
}
