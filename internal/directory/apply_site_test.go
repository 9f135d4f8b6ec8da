package directory_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/directory"
	"peerpress/internal/participant"
	"peerpress/internal/web/webtest"
)

// applyAnswers is a complete, valid application.
func applyAnswers(kv ...string) url.Values {
	v := url.Values{"name": {"Tidepool Peer Collective"}, "short_name": {"TPC"}, "type": {"local"}, "country": {"CL"},
		"language": {"es"}, "website": {"https://tidepool.example"}, "description_en": {"Peers on the coast running a night outreach van."},
		"contact_name": {"Rocío Fuentes"}, "contact_email": {"rocio@tidepool.example"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// runSeeds runs the demo's seed jobs now (they are due a few seconds
// after the start): the demo's waiting applications are there from the
// start of the test.
func runSeeds(t *testing.T, s *apptest.Site) {
	t.Helper()
	if _, err := s.App.DB.ExecContext(context.Background(), `UPDATE jobs SET run_at = 0 WHERE kind = ?`, directory.SeedKind); err != nil {
		t.Fatal(err)
	}
	s.RunJobs()
}

// applicationPath finds the staff page of the application of name.
func applicationPath(t *testing.T, admin *webtest.Client, name string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(/admin/organisation-applications/\d+)">` + regexp.QuoteMeta(name) + `<`).FindStringSubmatch(admin.Get("/admin/organisation-applications").Body)
	if m == nil {
		t.Fatalf("%s is not in the applications", name)
	}
	return m[1]
}

var verifyLink = regexp.MustCompile(`https?://[^\s]+/en/directory/apply/verify/([A-Za-z0-9_-]{43})`)

// An organisation applies to join: the form is behind the abuse guard;
// bad input is refused as typed; the address is verified by link (a
// forged link does nothing); staff see the application in the
// moderation queue, ask a question by mail and accept it, and the
// profile goes live; the contact is sealed and emptied a set time after
// the decision.
func TestApplicationJourney(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		runSeeds(t, s)
		s.UseGuard(apptest.QuickGuard())
		bits := apptest.QuickGuard().Difficulty
		visitor := s.Client()
		count := func() int {
			var n int
			if err := s.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisation_applications WHERE name = 'Tidepool Peer Collective'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		visitor.Get("/en/directory").Must(t, http.StatusOK, `href="/en/directory/apply"`)

		// Bad input: the form comes back as typed, saying what is wrong,
		// and nothing is stored.
		for _, bad := range []struct {
			answers url.Values
			message string
		}{
			{applyAnswers("country", "QQ"), "Choose a country from the list."},
			{applyAnswers("country", ""), "Choose the country your organisation works from."},
			{applyAnswers("contact_email", "not an address"), "contact"},
			{applyAnswers("contact_name", ""), "Tidepool Peer Collective"},
			{applyAnswers("website", "javascript:alert(1)"), "Tidepool Peer Collective"},
			{applyAnswers("type", "cartel"), "Tidepool Peer Collective"},
			{applyAnswers("language", "klingon"), "Tidepool Peer Collective"},
			{applyAnswers("name", strings.Repeat("n", 201)), "rocio@tidepool.example"},
		} {
			r := visitor.Post("/en/directory/apply", visitor.GuardedForm("/en/directory/apply", bits, apptest.FormWait, bad.answers))
			r.Must(t, http.StatusUnprocessableEntity, bad.message, `class="field-error"`)
		}
		// Without the guard's challenge (a bot posting straight away).
		visitor.Post("/en/directory/apply", applyAnswers()).Must(t, http.StatusUnprocessableEntity)
		if n := count(); n != 0 {
			t.Fatalf("refused applications stored: %d", n)
		}

		r := visitor.Post("/en/directory/apply", visitor.GuardedForm("/en/directory/apply", bits, apptest.FormWait, applyAnswers()))
		r.Must(t, http.StatusSeeOther)
		if r.Location != "/en/directory/apply/sent" {
			t.Fatalf("applied: redirected to %q", r.Location)
		}
		visitor.Get(r.Location).Must(t, http.StatusOK, "Check your mail")

		// The contact is sealed: neither the name nor the address is in
		// the clear in the database.
		var contact, email string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT contact, email FROM organisation_applications WHERE name = 'Tidepool Peer Collective'`).Scan(&contact, &email); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(contact+email, "rocio") || strings.Contains(contact, "Rocío") {
			t.Fatal("the applicant's contact is stored in the clear")
		}

		// Unverified, staff do not see it.
		admin, csrf := s.Admin()
		// The demo's waiting applications are there.
		admin.Get("/admin/organisation-applications").Must(t, http.StatusOK, "Saltmarsh Peer Outreach", "Réseau Pairs du Fleuve")
		admin.Get("/admin/organisation-applications").MustNot(t, "Tidepool")

		mails := s.Mail("rocio@tidepool.example")
		if len(mails) != 1 {
			t.Fatalf("%d mails to the applicant", len(mails))
		}
		m := verifyLink.FindStringSubmatch(mails[0].Text)
		if m == nil {
			t.Fatalf("no verification link in:\n%s", mails[0].Text)
		}
		token := m[1]

		// Forged links are refused clearly and change nothing.
		forged, _ := participant.NewLink()
		for _, path := range []string{"/en/directory/apply/verify/" + forged, "/en/directory/apply/verify/abc", "/en/directory/apply/verify/" + strings.Repeat("%27", 20)} {
			visitor.Get(path).Must(t, http.StatusNotFound, "This link does not work")
			visitor.Post(path, url.Values{}).Must(t, http.StatusNotFound, "This link does not work")
		}
		admin.Get("/admin/organisation-applications").MustNot(t, "Tidepool")

		// Opening the link asks to confirm (a mail scanner confirms
		// nothing); confirming sends the application to staff, once.
		path := "/en/directory/apply/verify/" + token
		visitor.Get(path).Must(t, http.StatusOK, "Confirm your address", `action="`+path+`"`)
		visitor.Post(path, url.Values{}).Must(t, http.StatusOK, "Your address is confirmed")
		visitor.Post(path, url.Values{}).Must(t, http.StatusNotFound, "This link does not work")

		admin.Get("/admin/moderation").Must(t, http.StatusOK, "Applications to join the directory", `href="/admin/organisation-applications"`)
		admin.Get("/admin/organisation-applications").Must(t, http.StatusOK, "Tidepool Peer Collective", "Waiting", "Chile")
		page := applicationPath(t, admin, "Tidepool Peer Collective")
		admin.Get(page).Must(t, http.StatusOK, "Rocío Fuentes", "rocio@tidepool.example", "Peers on the coast running a night outreach van.")
		visitor.Get(page).MustNot(t, "Rocío Fuentes")
		visitor.Get("/admin/organisation-applications").MustNot(t, "Tidepool")
		admin.Get("/admin/organisation-applications/999999").Must(t, http.StatusNotFound)
		admin.Get("/admin/organisation-applications/nope").Must(t, http.StatusNotFound)

		// A question by mail.
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"ask"}, "question": {""}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"ask"}, "question": {"Which towns does the van reach?"}}).Must(t, http.StatusSeeOther)
		mails = s.Mail("rocio@tidepool.example")
		if len(mails) != 2 || !strings.Contains(mails[1].Text, "Which towns does the van reach?") {
			t.Fatalf("the question did not reach the applicant: %d mails", len(mails))
		}
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"promote"}}).Must(t, http.StatusBadRequest)

		// Accept: a slug another organisation has is refused; then the
		// profile goes live, and the applicant is told where.
		visitor.Get("/en/directory/tidepool").Must(t, http.StatusNotFound)
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"accept"}, "membership": {"associate"}, "slug": {"harbour-alliance"}}).
			Must(t, http.StatusUnprocessableEntity)
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"accept"}, "membership": {"owner"}, "slug": {"tidepool"}}).
			Must(t, http.StatusUnprocessableEntity)
		// "apply" is the form's own address: no organisation may hide it.
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"accept"}, "membership": {"associate"}, "slug": {"apply"}}).
			Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/organisations", profileForm(csrf, "slug", "apply")).Must(t, http.StatusUnprocessableEntity)
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"accept"}, "membership": {"associate"}, "slug": {"tidepool"}}).Must(t, http.StatusSeeOther)
		visitor.Get("/en/directory/tidepool").Must(t, http.StatusOK, "Tidepool Peer Collective", "Associate member", "Chile",
			"Peers on the coast running a night outreach van.")
		visitor.Get("/en/directory/tidepool").MustNot(t, "Rocío", "rocio@")
		visitor.Get("/en/directory?country=CL").Must(t, http.StatusOK, "Tidepool Peer Collective")
		mails = s.Mail("rocio@tidepool.example")
		if len(mails) != 3 || !strings.Contains(mails[2].Text, "/en/directory/tidepool") {
			t.Fatalf("the applicant was not told of the acceptance: %d mails", len(mails))
		}
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"decline"}}).Must(t, http.StatusUnprocessableEntity, "This application was decided already.")

		// Thirty days after the decision, the contact goes; the profile stays.
		if _, err := s.App.People.PurgeAll(ctx, time.Now().Add(29*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		admin.Get(page).Must(t, http.StatusOK, "Rocío Fuentes")
		if _, err := s.App.People.PurgeAll(ctx, time.Now().Add(31*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.App.DB.QueryRowContext(ctx, `SELECT contact, email FROM organisation_applications WHERE name = 'Tidepool Peer Collective'`).Scan(&contact, &email); err != nil {
			t.Fatal(err)
		}
		if contact != "" || email != "" {
			t.Error("the contact was kept past its time")
		}
		admin.Get(page).Must(t, http.StatusOK, "The applicant&#39;s contact was deleted")
		visitor.Get("/en/directory/tidepool").Must(t, http.StatusOK, "Tidepool Peer Collective")
	})
}

// With an organisation key, the applicant's contact is sealed to it:
// staff who have not unlocked it see it locked, and a declined
// application still mails the applicant (the address the server needs
// is sealed with the site key). An unverified application goes after two
// days.
func TestApplicationSealedToOrganisationKey(t *testing.T) {
	apptest.Run(t, apptest.Options{OrgKey: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		runSeeds(t, s)
		s.UseGuard(apptest.QuickGuard())
		visitor := s.Client()
		visitor.Post("/en/directory/apply", visitor.GuardedForm("/en/directory/apply", apptest.QuickGuard().Difficulty, apptest.FormWait,
			applyAnswers())).Must(t, http.StatusSeeOther)
		var contact string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT contact FROM organisation_applications WHERE name = 'Tidepool Peer Collective'`).Scan(&contact); err != nil {
			t.Fatal(err)
		}
		if !participant.IsSealedForStaff(contact) {
			t.Fatal("the contact is not sealed to the organisation's key")
		}
		m := verifyLink.FindStringSubmatch(s.Mail("rocio@tidepool.example")[0].Text)
		visitor.Post("/en/directory/apply/verify/"+m[1], url.Values{}).Must(t, http.StatusOK)
		admin, csrf := s.Admin()
		page := applicationPath(t, admin, "Tidepool Peer Collective")
		admin.Get(page).Must(t, http.StatusOK, "sealed to the organisation")
		admin.Get(page).MustNot(t, "Rocío")
		admin.Post(page, url.Values{"csrf": {csrf}, "action": {"decline"}, "reason": {"We list networks of people who use drugs only."}}).
			Must(t, http.StatusSeeOther)
		mails := s.Mail("rocio@tidepool.example")
		if len(mails) != 2 || !strings.Contains(mails[1].Text, "We list networks of people who use drugs only.") {
			t.Fatalf("the applicant was not told of the decision: %d mails", len(mails))
		}
		visitor.Get("/en/directory?country=CL").MustNot(t, "Tidepool")

		// An application never verified goes after two days.
		visitor.Post("/en/directory/apply", visitor.GuardedForm("/en/directory/apply", apptest.QuickGuard().Difficulty, apptest.FormWait,
			applyAnswers("contact_email", "other@tidepool.example"))).Must(t, http.StatusSeeOther)
		if _, err := s.App.People.PurgeAll(ctx, time.Now().Add(49*time.Hour)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisation_applications WHERE status = 'unverified'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d unverified applications kept past two days", n)
		}
	})
}
