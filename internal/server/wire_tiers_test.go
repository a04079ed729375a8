package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Feature plans on the wire: what each plan lets CreateUserPool,
// UpdateUserPool, the client and domain operations configure, and which plan
// changes the pool's configuration allows.

const (
	lite       = types.UserPoolTierTypeLite
	essentials = types.UserPoolTierTypeEssentials
	plus       = types.UserPoolTierTypePlus
)

func unavailable(feature, tier, need string) string {
	return feature + " isn't available in your current feature plan, " + tier + "; it requires " + need + "."
}

// poolGate is one pool setting the plan gates, as a CreateUserPool and an
// UpdateUserPool request set it.
type poolGate struct {
	name    string
	feature string
	need    string // the lowest plan, as the message says it
	below   types.UserPoolTierType
	atLeast types.UserPoolTierType
	create  func(*cip.CreateUserPoolInput)
	update  func(*cip.UpdateUserPoolInput)
}

func signInPolicy(factors ...types.AuthFactorType) *types.UserPoolPolicyType {
	return &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: factors}}
}

func preToken(v types.PreTokenGenerationLambdaVersionType) *types.LambdaConfigType {
	return &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
		LambdaArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:pretoken"), LambdaVersion: v}}
}

// preTokenGate is a PreTokenGenerationConfig version that customizes access
// tokens.
func preTokenGate(name string, v types.PreTokenGenerationLambdaVersionType) poolGate {
	return poolGate{name: name, feature: "LambdaConfig.PreTokenGenerationConfig.LambdaVersion " + string(v),
		need: "ESSENTIALS or higher", below: lite, atLeast: essentials,
		create: func(in *cip.CreateUserPoolInput) { in.LambdaConfig = preToken(v) },
		update: func(in *cip.UpdateUserPoolInput) { in.LambdaConfig = preToken(v) }}
}

var poolGates = []poolGate{
	{name: "choice-based sign-in", feature: "Policies.SignInPolicy.AllowedFirstAuthFactors other than PASSWORD",
		need: "ESSENTIALS or higher", below: lite, atLeast: essentials,
		create: func(in *cip.CreateUserPoolInput) {
			in.Policies = signInPolicy(types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp)
		},
		update: func(in *cip.UpdateUserPoolInput) {
			in.Policies = signInPolicy(types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn)
		}},
	preTokenGate("access-token customization", types.PreTokenGenerationLambdaVersionTypeV20),
	preTokenGate("machine-to-machine token customization", types.PreTokenGenerationLambdaVersionTypeV30),
	{name: "threat protection", feature: "UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED",
		need: "PLUS", below: essentials, atLeast: plus,
		create: func(in *cip.CreateUserPoolInput) {
			in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced}
		},
		update: func(in *cip.UpdateUserPoolInput) {
			in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}
		}},
	{name: "threat protection for custom auth", feature: "UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode",
		need: "PLUS", below: essentials, atLeast: plus,
		create: func(in *cip.CreateUserPoolInput) {
			in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeOff,
				AdvancedSecurityAdditionalFlows: &types.AdvancedSecurityAdditionalFlowsType{CustomAuthMode: types.AdvancedSecurityEnabledModeTypeAudit}}
		},
		update: func(in *cip.UpdateUserPoolInput) {
			in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeOff,
				AdvancedSecurityAdditionalFlows: &types.AdvancedSecurityAdditionalFlowsType{CustomAuthMode: types.AdvancedSecurityEnabledModeTypeEnforced}}
		}},
}

// Every pool setting the model gates is refused below its plan, by
// CreateUserPool and by UpdateUserPool, and accepted from it up.
func TestWireTierGatesPoolSettings(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	for _, g := range poolGates {
		t.Run(g.name, func(t *testing.T) {
			create := &cip.CreateUserPoolInput{PoolName: aws.String("gated"), UserPoolTier: g.below}
			g.create(create)
			_, err := w.api.CreateUserPool(ctx, create)
			wantAPIError(t, err, "FeatureUnavailableInTierException", unavailable(g.feature, string(g.below), g.need))

			create.UserPoolTier = g.atLeast
			out, err := w.api.CreateUserPool(ctx, create)
			w.check(err)
			if out.UserPool.UserPoolTier != g.atLeast {
				t.Fatalf("UserPoolTier %q, want %q", out.UserPool.UserPoolTier, g.atLeast)
			}

			low := w.pool("low", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = g.below })
			update := &cip.UpdateUserPoolInput{UserPoolId: &low}
			g.update(update)
			_, err = w.api.UpdateUserPool(ctx, update)
			wantAPIError(t, err, "FeatureUnavailableInTierException", unavailable(g.feature, string(g.below), g.need))
			// The same request raising the plan is the way to the feature.
			update.UserPoolTier = g.atLeast
			w.ok(w.api.UpdateUserPool(ctx, update))
		})
	}
}

