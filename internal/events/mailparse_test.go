package events

import (
	"regexp"
	"testing"

	"peerpress/internal/mail/mailtest"
)

// arrived is a message as the SMTP server received it, decoded.
type arrived = mailtest.Message

// decodeMail decodes a message that arrived.
func decodeMail(t *testing.T, m mailtest.Received) arrived {
	t.Helper()
	out, err := m.Decode()
	if err != nil {
		t.Fatalf("%v\n%s", err, m.Data)
	}
	return out
}

var linkRe = regexp.MustCompile(`https?://[^\s]+/registration/(confirm|manage)/[A-Za-z0-9_-]+`)

// link finds the confirmation or manage link in a mail text.
func link(t *testing.T, text, kind string) string {
	t.Helper()
	for _, m := range linkRe.FindAllStringSubmatch(text, -1) {
		if m[1] == kind {
			return m[0]
		}
	}
	t.Fatalf("no %s link in:\n%s", kind, text)
	return ""
}
