package server

import (
	"encoding/json"

	"github.com/cognate/cognate/internal/userpool"
)

// The response bodies, one type per operation's output shape in the model
// (<Operation>Response; operations whose shapes have the same members share
// a type, named in its comment), members named and typed as the model has
// them. Members the model makes optional and Cognate sometimes leaves out
// carry omitempty, so absent stays absent; lists Cognate always sends stay
// present ([] when empty). The element types (UserPoolType, UserType, ...)
// are in wire.go. Members are declared in sorted order where these bodies
// were maps (encoding/json sorts map keys), so the bytes stayed the same.
// responses_test.go checks every operation's type against the model.

// empty is the `{}` answer of operations without output members.
type empty struct{}

// renderList renders a page of domain values; never nil, as Cognito sends
// [] for an empty page.
func renderList[T, W any](items []T, render func(T) W) []W {
	out := make([]W, 0, len(items))
	for _, it := range items {
		out = append(out, render(it))
	}
	return out
}

// Pools and clients.

// userPoolResponse is CreateUserPoolResponse and DescribeUserPoolResponse.
type userPoolResponse struct{ UserPool wirePool }

type listUserPoolsResponse struct {
	NextToken string `json:",omitempty"`
	UserPools []wirePoolSummary
}

// userPoolClientResponse is Create-, Describe- and
// UpdateUserPoolClientResponse.
type userPoolClientResponse struct{ UserPoolClient wireClient }

type listUserPoolClientsResponse struct {
	NextToken       string `json:",omitempty"`
	UserPoolClients []wireClientSummary
}

// wireClientSummary is UserPoolClientDescription.
type wireClientSummary struct{ ClientId, ClientName, UserPoolId string }

type addUserPoolClientSecretResponse struct{ ClientSecretDescriptor wireClientSecret }

type listUserPoolClientSecretsResponse struct{ ClientSecrets []wireClientSecret }

// Users.

type adminCreateUserResponse struct{ User wireUser }

type adminGetUserResponse struct {
	Enabled              bool
	PreferredMfaSetting  string `json:",omitempty"`
	UserAttributes       []userpool.Attribute
	UserCreateDate       epoch
	UserLastModifiedDate epoch
	UserMFASettingList   []string `json:",omitempty"`
	UserStatus           string
	Username             string
}

type getUserResponse struct {
	PreferredMfaSetting string `json:",omitempty"`
	UserAttributes      []userpool.Attribute
	UserMFASettingList  []string `json:",omitempty"`
	Username            string
}

// userMFA is PreferredMfaSetting and UserMFASettingList, shared by
// AdminGetUser and GetUser.
func userMFA(u userpool.User) (preferred string, list []string) {
	if u.MFA.TOTPEnabled {
		list = append(list, "SOFTWARE_TOKEN_MFA")
	}
	if u.MFA.EmailEnabled {
		list = append(list, "EMAIL_OTP")
	}
	return u.MFA.Preferred, list
}

type listUsersResponse struct {
	PaginationToken string `json:",omitempty"`
	Users           []wireUser
}

type listUsersInGroupResponse struct {
	NextToken string `json:",omitempty"`
	Users     []wireUser
}

// Sign-in and tokens.

