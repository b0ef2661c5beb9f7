// Package notify sends e-mail: alerts to the chain's administrator now,
// customer notifications later. It speaks SMTP with the standard library.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Message is one e-mail. HTML is optional; Text is always sent.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends messages through an SMTP server.
type Mailer struct {
	host, addr string
	auth       smtp.Auth
	implicit   bool // smtps://: TLS from the first byte
	from       *mail.Address
	// TLSConfig may be set by tests to trust their own server.
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// NewMailer parses smtp://user:pass@host:port (STARTTLS when the server
// offers it) or smtps://… (TLS from the start).
func NewMailer(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP URL %q: expected smtp://user:pass@host:port", rawURL)
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender %q: %w", from, err)
	}
	m := &Mailer{host: u.Hostname(), addr: u.Host, implicit: u.Scheme == "smtps", from: addr, Timeout: 15 * time.Second}
	if u.Port() == "" {
		m.addr = net.JoinHostPort(u.Hostname(), map[bool]string{true: "465", false: "587"}[m.implicit])
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pass, m.host)
	}
	return m, nil
}

// Ping connects and greets the server, to check it is reachable.
func (m *Mailer) Ping(ctx context.Context) error {
	c, _, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Quit()
}

func (m *Mailer) dial(ctx context.Context) (*smtp.Client, net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	tlsConfig := m.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return nil, nil, err
	}
	raw.SetDeadline(time.Now().Add(m.Timeout))
	conn := raw
	if m.implicit {
		conn = tls.Client(raw, tlsConfig)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !m.implicit {
		if err := c.StartTLS(tlsConfig); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if m.auth != nil {
		if err := c.Auth(m.auth); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("SMTP authentication: %w", err)
		}
	}
	// The deadline is on the TCP connection, under TLS if any: setting it
	// there bounds every later exchange too.
	return c, raw, nil
}

// Send delivers one message on a connection of its own.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	sess, err := m.Open(ctx)
	if err != nil {
		return err
	}
	defer sess.Close()
	return sess.Send(msg)
}

// Session is one connection to the mail server, for a batch of messages:
// the outbox sends its batch on one connection instead of a handshake (TCP,
// TLS, authentication) per message.
type Session struct {
	m      *Mailer
	c      *smtp.Client
	conn   net.Conn
	broken bool
}

// Open connects, greets and authenticates.
func (m *Mailer) Open(ctx context.Context) (*Session, error) {
	c, conn, err := m.dial(ctx)
	if err != nil {
		return nil, err
	}
	return &Session{m: m, c: c, conn: conn}, nil
}

// Send delivers one message of the batch. A refusal of this message (its
// recipient, its content) leaves the session usable; a broken connection
// does not (Usable reports it).
func (s *Session) Send(msg Message) error {
	if s.broken {
		return errors.New("SMTP connection lost")
	}
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", msg.To, err)
	}
	body, err := s.m.compose(to, msg)
	if err != nil {
		return err
	}
	// Each message gets the full timeout, whatever the batch took so far.
	s.conn.SetDeadline(time.Now().Add(s.m.Timeout))
	if err = s.send(to.Address, body); err != nil {
		// Refused for this message alone, the server still answers RSET
		// and the next message may go; a broken connection does not.
		s.broken = s.c.Reset() != nil
	}
	return err
}

func (s *Session) send(to string, body []byte) error {
	if err := s.c.Mail(s.m.from.Address); err != nil {
		return err
	}
	if err := s.c.Rcpt(to); err != nil {
		return err
	}
	w, err := s.c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	return w.Close()
}

// Usable reports whether the connection can take another message.
func (s *Session) Usable() bool { return !s.broken }

// Close says goodbye and closes the connection.
func (s *Session) Close() error {
	if s.broken {
		return s.c.Close()
	}
	err := s.c.Quit()
	if err != nil {
		s.c.Close()
	}
	return err
}

// compose builds the MIME message: text alone, or text and HTML as
// multipart/alternative.
func (m *Mailer) compose(to *mail.Address, msg Message) ([]byte, error) {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", m.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	header("Date", time.Now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+m.from.Address[strings.LastIndex(m.from.Address, "@")+1:]+">")
	header("MIME-Version", "1.0")
	part := func(contentType, content string) error {
		fmt.Fprintf(&b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", contentType)
		qp := quotedprintable.NewWriter(&b)
		if _, err := qp.Write([]byte(strings.ReplaceAll(content, "\n", "\r\n"))); err != nil {
			return err
		}
		if err := qp.Close(); err != nil {
			return err
		}
		b.WriteString("\r\n")
		return nil
	}
	if msg.HTML == "" {
		if err := part("text/plain", msg.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	boundary := "ocpizza-" + hex.EncodeToString(id)
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, p := range []struct{ typ, content string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		if err := part(p.typ, p.content); err != nil {
			return nil, err
		}
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// ErrNoMailer is returned when mail is not configured.
var ErrNoMailer = errors.New("no SMTP server configured (OCPIZZA_SMTP_URL)")
