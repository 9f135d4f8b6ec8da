package events_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/mail/mailtest"
)

// lastMail is the last mail that reached addr whose subject holds
// subject.
func (s *site) lastMail(addr, subject string) mailtest.Message {
	s.T.Helper()
	mails := s.Mail(addr)
	for i := len(mails) - 1; i >= 0; i-- {
		if strings.Contains(mails[i].Subject, subject) {
			return mails[i]
		}
	}
	s.T.Fatalf("no mail %q to %s among %d", subject, addr, len(mails))
	return mailtest.Message{}
}

// Reminders and the organisers' messages, as they arrive at the SMTP
// server, each carry the recipient's own manage link — the same one the
// confirmation carried, which keeps working — and following it opens that
// registrant's page, not another's.
func TestLaterMailsCarryOwnManageLink(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.UseGuard(apptest.QuickGuard())
		c := s.client()
		people := []struct{ email, name, manage string }{
			{email: "amina@example.org", name: "Amina"},
			{email: "bruno@example.org", name: "Bruno"},
		}
		for i := range people {
			people[i].manage = c.registerAndConfirm(people[i].email, people[i].name)
			placed := s.lastMail(people[i].email, "You are registered")
			if got := mailPath(t, placed.Text, "manage"); got != people[i].manage {
				t.Fatalf("the confirmation to %s carries %s, the page led to %s", people[i].email, got, people[i].manage)
			}
		}
		if people[0].manage == people[1].manage {
			t.Fatal("two registrants share a manage link")
		}

		// follow opens the manage link in a mail to p, in a browser of its
		// own (a link in a mail is opened anywhere).
		follow := func(p struct{ email, name, manage string }, m mailtest.Message, other string) {
			t.Helper()
			got := mailPath(t, m.Text, "manage")
			if got != p.manage {
				t.Fatalf("%q to %s carries the manage link %s, want theirs, %s:\n%s", m.Subject, p.email, got, p.manage, m.Text)
			}
			r := s.client().Get(got)
			r.Must(t, http.StatusOK, "Email: "+p.email, `value="`+p.name+`"`, "confirmed: you have a place")
			r.MustNot(t, other)
		}

		// A day before the start, the reminder goes out.
		s.App.Events.Now = func() time.Time { return s.starts.Add(-24*time.Hour + time.Minute) }
		n, err := s.App.Events.SendDueReminders(context.Background())
		s.App.Events.Now = time.Now
		if err != nil || n != 2 {
			t.Fatalf("reminders: %d, %v; want 2", n, err)
		}
		for i, p := range people {
			m := s.lastMail(p.email, "starts in")
			if !strings.Contains(m.Text, "https://meet.example.org/") {
				t.Fatalf("a reminder without the join link:\n%s", m.Text)
			}
			follow(p, m, people[1-i].email)
		}

		// The organisers write to everyone confirmed.
		admin, csrf := s.Admin()
		r := admin.Post(s.adminBase()+"/message", url.Values{"csrf": {csrf}, "subject": {"Slides are ready"}, "text": {"See you on Thursday."}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("message: %d", r.Status)
		}
		for i, p := range people {
			m := s.lastMail(p.email, "Slides are ready")
			if !strings.Contains(m.Text, "See you on Thursday.") {
				t.Fatalf("the organisers' message lost its text:\n%s", m.Text)
			}
			follow(p, m, people[1-i].email)
		}

		// The link still works after all those mails, and cancels.
		if r := c.Post(people[0].manage+"/cancel", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("cancel through the mailed link: %d", r.Status)
		}
		c.Get(people[0].manage).Must(t, http.StatusOK, "<strong>Status:</strong> cancelled")
		s.client().Get(people[1].manage).Must(t, http.StatusOK, "confirmed: you have a place")
	})
}
