package userpool

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/secret"
)

// Accounts runs the rest of a user's life: sign-up and confirmation,
// forgotten passwords, password changes, attribute updates and their
// verification. Codes go to the local outbox instead of email or SMS.
type Accounts struct {
	Store       Store
	Now         Clock
	Credentials Credentials
	Sealer      Sealer
	Sessions    *Sessions
	Mailer      Mailer    // optional: also deliver EMAIL messages (SMTP)
	Triggers    *Triggers // the pools' Lambda triggers (nil: none run)
}

// Mailer delivers an outbox message; failures are its own to report, the
// outbox remains the record.
type Mailer interface {
	Deliver(ctx context.Context, m Message)
}

// Code purposes and lifetimes.
const (
	purposeSignUp      = "signup"
	purposeForgot      = "forgot"
	signUpCodeLifetime = 24 * time.Hour
	forgotCodeLifetime = time.Hour
)

// CodeDelivery is CodeDeliveryDetailsType.
type CodeDelivery struct {
	Destination    string
	DeliveryMedium string
	AttributeName  string
}

func mask(v string) string {
	if at := strings.IndexByte(v, '@'); at > 0 {
		return v[:1] + "***@" + v[at+1:at+2] + "***"
	}
	if len(v) > 4 {
		return "+*******" + v[len(v)-4:]
	}
	return "***"
}

func (s *Accounts) codeHash(poolID, sub, purpose, code string) []byte {
	return s.Sealer.MAC([]byte(poolID + "\x00" + sub + "\x00" + purpose + "\x00" + code))
}

// send makes a code for purpose, stores its MAC and puts the message in the
// outbox, addressed to attr (email or phone_number): the pool's message, or
// the CustomMessage function's (trigger_custom_message.go), asked first —
// or hands the code to the pool's custom sender for the medium instead
// (trigger_custom_sender.go).
func (s *Accounts) send(ctx context.Context, pool *Pool, u *User, purpose, attr string, lifetime time.Duration, cause messageCause) (CodeDelivery, error) {
	dest, _ := u.Attribute(attr)
	if err := s.claimCodeIssue(ctx, pool.ID, u.Sub, purpose); err != nil {
		return CodeDelivery{}, err
	}
	medium, template, subject := "EMAIL", pool.Settings.EmailVerificationMessage, pool.Settings.EmailVerificationSubject
	if attr == "phone_number" {
		medium, template, subject = "SMS", pool.Settings.SmsVerificationMessage, ""
	}
	if template == "" {
		template = "Your verification code is {####}. "
	}
	code := secret.RandomString(6, "0123456789")
	m, err := s.prepare(ctx, pool, u, outgoing{medium: medium, dest: dest, purpose: purpose, secret: code, template: template, subject: subject, cause: cause})
	if err != nil {
		return CodeDelivery{}, err
	}
	if err := s.Store.PutCode(ctx, Code{PoolID: pool.ID, UserSub: u.Sub, Purpose: purpose,
		Hash: s.codeHash(pool.ID, u.Sub, purpose, code), ExpiresAt: s.Now().Add(lifetime)}); err != nil {
		return CodeDelivery{}, err
	}
	if err := s.post(ctx, pool, u, m); err != nil {
		return CodeDelivery{}, err
	}
	return CodeDelivery{Destination: mask(dest), DeliveryMedium: medium, AttributeName: attr}, nil
}

// outgoing is a message about to go to dest by medium: what it is for, the
// secret it carries (a code, or a temporary password) in place of {####},
// the pool's message for it and why it is sent.
type outgoing struct {
	medium, dest, purpose string
	secret                string
	username              string // replaces {username} (invitations)
	template, subject     string // the pool's body and subject ("": the mailer's)
	cause                 messageCause
}

// prepared is an outgoing message after the pool's functions had their
// say: handed to a custom sender, or with its final body and subject.
type prepared struct {
	outgoing
	bySender      bool
	body, subject string
}

// prepare runs the pool's functions for m, before anything is written: the
// custom sender for m's medium, which takes the message, or else
// CustomMessage, which may write it. A failing function fails prepare.
func (s *Accounts) prepare(ctx context.Context, pool *Pool, u *User, m outgoing) (prepared, error) {
	if sent, err := s.Triggers.customSender(ctx, pool, m.cause, u, m.medium, m.secret); sent || err != nil {
		return prepared{outgoing: m, bySender: true}, err
	}
	custom, subject, err := s.Triggers.customMessage(ctx, pool, m.cause, u, m.medium)
	if err != nil {
		return prepared{}, err
	}
	body := m.template
	if custom != "" {
		body = custom
	}
	if subject == "" {
		subject = m.subject
	}
	if m.username != "" {
		body = strings.ReplaceAll(body, usernamePlaceholder, m.username)
	}
	return prepared{outgoing: m, body: strings.ReplaceAll(body, codePlaceholder, m.secret), subject: subject}, nil
}

