package campaign_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/web/webtest"
)

// Someone who sent a tribute and lost its withdrawal link asks for a new
// one with their address: the mail brings it, the old link stops
// working. The page says the same for an address that sent nothing, and
// asking again at once mails nothing more.
func TestFreshTributeWithdrawalLink(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		openWall(t, s)
		visitor := s.client()
		visitor.multipart(action, visitor.tributeForm(wall, "Ilya Zq7", "He ran the needle exchange.", "zq7.lost@example.org"),
			"ilya.jpg", secretJPEG(t, 400, 300)).Must(t, 303)
		visitor.Get(wall+"new").Must(t, 200, `href="/en/tributes/new-link"`)
		mailsTo := func(addr string) []string {
			t.Helper()
			s.RunJobs()
			out, err := s.App.Mailer.Outbox(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, m := range out {
				if m.To == addr {
					texts = append(texts, m.Text)
				}
			}
			return texts
		}
		first := mailsTo("zq7.lost@example.org")
		if len(first) != 1 {
			t.Fatalf("%d mails after the tribute", len(first))
		}
		old := withdrawRe.FindString(first[0])

		const path = "/en/tributes/new-link"
		ask := func(email string) response {
			t.Helper()
			page := visitor.Get(path)
			page.Must(t, 200, `name="email"`)
			form := webtest.GuardFields(t, page.Body, 0)
			s.clock.Add(10 * time.Second)
			form.Set("email", email)
			r := visitor.Post(path, form)
			r.Must(t, 303)
			if r.Location != path+"?sent=1" {
				t.Fatalf("after asking: %q", r.Location)
			}
			return visitor.Get(r.Location)
		}
		ask("Zq7.Lost@Example.org").Must(t, 200, "If a tribute was sent here with this address")
		mails := mailsTo("zq7.lost@example.org")
		if len(mails) != 2 || !strings.Contains(strings.Join(mails, "\n"), "For Ilya Zq7:") {
			t.Fatalf("%d mails; want the tribute's and the new link's: %q", len(mails), mails)
		}
		var fresh string
		for _, m := range mails {
			if strings.Contains(m, "For Ilya Zq7:") {
				fresh = withdrawRe.FindString(m)
			}
		}
		if fresh == "" || fresh == old {
			t.Fatalf("new link %q, old %q", fresh, old)
		}
		visitor.Get(old).Must(t, 404)
		visitor.Get(fresh).Must(t, 200, "Ilya Zq7")

		ask("zq7.stranger@example.org").Must(t, 200, "If a tribute was sent here with this address")
		if n := len(mailsTo("zq7.stranger@example.org")); n != 0 {
			t.Errorf("%d mails to an address that sent nothing", n)
		}
		ask("zq7.lost@example.org")
		if n := len(mailsTo("zq7.lost@example.org")); n != 2 {
			t.Errorf("%d mails after asking twice in a row; want 2", n)
		}
		visitor.Get(fresh).Must(t, 200)

		page := visitor.Get(path)
		form := webtest.GuardFields(t, page.Body, 0)
		s.clock.Add(10 * time.Second)
		form.Set("email", "no address")
		visitor.Post(path, form).Must(t, 422, "aria-invalid")
		visitor.Post(path, url.Values{"email": {"zq7.lost@example.org"}}).Must(t, 422)
	})
}
