package letter_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/letter"
	"peerpress/internal/participant"
)

// stored reads a signature's sealed name, website and what it holds for
// publication, as a copy of the database would show them.
func (s *site) stored(email string) (name, website, held string) {
	s.T.Helper()
	subject, err := s.App.People.Vault.Subject(email)
	if err != nil {
		s.T.Fatal(err)
	}
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT name, website, held FROM signatures WHERE email_hash = ?`,
		subject.Hash("signature.email")).Scan(&name, &website, &held); err != nil {
		s.T.Fatal(err)
	}
	return name, website, held
}

// Until a signature is published, its name and website are sealed to the
// organisation's key: the server, site key and all, cannot read them.
// Without moderation the signatory's own confirmation link publishes it;
// with moderation staff read and approve it after unlocking the key.
func TestPendingSignatoriesSealedToOrganisationKey(t *testing.T) {
	apptest.Run(t, apptest.Options{Guard: new(apptest.QuickGuard()), OrgKey: true}, func(t *testing.T, a *apptest.Site) {
		e, err := a.App.Content.BySlug(context.Background(), "en", slug)
		if err != nil {
			t.Fatal(err)
		}
		s := &site{Site: a, entryID: e.ID}
		sealedForStaff := func(what, v string) {
			t.Helper()
			if !participant.IsSealedForStaff(v) {
				t.Fatalf("%s not sealed to the organisation key: %.30q", what, v)
			}
			if _, err := s.App.People.Vault.Open(v, ""); !errors.Is(err, participant.ErrLocked) {
				t.Fatalf("%s: the site key opens it (%v)", what, err)
			}
		}

		// Not moderated: signed, then published by the signatory's link.
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		const first = "Zq7 Riverside Collective"
		c.Post(statement+"/sign", c.form(true, org(first, "KE", "zq7.first@example.org"))).Must(t, http.StatusSeeOther)
		name, website, held := s.stored("zq7.first@example.org")
		sealedForStaff("name", name)
		sealedForStaff("website", website)
		if held == "" || strings.Contains(held, "Riverside") {
			t.Fatalf("held for publication: %.30q", held)
		}
		verify, _ := links(t, s.mailTo("zq7.first@example.org")[0])
		c.Get(verify).Must(t, http.StatusOK, first) // the link opens what it holds
		c.Post(verify, nil).Must(t, http.StatusOK)
		c.Get(statement+"/signatures").Must(t, http.StatusOK, first, "lakeside.example")
		name, _, held = s.stored("zq7.first@example.org")
		if participant.IsSealedForStaff(name) || held != "" {
			t.Errorf("published, but still sealed for staff (%v) or held (%q)", participant.IsSealedForStaff(name), held)
		}

		// Moderated: confirmed, it waits sealed; staff see it locked and
		// cannot publish it until they unlock the organisation key.
		s.open(letter.Letter{Open: true, Organisations: true, Moderated: true})
		const second = "Zq7 Harbour Network"
		withdraw := c.signAndConfirm(org(second, "UG", "zq7.second@example.org"))
		name, website, held = s.stored("zq7.second@example.org")
		sealedForStaff("name", name)
		sealedForStaff("website", website)
		if held != "" {
			t.Error("confirmed, it still holds its details under the link")
		}
		page := c.Get(withdraw)
		page.Must(t, http.StatusOK, "Your signature will be removed")
		page.MustNot(t, second)

		admin, csrf := s.Admin()
		list := admin.Get(adminPath(s) + "?status=waiting")
		list.Must(t, http.StatusOK, "locked", `href="/admin/people/unlock"`, "zq7.second@example.org")
		list.MustNot(t, second)
		id := regexp.MustCompile(`value="(\d+)" id="pick-\d+"></td>\s*<td><label for="pick-\d+"><span class="locked">`).FindStringSubmatch(list.Body)
		if id == nil {
			t.Fatal("no locked row to approve")
		}
		admin.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {id[1]}}).
			Must(t, http.StatusConflict, "sealed to the organisation key")
		c.Get(statement+"/signatures").MustNot(t, second)
		if n, _ := s.App.Letters.Waiting(context.Background()); n != 1 {
			t.Errorf("%d waiting after a refused approval; want 1", n)
		}

		admin.Post("/admin/people/unlock", url.Values{"csrf": {csrf}, "key_file": {string(s.OrgKeyFile)}, "passphrase": {s.OrgPassphrase}}).Must(t, http.StatusSeeOther)
		admin.Get(adminPath(s)+"?status=waiting").Must(t, http.StatusOK, second)
		admin.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"approve"}, "id": {id[1]}}).Must(t, http.StatusSeeOther)
		c.Get(statement+"/signatures").Must(t, http.StatusOK, first, second)

		// Sent back to waiting, it is sealed for staff again.
		admin.Post(adminPath(s)+"/moderate", url.Values{"csrf": {csrf}, "action": {"reject"}, "id": {id[1]}}).Must(t, http.StatusSeeOther)
		name, _, _ = s.stored("zq7.second@example.org")
		sealedForStaff("rejected name", name)
		c.Get(statement+"/signatures").MustNot(t, second)
	})
}

// A signatory who lost their withdrawal link asks for a new one with
// their address: the mail brings it, the old link stops working. The
// page says the same for an address that never signed, and asking again
// at once mails nothing more.
func TestFreshWithdrawalLink(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true})
		c := s.client()
		old := c.signAndConfirm(org("Zq7 Lost Link Collective", "KE", "zq7.lost@example.org"))
		const path = "/en/signatures/new-link"
		c.Get(old+"x").Must(t, http.StatusNotFound, `href="`+path+`"`)
		ask := func(email string) response {
			t.Helper()
			form := c.GuardedForm(path, apptest.QuickGuard().Difficulty, apptest.FormWait, url.Values{"email": {email}})
			r := c.Post(path, form)
			r.Must(t, http.StatusSeeOther)
			if r.Location != path+"?sent=1" {
				t.Fatalf("after asking: %q", r.Location)
			}
			return c.Get(r.Location)
		}
		sent := ask(" ZQ7.Lost@example.org ")
		sent.Must(t, http.StatusOK, "If this address signed a statement here")
		mails := s.mailTo("zq7.lost@example.org")
		if len(mails) != 2 {
			t.Fatalf("%d mails; want the signing mail and the new link", len(mails))
		}
		_, fresh := links(t, mails[1])
		if fresh == old {
			t.Fatal("the new link is the old one")
		}
		c.Get(old).Must(t, http.StatusNotFound)
		c.Get(fresh).Must(t, http.StatusOK, "Zq7 Lost Link Collective")

		// An address that never signed: the same answer, no mail.
		ask("zq7.stranger@example.org").Must(t, http.StatusOK, "If this address signed a statement here")
		if n := len(s.Mail("zq7.stranger@example.org")); n != 0 {
			t.Errorf("%d mails to an address that never signed", n)
		}
		// Again at once: the same answer, no second mail, the link holds.
		ask("zq7.lost@example.org")
		if n := len(s.mailTo("zq7.lost@example.org")); n != 2 {
			t.Errorf("%d mails after asking twice in a row; want 2", n)
		}
		c.Get(fresh).Must(t, http.StatusOK)

		// Not an address, or no guard: refused, nothing sent.
		form := c.GuardedForm(path, apptest.QuickGuard().Difficulty, apptest.FormWait, url.Values{"email": {"not an address"}})
		c.Post(path, form).Must(t, http.StatusUnprocessableEntity, "aria-invalid")
		c.Post(path, url.Values{"email": {"zq7.lost@example.org"}}).Must(t, http.StatusUnprocessableEntity)
		if n := len(s.mailTo("zq7.lost@example.org")); n != 2 {
			t.Errorf("%d mails after refused requests; want 2", n)
		}
	})
}

// A confirmation mail the mail server refuses for good carries the
// signatory's address and links: it goes when the unconfirmed signature
// does, after VerifyWithin, not a week later.
func TestRefusedConfirmationGoesWithTheSignature(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true})
		s.SMTP.Reject("zq7.refused@example.org")
		c := s.client()
		c.Post(statement+"/sign", c.form(true, org("Zq7 Refused Collective", "KE", "zq7.refused@example.org"))).Must(t, http.StatusSeeOther)
		s.RunJobs()
		if _, failed, err := s.App.Jobs.Counts(ctx); err != nil || failed != 1 {
			t.Fatalf("%d failed jobs, %v; want the refused confirmation", failed, err)
		}
		now := time.Now()
		if n, err := s.App.Jobs.PurgeFailed(ctx, now.Add(letter.VerifyWithin-time.Hour)); err != nil || n != 0 {
			t.Fatalf("purged %d before the signature's time, %v", n, err)
		}
		if n, _ := s.App.Letters.PurgeUnverified(ctx, now.Add(letter.VerifyWithin+time.Hour)); n != 1 {
			t.Fatalf("%d unconfirmed signatures purged; want 1", n)
		}
		if n, err := s.App.Jobs.PurgeFailed(ctx, now.Add(letter.VerifyWithin+time.Hour)); err != nil || n != 1 {
			t.Fatalf("purged %d with the signature, %v; want the refused confirmation", n, err)
		}
	})
}