// post puts a prepared message in the outbox and hands it to SMTP — unless a
// custom sender took it: then the outbox only records that its secret went
// out (an empty body) and nothing is mailed.
func (s *Accounts) post(ctx context.Context, pool *Pool, u *User, m prepared) error {
	msg := Message{PoolID: pool.ID, Username: u.Username, Medium: m.medium, Destination: m.dest,
		Purpose: m.purpose, Code: m.secret, Body: m.body, Subject: m.subject, CreatedAt: s.Now()}
	if _, err := s.Store.AddMessage(ctx, s.sealMessage(msg)); err != nil {
		return err
	}
	if s.Mailer != nil && !m.bySender {
		s.Mailer.Deliver(ctx, msg)
	}
	return nil
}

// verifiedTarget picks where sign-up codes go: the pool's auto-verified
// attributes the user has, email first.
func verifiedTarget(pool *Pool, u *User) string {
	for _, attr := range []string{"email", "phone_number"} {
		if slices.Contains(pool.Settings.AutoVerifiedAttributes, attr) {
			if v, ok := u.Attribute(attr); ok && v != "" {
				return attr
			}
		}
	}
	return ""
}

// publicClient resolves the client of an unsigned call and checks its
// SecretHash.
func (s *Accounts) publicClient(ctx context.Context, clientID, secretHash, username string) (Pool, Client, error) {
	client, err := GetClient(ctx, s.Store, "", clientID)
	if err != nil {
		return Pool{}, Client{}, err
	}
	pool, err := GetPool(ctx, s.Store, client.PoolID)
	if err != nil {
		return Pool{}, Client{}, err
	}
	if err := checkSecretHash(&client, secretHash, username); err != nil {
		return Pool{}, Client{}, err
	}
	return pool, client, nil
}

// SignUpInput is SignUpRequest.
type SignUpInput struct {
	ClientId       string
	SecretHash     string
	Username       string
	Password       string
	UserAttributes []Attribute
	ValidationData []Attribute       // for PreSignUp
	ClientMetadata map[string]string // for PreSignUp and PostConfirmation
}

// SignUpResult is SignUpResponse.
type SignUpResult struct {
	UserConfirmed bool
	UserSub       string
	Delivery      *CodeDelivery
}

// SignUp creates an UNCONFIRMED user and sends a confirmation code to an
// auto-verified attribute — unless PreSignUp auto-confirms it
// (trigger_pre_sign_up.go): then no code, and PostConfirmation runs.
func (s *Accounts) SignUp(ctx context.Context, in SignUpInput) (SignUpResult, error) {
	pool, client, err := s.publicClient(ctx, in.ClientId, in.SecretHash, in.Username)
	if err != nil {
		return SignUpResult{}, err
	}
	if pool.Settings.AdminCreateUserConfig != nil && pool.Settings.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		return SignUpResult{}, Errorf(NotAuthorized, "SignUp is not permitted for this user pool")
	}
	passwordless := passwordlessSignUp(&pool, in.Password)
	if !passwordless {
		if err := CheckPasswordPolicy(passwordPolicy(&pool), in.Password); err != nil {
			return SignUpResult{}, err
		}
	}
	if err := checkSelfWrite(&pool, &client, in.UserAttributes, true); err != nil {
		return SignUpResult{}, err
	}
	u, err := newUser(ctx, s.Store, s.Credentials, s.Now(), &pool, userToCreate{username: in.Username, attrs: in.UserAttributes,
		status: StatusUnconfirmed, password: in.Password, passwordless: passwordless, requireAttributes: true, existsMessage: "User already exists",
		beforeWrite: func(u *User) error {
			return s.Triggers.preSignUp(ctx, &pool, sourcePreSignUpSignUp, client.ID, u, in.ValidationData, in.ClientMetadata)
		}})
	if err != nil {
		return SignUpResult{}, err
	}
	res := SignUpResult{UserSub: u.Sub}
	if u.Status == StatusConfirmed {
		res.UserConfirmed = true
		return res, s.Triggers.postConfirmation(ctx, &pool, sourcePostConfirmationSignUp, client.ID, &u, in.ClientMetadata)
	}
	if attr := verifiedTarget(&pool, &u); attr != "" {
		d, err := s.send(ctx, &pool, &u, purposeSignUp, attr, signUpCodeLifetime,
			messageCause{source: sourceCustomMessageSignUp, clientID: client.ID, metadata: in.ClientMetadata})
		if err != nil {
			return SignUpResult{}, err
		}
		res.Delivery = &d
	}
	return res, nil
}

