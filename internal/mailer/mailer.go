// Package mailer delivers outbox messages by email through an SMTP server,
// for teams that want Cognate's codes in a real (or a test) mailbox. The
// outbox stays the record: a failed delivery is logged, never fatal.
package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// SMTP sends EMAIL messages through Addr (host:port).
type SMTP struct {
	Addr     string
	From     string
	Username string // PLAIN auth when set
	Password string
	Log      *slog.Logger
}

var subjects = map[string]string{
	"signup": "Your verification code",
	"forgot": "Your password reset code",
}

// Deliver implements userpool.Mailer.
func (m *SMTP) Deliver(ctx context.Context, msg userpool.Message) {
	if msg.Medium != "EMAIL" || msg.Destination == "" || strings.ContainsAny(msg.Destination, "\r\n") {
		return
	}
	subject := msg.Subject
	if subject == "" {
		subject = subjects[msg.Purpose]
	}
	if subject == "" || strings.ContainsAny(subject, "\r\n") {
		subject = "Your verification code"
	}
	body := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		m.From, msg.Destination, subject, time.Now().UTC().Format(time.RFC1123Z), msg.Body)
	var auth smtp.Auth
	if m.Username != "" {
		host := m.Addr
		if i := strings.LastIndexByte(host, ':'); i > 0 {
			host = host[:i]
		}
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	if err := smtp.SendMail(m.Addr, auth, m.From, []string{msg.Destination}, []byte(body)); err != nil && m.Log != nil {
		m.Log.Warn("smtp delivery failed; the message is in the outbox", "pool", msg.PoolID, "purpose", msg.Purpose, "error", err.Error())
	}
}
