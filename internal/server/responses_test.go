package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/awsjson"
	"github.com/cognate/cognate/internal/awsmodel"
)

// responseOf is the response body type of every operation in the table.
// The test fills every field of each one (so a field the model does not
// have, a domain-only field included, shows up) and checks the JSON against
// the operation's output shape.
var responseOf = map[string]any{
	"CreateUserPool":              userPoolResponse{},
	"DescribeUserPool":            userPoolResponse{},
	"ListUserPools":               listUserPoolsResponse{},
	"UpdateUserPool":              empty{},
	"DeleteUserPool":              empty{},
	"TagResource":                 empty{},
	"UntagResource":               empty{},
	"ListTagsForResource":         listTagsForResourceResponse{},
	"GetCSVHeader":                getCSVHeaderResponse{},
	"CreateUserImportJob":         userImportJobResponse{},
	"DescribeUserImportJob":       userImportJobResponse{},
	"StartUserImportJob":          userImportJobResponse{},
	"StopUserImportJob":           userImportJobResponse{},
	"ListUserImportJobs":          listUserImportJobsResponse{},
	"GetSigningCertificate":       getSigningCertificateResponse{},
	"SetLogDeliveryConfiguration": logDeliveryConfigurationResponse{},
	"GetLogDeliveryConfiguration": logDeliveryConfigurationResponse{},
	"CreateUserPoolClient":        userPoolClientResponse{},
	"DescribeUserPoolClient":      userPoolClientResponse{},
	"UpdateUserPoolClient":        userPoolClientResponse{},
	"ListUserPoolClients":         listUserPoolClientsResponse{},
	"DeleteUserPoolClient":        empty{},
	"AddUserPoolClientSecret":     addUserPoolClientSecretResponse{},
	"ListUserPoolClientSecrets":   listUserPoolClientSecretsResponse{},
	"DeleteUserPoolClientSecret":  empty{},

	"AdminCreateUser":           adminCreateUserResponse{},
	"AdminGetUser":              adminGetUserResponse{},
	"AdminDeleteUser":           empty{},
	"AdminSetUserPassword":      empty{},
	"AdminUpdateUserAttributes": empty{},
	"AdminDeleteUserAttributes": empty{},
	"AdminDisableUser":          empty{},
	"AdminEnableUser":           empty{},
	"ListUsers":                 listUsersResponse{},
	"GetUser":                   getUserResponse{},
	"DeleteUser":                empty{},

	"InitiateAuth":                initiateAuthResponse{},
	"AdminInitiateAuth":           initiateAuthResponse{},
	"RespondToAuthChallenge":      authResponse{},
	"AdminRespondToAuthChallenge": authResponse{},
	"GetTokensFromRefreshToken":   getTokensFromRefreshTokenResponse{},
	"AdminUserGlobalSignOut":      empty{},
	"GlobalSignOut":               empty{},
	"RevokeToken":                 empty{},

	"CreateGroup":              groupResponse{},
	"GetGroup":                 groupResponse{},
	"UpdateGroup":              groupResponse{},
	"DeleteGroup":              empty{},
	"ListGroups":               groupsResponse{},
	"AdminListGroupsForUser":   groupsResponse{},
	"AdminAddUserToGroup":      empty{},
	"AdminRemoveUserFromGroup": empty{},
	"ListUsersInGroup":         listUsersInGroupResponse{},

	"SignUp":                           signUpResponse{},
	"ConfirmSignUp":                    confirmSignUpResponse{},
	"GetUserAuthFactors":               getUserAuthFactorsResponse{},
	"AdminConfirmSignUp":               empty{},
	"ResendConfirmationCode":           codeDeliveryResponse{},
	"ForgotPassword":                   codeDeliveryResponse{},
	"ConfirmForgotPassword":            empty{},
	"AdminResetUserPassword":           empty{},
	"ChangePassword":                   empty{},
	"UpdateUserAttributes":             updateUserAttributesResponse{},
	"DeleteUserAttributes":             empty{},
	"GetUserAttributeVerificationCode": codeDeliveryResponse{},
	"VerifyUserAttribute":              empty{},
	"AdminListUserAuthEvents":          adminListUserAuthEventsResponse{},
	"AddCustomAttributes":              empty{},

	"AssociateSoftwareToken":    associateSoftwareTokenResponse{},
	"VerifySoftwareToken":       verifySoftwareTokenResponse{},
	"SetUserMFAPreference":      empty{},
	"AdminSetUserMFAPreference": empty{},
	"SetUserPoolMfaConfig":      poolMfaConfigResponse{},
	"GetUserPoolMfaConfig":      poolMfaConfigResponse{},
	// Passkeys.
	"StartWebAuthnRegistration":    startWebAuthnRegistrationResponse{CredentialCreationOptions: []byte(`{"challenge":"x"}`)},
	"CompleteWebAuthnRegistration": empty{},
	"ListWebAuthnCredentials":      listWebAuthnCredentialsResponse{},
	"DeleteWebAuthnCredential":     empty{},

	"ConfirmDevice":           confirmDeviceResponse{},
	"UpdateDeviceStatus":      empty{},
	"AdminUpdateDeviceStatus": empty{},
	"GetDevice":               deviceResponse{},
	"AdminGetDevice":          deviceResponse{},
	"ListDevices":             devicesResponse{},
	"AdminListDevices":        devicesResponse{},
	"ForgetDevice":            empty{},
	"AdminForgetDevice":       empty{},

	"CreateUserPoolDomain":   domainVersionResponse{},
	"UpdateUserPoolDomain":   domainVersionResponse{},
	"DescribeUserPoolDomain": describeUserPoolDomainResponse{},
	"DeleteUserPoolDomain":   empty{},
	"CreateResourceServer":   resourceServerResponse{},
	"DescribeResourceServer": resourceServerResponse{},
	"ListResourceServers":    listResourceServersResponse{},
	"UpdateResourceServer":   resourceServerResponse{},
	"DeleteResourceServer":   empty{},
}

