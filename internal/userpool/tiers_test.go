package userpool

import (
	"encoding/json"
	"slices"
	"testing"
)

// The plan each gated feature needs, written out again from the model's
// docs (not read from minimumTier), so that a changed row fails here.
var wantMinimumTier = map[Feature]string{
	FeatureChoiceBasedSignIn:   TierEssentials,
	FeatureUserAuthFlow:        TierEssentials,
	FeatureEmailMfa:            TierEssentials,
	FeaturePasskeyMfa:          TierEssentials,
	FeatureAccessTokenCustom:   TierEssentials,
	FeatureM2MTokenCustom:      TierEssentials,
	FeatureManagedLogin:        TierEssentials,
	FeatureThreatProtection:    TierPlus,
	FeatureCustomAuthThreats:   TierPlus,
	FeatureLogsToS3OrFirehose:  TierPlus,
	FeatureThreatProtectionLog: TierPlus,
}

func TestRequireTierTable(t *testing.T) {
	if len(minimumTier) != len(wantMinimumTier) {
		t.Fatalf("the table has %d features, the test knows %d", len(minimumTier), len(wantMinimumTier))
	}
	for f, need := range wantMinimumTier {
		if minimumTier[f].Source == "" {
			t.Errorf("%s: the row cites no model doc", f)
		}
		for _, tier := range []string{TierLite, TierEssentials, TierPlus} {
			err := RequireTier(tier, f)
			if allowed := tierRank[tier] >= tierRank[need]; allowed != (err == nil) {
				t.Errorf("%s on %s: %v, want allowed=%v", f, tier, err, allowed)
			}
			if err != nil && !IsType(err, FeatureUnavailableInTier) {
				t.Errorf("%s on %s: %v, want FeatureUnavailableInTierException", f, tier, err)
			}
		}
	}
	if err := RequireTier(TierLite); err != nil {
		t.Errorf("no features on LITE: %v", err)
	}
	err := RequireTier(TierLite, FeatureUserAuthFlow, FeatureThreatProtection)
	if want := "ExplicitAuthFlows ALLOW_USER_AUTH isn't available in your current feature plan, LITE; it requires ESSENTIALS or higher."; ErrorMessage(err) != want {
		t.Errorf("first refused feature: %q, want %q", ErrorMessage(err), want)
	}
}

// What each request's settings configure, as the gates see it.
func TestTierFeaturesOfSettings(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	pools := []struct {
		name string
		st   PoolSettings
		want []Feature
	}{
		{"nothing", PoolSettings{}, nil},
		{"password-only sign-in", PoolSettings{Policies: &PoolPolicies{SignInPolicy: raw(`{"AllowedFirstAuthFactors":["PASSWORD"]}`)}}, nil},
		{"email OTP first", PoolSettings{Policies: &PoolPolicies{SignInPolicy: raw(`{"AllowedFirstAuthFactors":["PASSWORD","EMAIL_OTP"]}`)}},
			[]Feature{FeatureChoiceBasedSignIn}},
		{"passkey only", PoolSettings{Policies: &PoolPolicies{SignInPolicy: raw(`{"AllowedFirstAuthFactors":["WEB_AUTHN"]}`)}},
			[]Feature{FeatureChoiceBasedSignIn}},
		{"V1 trigger by name", PoolSettings{LambdaConfig: raw(`{"PreTokenGeneration":"arn:f"}`)}, nil},
		{"V1_0", PoolSettings{LambdaConfig: raw(`{"PreTokenGenerationConfig":{"LambdaArn":"arn:f","LambdaVersion":"V1_0"}}`)}, nil},
		{"V2_0", PoolSettings{LambdaConfig: raw(`{"PreTokenGenerationConfig":{"LambdaArn":"arn:f","LambdaVersion":"V2_0"}}`)},
			[]Feature{FeatureAccessTokenCustom}},
		{"V3_0", PoolSettings{LambdaConfig: raw(`{"PreTokenGenerationConfig":{"LambdaArn":"arn:f","LambdaVersion":"V3_0"}}`)},
			[]Feature{FeatureM2MTokenCustom}},
		{"threat protection off", PoolSettings{UserPoolAddOns: raw(`{"AdvancedSecurityMode":"OFF"}`)}, nil},
		{"audit", PoolSettings{UserPoolAddOns: raw(`{"AdvancedSecurityMode":"AUDIT"}`)}, []Feature{FeatureThreatProtection}},
		{"enforced with custom auth", PoolSettings{UserPoolAddOns: raw(`{"AdvancedSecurityMode":"ENFORCED","AdvancedSecurityAdditionalFlows":{"CustomAuthMode":"AUDIT"}}`)},
			[]Feature{FeatureThreatProtection, FeatureCustomAuthThreats}},
	}
	for _, c := range pools {
		if got := poolFeatures(c.st); !slices.Equal(got, c.want) {
			t.Errorf("pool %s: %v, want %v", c.name, got, c.want)
		}
	}
	if got := clientFeatures(ClientSettings{ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH"}}); !slices.Equal(got, []Feature{FeatureUserAuthFlow}) {
		t.Errorf("client with ALLOW_USER_AUTH: %v", got)
	}
	if got := clientFeatures(ClientSettings{ExplicitAuthFlows: defaultExplicitAuthFlows}); got != nil {
		t.Errorf("client with the default flows: %v", got)
	}
	for _, c := range []struct {
		email  bool
		factor string
		want   []Feature
	}{
		{false, "", nil}, {false, "SINGLE_FACTOR", nil}, {true, "", []Feature{FeatureEmailMfa}},
		{true, "MULTI_FACTOR_WITH_USER_VERIFICATION", []Feature{FeatureEmailMfa, FeaturePasskeyMfa}},
	} {
		if got := MfaConfigFeatures(c.email, c.factor); !slices.Equal(got, c.want) {
			t.Errorf("MFA config email=%v factor=%q: %v, want %v", c.email, c.factor, got, c.want)
		}
	}
	for v, want := range map[int][]Feature{0: nil, 1: nil, 2: {FeatureManagedLogin}} {
		if got := DomainFeatures(v); !slices.Equal(got, want) {
			t.Errorf("ManagedLoginVersion %d: %v, want %v", v, got, want)
		}
	}
	if got := LogDeliveryFeatures("userNotification", false); got != nil {
		t.Errorf("CloudWatch notification logs: %v", got)
	}
	if got := LogDeliveryFeatures("userAuthEvents", true); !slices.Equal(got, []Feature{FeatureLogsToS3OrFirehose, FeatureThreatProtectionLog}) {
		t.Errorf("threat-protection logs to S3: %v", got)
	}
}

// A pool stored before UserPoolTier had a default is ESSENTIALS; a plan
// outside the enum is refused by the domain too.
func TestTierOfAndUnknownPlan(t *testing.T) {
	if got := tierOf(&Pool{}); got != TierEssentials {
		t.Errorf("tierOf(no plan) %q", got)
	}
	if _, err := normalizePoolSettings(PoolSettings{UserPoolTier: "GOLD"}); !IsType(err, InvalidParameter) {
		t.Errorf("UserPoolTier GOLD: %v, want InvalidParameterException", err)
	}
	st, err := normalizePoolSettings(PoolSettings{})
	if err != nil || st.UserPoolTier != TierEssentials {
		t.Errorf("default plan %q (%v)", st.UserPoolTier, err)
	}
}
