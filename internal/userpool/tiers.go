package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
)

// Feature plans (UserPoolTier: LITE, ESSENTIALS, PLUS). A pool's plan
// decides which features it may configure: "This parameter determines the
// eligibility of the user pool for features like managed login,
// access-token customization, and threat protection" (botocore
// CreateUserPoolRequest.UserPoolTier). Configuring a feature the plan lacks
// is FeatureUnavailableInTierException; lowering the plan while a feature
// of the higher plan stays configured elsewhere is
// TierChangeNotAllowedException.

// The plans, lowest first.
const (
	TierLite       = "LITE"
	TierEssentials = "ESSENTIALS"
	TierPlus       = "PLUS"
)

// TierChangeNotAllowed is the error of a plan change the pool's
// configuration forbids (UpdateUserPool's error list).
const TierChangeNotAllowed = "TierChangeNotAllowedException"

// tierRank orders the plans; a plan includes the features of the lower ones.
var tierRank = map[string]int{TierLite: 0, TierEssentials: 1, TierPlus: 2}

// Feature is something a request configures that only some plans include;
// its text names it in error messages.
type Feature string

// The gated features. Where the model gates a whole member but a value of it
// is the default every pool has, the default stays free (decided: refusing
// SignInPolicy [PASSWORD] or AdvancedSecurityMode OFF on LITE would refuse
// what DescribeUserPool shows of any pool and what tools send by default).
const (
	FeatureChoiceBasedSignIn   Feature = "Policies.SignInPolicy.AllowedFirstAuthFactors other than PASSWORD"
	FeatureUserAuthFlow        Feature = "ExplicitAuthFlows ALLOW_USER_AUTH"
	FeatureEmailMfa            Feature = "EmailMfaConfiguration"
	FeaturePasskeyMfa          Feature = "WebAuthnConfiguration.FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION"
	FeatureAccessTokenCustom   Feature = "LambdaConfig.PreTokenGenerationConfig.LambdaVersion V2_0"
	FeatureM2MTokenCustom      Feature = "LambdaConfig.PreTokenGenerationConfig.LambdaVersion V3_0"
	FeatureManagedLogin        Feature = "ManagedLoginVersion 2"
	FeatureThreatProtection    Feature = "UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED"
	FeatureCustomAuthThreats   Feature = "UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode"
	FeatureLogsToS3OrFirehose  Feature = "LogConfigurations S3Configuration or FirehoseConfiguration"
	FeatureThreatProtectionLog Feature = "LogConfigurations EventSource userAuthEvents"
)

// tierRule is one row of the table: the lowest plan with the feature and
// the model's documentation that says so.
type tierRule struct {
	Tier   string
	Source string
}

// minimumTier is the table of gated features (botocore cognito-idp
// 2016-04-18, 1.43.11; "Essentials tier or higher" / "must be on the Plus
// tier" in each cited doc).
var minimumTier = map[Feature]tierRule{
	FeatureChoiceBasedSignIn: {TierEssentials, "SignInPolicyType"},
	FeatureUserAuthFlow:      {TierEssentials, "CreateUserPoolClientRequest.ExplicitAuthFlows (ALLOW_USER_AUTH)"},
	FeatureEmailMfa:          {TierEssentials, "SetUserPoolMfaConfigRequest.EmailMfaConfiguration, EmailMfaConfigType"},
	FeaturePasskeyMfa:        {TierEssentials, "WebAuthnConfigurationType.FactorConfiguration"},
	// The model names access-token customization among the features the
	// plan decides (CreateUserPoolRequest.UserPoolTier) without naming the
	// plan; the developer guide's pre token generation page puts V2_0 and
	// V3_0 (machine-to-machine) events in Essentials and Plus (spec §3c).
	FeatureAccessTokenCustom:   {TierEssentials, "CreateUserPoolRequest.UserPoolTier (access-token customization)"},
	FeatureM2MTokenCustom:      {TierEssentials, "CreateUserPoolRequest.UserPoolTier (access-token customization)"},
	FeatureManagedLogin:        {TierEssentials, "CreateUserPoolDomainRequest.ManagedLoginVersion: any feature plan other than Lite"},
	FeatureThreatProtection:    {TierPlus, "UserPoolAddOnsType"},
	FeatureCustomAuthThreats:   {TierPlus, "UserPoolAddOnsType"},
	FeatureLogsToS3OrFirehose:  {TierPlus, "LogConfigurationType.S3Configuration, .FirehoseConfiguration"},
	FeatureThreatProtectionLog: {TierPlus, "LogConfigurationType.EventSource (userAuthEvents with the Plus feature plan)"},
}

