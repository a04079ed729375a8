package server_test

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/passkey/passkeytest"
)

// passkeyCases drives the passkey operations, and SetUserPoolMfaConfig with
// a WebAuthnConfiguration, to a 200 in a pool of their own (for
// TestEveryOperationAnswersInTheModelsShape).
func (w *wire) passkeyCases(password string) {
	w.t.Helper()
	api := w.api
	poolID := w.pool("passkeys", func(in *cip.CreateUserPoolInput) {
		in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}
	})
	w.ok(api.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"), UserVerification: types.UserVerificationTypeRequired}}))
	w.ok(api.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &poolID}))
	clientID := *w.client(poolID, nil).ClientId
	w.user(poolID, "erin", password)
	tok := w.signIn(clientID, "erin", password).AccessToken

	a := passkeytest.New()
	start, err := api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: tok})
	w.check(err)
	w.ok(api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: tok,
		Credential: registrationDocument(w, a, start.CredentialCreationOptions, "http://localhost:3000")}))
	list, err := api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: tok, MaxResults: aws.Int32(5)})
	w.check(err)
	if len(list.Credentials) != 1 || *list.Credentials[0].CredentialId != a.ID() {
		w.t.Fatalf("credentials %+v", list.Credentials)
	}
	w.ok(api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: tok, CredentialId: aws.String(a.ID())}))
}

// registrationDocument is the authenticator's RegistrationResponseJSON to
// the SDK's CredentialCreationOptions, as a document for Complete.
func registrationDocument(w *wire, a *passkeytest.Authenticator, options document.Interface, origin string) document.Interface {
	w.t.Helper()
	var opts map[string]any
	w.check(options.UnmarshalSmithyDocument(&opts))
	raw, err := json.Marshal(opts)
	w.check(err)
	resp, err := a.Register(raw, origin)
	w.check(err)
	var cred map[string]any
	w.check(json.Unmarshal(resp, &cred))
	return document.NewLazyDocument(cred)
}
