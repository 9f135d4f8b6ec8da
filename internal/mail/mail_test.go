package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/secret"
)

func setup(t *testing.T, d *db.DB, url string) (*mail.Mailer, *jobs.Queue) {
	t.Helper()
	box, err := secret.Open(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(d, box, mail.Config{URL: url, From: "network@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(d)
	m.Register(q)
	return m, q
}

func send(t *testing.T, d *db.DB, m *mail.Mailer, msg mail.Message) {
	t.Helper()
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return m.Send(context.Background(), tx, msg) }); err != nil {
		t.Fatal(err)
	}
}

func drain(t *testing.T, q *jobs.Queue) {
	t.Helper()
	for {
		ran, err := q.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// Mail goes through the queue to a real SMTP server, with its headers
// and attachments, and the queued copy is sealed.
func TestSendThroughSMTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		smtp := mailtest.Start(t)
		m, q := setup(t, d, smtp.URL())
		send(t, d, m, mail.Message{
			To: "participant@example.org", Subject: "Confirm your registration", Text: "Follow this link: https://example.org/c/abc",
			Headers:     map[string]string{"List-Unsubscribe": "<https://example.org/u/xyz>"},
			Attachments: []mail.Attachment{{Name: "event.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}},
		})
		var payload string
		if err := d.QueryRowContext(context.Background(), `SELECT payload FROM jobs`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(payload, "participant") || strings.Contains(payload, "Confirm") {
			t.Fatal("the queued message is stored in the clear")
		}
		drain(t, q)
		got := smtp.To("participant@example.org")
		if len(got) != 1 {
			t.Fatalf("%d messages arrived", len(got))
		}
		data := got[0].Data
		for _, want := range []string{"Subject: Confirm your registration", "List-Unsubscribe: <https://example.org/u/xyz>", "https://example.org/c/abc", "event.ics", "text/calendar", "From: <network@example.org>"} {
			if !strings.Contains(data, want) {
				t.Errorf("message lacks %q:\n%s", want, data)
			}
		}
	})
}

// A server that is down for a while loses nothing: the message is sent
// on a later try.
func TestTemporaryFailureRetried(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		smtp := mailtest.Start(t)
		m, q := setup(t, d, smtp.URL())
		smtp.FailNext(1)
		send(t, d, m, mail.Message{To: "a@example.org", Subject: "s", Text: "t"})
		drain(t, q)
		if len(smtp.Messages()) != 0 {
			t.Fatal("delivered despite the failure")
		}
		if p, _, _ := q.Counts(context.Background()); p != 1 {
			t.Fatalf("message not kept for a retry: %d pending", p)
		}
		// Make it due now, as time would.
		d.ExecContext(context.Background(), `UPDATE jobs SET run_at = ?`, time.Now().Add(-time.Second).Unix())
		drain(t, q)
		if len(smtp.To("a@example.org")) != 1 {
			t.Fatal("not delivered on retry")
		}
	})
}

// A mailbox the server refuses for good is not retried.
func TestRejectedRecipientFails(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		smtp := mailtest.Start(t)
		m, q := setup(t, d, smtp.URL())
		smtp.Reject("gone@example.org")
		send(t, d, m, mail.Message{To: "gone@example.org", Subject: "s", Text: "t"})
		drain(t, q)
		if p, f, _ := q.Counts(context.Background()); p != 0 || f != 1 {
			t.Fatalf("%d pending, %d failed", p, f)
		}
	})
}

// Without SMTP, messages land in the outbox, sealed, readable by admins,
// and are purged after the retention period.
func TestOutbox(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		m, q := setup(t, d, "")
		if !m.UsesOutbox() {
			t.Fatal("no SMTP URL, but not using the outbox")
		}
		send(t, d, m, mail.Message{To: "reader@example.org", Subject: "Welcome", Text: "Hello"})
		drain(t, q)
		ctx := context.Background()
		var stored string
		d.QueryRowContext(ctx, `SELECT message FROM outbox`).Scan(&stored)
		if stored == "" || strings.Contains(stored, "reader@example.org") {
			t.Fatalf("outbox row: %q", stored)
		}
		msgs, err := m.Outbox(ctx, 10)
		if err != nil || len(msgs) != 1 || msgs[0].To != "reader@example.org" || msgs[0].Text != "Hello" {
			t.Fatalf("outbox: %+v %v", msgs, err)
		}
		if n, _ := m.PurgeOutbox(ctx, time.Now()); n != 0 {
			t.Fatal("purged a fresh message")
		}
		if n, _ := m.PurgeOutbox(ctx, time.Now().Add(mail.OutboxRetention+time.Hour)); n != 1 {
			t.Fatal("kept an old message")
		}
	})
}

func TestBadInput(t *testing.T) {
	d := dbtest.NewSQLite(t)
	box, _ := secret.Open(secret.NewKey())
	for _, url := range []string{"http://x", "smtp://", "smtp://h:notaport", "smtp://h?tls=maybe"} {
		if _, err := mail.New(d, box, mail.Config{URL: url}); err == nil {
			t.Errorf("SMTP URL %q accepted", url)
		}
	}
	if _, err := mail.New(d, box, mail.Config{From: "not an address"}); err == nil {
		t.Error("bad sender accepted")
	}
	m, _ := mail.New(d, box, mail.Config{})
	for _, to := range []string{"", "nobody", "a@b\r\nBcc: x@y"} {
		err := d.InTx(context.Background(), func(tx *db.Tx) error { return m.Send(context.Background(), tx, mail.Message{To: to}) })
		if err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("recipient %q accepted", to)
		}
	}
}

// A CR or LF in a subject or a header value (a title someone typed) never
// starts a header of its own; a header name that is not one is refused.
func TestHeadersStayOnOneLine(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		smtp := mailtest.Start(t)
		m, q := setup(t, d, smtp.URL())
		send(t, d, m, mail.Message{To: "a@example.org", Subject: "Autumn\r\nBcc: victim@example.org", Text: "Hello",
			Headers: map[string]string{"List-Unsubscribe": "<https://example.org/u/1>\r\nX-Injected: yes"}})
		if err := m.SendNow(context.Background(), mail.Message{To: "b@example.org", Subject: "Hi", Text: "x",
			Headers: map[string]string{"X-Bad\r\nBcc": "v"}}); err == nil {
			t.Fatal("a header name with CR/LF was sent")
		}
		drain(t, q)
		got := smtp.Messages()
		if len(got) != 1 {
			t.Fatalf("%d messages", len(got))
		}
		head, _, _ := strings.Cut(got[0].Data, "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.HasPrefix(strings.ToLower(line), "x-injected:") {
				t.Fatalf("an injected header arrived:\n%s", head)
			}
		}
		if len(got[0].To) != 1 || got[0].To[0] != "a@example.org" {
			t.Fatalf("recipients %v", got[0].To)
		}
	})
}
