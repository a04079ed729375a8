package userpool

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Users manages the users of pools through the admin API.
type Users struct {
	Store       Store
	Now         Clock
	Credentials Credentials
	Sessions    *Sessions // revokes tokens when a user is disabled
	Triggers    *Triggers // the pools' Lambda triggers (nil: none run)
	Messages    *Accounts // sends the admin calls' messages: AdminCreateUser's invitations (invitation.go), AdminUpdateUserAttributes' codes (nil: none sent)
}

// UsernameKey is how a username is indexed: lower-cased in
// case-insensitive pools.
func UsernameKey(p *Pool, username string) string {
	if p.Settings.UsernameConfiguration != nil && p.Settings.UsernameConfiguration.CaseSensitive {
		return username
	}
	return strings.ToLower(username)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// FindUser resolves what the admin API accepts as a Username — the username
// itself or the user's sub — to the user and its key.
func FindUser(ctx context.Context, st UserStore, p *Pool, username string) (User, string, error) {
	key := UsernameKey(p, username)
	u, err := st.GetUser(ctx, p.ID, key)
	if errors.Is(err, ErrNotFound) && uuidPattern.MatchString(strings.ToLower(username)) {
		u, err = st.GetUserBySub(ctx, p.ID, strings.ToLower(username))
		if err == nil {
			key = UsernameKey(p, u.Username)
		}
	}
	if errors.Is(err, ErrNotFound) {
		alias, ok, aerr := aliasUser(ctx, st, p, username)
		if aerr != nil {
			return User{}, "", aerr
		}
		if ok {
			return alias, UsernameKey(p, alias.Username), nil
		}
	}
	if errors.Is(err, ErrNotFound) {
		return User{}, "", Errorf(UserNotFound, "User does not exist.")
	}
	return u, key, err
}

// CreateUserInput is AdminCreateUserRequest.
type CreateUserInput struct {
	UserPoolId             string
	Username               string
	UserAttributes         []Attribute
	TemporaryPassword      string
	MessageAction          string
	DesiredDeliveryMediums []string
	ForceAliasCreation     bool
	ValidationData         []Attribute       // for PreSignUp
	ClientMetadata         map[string]string // for PreSignUp
}

// CreateUser creates a user in FORCE_CHANGE_PASSWORD with a temporary
// password (generated when none is given) and invites them
// (invitation.go), unless MessageAction is SUPPRESS; RESEND invites an
// existing user again with a new temporary password.
func (s *Users) CreateUser(ctx context.Context, in CreateUserInput) (User, error) {
	p, err := GetPool(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return User{}, err
	}
	policy := passwordPolicy(&p)
	temp := in.TemporaryPassword
	if temp == "" {
		temp = GeneratePassword(policy)
	} else if err := CheckPasswordPolicy(policy, temp); err != nil {
		return User{}, err
	}
	if in.MessageAction == "RESEND" {
		return s.reinvite(ctx, &p, in, temp)
	}
	if err := checkAttributes(&p, in.UserAttributes, true); err != nil {
		return User{}, err
	}
	u, err := newUser(ctx, s.Store, s.Credentials, s.Now(), &p, userToCreate{username: in.Username, attrs: in.UserAttributes,
		status: StatusForceChangePassword, password: temp, existsMessage: "User account already exists", forceAlias: in.ForceAliasCreation,
		beforeWrite: func(u *User) error {
			return s.Triggers.preSignUp(ctx, &p, sourcePreSignUpAdminCreate, "", u, in.ValidationData, in.ClientMetadata)
		}})
	if err != nil || in.MessageAction == "SUPPRESS" || s.Messages == nil {
		return u, err
	}
	mediums, err := inviteMediums(&u, in.DesiredDeliveryMediums)
	if err != nil {
		return User{}, err
	}
	return u, s.Messages.invite(ctx, &p, &u, invitation{password: temp, mediums: mediums, metadata: in.ClientMetadata})
}

// reinvite is AdminCreateUser with RESEND: the user must still be waiting
// for their first sign-in (the message is Cognate's); the pool's functions
// run before the new temporary password replaces the old one.
func (s *Users) reinvite(ctx context.Context, p *Pool, in CreateUserInput, temp string) (User, error) {
	u, key, err := FindUser(ctx, s.Store, p, in.Username)
	if err != nil {
		return User{}, err
	}
	if u.Status != StatusForceChangePassword {
		return User{}, Errorf("UnsupportedUserStateException", "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD.", u.Username)
	}
	if s.Messages == nil {
		return u, nil
	}
	mediums, err := inviteMediums(&u, in.DesiredDeliveryMediums)
	if err != nil {
		return User{}, err
	}
	inv := invitation{password: temp, mediums: mediums, metadata: in.ClientMetadata}
	msgs, err := s.Messages.prepareInvitation(ctx, p, &u, inv)
	if err != nil {
		return User{}, err
	}
	u, err = s.Store.UpdateUser(ctx, p.ID, key, func(u User) (User, error) {
		cred, err := s.Credentials.Make(p.ID, u.Username, temp, s.Now())
		if err != nil {
			return u, err
		}
		u.Password, u.ModifiedAt = cred, s.Now()
		return u, nil
	})
	if err != nil {
		return User{}, err
	}
	for _, m := range msgs {
		if err := s.Messages.post(ctx, p, &u, m); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// userToCreate is what SignUp and AdminCreateUser differ in.
type userToCreate struct {
	username string
	attrs    []Attribute
	status   string
	password string
	// passwordless: a SignUp without a password, where the pool signs in
	// with one-time codes (passwordlessSignUp): the user gets no credential.
	passwordless bool
	// requireAttributes: SignUp refuses a user without the schema's
	// required attributes (AdminCreateUser leaves them to NEW_PASSWORD_REQUIRED).
	requireAttributes bool
	// existsMessage: Cognito words UsernameExistsException differently.
	existsMessage string
	// forceAlias: ForceAliasCreation (AdminCreateUser, UserMigration's
	// forceAliasCreation) — a verified email or phone number another user
	// holds as an alias moves to the new user (takeAliases).
	forceAlias bool
	// beforeWrite sees (and may change) the user just before its one
	// write: the PreSignUp trigger (trigger_pre_sign_up.go). An error
	// writes nothing.
	beforeWrite func(u *User) error
}

// newUser creates a user in pool: a fresh sub, the sign-in identity
// (newIdentity), the attributes, the password credential, then the write.
func newUser(ctx context.Context, st Store, creds Credentials, now time.Time, pool *Pool, in userToCreate) (User, error) {
	sub := uuid.NewString()
	username, attrs, err := newIdentity(pool, in.username, sub, in.attrs)
	if err != nil {
		return User{}, err
	}
	if missing := missingRequiredAttributes(pool, attrs); in.requireAttributes && missing != nil {
		return User{}, Errorf(InvalidParameter, "Attributes did not conform to the schema: %s: The attribute %s is required", missing[0], missing[0])
	}
	u := User{PoolID: pool.ID, Username: username, Sub: sub, Status: in.status, Enabled: true, CreatedAt: now, ModifiedAt: now}
	setAttributes(pool, &u, mergeAttributes([]Attribute{{Name: "sub", Value: u.Sub}}, attrs))
	if in.beforeWrite != nil {
		if err := in.beforeWrite(&u); err != nil {
			return User{}, err
		}
	}
	if !in.passwordless {
		if u.Password, err = creds.Make(pool.ID, u.Username, in.password, now); err != nil {
			return User{}, err
		}
	}
	err = st.CreateUser(ctx, UsernameKey(pool, u.Username), u)
	var taken *NameTakenError
	if in.forceAlias && errors.As(err, &taken) {
		if err = takeAliases(ctx, st, pool, &u, now); err == nil {
			err = st.CreateUser(ctx, UsernameKey(pool, u.Username), u)
		}
	}
	if errors.Is(err, ErrAlreadyExists) {
		return User{}, Errorf(UsernameExists, "%s", in.existsMessage)
	} else if err != nil {
		return User{}, nameTaken(err, creationConflict(pool))
	}
	return u, nil
}

// takeAliases is ForceAliasCreation: "If this parameter is set to True and
// the phone number or email address … already exists as an alias with a
// different user, this request migrates the alias from the previous user
// to the newly-created user. The previous user will no longer be able to
// log in using that alias." The previous holder's email_verified /
// phone_number_verified becomes false (an unverified value is no alias).
// It runs only after a creation failed on a taken name, and is its own
// write: should the retried creation fail again, the alias stays moved.
func takeAliases(ctx context.Context, st Store, pool *Pool, u *User, now time.Time) error {
	for _, attr := range []string{"email", "phone_number"} {
		v, _ := u.Attribute(attr)
		if verified, _ := u.Attribute(attr + "_verified"); v == "" || verified != "true" || !slices.Contains(pool.Settings.AliasAttributes, attr) {
			continue
		}
		holder, err := st.GetUserBySignInName(ctx, pool.ID, signInName(pool, attr, v))
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if _, err := st.UpdateUser(ctx, pool.ID, UsernameKey(pool, holder.Username), func(h User) (User, error) {
			setAttributes(pool, &h, mergeAttributes(h.Attributes, []Attribute{{Name: attr + "_verified", Value: "false"}}))
			h.ModifiedAt = now
			return h, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// GetUser returns a user by username or sub.
func (s *Users) GetUser(ctx context.Context, poolID, username string) (User, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return User{}, err
	}
	u, _, err := FindUser(ctx, s.Store, &p, username)
	return u, err
}

// DeleteUser deletes a user and every token family it holds.
func (s *Users) DeleteUser(ctx context.Context, poolID, username string) error {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return err
	}
	_, key, err := FindUser(ctx, s.Store, &p, username)
	if err != nil {
		return err
	}
	return s.Store.DeleteUser(ctx, poolID, key)
}

// update resolves the user and applies fn to it atomically.
func (s *Users) update(ctx context.Context, poolID, username string, fn func(p *Pool, u *User) error) (User, error) {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return User{}, err
	}
	_, key, err := FindUser(ctx, s.Store, &p, username)
	if err != nil {
		return User{}, err
	}
	u, err := s.Store.UpdateUser(ctx, poolID, key, func(u User) (User, error) {
		if err := fn(&p, &u); err != nil {
			return u, err
		}
		u.ModifiedAt = s.Now()
		return u, nil
	})
	if errors.Is(err, ErrNotFound) {
		return User{}, Errorf(UserNotFound, "User does not exist.")
	}
	return u, nameTaken(err, AliasExists)
}

// SetPassword is AdminSetUserPassword.
func (s *Users) SetPassword(ctx context.Context, poolID, username, password string, permanent bool) error {
	p, err := GetPool(ctx, s.Store, poolID)
	if err != nil {
		return err
	}
	if err := CheckPasswordPolicy(passwordPolicy(&p), password); err != nil {
		return err
	}
	_, err = s.update(ctx, poolID, username, func(p *Pool, u *User) error {
		cred, err := s.Credentials.Make(p.ID, u.Username, password, s.Now())
		if err != nil {
			return err
		}
		u.Password = cred
		if permanent {
			u.Status = StatusConfirmed
		} else {
			u.Status = StatusForceChangePassword
		}
		return nil
	})
	return err
}

// UpdateAttributes is AdminUpdateUserAttributes. A changed email or phone
// number the pool verifies becomes unverified and gets a code
// (CustomMessage_UpdateUserAttribute), unless the call sets its _verified
// attribute to true ("To skip the verification message … include the
// email_verified or phone_number_verified attribute, with a value of
// true"). Decision: in a pool that does not verify it, a change leaves the
// _verified flag as it was, as before (the sources speak of pools that
// verify). The new value applies at once: Cognate has no
// AttributesRequireVerificationBeforeUpdate.
func (s *Users) UpdateAttributes(ctx context.Context, poolID, username string, attrs []Attribute) error {
	var pool Pool
	var changed []string
	u, err := s.update(ctx, poolID, username, func(p *Pool, u *User) error {
		if err := checkAttributes(p, attrs, false); err != nil {
			return err
		}
		pool, changed = *p, changed[:0]
		updates := append([]Attribute(nil), attrs...)
		for _, at := range attrs {
			old, _ := u.Attribute(at.Name)
			if (at.Name == "email" || at.Name == "phone_number") && old != at.Value &&
				slices.Contains(p.Settings.AutoVerifiedAttributes, at.Name) && !setsTrue(attrs, at.Name+"_verified") {
				changed = append(changed, at.Name)
				updates = append(updates, Attribute{Name: at.Name + "_verified", Value: "false"})
			}
		}
		setAttributes(p, u, mergeAttributes(u.Attributes, updates))
		return nil
	})
	if err != nil || s.Messages == nil {
		return err
	}
	_, err = s.Messages.sendVerifications(ctx, &pool, &u, changed, "")
	return err
}

// setsTrue reports whether attrs set name to "true".
func setsTrue(attrs []Attribute, name string) bool {
	return slices.ContainsFunc(attrs, func(a Attribute) bool { return a.Name == name && a.Value == "true" })
}

// DeleteAttributes is AdminDeleteUserAttributes.
func (s *Users) DeleteAttributes(ctx context.Context, poolID, username string, names []string) error {
	_, err := s.update(ctx, poolID, username, func(p *Pool, u *User) error {
		drop := map[string]bool{}
		for _, n := range names {
			if n == "sub" {
				return Errorf(InvalidParameter, "Cannot modify the non-mutable attribute sub")
			}
			if _, ok := schemaAttribute(p, n); !ok {
				return Errorf(InvalidParameter, "Invalid attribute name: %s", n)
			}
			drop[n] = true
		}
		kept := u.Attributes[:0:0]
		for _, a := range u.Attributes {
			if !drop[a.Name] {
				kept = append(kept, a)
			}
		}
		setAttributes(p, u, kept)
		return nil
	})
	return err
}

// SetEnabled is AdminEnableUser / AdminDisableUser. Disabling also signs the
// user out everywhere, as Cognito revokes a disabled user's tokens.
func (s *Users) SetEnabled(ctx context.Context, caller Caller, poolID, username string, enabled bool) error {
	u, err := s.update(ctx, poolID, username, func(p *Pool, u *User) error {
		u.Enabled = enabled
		return nil
	})
	if err != nil || enabled || s.Sessions == nil {
		return err
	}
	return s.Sessions.signOut(ctx, caller, "AdminDisableUser", nil, u)
}

// ListUsersInput is ListUsersRequest.
type ListUsersInput struct {
	UserPoolId      string
	AttributesToGet []string
	Limit           *int
	PaginationToken string
	Filter          string
}

// ListUsers pages through a pool's users, applying Cognito's filter syntax.
func (s *Users) ListUsers(ctx context.Context, in ListUsersInput) ([]User, string, error) {
	p, err := GetPool(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, "", err
	}
	filter, err := ParseFilter(in.Filter)
	if err != nil {
		return nil, "", err
	}
	for _, n := range in.AttributesToGet {
		if _, ok := schemaAttribute(&p, n); !ok {
			return nil, "", Errorf(InvalidParameter, "One or more requested attributes do not exist.")
		}
	}
	limit := 60
	if in.Limit != nil && *in.Limit > 0 {
		limit = *in.Limit
	}
	after, err := decodePageToken(in.PaginationToken)
	if err != nil {
		return nil, "", err
	}
	var out []User
	last := ""
	for len(out) < limit {
		batch, err := s.Store.ListUsers(ctx, p.ID, after, 500)
		if err != nil {
			return nil, "", err
		}
		for _, ku := range batch {
			after = ku.Key
			if filter.Match(&ku.User) {
				out = append(out, ku.User)
				last = ku.Key
				if len(out) == limit {
					break
				}
			}
		}
		if len(batch) < 500 {
			if len(out) < limit {
				last = ""
			}
			break
		}
	}
	if len(out) == limit && last != "" {
		// Only hand out a token when something may follow.
		if more, err := s.Store.ListUsers(ctx, p.ID, last, 1); err != nil || len(more) == 0 {
			last = ""
		}
	} else {
		last = ""
	}
	if len(in.AttributesToGet) > 0 {
		want := map[string]bool{}
		for _, n := range in.AttributesToGet {
			want[n] = true
		}
		for i := range out {
			var kept []Attribute
			for _, a := range out[i].Attributes {
				if want[a.Name] {
					kept = append(kept, a)
				}
			}
			out[i].Attributes = kept
		}
	}
	next := ""
	if last != "" {
		next = encodePageToken(last)
	}
	return out, next, nil
}

func passwordPolicy(p *Pool) PasswordPolicy {
	if p.Settings.Policies != nil && p.Settings.Policies.PasswordPolicy != nil {
		return *p.Settings.Policies.PasswordPolicy
	}
	return DefaultPasswordPolicy()
}

// CheckPasswordPolicy returns InvalidPasswordException naming the first
// rule the password breaks.
func CheckPasswordPolicy(pp PasswordPolicy, pw string) error {
	fail := func(why string) error {
		return Errorf(InvalidPassword, "Password did not conform with policy: %s", why)
	}
	if len([]rune(pw)) < pp.MinimumLength {
		return fail("Password not long enough")
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	switch {
	case pp.RequireLowercase && !lower:
		return fail("Password must have lowercase characters")
	case pp.RequireUppercase && !upper:
		return fail("Password must have uppercase characters")
	case pp.RequireNumbers && !digit:
		return fail("Password must have numeric characters")
	case pp.RequireSymbols && !symbol:
		return fail("Password must have symbol characters")
	}
	return nil
}

// passwordSymbols are the characters Cognito counts as symbols.
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// GeneratePassword makes a temporary password that satisfies pp.
func GeneratePassword(pp PasswordPolicy) string {
	n := pp.MinimumLength
	if n < 12 {
		n = 12
	}
	pw := randomString(n-4, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
	return pw + randomString(1, "ABCDEFGHJKLMNPQRSTUVWXYZ") + randomString(1, "abcdefghijkmnopqrstuvwxyz") +
		randomString(1, "23456789") + randomString(1, "!#%&*+=?@^~")
}

// mergeAttributes sets the updates over base, keeping base's order.
func mergeAttributes(base, updates []Attribute) []Attribute {
	out := append([]Attribute(nil), base...)
	for _, a := range updates {
		found := false
		for i := range out {
			if out[i].Name == a.Name {
				out[i].Value = a.Value
				found = true
				break
			}
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}
