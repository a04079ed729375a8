package mailer

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/userpool"
)

// fakeSMTP is a minimal SMTP server standing in for a mail relay: it
// records the envelope and the data of one message.
func fakeSMTP(t *testing.T) (string, <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		var transcript strings.Builder
		c.Write([]byte("220 fake ESMTP\r\n"))
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			transcript.WriteString(line)
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				c.Write([]byte("250 fake\r\n"))
			case cmd == "DATA":
				c.Write([]byte("354 go ahead\r\n"))
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					transcript.WriteString(l)
				}
				c.Write([]byte("250 ok\r\n"))
			case cmd == "QUIT":
				c.Write([]byte("221 bye\r\n"))
				got <- transcript.String()
				return
			default:
				c.Write([]byte("250 ok\r\n"))
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestDeliver(t *testing.T) {
	addr, got := fakeSMTP(t)
	m := &SMTP{Addr: addr, From: "no-reply@cognate.local"}
	m.Deliver(context.Background(), userpool.Message{Medium: "EMAIL", Destination: "bob@example.com", Purpose: "signup",
		Code: "123456", Body: "Your verification code is 123456. "})
	transcript := <-got
	for _, want := range []string{"MAIL FROM:<no-reply@cognate.local>", "RCPT TO:<bob@example.com>", "Subject: Your verification code",
		"Your verification code is 123456."} {
		if !strings.Contains(transcript, want) {
			t.Fatalf("transcript lacks %q:\n%s", want, transcript)
		}
	}
}

func TestDeliverSkipsSMSAndHeaderInjection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m := &SMTP{Addr: ln.Addr().String(), From: "x@y"}
	m.Deliver(context.Background(), userpool.Message{Medium: "SMS", Destination: "+15555550100", Body: "code"})
	m.Deliver(context.Background(), userpool.Message{Medium: "EMAIL", Destination: "a@b\r\nBcc: evil@x", Body: "code"})
	// Deliver is synchronous: had it dialled, the connection would be queued.
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(50 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Fatal("an SMS or a header-injecting address was sent to the SMTP server")
	}
}

// The CustomMessage function's emailSubject is the subject, unless it would
// break the header.
func TestDeliverCustomSubject(t *testing.T) {
	for _, tc := range []struct{ subject, want string }{
		{"Welcome, bob", "Subject: Welcome, bob\r\n"},
		{"Hi\r\nBcc: eve@example.com", "Subject: Your verification code\r\n"},
	} {
		addr, got := fakeSMTP(t)
		m := &SMTP{Addr: addr, From: "no-reply@cognate.local"}
		m.Deliver(context.Background(), userpool.Message{Medium: "EMAIL", Destination: "bob@example.com", Purpose: "signup",
			Code: "123456", Body: "Hello bob, 123456", Subject: tc.subject})
		if transcript := <-got; !strings.Contains(transcript, tc.want) || strings.Contains(transcript, "Bcc:") {
			t.Fatalf("subject %q: transcript lacks %q:\n%s", tc.subject, tc.want, transcript)
		}
	}
}