// ConfirmSignUp confirms a user with the code sent at sign-up.
func (s *Accounts) ConfirmSignUp(ctx context.Context, clientID, secretHash, username, code string) error {
	pool, client, err := s.publicClient(ctx, clientID, secretHash, username)
	if err != nil {
		return err
	}
	u, key, err := FindUser(ctx, s.Store, &pool, username)
	if err != nil {
		if IsType(err, UserNotFound) && client.Settings.PreventUserExistenceErrors == "ENABLED" {
			return Errorf(CodeMismatch, "Invalid verification code provided, please try again.")
		}
		return err
	}
	if u.Status != StatusUnconfirmed {
		return Errorf(NotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	if err := s.checkCode(ctx, pool.ID, u.Sub, purposeSignUp, code); err != nil {
		return err
	}
	return s.confirm(ctx, &pool, key, client.ID, true)
}

// confirm marks the user CONFIRMED and, when a code proved it, the
// attribute the code went to verified; then PostConfirmation runs
// (trigger_post_confirmation.go; clientID "" for the admin call).
func (s *Accounts) confirm(ctx context.Context, pool *Pool, key, clientID string, verified bool) error {
	u, err := s.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		u.Status = StatusConfirmed
		if verified {
			if attr := verifiedTarget(pool, &u); attr != "" {
				setAttributes(pool, &u, mergeAttributes(u.Attributes, []Attribute{{Name: attr + "_verified", Value: "true"}}))
			}
		}
		u.ModifiedAt = s.Now()
		return u, nil
	})
	if err != nil {
		return nameTaken(err, AliasExists)
	}
	return s.Triggers.postConfirmation(ctx, pool, sourcePostConfirmationSignUp, clientID, &u, clientMetadataOf(ctx))
}