// tierOf is the pool's plan; pools stored before the default existed are
// ESSENTIALS, as CreateUserPool's default.
func tierOf(p *Pool) string {
	if p.Settings.UserPoolTier == "" {
		return TierEssentials
	}
	return p.Settings.UserPoolTier
}

// includes reports whether plan tier has feature f.
func includes(tier string, f Feature) bool {
	rule, gated := minimumTier[f]
	return !gated || tierRank[tier] >= tierRank[rule.Tier]
}

// RequireTier refuses features that plan tier does not include, naming the
// first one. Cognito's message is not documented; this one follows the
// model's description of FeatureUnavailableInTierException and says which
// plan would do.
func RequireTier(tier string, features ...Feature) error {
	for _, f := range features {
		if !includes(tier, f) {
			need := minimumTier[f].Tier
			if need != TierPlus {
				need += " or higher"
			}
			return Errorf(FeatureUnavailableInTier, "%s isn't available in your current feature plan, %s; it requires %s.", f, tier, need)
		}
	}
	return nil
}

// poolFeatures are the gated features that CreateUserPool / UpdateUserPool
// settings configure.
func poolFeatures(st PoolSettings) []Feature {
	p := Pool{Settings: st}
	var addOns struct {
		AdvancedSecurityAdditionalFlows *struct{ CustomAuthMode string }
	}
	if len(st.UserPoolAddOns) > 0 && json.Unmarshal(st.UserPoolAddOns, &addOns) != nil {
		addOns.AdvancedSecurityAdditionalFlows = nil
	}
	return configured(
		featureIf{FeatureChoiceBasedSignIn, st.Policies != nil && choiceBasedSignIn(st.Policies.SignInPolicy)},
		featureIf{FeatureAccessTokenCustom, p.PreTokenGenerationVersion() == "V2_0"},
		featureIf{FeatureM2MTokenCustom, p.PreTokenGenerationVersion() == "V3_0"},
		featureIf{FeatureThreatProtection, advancedSecurity(&p)},
		// CustomAuthMode is AUDIT or ENFORCED (the model's enum): either turns it on.
		featureIf{FeatureCustomAuthThreats, addOns.AdvancedSecurityAdditionalFlows != nil && addOns.AdvancedSecurityAdditionalFlows.CustomAuthMode != ""})
}

// choiceBasedSignIn reports whether a SignInPolicy allows a first factor
// other than the password every pool has.
func choiceBasedSignIn(raw json.RawMessage) bool {
	var policy struct{ AllowedFirstAuthFactors []string }
	if len(raw) == 0 || json.Unmarshal(raw, &policy) != nil {
		return false
	}
	return slices.ContainsFunc(policy.AllowedFirstAuthFactors, func(f string) bool { return f != "PASSWORD" })
}

// clientFeatures are the gated features that an app client's settings
// configure.
func clientFeatures(st ClientSettings) []Feature {
	if slices.Contains(st.ExplicitAuthFlows, "ALLOW_USER_AUTH") {
		return []Feature{FeatureUserAuthFlow}
	}
	return nil
}

// MfaConfigFeatures are the gated features of a SetUserPoolMfaConfig
// request: EmailMfaConfiguration present, and WebAuthnConfiguration's
// FactorConfiguration when passkeys satisfy MFA. SetUserPoolMfaConfig
// gates with RequireTier(tier, MfaConfigFeatures(…)...).
func MfaConfigFeatures(emailMfa bool, webAuthnFactor string) []Feature {
	return configured(featureIf{FeatureEmailMfa, emailMfa},
		featureIf{FeaturePasskeyMfa, webAuthnFactor == "MULTI_FACTOR_WITH_USER_VERIFICATION"})
}

// DomainFeatures are the gated features of a CreateUserPoolDomain or
// UpdateUserPoolDomain request: ManagedLoginVersion 2 is managed login
// (1 or none: the classic hosted UI, in every plan).
func DomainFeatures(managedLoginVersion int) []Feature {
	if managedLoginVersion >= 2 {
		return []Feature{FeatureManagedLogin}
	}
	return nil
}

