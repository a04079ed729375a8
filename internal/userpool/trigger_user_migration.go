package userpool

import (
	"context"
	"slices"
	"strings"
	"time"
)

// UserMigration (Cognito's migrate user Lambda trigger) runs when a user
// the pool does not have signs in with a password (UserMigration_Authentication:
// USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and the hosted UI, all through
// CheckPassword; SRP never sends the password, so it cannot migrate) or asks
// for a password reset (UserMigration_ForgotPassword). The function looks the
// user up in the old system; its answer creates the user, once, before the
// flow goes on as for any user (PreAuthentication then runs too: Cognito
// "invokes all assigned functions"):
//   - userAttributes (required; sub is the pool's own): the new user's
//     attributes; an answer without any migrates nobody, and the caller gets
//     the error it would have had without the trigger;
//   - finalUserStatus: on sign-in CONFIRMED (also when unset: the entered
//     password becomes the user's) or RESET_REQUIRED (the user must reset it);
//     on forgot-password always RESET_REQUIRED, with a generated password,
//     and the reset code goes out as for any user;
//   - messageAction, desiredDeliveryMediums: Cognito sends new users a
//     welcome message "unless messageAction is SUPPRESS" (RESEND, or none,
//     sends it), by desiredDeliveryMediums (default SMS). Cognate's welcome
//     message is AdminCreateUser's invitation (invitation.go: the pool's
//     InviteMessageTemplate, CustomMessage_AdminCreateUser, the custom
//     senders' _AdminCreateUser) with no password in it: {####} is
//     welcomePassword (a decision: the sources name the message, not its
//     content; most functions answer SUPPRESS). A user
//     without an attribute for any desired medium gets none, and the
//     migration stands; a failing CustomMessage or sender fails the call
//     after the user was created (the next call finds the user);
//   - forceAliasCreation: a verified email or phone number another user
//     holds as an alias moves to the migrated user (takeAliases in users.go);
//     without it the migration fails with AliasExistsException.
//
// InitiateAuth's ClientMetadata arrives both as validationData and as
// clientMetadata (the developer guide names it as the source of both). A
// function error is UserLambdaValidationException "UserMigration failed with
// error <message>.".

// Trigger sources of UserMigration.
const (
	sourceMigrateAuthentication = "UserMigration_Authentication"
	sourceMigrateForgotPassword = "UserMigration_ForgotPassword"
)

// migrateUserRequest is aws-lambda-go's CognitoEventUserPoolsMigrateUserRequest.
type migrateUserRequest struct {
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// migrateUserResponse is CognitoEventUserPoolsMigrateUserResponse.
type migrateUserResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus"`
	MessageAction          string            `json:"messageAction"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
	ForceAliasCreation     bool              `json:"forceAliasCreation"`
}

// userMigration is what migrateUser needs of Auth or Accounts.
type userMigration struct {
	store    Store
	creds    Credentials
	now      time.Time
	triggers *Triggers
	// messages sends the welcome message the answer asks for (nil: none).
	messages *Accounts
}

// findUser is FindUser that, for a user the pool does not have, asks the
// UserMigration function first: a migrated user is found; else the
// UserNotFoundException stands (a failing function's error replaces it).
func (m userMigration) findUser(ctx context.Context, pool *Pool, clientID, source, username, password string, metadata map[string]string) (User, string, error) {
	u, key, err := FindUser(ctx, m.store, pool, username)
	if !IsType(err, UserNotFound) {
		return u, key, err
	}
	if migrated, merr := m.migrate(ctx, pool, clientID, source, username, password, metadata); merr != nil {
		return User{}, "", merr
	} else if !migrated {
		return User{}, "", err
	}
	return FindUser(ctx, m.store, pool, username)
}

// migrate asks the pool's UserMigration function for username and creates
// the user it answers with. password is "" on forgot-password. It reports
// false when the pool names no function or the function migrated nobody.
func (m userMigration) migrate(ctx context.Context, pool *Pool, clientID, source, username, password string, metadata map[string]string) (bool, error) {
	event := newTriggerEvent[migrateUserRequest, migrateUserResponse](*pool, "", source, username, clientID,
		migrateUserRequest{Password: password, ValidationData: metadata, ClientMetadata: metadata})
	var answer TriggerEvent[migrateUserRequest, migrateUserResponse]
	ran, err := m.triggers.run(ctx, *pool, TriggerUserMigration, event, &answer)
	if err != nil || !ran || len(answer.Response.UserAttributes) == 0 {
		return false, err
	}
	var attrs []Attribute
	for name, v := range answer.Response.UserAttributes {
		if name != "sub" {
			attrs = append(attrs, Attribute{Name: name, Value: v})
		}
	}
	slices.SortFunc(attrs, func(x, y Attribute) int { return strings.Compare(x.Name, y.Name) })
	if err := checkAttributes(pool, attrs, true); err != nil {
		return false, err
	}
	status := StatusConfirmed
	if password == "" || answer.Response.FinalUserStatus == StatusResetRequired {
		status = StatusResetRequired
	}
	if password == "" {
		password = GeneratePassword(passwordPolicy(pool))
	}
	u, err := newUser(ctx, m.store, m.creds, m.now, pool, userToCreate{username: username, attrs: attrs,
		status: status, password: password, existsMessage: "User account already exists", forceAlias: answer.Response.ForceAliasCreation})
	if err != nil {
		return false, err
	}
	return true, m.welcome(ctx, pool, &u, answer.Response, metadata)
}

// welcomePassword stands for {####} in a migrated user's welcome message:
// Cognate never mails a password — not the one the user typed (it would
// travel in clear through SMTP and sit in the outbox), nor a generated one
// only a reset replaces.
const welcomePassword = "(the password of your existing account)"

// welcome sends the migrated user the welcome message the function's
// answer asks for (see above).
func (m userMigration) welcome(ctx context.Context, pool *Pool, u *User, answer migrateUserResponse, metadata map[string]string) error {
	if answer.MessageAction == "SUPPRESS" || m.messages == nil {
		return nil
	}
	mediums, err := inviteMediums(u, answer.DesiredDeliveryMediums)
	if err != nil || len(mediums) == 0 {
		return nil // nowhere to send it: the migration stands
	}
	return m.messages.invite(ctx, pool, u, invitation{password: welcomePassword, mediums: mediums, metadata: metadata})
}
