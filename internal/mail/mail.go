// Package mail sends peerpress's email through the job queue: a message is
// enqueued in the transaction of the write that causes it, sealed with the
// site key while it waits, and sent over SMTP by a worker, with retries.
// With no SMTP server configured, messages land in an outbox that admins
// can read, so a demo works offline.
package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	stdmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/secret"
)

// Message is one email to one recipient.
type Message struct {
	To          string
	Subject     string
	Text        string
	HTML        string            `json:",omitempty"`
	Headers     map[string]string `json:",omitempty"` // such as List-Unsubscribe
	Attachments []Attachment      `json:",omitempty"`
	// Until is when the holder of the data this mail carries (its
	// recipient, its private links) lets that data go: a mail that fails
	// for good is purged then, or after OutboxRetention if sooner. Zero:
	// after OutboxRetention. Not part of the message.
	Until time.Time `json:"-"`
}

// Attachment is a file sent with a message, such as an .ics invitation.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Config says how to reach the SMTP server.
type Config struct {
	// URL is smtp://user:password@host:port?tls=starttls|tls|none; empty
	// means no server: mail goes to the outbox.
	URL  string
	From string // the sender address
	// DKIMKey is a PEM file holding the private key (RSA or Ed25519)
	// that signs every message for the sender's domain; DKIMSelector
	// names its public half in DNS (SELECTOR._domainkey.DOMAIN). Both
	// empty: mail goes unsigned, and the mail server may sign it.
	DKIMKey, DKIMSelector string
}

// server is a parsed Config.URL.
type server struct {
	host, user, password string
	port                 int
	tls                  string
}

func parseURL(raw string) (*server, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, errors.New("mail: the SMTP URL must look like smtp://user:password@host:587")
	}
	s := &server{host: u.Hostname(), port: 587, tls: u.Query().Get("tls")}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: SMTP port %q", p)
		}
	}
	switch s.tls {
	case "":
		s.tls = "starttls"
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mail: tls=%s: use starttls, tls or none", s.tls)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, nil
}

// jobKind names the job that sends a message.
const jobKind = "mail.send"

// JobKind is the kind of the queue's jobs that send mail, for the metrics.
const JobKind = jobKind

// sealContext binds sealed messages to the queue and the outbox.
const sealContext = "mail.message"

// Mailer enqueues and sends messages.
type Mailer struct {
	db     db.Quiet // the outbox shows on no public page
	box    *secret.Box
	from   string
	server *server
	dkim   *gomail.DKIMSigner // nil: unsigned
}

// New returns a mailer; cfg.URL empty sends to the outbox.
func New(d *db.DB, box *secret.Box, cfg Config) (*Mailer, error) {
	srv, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from := cfg.From
	if from == "" {
		from = "peerpress@localhost"
	}
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	signer, err := dkimSigner(cfg, from)
	if err != nil {
		return nil, err
	}
	return &Mailer{db: d.Quiet(), box: box, from: from, server: srv, dkim: signer}, nil
}

// dkimSigned are the headers a DKIM signature covers: who, what and
// when, and the unsubscription headers, which RFC 8058 wants signed so
// that a mailbox provider may act on them. The list must stay short:
// go-mail v0.8.1 folds an h= tag longer than a line inside a header's
// name, which relaxed canonicalization then reads with a space in it,
// and no signature verifies (TestDKIMSignature fails if it grows too far).
var dkimSigned = []string{"From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}

// dkimSigner reads cfg's DKIM key, for the domain of the sender address
// from; nil when none is configured.
func dkimSigner(cfg Config, from string) (*gomail.DKIMSigner, error) {
	if cfg.DKIMKey == "" && cfg.DKIMSelector == "" {
		return nil, nil
	}
	if cfg.DKIMKey == "" || cfg.DKIMSelector == "" {
		return nil, errors.New("mail: DKIM signing needs both a key file (--dkim-key) and its selector (--dkim-selector)")
	}
	if strings.ContainsAny(cfg.DKIMSelector, " \t\r\n;=") {
		return nil, fmt.Errorf("mail: DKIM selector %q: a DNS label such as mail2026", cfg.DKIMSelector)
	}
	pemBytes, err := os.ReadFile(cfg.DKIMKey)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM key: %w", err)
	}
	key, err := gomail.PrivKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("mail: DKIM key %s: %w (an RSA or Ed25519 private key in PEM)", cfg.DKIMKey, err)
	}
	addr, err := stdmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	domain := addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	signer := gomail.NewDKIMSigner(domain, cfg.DKIMSelector, key)
	signer.HeaderCanonicalization(gomail.CanonicalizationRelaxed)
	signer.BodyCanonicalization(gomail.CanonicalizationRelaxed)
	signer.SignHeaders(dkimSigned...)
	if err := signer.ValidateConfig(); err != nil {
		return nil, fmt.Errorf("mail: DKIM: %w", err)
	}
	return signer, nil
}

// UsesOutbox reports whether messages go to the outbox instead of SMTP.
func (m *Mailer) UsesOutbox() bool { return m.server == nil }

// Register makes q send the messages this mailer enqueues.
func (m *Mailer) Register(q *jobs.Queue) {
	// A mail that failed for good still carries its recipient and its
	// private links: it goes on the outbox's schedule.
	q.HandleWith(jobKind, m.deliver, jobs.Options{MaxAttempts: 8, Keep: OutboxRetention})
}

