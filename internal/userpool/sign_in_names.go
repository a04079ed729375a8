package userpool

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Sign-in names are the names other than the username by which a user
// signs in: in pools with UsernameAttributes the user's email or phone
// number, whether verified or not; in pools with AliasAttributes a verified
// email or phone number, and a preferred_username. Each name belongs to at
// most one user of the pool, as Cognito keeps it: the store holds every
// user's names under a unique key, so that of two concurrent writes giving
// two users one name, exactly one commits, and a name resolves to exactly
// one user through that key (never "the first match"). A write that would
// give a user a name another user holds fails with AliasExistsException
// "An account with the given email already exists." (UsernameExists at
// creation in pools that sign in with the email or phone number).
//
// An unverified email or phone number in an alias pool is no name at all:
// any number of users may hold it, and none of them hides the verified one.

// signInAttributes are the attributes that can be sign-in names, in the
// order a sign-in tries them.
var signInAttributes = []string{"email", "phone_number", "preferred_username"}

// SignInNames are the sign-in names that attrs give a user of p, each
// "attribute:normalised value". It is never nil.
func SignInNames(p *Pool, attrs []Attribute) []string {
	names := []string{}
	u := &User{Attributes: attrs}
	for _, attr := range signInAttributes {
		asUsername := slices.Contains(p.Settings.UsernameAttributes, attr)
		if !asUsername && !slices.Contains(p.Settings.AliasAttributes, attr) {
			continue
		}
		v, _ := u.Attribute(attr)
		if v == "" {
			continue
		}
		if verified, _ := u.Attribute(attr + "_verified"); !asUsername && attr != "preferred_username" && verified != "true" {
			continue
		}
		names = append(names, signInName(p, attr, v))
	}
	return names
}

// signInName normalises a value: emails are compared without case (as
// email and sign-in always were here), phone numbers exactly, and
// preferred_username as the pool compares usernames.
func signInName(p *Pool, attr, value string) string {
	caseSensitive := p.Settings.UsernameConfiguration != nil && p.Settings.UsernameConfiguration.CaseSensitive
	if attr == "email" || (attr == "preferred_username" && !caseSensitive) {
		value = strings.ToLower(value)
	}
	return attr + ":" + value
}

// setAttributes is how the domain changes a user's attributes: the user's
// sign-in names follow them in the same write.
func setAttributes(p *Pool, u *User, attrs []Attribute) {
	u.Attributes = attrs
	u.SignInNames = SignInNames(p, attrs)
}

// nameTaken turns a store's NameTakenError into Cognito's error of type typ
// (AliasExists, or UsernameExists when a user is created); other errors
// pass through.
func nameTaken(err error, typ string) error {
	var taken *NameTakenError
	if !errors.As(err, &taken) {
		return err
	}
	attr, _, _ := strings.Cut(taken.Name, ":")
	return Errorf(typ, "An account with the given %s already exists.", attr)
}

// creationConflict is the error type of a name conflict when a user is
// created: the email or phone number is the username in pools with
// UsernameAttributes.
func creationConflict(p *Pool) string {
	if len(p.Settings.UsernameAttributes) > 0 {
		return UsernameExists
	}
	return AliasExists
}

// aliasUser finds the user that holds value as a sign-in name.
func aliasUser(ctx context.Context, st UserStore, p *Pool, value string) (User, bool, error) {
	for _, attr := range signInAttributes {
		if !slices.Contains(p.Settings.UsernameAttributes, attr) && !slices.Contains(p.Settings.AliasAttributes, attr) {
			continue
		}
		u, err := st.GetUserBySignInName(ctx, p.ID, signInName(p, attr, value))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		return u, err == nil, err
	}
	return User{}, false, nil
}

// BackfillSignInNames computes the names of users stored before sign-in
// names existed (SignInNames nil); stores run it when they open a database
// that holds such users. Where those users share a name, the earliest
// created account keeps it (then the lowest sub): the others keep the
// attribute but no longer sign in with it.
func BackfillSignInNames(ctx context.Context, st Store) error {
	const page = 100
	for after := ""; ; {
		pools, err := st.ListPools(ctx, after, page)
		if err != nil {
			return err
		}
		for i := range pools {
			if err := backfillPool(ctx, st, &pools[i]); err != nil {
				return err
			}
		}
		if len(pools) < page {
			return nil
		}
		after = pools[len(pools)-1].ID
	}
}

func backfillPool(ctx context.Context, st Store, p *Pool) error {
	const page = 500
	for after := ""; ; {
		batch, err := st.ListUsers(ctx, p.ID, after, page)
		if err != nil {
			return err
		}
		for _, ku := range batch {
			after = ku.Key
			for attempt := 0; ku.User.SignInNames == nil; attempt++ {
				// A concurrent claim (another replica backfilling) makes
				// the write fail; the next attempt sees its holder.
				err := claimLegacyNames(ctx, st, p, ku)
				if err == nil || errors.Is(err, ErrNotFound) {
					break
				} else if !errors.Is(err, ErrSignInNameTaken) || attempt == 2 {
					return err
				}
			}
		}
		if len(batch) < page {
			return nil
		}
	}
}

func claimLegacyNames(ctx context.Context, st Store, p *Pool, ku KeyedUser) error {
	kept := []string{}
	for _, name := range SignInNames(p, ku.User.Attributes) {
		holder, err := st.GetUserBySignInName(ctx, p.ID, name)
		if errors.Is(err, ErrNotFound) {
			kept = append(kept, name)
			continue
		} else if err != nil {
			return err
		}
		if !holder.CreatedAt.After(ku.User.CreatedAt) && (!holder.CreatedAt.Equal(ku.User.CreatedAt) || holder.Sub < ku.User.Sub) {
			continue // the holder is the older account
		}
		if _, err := st.UpdateUser(ctx, p.ID, UsernameKey(p, holder.Username), func(u User) (User, error) {
			u.SignInNames = slices.DeleteFunc(slices.Clone(u.SignInNames), func(n string) bool { return n == name })
			return u, nil
		}); err != nil {
			return err
		}
		kept = append(kept, name)
	}
	_, err := st.UpdateUser(ctx, p.ID, ku.Key, func(u User) (User, error) {
		u.SignInNames = kept
		return u, nil
	})
	return err
}