// AdminConfirmSignUp confirms a user without a code.
func (s *Accounts) AdminConfirmSignUp(ctx context.Context, poolID, username string) error {
	pool, u, key, err := poolUser(ctx, s.Store, poolID, username)
	if err != nil {
		return err
	}
	if u.Status != StatusUnconfirmed {
		return Errorf(NotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	return s.confirm(ctx, &pool, key, "", false)
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Accounts) ResendConfirmationCode(ctx context.Context, clientID, secretHash, username string) (CodeDelivery, error) {
	pool, client, err := s.publicClient(ctx, clientID, secretHash, username)
	if err != nil {
		return CodeDelivery{}, err
	}
	u, _, err := FindUser(ctx, s.Store, &pool, username)
	if err != nil {
		if IsType(err, UserNotFound) && client.Settings.PreventUserExistenceErrors == "ENABLED" {
			return s.simulatedSend(ctx, &pool, username, purposeSignUp)
		}
		return CodeDelivery{}, err
	}
	if u.Status != StatusUnconfirmed {
		return CodeDelivery{}, Errorf(InvalidParameter, "User is already confirmed.")
	}
	attr := verifiedTarget(&pool, &u)
	if attr == "" {
		return CodeDelivery{}, Errorf(InvalidParameter, "Auto verification not turned on.")
	}
	return s.send(ctx, &pool, &u, purposeSignUp, attr, signUpCodeLifetime,
		messageCause{source: sourceCustomMessageResendCode, clientID: client.ID, metadata: clientMetadataOf(ctx)})
}

// recoveryTarget is where forgotten-password codes go: a verified email,
// else a verified phone number.
func recoveryTarget(u *User) string {
	for _, attr := range []string{"email", "phone_number"} {
		if v, _ := u.Attribute(attr + "_verified"); v == "true" {
			if d, _ := u.Attribute(attr); d != "" {
				return attr
			}
		}
	}
	return ""
}

// ForgotPassword sends a reset code — to a user the UserMigration trigger
// may bring over first (trigger_user_migration.go).
func (s *Accounts) ForgotPassword(ctx context.Context, clientID, secretHash, username string) (CodeDelivery, error) {
	pool, client, err := s.publicClient(ctx, clientID, secretHash, username)
	if err != nil {
		return CodeDelivery{}, err
	}
	u, _, err := userMigration{store: s.Store, creds: s.Credentials, now: s.Now(), triggers: s.Triggers, messages: s}.
		findUser(ctx, &pool, client.ID, sourceMigrateForgotPassword, username, "", clientMetadataOf(ctx))
	if err != nil {
		if IsType(err, UserNotFound) && client.Settings.PreventUserExistenceErrors == "ENABLED" {
			return s.simulatedSend(ctx, &pool, username, purposeForgot)
		}
		return CodeDelivery{}, err
	}
	return s.sendReset(ctx, &pool, &u, client.ID)
}

func (s *Accounts) sendReset(ctx context.Context, pool *Pool, u *User, clientID string) (CodeDelivery, error) {
	attr := recoveryTarget(u)
	if attr == "" {
		return CodeDelivery{}, Errorf(InvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	return s.send(ctx, pool, u, purposeForgot, attr, forgotCodeLifetime,
		messageCause{source: sourceCustomMessageForgotPassword, clientID: clientID, metadata: clientMetadataOf(ctx)})
}

// ConfirmForgotPassword sets a new password with the reset code.
func (s *Accounts) ConfirmForgotPassword(ctx context.Context, clientID, secretHash, username, code, password string) error {
	pool, client, err := s.publicClient(ctx, clientID, secretHash, username)
	if err != nil {
		return err
	}
	u, key, err := FindUser(ctx, s.Store, &pool, username)
	if err != nil {
		if IsType(err, UserNotFound) && client.Settings.PreventUserExistenceErrors == "ENABLED" {
			return Errorf(CodeMismatch, "Invalid verification code provided, please try again.")
		}
		return err
	}
	if err := CheckPasswordPolicy(passwordPolicy(&pool), password); err != nil {
		return err
	}
	if err := s.checkCode(ctx, pool.ID, u.Sub, purposeForgot, code); err != nil {
		return err
	}
	if u, err = s.setPassword(ctx, &pool, key, password); err != nil {
		return err
	}
	return s.Triggers.postConfirmation(ctx, &pool, sourcePostConfirmationForgot, client.ID, &u, clientMetadataOf(ctx))
}

func (s *Accounts) setPassword(ctx context.Context, pool *Pool, key, password string) (User, error) {
	return s.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		cred, err := s.Credentials.Make(pool.ID, u.Username, password, s.Now())
		if err != nil {
			return u, err
		}
		u.Password = cred
		u.Status = StatusConfirmed
		u.ModifiedAt = s.Now()
		return u, nil
	})
}

// AdminResetUserPassword puts the user in RESET_REQUIRED and sends a code.
func (s *Accounts) AdminResetUserPassword(ctx context.Context, poolID, username string) error {
	pool, u, key, err := poolUser(ctx, s.Store, poolID, username)
	if err != nil {
		return err
	}
	if _, err := s.sendReset(ctx, &pool, &u, ""); err != nil {
		return err
	}
	_, err = s.Store.UpdateUser(ctx, pool.ID, key, func(u User) (User, error) {
		u.Status = StatusResetRequired
		u.ModifiedAt = s.Now()
		return u, nil
	})
	return err
}

// ChangePassword is ChangePassword: the previous password must be right.
func (s *Accounts) ChangePassword(ctx context.Context, accessToken, previous, proposed string) error {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return err
	}
	pool := a.Pool
	key := UsernameKey(&pool, a.User.Username)
	if err := s.checkPrevious(ctx, &pool, key, previous); err != nil {
		return err
	}
	if err := CheckPasswordPolicy(passwordPolicy(&pool), proposed); err != nil {
		return err
	}
	_, err = s.setPassword(ctx, &pool, key, proposed)
	return err
}

// UpdateAttributes is UpdateUserAttributes: a changed email or phone number
// becomes unverified, and a code is sent when the pool verifies it.
func (s *Accounts) UpdateAttributes(ctx context.Context, accessToken string, attrs []Attribute) ([]CodeDelivery, error) {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	pool := a.Pool
	client, err := s.tokenClient(ctx, a)
	if err != nil {
		return nil, err
	}
	if err := checkSelfWrite(&pool, &client, attrs, false); err != nil {
		return nil, err
	}
	var changed []string
	u, err := s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, a.User.Username), func(u User) (User, error) {
		changed = changed[:0]
		updates := append([]Attribute(nil), attrs...)
		for _, at := range attrs {
			if old, _ := u.Attribute(at.Name); (at.Name == "email" || at.Name == "phone_number") && old != at.Value {
				changed = append(changed, at.Name)
				updates = append(updates, Attribute{Name: at.Name + "_verified", Value: "false"})
			}
		}
		setAttributes(&pool, &u, mergeAttributes(u.Attributes, updates))
		u.ModifiedAt = s.Now()
		return u, nil
	})
	if err != nil {
		return nil, nameTaken(err, AliasExists)
	}
	return s.sendVerifications(ctx, &pool, &u, changed, client.ID)
}