// Send enqueues msg inside tx: it is sent once tx commits, and never if it
// rolls back.
func (m *Mailer) Send(ctx context.Context, tx *db.Tx, msg Message) error {
	if _, err := mailAddress(msg.To); err != nil {
		return err
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return jobs.EnqueueUntil(ctx, tx, jobKind, []byte(m.box.SealString(string(raw), sealContext)), time.Now(), msg.Until)
}

func mailAddress(addr string) (string, error) {
	if err := gomail.NewMsg().To(addr); err != nil || strings.ContainsAny(addr, "\r\n") {
		return "", fmt.Errorf("mail: recipient %q is not an address", addr)
	}
	return addr, nil
}

// deliver is the job handler: open the sealed message and send it.
func (m *Mailer) deliver(ctx context.Context, payload []byte) error {
	raw, err := m.box.OpenString(string(payload), sealContext)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("mail: open queued message: %w", err))
	}
	var msg Message
	if err := json.Unmarshal([]byte(raw), &msg); err != nil {
		return jobs.Permanent(fmt.Errorf("mail: queued message: %w", err))
	}
	if m.server == nil {
		return m.toOutbox(ctx, raw, msg)
	}
	return m.smtp(ctx, msg)
}

func (m *Mailer) build(msg Message) (*gomail.Msg, error) {
	out := gomail.NewMsg()
	if err := out.From(m.from); err != nil {
		return nil, jobs.Permanent(err)
	}
	if err := out.To(msg.To); err != nil {
		return nil, jobs.Permanent(err)
	}
	out.Subject(oneLine(msg.Subject))
	out.SetDate()
	out.SetMessageID()
	for k, v := range msg.Headers {
		if strings.ContainsAny(k, "\r\n: ") {
			return nil, jobs.Permanent(fmt.Errorf("mail: header name %q", k))
		}
		out.SetGenHeader(gomail.Header(k), oneLine(v))
	}
	if m.dkim != nil {
		out.SetDKIM(m.dkim)
	}
	out.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		out.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		if err := out.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, jobs.Permanent(err)
		}
	}
	return out, nil
}

// oneLine keeps a header's value on one line: a CR or LF that came from
// input (a title, a name) must never start a header of its own.
func oneLine(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(v)), " ")
}

// SendNow sends msg at once, over SMTP or to the outbox, for a feature
// that runs its own queue of deliveries (members' updates, each recorded
// as sent in its own row). A refusal for good is Refused; any other
// error may pass on a retry.
func (m *Mailer) SendNow(ctx context.Context, msg Message) error {
	if _, err := mailAddress(msg.To); err != nil {
		return jobs.Permanent(err)
	}
	if m.server == nil {
		raw, err := json.Marshal(msg)
		if err != nil {
			return jobs.Permanent(fmt.Errorf("mail: %w", err))
		}
		return m.toOutbox(ctx, string(raw), msg)
	}
	return m.smtp(ctx, msg)
}

// Refused reports whether a send failed because the server refused the
// recipient for good (a 5xx answer to RCPT TO: no such mailbox): trying
// again will not help.
func Refused(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo
}

// client is a new SMTP client for the configured server.
func (m *Mailer) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(m.server.port), gomail.WithTimeout(30 * time.Second)}
	switch m.server.tls {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.server.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(m.server.user), gomail.WithPassword(m.server.password))
	}
	client, err := gomail.NewClient(m.server.host, opts...)
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("mail: client: %w", err))
	}
	return client, nil
}

// SendEach sends msgs at once over one connection (or to the outbox) and
// returns each one's outcome, as SendNow would: for a feature that sends
// many messages in a batch of its own (members' updates).
func (m *Mailer) SendEach(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	if m.server == nil {
		for i, msg := range msgs {
			errs[i] = m.SendNow(ctx, msg)
		}
		return errs
	}
	var built []*gomail.Msg
	var at []int
	for i, msg := range msgs {
		if _, err := mailAddress(msg.To); err != nil {
			errs[i] = jobs.Permanent(err)
			continue
		}
		out, err := m.build(msg)
		if err != nil {
			errs[i] = err
			continue
		}
		built, at = append(built, out), append(at, i)
	}
	if len(built) == 0 {
		return errs
	}
	client, err := m.client()
	if err == nil {
		var sc *gosmtp.Client
		if sc, err = client.DialToSMTPClientWithContext(ctx); err == nil {
			// What SendWithSMTPClient returns is each message's error,
			// kept on the message; a failure to close after the last
			// one changes nothing that was sent.
			_ = client.SendWithSMTPClient(sc, built...)
			_ = client.CloseWithSMTPClient(sc)
		}
	}
	for j, out := range built {
		switch {
		case err != nil: // no connection: none was tried
			errs[at[j]] = fmt.Errorf("mail: send: %w", err)
		case out.HasSendError():
			errs[at[j]] = fmt.Errorf("mail: send: %w", out.SendError())
		}
	}
	return errs
}

func (m *Mailer) smtp(ctx context.Context, msg Message) error {
	out, err := m.build(msg)
	if err != nil {
		return err
	}
	client, err := m.client()
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(ctx, out); err != nil {
		// A 5xx answer (no such mailbox) will not change on retry; a 4xx
		// answer or a server that does not answer may.
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo {
			return jobs.Permanent(fmt.Errorf("mail: send: %w", err))
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// CheckURL reports what is wrong with an SMTP URL (Config.URL), for
// `peerpress config check`; "" is right: mail goes to the outbox.
func CheckURL(raw string) error {
	_, err := parseURL(raw)
	return err
}
