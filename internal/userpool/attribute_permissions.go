package userpool

import "slices"

// What a user may write about itself. The self-service calls (SignUp,
// UpdateUserAttributes, DeleteUserAttributes and the NEW_PASSWORD_REQUIRED
// challenge's userAttributes.*) write only the attributes the app client
// allows, as Cognito does: anything else is NotAuthorizedException "A client
// attempted to write unauthorized attribute", and nothing is written.
//
// A client's WriteAttributes lists what its users may write. When it is
// empty, Cognito's default applies: every attribute of the schema (the
// mutability and schema checks stay checkAttributes'), except the verified
// flags. email_verified and phone_number_verified are never written by a
// user, even when a client lists them: only a code proves an address
// (ConfirmSignUp, VerifyUserAttribute), and only the admin calls
// (AdminCreateUser, AdminUpdateUserAttributes) may assert one.

// verifiedFlags are the attributes a user can never set itself.
var verifiedFlags = []string{"email_verified", "phone_number_verified"}

// checkClientWrite refuses the attributes that client's users may not write.
func checkClientWrite(client *Client, attrs []Attribute) error {
	allowed := client.Settings.WriteAttributes
	for _, a := range attrs {
		if slices.Contains(verifiedFlags, a.Name) || (len(allowed) > 0 && !slices.Contains(allowed, a.Name)) {
			return Errorf(NotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	return nil
}

// checkSelfWrite is checkAttributes then checkClientWrite: the whole check
// of a self-service write.
func checkSelfWrite(p *Pool, client *Client, attrs []Attribute, creating bool) error {
	if err := checkAttributes(p, attrs, creating); err != nil {
		return err
	}
	return checkClientWrite(client, attrs)
}
