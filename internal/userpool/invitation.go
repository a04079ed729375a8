package userpool

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// AdminCreateUser's invitation: unless MessageAction is SUPPRESS, Cognito
// sends the new user their user name and temporary password by each of
// DesiredDeliveryMediums (default SMS), with the pool's
// AdminCreateUserConfig.InviteMessageTemplate ({username} and {####} in
// EmailMessage, EmailSubject, SMSMessage) or its default. RESEND sends it
// again to an existing FORCE_CHANGE_PASSWORD user with a new temporary
// password. It goes where every message goes (Accounts.prepare and post):
// CustomMessage_AdminCreateUser (codeParameter "{####}", usernameParameter
// "{username}") may write it, CustomEmailSender_AdminCreateUser /
// CustomSMSSender_AdminCreateUser take it instead, and the outbox keeps it
// (purpose "invitation", the temporary password as its code, sealed at
// rest like codes).
//
// Decisions where the sources are silent:
//   - a user with neither email nor phone_number gets no invitation, and no
//     error (there is nowhere to send it; Cognito's docs: "To send a message
//     inviting the user … you must specify the user's email address or phone
//     number");
//   - a user who has one but none that a desired medium needs (the default
//     SMS and only an email) is InvalidParameterException "User has no
//     attribute matching desired delivery mediums" (Cognito's words, as
//     users report them); a desired medium the user has no attribute for is
//     skipped when another matches;
//   - the invitation goes after the user is written, so a function that
//     fails it (or that refusal above) fails the call and the new user stays
//     (as Cognito keeps the user when delivery fails, boto3 #3524); on
//     RESEND the functions run first and a failure keeps the old password;
//   - a template without {####} is sent as it is (Cognito "doesn't deliver"
//     it; Cognate shows it, the outbox being for developers), and
//     CustomMessage's answer needs {####} as for every message, not
//     {username}.

// Trigger source of CustomMessage (and, by its suffix, the custom senders)
// for the invitation.
const sourceCustomMessageAdminCreateUser = "CustomMessage_AdminCreateUser"

// purposeInvitation marks invitations in the outbox.
const purposeInvitation = "invitation"

// The default invitation, Cognito's.
const (
	defaultInviteMessage = "Your username is {username} and temporary password is {####}."
	defaultInviteSubject = "Your temporary password"
)

// inviteTemplate is MessageTemplateType.
type inviteTemplate struct {
	SMSMessage, EmailMessage, EmailSubject string
}

// invitation is AdminCreateUser's message to u: its temporary password and
// the mediums it goes by.
type invitation struct {
	password string
	mediums  []string
	metadata map[string]string
}

// inviteMediums are the mediums an invitation to u goes by, with their
// attributes: the desired ones u has an attribute for. None at all when u
// has no email and no phone number.
func inviteMediums(u *User, desired []string) ([]string, error) {
	if len(desired) == 0 {
		desired = []string{"SMS"}
	}
	email, _ := u.Attribute("email")
	phone, _ := u.Attribute("phone_number")
	if email == "" && phone == "" {
		return nil, nil
	}
	var out []string
	for _, m := range []string{"EMAIL", "SMS"} {
		if slices.Contains(desired, m) && (m == "EMAIL" && email != "" || m == "SMS" && phone != "") {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(InvalidParameter, "User has no attribute matching desired delivery mediums")
	}
	return out, nil
}

// prepareInvitation runs the pool's functions for each medium of the
// invitation to u, before anything is written.
func (s *Accounts) prepareInvitation(ctx context.Context, pool *Pool, u *User, inv invitation) ([]prepared, error) {
	var t inviteTemplate
	if c := pool.Settings.AdminCreateUserConfig; c != nil && len(c.InviteMessageTemplate) > 0 {
		_ = json.Unmarshal(c.InviteMessageTemplate, &t) // shape checked by the wire decoder
	}
	var out []prepared
	for _, medium := range inv.mediums {
		m := outgoing{medium: medium, purpose: purposeInvitation, secret: inv.password, username: invitedName(pool, u),
			template: or(t.SMSMessage, defaultInviteMessage),
			cause:    messageCause{source: sourceCustomMessageAdminCreateUser, metadata: inv.metadata}}
		m.dest, _ = u.Attribute("phone_number")
		if medium == "EMAIL" {
			m.template, m.subject = or(t.EmailMessage, defaultInviteMessage), or(t.EmailSubject, defaultInviteSubject)
			m.dest, _ = u.Attribute("email")
		}
		p, err := s.prepare(ctx, pool, u, m)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// invite sends the invitation to u, already written.
func (s *Accounts) invite(ctx context.Context, pool *Pool, u *User, inv invitation) error {
	msgs, err := s.prepareInvitation(ctx, pool, u, inv)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := s.post(ctx, pool, u, m); err != nil {
			return err
		}
	}
	return nil
}

// invitedName is the user name an invitation shows: the one the user signs
// in with — in pools whose usernames are an email or phone number, that
// attribute, not the generated internal name.
func invitedName(pool *Pool, u *User) string {
	for _, attr := range pool.Settings.UsernameAttributes {
		if v, ok := u.Attribute(strings.ToLower(attr)); ok && v != "" {
			return v
		}
	}
	return u.Username
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
