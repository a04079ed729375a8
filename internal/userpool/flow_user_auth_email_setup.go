package userpool

import (
	"context"
	"strings"
)

// Email MFA set up during sign-in: a pool that requires MFA and has email
// MFA offers EMAIL_OTP in MFA_SETUP's MFAS_CAN_SETUP; the answer
// MFA_SETUP {USERNAME, EMAIL} sends a code to that address (Amplify's
// confirmSignIn with an email), and the EMAIL_OTP answer that proves it
// makes it the user's verified email with email MFA enabled and preferred,
// then signs in. Decided: the address is written only once the code proved
// it, so a mistyped address changes nothing.
func (a *Auth) setUpEmailMFA(ctx context.Context, pool *Pool, client *Client, in RespondInput, email string) (AuthResult, error) {
	st, err := a.openSession(in.Session, client, "MFA_SETUP")
	if err != nil {
		return AuthResult{}, err
	}
	if pool.Settings.EmailMfa == nil {
		return AuthResult{}, Errorf(InvalidParameter, "Email MFA is not enabled for this user pool.")
	}
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 {
		return AuthResult{}, Errorf(InvalidParameter, "Invalid email address format.")
	}
	user, _, err := FindUser(ctx, a.Store, pool, st.Username)
	if err != nil || st.Pool != pool.ID {
		return AuthResult{}, Errorf(NotAuthorized, "Invalid session for the user.")
	}
	if err := checkSecretHash(client, in.ChallengeResponses["SECRET_HASH"], in.ChallengeResponses["USERNAME"], user.Username); err != nil {
		return AuthResult{}, err
	}
	to := user // the code goes to the new address; the user keeps the old until it is proven
	to.Attributes = mergeAttributes(user.Attributes, []Attribute{{Name: "email", Value: email}})
	return a.sendSignInCode(ctx, pool, client, &to, "email",
		challengeState{Pool: pool.ID, Client: client.ID, Username: user.Username, Device: st.Device, SetUpEmail: email})
}

// enableEmailMFA makes email, proven by a code, u's verified email with
// email MFA enabled (and preferred when u prefers nothing else).
func (a *Auth) enableEmailMFA(ctx context.Context, pool *Pool, u *User, email string) (User, error) {
	updated, err := a.Store.UpdateUser(ctx, pool.ID, UsernameKey(pool, u.Username), func(u User) (User, error) {
		setAttributes(pool, &u, mergeAttributes(u.Attributes, []Attribute{{Name: "email", Value: email}, {Name: "email_verified", Value: "true"}}))
		u.MFA.EmailEnabled = true
		if u.MFA.Preferred == "" {
			u.MFA.Preferred = mfaEmail
		}
		u.ModifiedAt = a.Now()
		return u, nil
	})
	return updated, nameTaken(err, AliasExists)
}