// The defaults every pool has stay free on LITE: a password-only
// SignInPolicy, threat protection OFF, a V1_0 PreTokenGeneration trigger.
func TestWireTierLiteKeepsTheDefaults(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	poolID := w.pool("lite", func(in *cip.CreateUserPoolInput) {
		in.UserPoolTier = lite
		in.Policies = signInPolicy(types.AuthFactorTypePassword)
		in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeOff}
		in.LambdaConfig = preToken(types.PreTokenGenerationLambdaVersionTypeV10)
	})
	w.ok(w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, Policies: signInPolicy(types.AuthFactorTypePassword),
		LambdaConfig: &types.LambdaConfigType{PreTokenGeneration: aws.String("arn:aws:lambda:us-east-1:000000000000:function:v1")}}))
	w.client(poolID, nil)
	w.ok(w.api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("lite-classic"),
		ManagedLoginVersion: aws.Int32(1)}))
}

// CreateUserPool's plan defaults to ESSENTIALS; UpdateUserPool without
// UserPoolTier keeps the plan ("With the exception of UserPoolTier, if you
// don't provide a value for an attribute, Amazon Cognito sets it to its
// default value", botocore UpdateUserPool).
func TestWireTierDefaultsAndKeeps(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	tierOf := func(poolID string) types.UserPoolTierType {
		t.Helper()
		out, err := w.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
		w.check(err)
		return out.UserPool.UserPoolTier
	}
	plain := w.pool("plain", nil)
	if got := tierOf(plain); got != essentials {
		t.Fatalf("a new pool's plan %q, want ESSENTIALS", got)
	}
	for _, tier := range []types.UserPoolTierType{lite, plus} {
		poolID := w.pool("kept", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = tier })
		w.ok(w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOff}))
		if got := tierOf(poolID); got != tier {
			t.Fatalf("UpdateUserPool without UserPoolTier changed the plan %s to %s", tier, got)
		}
	}
}

// ALLOW_USER_AUTH needs ESSENTIALS on CreateUserPoolClient and
// UpdateUserPoolClient.
func TestWireTierGatesUserAuthClients(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	want := unavailable("ExplicitAuthFlows ALLOW_USER_AUTH", "LITE", "ESSENTIALS or higher")
	userAuth := []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	litePool := w.pool("lite", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = lite })
	_, err := w.api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &litePool, ClientName: aws.String("app"),
		ExplicitAuthFlows: userAuth})
	wantAPIError(t, err, "FeatureUnavailableInTierException", want)
	c := w.client(litePool, nil)
	_, err = w.api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &litePool, ClientId: c.ClientId,
		ExplicitAuthFlows: userAuth})
	wantAPIError(t, err, "FeatureUnavailableInTierException", want)

	for _, tier := range []types.UserPoolTierType{essentials, plus} {
		poolID := w.pool("ok", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = tier })
		c := w.client(poolID, func(in *cip.CreateUserPoolClientInput) { in.ExplicitAuthFlows = userAuth })
		w.ok(w.api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId,
			ExplicitAuthFlows: append(userAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth)}))
	}
}

// Managed login (ManagedLoginVersion 2) needs a plan other than LITE.
func TestWireTierGatesManagedLogin(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	litePool := w.pool("lite", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = lite })
	_, err := w.api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &litePool, Domain: aws.String("lite-managed"),
		ManagedLoginVersion: aws.Int32(2)})
	wantAPIError(t, err, "FeatureUnavailableInTierException", unavailable("ManagedLoginVersion 2", "LITE", "ESSENTIALS or higher"))
	poolID := w.pool("essentials", nil)
	w.ok(w.api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("essentials-managed"),
		ManagedLoginVersion: aws.Int32(2)}))
}