// sendVerifications sends a code to each changed attribute (email,
// phone_number) the pool verifies, after UpdateUserAttributes or
// AdminUpdateUserAttributes (clientID "") changed it.
func (s *Accounts) sendVerifications(ctx context.Context, pool *Pool, u *User, changed []string, clientID string) ([]CodeDelivery, error) {
	var out []CodeDelivery
	for _, attr := range changed {
		if slices.Contains(pool.Settings.AutoVerifiedAttributes, attr) {
			d, err := s.send(ctx, pool, u, "verify:"+attr, attr, signUpCodeLifetime,
				messageCause{source: sourceCustomMessageUpdateAttribute, clientID: clientID, metadata: clientMetadataOf(ctx)})
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// DeleteAttributes is DeleteUserAttributes.
func (s *Accounts) DeleteAttributes(ctx context.Context, accessToken string, names []string, users *Users) error {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return err
	}
	client, err := s.tokenClient(ctx, a)
	if err != nil {
		return err
	}
	deleted := make([]Attribute, len(names))
	for i, n := range names {
		deleted[i].Name = n
	}
	if err := checkClientWrite(&client, deleted); err != nil {
		return err
	}
	return users.DeleteAttributes(ctx, a.User.PoolID, a.User.Username, names)
}

// tokenClient is the app client an access token was issued to.
func (s *Accounts) tokenClient(ctx context.Context, a Session) (Client, error) {
	return GetClient(ctx, s.Store, a.Pool.ID, a.Claims.ClientID)
}

// AttributeVerificationCode sends a code to verify email or phone_number.
func (s *Accounts) AttributeVerificationCode(ctx context.Context, accessToken, attr string) (CodeDelivery, error) {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return CodeDelivery{}, err
	}
	if attr != "email" && attr != "phone_number" {
		return CodeDelivery{}, Errorf(InvalidParameter, "Invalid attribute name: %s", attr)
	}
	if v, _ := a.User.Attribute(attr); v == "" {
		return CodeDelivery{}, Errorf(InvalidParameter, "User does not have the attribute %s.", attr)
	}
	pool := a.Pool
	return s.send(ctx, &pool, &a.User, "verify:"+attr, attr, signUpCodeLifetime,
		messageCause{source: sourceCustomMessageVerifyAttribute, clientID: a.Claims.ClientID, metadata: clientMetadataOf(ctx)})
}

// VerifyAttribute marks email or phone_number verified with its code.
func (s *Accounts) VerifyAttribute(ctx context.Context, accessToken, attr, code string) error {
	a, err := s.Sessions.AuthorizeSession(ctx, accessToken)
	if err != nil {
		return err
	}
	pool := a.Pool
	if err := s.checkCode(ctx, pool.ID, a.User.Sub, "verify:"+attr, code); err != nil {
		return err
	}
	_, err = s.Store.UpdateUser(ctx, pool.ID, UsernameKey(&pool, a.User.Username), func(u User) (User, error) {
		setAttributes(&pool, &u, mergeAttributes(u.Attributes, []Attribute{{Name: attr + "_verified", Value: "true"}}))
		u.ModifiedAt = s.Now()
		return u, nil
	})
	return nameTaken(err, AliasExists)
}

// AddCustomAttributes is AddCustomAttributes.
func (s *Accounts) AddCustomAttributes(ctx context.Context, poolID string, attrs []SchemaAttribute) error {
	if _, err := GetPool(ctx, s.Store, poolID); err != nil {
		return err
	}
	_, err := s.Store.UpdatePool(ctx, poolID, func(p Pool) (Pool, error) {
		for _, a := range attrs {
			a = customAttribute(a)
			if _, exists := schemaAttribute(&p, a.Name); exists {
				return p, Errorf(InvalidParameter, "Existing attribute already has name %s.", a.Name)
			}
			p.Schema = append(p.Schema, a)
		}
		p.ModifiedAt = s.Now()
		return p, nil
	})
	return err
}