// authResponse is InitiateAuthResponse and its siblings.
type authResponse struct {
	ChallengeName        string            `json:",omitempty"`
	Session              string            `json:",omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	AuthenticationResult *wireAuthResult   `json:",omitempty"`
}

func renderAuth(r userpool.AuthResult) authResponse {
	out := authResponse{ChallengeName: r.ChallengeName, Session: r.Session, ChallengeParameters: r.ChallengeParameters}
	if out.ChallengeParameters == nil {
		out.ChallengeParameters = map[string]string{}
	}
	out.AuthenticationResult = renderTokens(r.Tokens)
	return out
}

// getTokensFromRefreshTokenResponse is the model's shape for
// GetTokensFromRefreshToken: tokens only, no challenge members.
type getTokensFromRefreshTokenResponse struct {
	AuthenticationResult *wireAuthResult `json:",omitempty"`
}

// Groups.

// groupResponse is Create-, Get- and UpdateGroupResponse.
type groupResponse struct{ Group wireGroup }

// groupsResponse is ListGroupsResponse and AdminListGroupsForUserResponse.
type groupsResponse struct {
	Groups    []wireGroup
	NextToken string `json:",omitempty"`
}

// Accounts.

// wireCodeDelivery is CodeDeliveryDetailsType.
type wireCodeDelivery struct{ AttributeName, DeliveryMedium, Destination string }

func renderCodeDelivery(d userpool.CodeDelivery) wireCodeDelivery {
	return wireCodeDelivery{AttributeName: d.AttributeName, DeliveryMedium: d.DeliveryMedium, Destination: d.Destination}
}

type signUpResponse struct {
	CodeDeliveryDetails *wireCodeDelivery `json:",omitempty"`
	Session             string            `json:",omitempty"`
	UserConfirmed       bool
	UserSub             string
}

// codeDeliveryResponse is ResendConfirmationCode-, ForgotPassword- and
// GetUserAttributeVerificationCodeResponse.
type codeDeliveryResponse struct{ CodeDeliveryDetails wireCodeDelivery }

type updateUserAttributesResponse struct{ CodeDeliveryDetailsList []wireCodeDelivery }

type adminListUserAuthEventsResponse struct {
	AuthEvents []wireAuthEvent
	NextToken  string `json:",omitempty"`
}

// wireAuthEvent is AuthEventType. Cognate has no risk engine: every event
// is NoRisk.
type wireAuthEvent struct {
	ChallengeResponses []userpool.ChallengeResult
	CreationDate       epoch
	EventContextData   struct{ IpAddress string }
	EventId            string
	EventResponse      string
	EventRisk          struct {
		CompromisedCredentialsDetected bool
		RiskDecision                   string
	}
	EventType string
}

func renderAuthEvent(e userpool.AuthEvent) wireAuthEvent {
	w := wireAuthEvent{ChallengeResponses: e.Challenges, CreationDate: epoch(e.CreatedAt), EventId: e.ID,
		EventResponse: e.Response, EventType: e.Type}
	w.EventContextData.IpAddress = e.IP
	w.EventRisk.RiskDecision = "NoRisk"
	return w
}

// outboxResponse answers OutboxTarget (Cognate's own operation, not in the
// model).
type outboxResponse struct{ Messages []outboxMessage }

type outboxMessage struct {
	Code, CreatedDate, DeliveryMedium, Destination string
	Id                                             int64
	Message, Purpose, Username                     string
}

// MFA.

type associateSoftwareTokenResponse struct {
	SecretCode string
	Session    string `json:",omitempty"`
}

type verifySoftwareTokenResponse struct {
	Session string `json:",omitempty"`
	Status  string
}

// poolMfaConfigResponse is Get- and SetUserPoolMfaConfigResponse.
type poolMfaConfigResponse struct {
	MfaConfiguration              string
	SoftwareTokenMfaConfiguration struct{ Enabled bool }
	WebAuthnConfiguration         userpool.WebAuthnConfig
	EmailMfaConfiguration         *userpool.EmailMfaConfig `json:",omitempty"`
}

// Devices.

type confirmDeviceResponse struct{ UserConfirmationNecessary bool }

// deviceResponse is GetDeviceResponse and AdminGetDeviceResponse.
type deviceResponse struct{ Device wireDevice }

// devicesResponse is ListDevicesResponse and AdminListDevicesResponse.
type devicesResponse struct {
	Devices         []wireDevice
	PaginationToken string `json:",omitempty"`
}

// Domains and resource servers.

type describeUserPoolDomainResponse struct{ DomainDescription wireDomain }

// domainVersionResponse is Create- and UpdateUserPoolDomainResponse for a
// prefix domain (CloudFrontDomain is a custom domain's).
type domainVersionResponse struct{ ManagedLoginVersion int }

// wireDomain is DomainDescriptionType; all empty when the domain does not
// exist, as Cognito answers.
type wireDomain struct {
	AWSAccountId           string `json:",omitempty"`
	CloudFrontDistribution string `json:",omitempty"`
	Domain                 string `json:",omitempty"`
	Status                 string `json:",omitempty"`
	UserPoolId             string `json:",omitempty"`
	Version                string `json:",omitempty"`
	ManagedLoginVersion    int    `json:",omitempty"`
}

// resourceServerResponse is Create-, Describe- and
// UpdateResourceServerResponse.
type resourceServerResponse struct{ ResourceServer wireResourceServer }

type listResourceServersResponse struct{ ResourceServers []wireResourceServer }

// wireResourceServer is ResourceServerType.
type wireResourceServer struct {
	Identifier string
	Name       string
	Scopes     []userpool.ResourceServerScope
	UserPoolId string
}

func renderResourceServer(rs userpool.ResourceServer) wireResourceServer {
	scopes := rs.Scopes
	if scopes == nil {
		scopes = []userpool.ResourceServerScope{}
	}
	return wireResourceServer{Identifier: rs.Identifier, Name: rs.Name, Scopes: scopes, UserPoolId: rs.PoolID}
}

// initiateAuthResponse is InitiateAuthResponse and
// AdminInitiateAuthResponse: authResponse with USER_AUTH's
// AvailableChallenges (RespondToAuthChallengeResponse has no such member).
type initiateAuthResponse struct {
	authResponse
	AvailableChallenges []string `json:",omitempty"`
}

func renderInitiateAuth(r userpool.AuthResult) initiateAuthResponse {
	return initiateAuthResponse{authResponse: renderAuth(r), AvailableChallenges: r.AvailableChallenges}
}

type confirmSignUpResponse struct {
	Session string `json:",omitempty"`
}

type getUserAuthFactorsResponse struct {
	ConfiguredUserAuthFactors []string
	PreferredMfaSetting       string   `json:",omitempty"`
	UserMFASettingList        []string `json:",omitempty"`
	Username                  string
}

type listTagsForResourceResponse struct{ Tags map[string]string }

type getCSVHeaderResponse struct {
	UserPoolId string
	CSVHeader  []string
}

// getSigningCertificateResponse carries the certificate as base64 DER
// (Cognito's "MIIC…", no PEM armour).
type getSigningCertificateResponse struct{ Certificate string }

// logDeliveryConfigurationResponse is Set- and
// GetLogDeliveryConfigurationResponse.
type logDeliveryConfigurationResponse struct {
	LogDeliveryConfiguration wireLogDeliveryConfiguration
}

// wireLogDeliveryConfiguration is LogDeliveryConfigurationType.
type wireLogDeliveryConfiguration struct {
	UserPoolId        string
	LogConfigurations []userpool.LogConfiguration
}

// Passkeys.

type startWebAuthnRegistrationResponse struct{ CredentialCreationOptions json.RawMessage }

type listWebAuthnCredentialsResponse struct {
	Credentials []wireWebAuthnCredential
	NextToken   string `json:",omitempty"`
}

// wireWebAuthnCredential is WebAuthnCredentialDescription.
type wireWebAuthnCredential struct {
	CredentialId            string
	FriendlyCredentialName  string
	RelyingPartyId          string
	AuthenticatorAttachment string `json:",omitempty"`
	AuthenticatorTransports []string
	CreatedAt               epoch
}

// User import jobs.

// wireUserImportJob is UserImportJobType.
type wireUserImportJob struct {
	JobName               string
	JobId                 string
	UserPoolId            string
	PreSignedUrl          string
	CreationDate          epoch
	StartDate             *epoch `json:",omitempty"`
	CompletionDate        *epoch `json:",omitempty"`
	Status                string
	CloudWatchLogsRoleArn string
	ImportedUsers         int64
	SkippedUsers          int64
	FailedUsers           int64
	CompletionMessage     string `json:",omitempty"`
}

// userImportJobResponse is Create-, Describe-, Start- and
// StopUserImportJobResponse.
type userImportJobResponse struct {
	UserImportJob wireUserImportJob
}

type listUserImportJobsResponse struct {
	UserImportJobs  []wireUserImportJob `json:",omitempty"`
	PaginationToken string              `json:",omitempty"`
}
