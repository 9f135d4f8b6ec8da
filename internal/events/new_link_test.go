package events_test

import (
	"net/http"
	"net/url"
	"testing"

	"peerpress/internal/app/apptest"
)

// A registrant who fears their manage link was seen asks for a new one
// with their address: it is mailed to them, and the old link stops
// working. An address that is not registered gets the same answer and no
// mail, so the form tells nobody who registered; junk is refused.
func TestFreshManageLinkInvalidatesOld(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.UseGuard(apptest.QuickGuard())
		c := s.client()
		old := c.registerAndConfirm("amina@example.org", "Amina")
		c.Get(old).Must(t, http.StatusOK, "amina@example.org")
		c.Get(register).Must(t, http.StatusOK, `href="`+register+`/link"`)

		link := register + "/link"
		c.Get(link).Must(t, http.StatusOK, `name="email"`)
		c.Post(link, c.GuardedForm(link, apptest.QuickGuard().Difficulty, apptest.FormWait, url.Values{"email": {"not an address"}})).
			Must(t, http.StatusUnprocessableEntity, "Enter the one email address")
		before := len(s.Mail("amina@example.org"))
		c.Post(link, c.GuardedForm(link, apptest.QuickGuard().Difficulty, apptest.FormWait, url.Values{"email": {" Amina@Example.org "}})).
			Must(t, http.StatusOK, "a new link is on its way")
		m := s.lastMail("amina@example.org", "Your new link")
		if len(s.Mail("amina@example.org")) != before+1 {
			t.Fatal("not one new mail")
		}
		fresh := mailPath(t, m.Text, "manage")
		if fresh == old {
			t.Fatal("the new link is the old one")
		}
		c.Get(fresh).Must(t, http.StatusOK, "amina@example.org")
		s.client().Get(old).Must(t, http.StatusNotFound)

		// Nobody registered with this address: the same answer, no mail.
		c.Post(link, c.GuardedForm(link, apptest.QuickGuard().Difficulty, apptest.FormWait, url.Values{"email": {"nobody@example.org"}})).
			Must(t, http.StatusOK, "a new link is on its way")
		if got := s.Mail("nobody@example.org"); len(got) != 0 {
			t.Fatalf("mailed an address that never registered: %d", len(got))
		}
		// A form without the guard's challenge changes nothing.
		c.Post(link, url.Values{"email": {"amina@example.org"}}).Must(t, http.StatusUnprocessableEntity)
		c.Get(fresh).Must(t, http.StatusOK, "amina@example.org")
	})
}