// LogDeliveryFeatures are the gated features of one LogConfigurationType of
// SetLogDeliveryConfiguration.
func LogDeliveryFeatures(eventSource string, toS3OrFirehose bool) []Feature {
	return configured(featureIf{FeatureLogsToS3OrFirehose, toS3OrFirehose},
		featureIf{FeatureThreatProtectionLog, eventSource == "userAuthEvents"})
}

// featureIf is a feature and whether a request configures it.
type featureIf struct {
	Feature
	on bool
}

// configured lists the features a request configures, in order.
func configured(fs ...featureIf) []Feature {
	var out []Feature
	for _, f := range fs {
		if f.on {
			out = append(out, f.Feature)
		}
	}
	return out
}

// settledFeatures are the gated features a pool keeps through
// UpdateUserPool, because other operations configure them: they hold the
// pool's plan up: SetUserPoolMfaConfig's email MFA and passkey MFA, and
// SetLogDeliveryConfiguration's gated destinations and sources.
func settledFeatures(p *Pool) []Feature {
	factor := ""
	if p.Settings.WebAuthn != nil {
		factor = p.Settings.WebAuthn.FactorConfiguration
	}
	return append(MfaConfigFeatures(p.Settings.EmailMfa != nil, factor), logDeliveryFeatures(p.Settings.LogDeliveryConfiguration)...)
}

// Lowering a pool's plan below a feature configured outside the
// UpdateUserPool request (an app client's ALLOW_USER_AUTH, the pool's MFA
// configuration) is refused until the feature is removed; what the request
// itself configures is checked against the new plan, as
// FeatureUnavailableInTierException, by normalizePoolSettings. The model
// documents TierChangeNotAllowedException only as "the operation isn't
// permitted"; Cognate raises it for this and says what to remove.

func tierChangeRefused(p *Pool, next string, f Feature, where string) error {
	return Errorf(TierChangeNotAllowed, "The feature plan of user pool %s can't change from %s to %s while %s is configured%s; remove it first.",
		p.ID, tierOf(p), next, f, where)
}

// checkSettledAllowTier checks the pool's own settled features against the
// plan next; UpdatePool calls it with the pool row it is replacing, so the
// check and the change are one write.
func checkSettledAllowTier(p *Pool, next string) error {
	for _, f := range settledFeatures(p) {
		if !includes(next, f) {
			return tierChangeRefused(p, next, f, "")
		}
	}
	return nil
}

// checkClientsAllowTier checks the pool's app clients against the plan an
// UpdateUserPool asks for ("" keeps the plan). It reads the clients before
// the pool is written: a client given ALLOW_USER_AUTH at the same instant
// as the plan drops may slip through (a race between two admin calls that
// Cognate accepts rather than lock every client of the pool).
//
// The pool's domain holds the plan up too, with managed login (version 2).
func checkClientsAllowTier(ctx context.Context, st Store, p *Pool, requested string) error {
	if requested == "" || tierRank[requested] >= tierRank[tierOf(p)] {
		return nil
	}
	if prefix, err := st.DomainOfPool(ctx, p.ID); err == nil {
		d, err := st.GetDomain(ctx, prefix)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		for _, f := range DomainFeatures(d.ManagedLoginVersion) {
			if !includes(requested, f) {
				return tierChangeRefused(p, requested, f, " on domain "+prefix)
			}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	const pageSize = 60
	after := ""
	for {
		clients, err := st.ListClients(ctx, p.ID, after, pageSize)
		if err != nil {
			return err
		}
		for _, c := range clients {
			for _, f := range clientFeatures(c.Settings) {
				if !includes(requested, f) {
					return tierChangeRefused(p, requested, f, " on app client "+c.ID)
				}
			}
		}
		if len(clients) < pageSize {
			return nil
		}
		after = clients[len(clients)-1].ID
	}
}

// requirePoolTier checks the plan CreateUserPool / UpdateUserPool ask for
// (the wire decoder checks the enum too; other callers reach here) and the
// features their settings configure against it.
func requirePoolTier(st PoolSettings) error {
	if _, ok := tierRank[st.UserPoolTier]; !ok {
		return Errorf(InvalidParameter, "UserPoolTier must be one of LITE, ESSENTIALS, PLUS.")
	}
	return RequireTier(st.UserPoolTier, poolFeatures(st)...)
}
