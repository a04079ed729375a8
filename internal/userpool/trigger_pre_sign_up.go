package userpool

import "context"

// PreSignUp (Cognito's pre sign-up Lambda trigger) runs on SignUp
// (PreSignUp_SignUp) and AdminCreateUser (PreSignUp_AdminCreateUser, whose
// clientId is CLIENT_ID_NOT_APPLICABLE), on the user about to be written:
// after the request's own checks (password policy, schema, attribute
// permissions) and before the single write, so that a rejection leaves no
// user and a retried invocation cannot create two. Its answer acts only on
// SignUp — "ignored by Amazon Cognito when the Pre Sign-up lambda is
// triggered by the AdminCreateUser API":
//   - autoConfirmUser: the user is written CONFIRMED, no code is sent, and
//     PostConfirmation runs as if ConfirmSignUp had confirmed it;
//   - autoVerifyEmail / autoVerifyPhone: email_verified / phone_number_verified
//     become true when the user has the attribute (also without
//     autoConfirmUser: the user stays UNCONFIRMED and gets its code).
//
// A rejection is UserLambdaValidationException "PreSignUp failed with error
// <message>." (Triggers.run).

// Trigger sources of PreSignUp.
const (
	sourcePreSignUpSignUp      = "PreSignUp_SignUp"
	sourcePreSignUpAdminCreate = "PreSignUp_AdminCreateUser"
)

// preSignUpRequest is aws-lambda-go's CognitoEventUserPoolsPreSignupRequest;
// an absent validationData or clientMetadata is null, as Cognito sends it.
type preSignUpRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// preSignUpResponse is CognitoEventUserPoolsPreSignupResponse.
type preSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// preSignUp runs the pool's PreSignUp function on u, the user newUser is
// about to write, and applies a SignUp's answer to u.
func (t *Triggers) preSignUp(ctx context.Context, pool *Pool, source, clientID string, u *User, validation []Attribute, metadata map[string]string) error {
	req := preSignUpRequest{UserAttributes: attributeMap(u.Attributes, "sub"), ValidationData: attributeListMap(validation), ClientMetadata: metadata}
	event := newTriggerEvent[preSignUpRequest, preSignUpResponse](*pool, "", source, u.Username, clientID, req)
	var answer TriggerEvent[preSignUpRequest, preSignUpResponse]
	ran, err := t.run(ctx, *pool, TriggerPreSignUp, event, &answer)
	if err != nil || !ran || source != sourcePreSignUpSignUp {
		return err
	}
	r := answer.Response
	var verified []Attribute
	for _, v := range []struct {
		on   bool
		attr string
	}{{r.AutoVerifyEmail, "email"}, {r.AutoVerifyPhone, "phone_number"}} {
		if value, ok := u.Attribute(v.attr); v.on && ok && value != "" {
			verified = append(verified, Attribute{Name: v.attr + "_verified", Value: "true"})
		}
	}
	if verified != nil {
		setAttributes(pool, u, mergeAttributes(u.Attributes, verified))
	}
	if r.AutoConfirmUser {
		u.Status = StatusConfirmed
	}
	return nil
}

// attributeMap is a user's attributes as a trigger receives them: a map of
// strings, without the names in skip.
func attributeMap(attrs []Attribute, skip ...string) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Name] = a.Value
	}
	for _, s := range skip {
		delete(m, s)
	}
	return m
}

// attributeListMap is a request's AttributeListType (ValidationData) as a
// trigger receives it: nil (null) when absent.
func attributeListMap(attrs []Attribute) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	return attributeMap(attrs)
}
