package jobs

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// A mail server's refusal quotes the address it refused, and an error
// may quote a private link: neither reaches the job table or the log.
func TestFailedJobsKeepNoAddressOrLink(t *testing.T) {
	const (
		address = "canary.participant@example.org"
		token   = "Zx9_k2LmQwErTyUiOpAsDfGhJkLzXcVbNm123456789"
	)
	dbtest.RunSerial(t, func(t *testing.T, d *db.DB) { // reads the process's log
		var logs bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
		defer slog.SetDefault(prev)

		q := New(d)
		q.Handle("mail", func(ctx context.Context, p []byte) error {
			return errors.New("smtp: 550 5.1.1 <" + address + ">: Recipient address rejected (https://x.example/en/registration/manage/" + token + ")")
		}, 1)
		enqueue(t, d, "mail", "x", false)
		if _, err := q.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := d.QueryRowContext(context.Background(), `SELECT last_error FROM jobs WHERE kind = 'mail'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for where, text := range map[string]string{"job table": stored, "log": logs.String()} {
			if strings.Contains(text, address) || strings.Contains(text, "canary") || strings.Contains(text, token) {
				t.Errorf("the %s keeps the address or the link: %s", where, text)
			}
		}
		if !strings.Contains(stored, "550 5.1.1 <[address]>: Recipient address rejected") {
			t.Errorf("the reason itself was lost: %q", stored)
		}
	})
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"dial tcp 10.0.0.1:25: connection refused":             "dial tcp 10.0.0.1:25: connection refused",
		"550 No such user (Ana.Maria+news@mail.example.co.uk)": "550 No such user ([address])",
		"RCPT TO:<x@y.org> refused":                            "RCPT TO:<[address]> refused",
	} {
		if got := Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}