// Lowering the plan: what the request configures is checked against the new
// plan; a feature configured elsewhere (an app client's ALLOW_USER_AUTH)
// holds the plan up until it is removed. Raising is always allowed.
func TestWireTierChanges(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	update := func(poolID string, tier types.UserPoolTierType, edit func(*cip.UpdateUserPoolInput)) error {
		in := &cip.UpdateUserPoolInput{UserPoolId: &poolID, UserPoolTier: tier}
		if edit != nil {
			edit(in)
		}
		_, err := w.api.UpdateUserPool(ctx, in)
		return err
	}

	// ESSENTIALS → LITE while a client allows USER_AUTH.
	poolID := w.pool("held", nil)
	c := w.client(poolID, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth}
	})
	wantAPIError(t, update(poolID, lite, nil), "TierChangeNotAllowedException",
		"The feature plan of user pool "+poolID+" can't change from ESSENTIALS to LITE while ExplicitAuthFlows ALLOW_USER_AUTH is configured on app client "+
			*c.ClientId+"; remove it first.")
	w.ok(w.api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}}))
	w.check(update(poolID, lite, nil))

	// PLUS → ESSENTIALS: threat protection in the request is refused; left
	// out, it returns to its default (off) and the plan may drop.
	plusPool := w.pool("plus", func(in *cip.CreateUserPoolInput) {
		in.UserPoolTier = plus
		in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced}
	})
	wantAPIError(t, update(plusPool, essentials, func(in *cip.UpdateUserPoolInput) {
		in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced}
	}), "FeatureUnavailableInTierException", unavailable("UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED", "ESSENTIALS", "PLUS"))
	w.check(update(plusPool, essentials, nil))
	// ESSENTIALS → LITE with choice-based sign-in in the request.
	wantAPIError(t, update(plusPool, lite, func(in *cip.UpdateUserPoolInput) {
		in.Policies = signInPolicy(types.AuthFactorTypePassword, types.AuthFactorTypeSmsOtp)
	}), "FeatureUnavailableInTierException",
		unavailable("Policies.SignInPolicy.AllowedFirstAuthFactors other than PASSWORD", "LITE", "ESSENTIALS or higher"))
	w.check(update(plusPool, lite, nil))
	// LITE → PLUS in one step, with the Plus feature in the same request.
	w.check(update(plusPool, plus, func(in *cip.UpdateUserPoolInput) {
		in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}
	}))
	out, err := w.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &plusPool})
	w.check(err)
	if out.UserPool.UserPoolTier != plus || out.UserPool.UserPoolAddOns == nil ||
		out.UserPool.UserPoolAddOns.AdvancedSecurityMode != types.AdvancedSecurityModeTypeAudit {
		t.Fatalf("after LITE → PLUS: tier %q, add-ons %+v", out.UserPool.UserPoolTier, out.UserPool.UserPoolAddOns)
	}
}

// Email MFA and passkeys as MFA are Essentials features of
// SetUserPoolMfaConfig, and once set they hold the plan up.
func TestWireTierGatesMfaConfig(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	litePool := w.pool("lite-mfa", func(in *cip.CreateUserPoolInput) { in.UserPoolTier = lite })
	_, err := w.api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &litePool, MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Code {####}")}})
	wantAPIError(t, err, "FeatureUnavailableInTierException", unavailable("EmailMfaConfiguration", "LITE", "ESSENTIALS or higher"))
	_, err = w.api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &litePool,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
			FactorConfiguration: types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification}})
	wantAPIError(t, err, "FeatureUnavailableInTierException",
		unavailable("WebAuthnConfiguration.FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION", "LITE", "ESSENTIALS or higher"))

	poolID := w.pool("essentials-mfa", nil)
	w.ok(w.api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("Code {####}")}}))
	_, err = w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, UserPoolTier: lite})
	wantAPIError(t, err, "TierChangeNotAllowedException",
		"The feature plan of user pool "+poolID+" can't change from ESSENTIALS to LITE while EmailMfaConfiguration is configured; remove it first.")
}

// UpdateUserPoolDomain changes a domain's ManagedLoginVersion, which
// DescribeUserPoolDomain shows; managed login is gated by the plan and, once
// set, holds the plan up.
func TestWireDomainLoginVersion(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	poolID := w.pool("domains", nil)
	created, err := w.api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("versions")})
	w.check(err)
	if created.ManagedLoginVersion == nil || *created.ManagedLoginVersion != 1 {
		t.Fatalf("CreateUserPoolDomain answered version %v", created.ManagedLoginVersion)
	}
	version := func() int32 {
		t.Helper()
		d, err := w.api.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("versions")})
		w.check(err)
		return aws.ToInt32(d.DomainDescription.ManagedLoginVersion)
	}
	if v := version(); v != 1 {
		t.Fatalf("a new domain's version %d", v)
	}
	up, err := w.api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("versions"), ManagedLoginVersion: aws.Int32(2)})
	w.check(err)
	if aws.ToInt32(up.ManagedLoginVersion) != 2 || version() != 2 {
		t.Fatalf("after UpdateUserPoolDomain: answered %v, described %d", up.ManagedLoginVersion, version())
	}
	_, err = w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, UserPoolTier: lite})
	wantAPIError(t, err, "TierChangeNotAllowedException",
		"The feature plan of user pool "+poolID+" can't change from ESSENTIALS to LITE while ManagedLoginVersion 2 is configured on domain versions; remove it first.")
	_, err = w.api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("versions"), ManagedLoginVersion: aws.Int32(3)})
	wantAPIError(t, err, "InvalidParameterException", "ManagedLoginVersion must be 1 (hosted UI classic) or 2 (managed login).")
	other := w.pool("other", nil)
	_, err = w.api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("versions"), ManagedLoginVersion: aws.Int32(1)})
	wantAPIError(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	w.ok(w.api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("versions"), ManagedLoginVersion: aws.Int32(1)}))
	w.ok(w.api.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, UserPoolTier: lite}))
	_, err = w.api.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("versions"), ManagedLoginVersion: aws.Int32(2)})
	wantAPIError(t, err, "FeatureUnavailableInTierException", unavailable("ManagedLoginVersion 2", "LITE", "ESSENTIALS or higher"))
}