func TestEveryResponseTypeFitsTheModel(t *testing.T) {
	model := awsmodel.Default()
	for name := range (&Server{}).operations() {
		sample, ok := responseOf[name]
		if !ok {
			t.Errorf("%s: no response type in responseOf", name)
			continue
		}
		op, ok := model.Operation(name)
		if !ok {
			t.Errorf("%s: not in the model", name)
			continue
		}
		v := reflect.New(reflect.TypeOf(sample))
		fill(v.Elem(), op.Output)
		if err := awsjson.CheckOutput(op, v.Interface()); err != nil {
			body, _ := json.Marshal(v.Interface())
			t.Errorf("%v\nbody: %s", err, body)
		}
	}
	for name := range responseOf {
		if _, ok := (&Server{}).operations()[name]; !ok {
			t.Errorf("responseOf names %s, which the table does not have", name)
		}
	}
}

var (
	epochType = reflect.TypeOf(epoch{})
	rawType   = reflect.TypeOf(json.RawMessage(nil))
)

// fill sets every field of v to a value that fits s, the model shape it is
// meant to render (nil for a field the model does not have: it is still
// filled, so that CheckOutput reports it): strings take the first enum
// value, verbatim JSON (settings Cognate echoes) the least its shape
// requires.
func fill(v reflect.Value, s *awsmodel.Shape) {
	switch {
	case v.Type() == epochType:
		v.Set(reflect.ValueOf(epoch(time.Unix(1700000000, 500e6))))
		return
	case v.Type() == rawType:
		raw, _ := json.Marshal(sampleOf(s))
		v.Set(reflect.ValueOf(json.RawMessage(raw)))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Anonymous { // its fields are promoted, exported or not
				fill(v.Field(i), s)
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			var ms *awsmodel.Shape
			if s != nil {
				if m := s.MemberByName(name); m != nil {
					ms = m.Shape
				}
			}
			fill(v.Field(i), ms)
		}
	case reflect.Slice:
		var el *awsmodel.Shape
		if s != nil {
			el = s.Member
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), el)
	case reflect.Map:
		var key, val *awsmodel.Shape
		if s != nil {
			key, val = s.Key, s.Value
		}
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, key)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, val)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.String:
		if s != nil && len(s.Enum) > 0 {
			v.SetString(s.Enum[0])
		} else {
			v.SetString("sample")
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}

// sampleOf is the least JSON value of shape s: a structure has its
// required members only.
func sampleOf(s *awsmodel.Shape) any {
	if s == nil {
		return map[string]any{}
	}
	switch s.Type {
	case "structure":
		obj := map[string]any{}
		for _, name := range s.Required {
			obj[name] = sampleOf(s.MemberByName(name).Shape)
		}
		return obj
	case "list":
		return []any{sampleOf(s.Member)}
	case "map":
		return map[string]any{}
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return "sample"
	case "boolean":
		return true
	case "blob":
		return "c2FtcGxl"
	}
	return 1 // integer, long, double, float, timestamp
}
