package userpool

import (
	"context"
	"strconv"

	"github.com/cognate/cognate/internal/secret"
)

// The outbox holds what Cognate would have sent. Its codes are live
// credentials (a reset code resets a password), so the code and the body
// that carries it are sealed with the master key: the outbox API shows them
// to an admin, a copy of the database does not.

// OutboxRetention is how long a message stays in the outbox: the longest
// code lifetime (sign-up codes), after which no code in it works.
const OutboxRetention = signUpCodeLifetime

// outboxLabel binds a sealed field to its message: pool, recipient,
// purpose and time, so a sealed code moved to another row does not open.
func outboxLabel(m *Message, field string) string {
	return "cognate outbox " + field + "\x00" + m.PoolID + "\x00" + m.Username + "\x00" + m.Medium + "\x00" +
		m.Destination + "\x00" + m.Purpose + "\x00" + strconv.FormatInt(m.CreatedAt.UnixNano(), 10)
}

// sealMessage is m as the outbox stores it.
func (s *Accounts) sealMessage(m Message) Message {
	m.Code = secret.SealString(s.Sealer, m.Code, outboxLabel(&m, "code"))
	m.Body = secret.SealString(s.Sealer, m.Body, outboxLabel(&m, "body"))
	return m
}

// Outbox lists messages of the pool (of one user when username is not ""),
// oldest first, with id > after, their codes and bodies opened. A field
// that does not open (tampered with, or sealed under another key) is shown
// empty.
func (s *Accounts) Outbox(ctx context.Context, poolID, username string, after int64, limit int) ([]Message, error) {
	msgs, err := s.Store.ListMessages(ctx, poolID, username, after, limit)
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		m := &msgs[i]
		m.Code, _ = secret.OpenString(s.Sealer, m.Code, outboxLabel(m, "code"))
		m.Body, _ = secret.OpenString(s.Sealer, m.Body, outboxLabel(m, "body"))
	}
	return msgs, nil
}

// PurgeOutbox deletes messages older than OutboxRetention.
func (s *Accounts) PurgeOutbox(ctx context.Context) (int, error) {
	return s.Store.DeleteMessagesBefore(ctx, s.Now().Add(-OutboxRetention))
}
