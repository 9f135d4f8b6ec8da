package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/participant"
	"peerpress/internal/web/webtest"
)

// seizedCopy is what someone who copies a running site's data gets: every
// file in its data folder, the SQLite database and its WAL byte for byte,
// or, on PostgreSQL, every row of every table as text.
func seizedCopy(t *testing.T, s *apptest.Site) []byte {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	filepath.WalkDir(s.App.Config.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			out.Write(b)
		}
		return nil
	})
	if s.App.DB.Engine == db.SQLite {
		var seq int
		var name, file string
		if err := s.App.DB.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{file, file + "-wal"} {
			b, _ := os.ReadFile(f)
			out.Write(b)
		}
		return out.Bytes()
	}
	tables, err := s.App.DB.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := s.App.DB.QueryContext(ctx, `SELECT CAST(t AS text) FROM `+n+` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			rows.Scan(&row)
			out.WriteString(row + "\n")
		}
		rows.Close()
	}
	return out.Bytes()
}

// A copy of a running site's data yields no registrant's identity: no
// name, answer or address in the clear, no site key in the folder, and
// the names and answers sealed to the organisation key, which even the
// site key does not open. Staff holding the organisation key read them.
func TestSeizedSiteYieldsNoIdentity(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true, OrgKey: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		const email, name, org = "canary.zq7@audit-canary.example", "CanaryZq7 Person", "CanaryZq7 Harbour Collective"
		s.Participate(email, name, org, "Brother Zq7")
		// A member of the updates list, and an organisation's contact
		// applying to the directory, both confirmed by their links.
		const subscriber, contact, contactEmail = "canary.sub.zq7@audit-canary.example", "CanaryZq7 Contact", "canary.dir.zq7@audit-canary.example"
		joinUpdatesAndDirectory(t, s, subscriber, contact, contactEmail)
		seized := seizedCopy(t, s)
		for _, canary := range []string{email, name, org, s.App.Config.SiteKey, subscriber, contact, contactEmail} {
			if bytes.Contains(seized, []byte(canary)) {
				t.Errorf("the copy holds %q in the clear", canary)
			}
		}
		if _, err := os.Stat(filepath.Join(s.App.Config.DataDir, app.SiteKeyFile)); err == nil {
			t.Error("the site key sits in the data folder")
		}

		// With the site key as well (a server seized running): names and
		// answers stay closed.
		rows, err := s.App.DB.QueryContext(ctx, `SELECT name, answers FROM registrations`)
		if err != nil {
			t.Fatal(err)
		}
		var sealed []string
		for rows.Next() {
			var n, a string
			rows.Scan(&n, &a)
			sealed = append(sealed, n, a)
		}
		rows.Close()
		// The tribute submitter's address: mailed once as the tribute is
		// sent, then for staff only.
		var submitter string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT email_sealed FROM tributes WHERE remembered = 'Brother Zq7'`).Scan(&submitter); err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, submitter)
		// The directory applicant's contact (name and address): for
		// staff only. Their address again, for the server's mail, is
		// sealed with the site key (below).
		var dirContact string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT contact FROM organisation_applications WHERE name = 'Zq7 Outreach Van'`).Scan(&dirContact); err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, dirContact)
		if len(sealed) == 0 {
			t.Fatal("no registration stored")
		}
		id, err := participant.OpenIdentityFile(s.OrgKeyFile, s.OrgPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		opened := ""
		for _, v := range sealed {
			if !participant.IsSealedForStaff(v) {
				t.Fatalf("not sealed to the organisation key: %.20q", v)
			}
			if _, err := s.App.People.Vault.Open(v, "events:registration-name"); !errors.Is(err, participant.ErrLocked) {
				t.Errorf("the site key opens it: %v", err)
			}
			plain, err := participant.OpenWithIdentity(id, v, "")
			if err != nil {
				t.Fatal(err)
			}
			opened += plain
		}
		if !strings.Contains(opened, name) || !strings.Contains(opened, org) || !strings.Contains(opened, email) ||
			!strings.Contains(opened, contact) || !strings.Contains(opened, contactEmail) {
			t.Fatalf("the organisation key does not open what was sealed: %q", opened)
		}

		// What the server reads to send mail (SECURITY.md's trade-off):
		// the subscriber's and the applicant's addresses, sealed with the
		// site key, which is not in the copy (above), and found by keyed
		// hash.
		var subSealed, dirSealed string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT email FROM subscribers ORDER BY id DESC LIMIT 1`).Scan(&subSealed); err != nil {
			t.Fatal(err)
		}
		if err := s.App.DB.QueryRowContext(ctx, `SELECT email FROM organisation_applications WHERE name = 'Zq7 Outreach Van'`).Scan(&dirSealed); err != nil {
			t.Fatal(err)
		}
		for _, a := range []struct{ want, sealed, context string }{
			{subscriber, subSealed, "updates:subscriber-email:sealed"},
			{contactEmail, dirSealed, "organisation_applications.email"},
		} {
			if participant.IsSealedForStaff(a.sealed) || strings.Contains(a.sealed, "@") {
				t.Fatalf("the address the server mails is not sealed with the site key: %.20q", a.sealed)
			}
			if got, err := s.App.People.Vault.Open(a.sealed, a.context); err != nil || got != a.want {
				t.Errorf("the site key opens %q, %v; want the address it must mail, %s", got, err, a.want)
			}
		}
	})
}

// joinUpdatesAndDirectory subscribes to the members' updates and applies
// to the directory through the public forms, confirming each by its
// mailed link.
func joinUpdatesAndDirectory(t *testing.T, s *apptest.Site, subscriber, contact, contactEmail string) {
	t.Helper()
	s.UseGuard(apptest.QuickGuard())
	bits := apptest.QuickGuard().Difficulty
	c := s.Client()
	c.Post("/en/updates/subscribe", c.GuardedForm("/en/updates/subscribe", bits, apptest.FormWait,
		url.Values{"email": {subscriber}, "lang": {"en"}, "consent": {"yes"}})).Must(t, http.StatusOK)
	link := regexp.MustCompile(`/en/updates/confirm/[A-Za-z0-9_-]{43}`).FindString(s.LastText(subscriber))
	if link == "" {
		t.Fatal("no confirmation link mailed to the subscriber")
	}
	c.Post(link, nil).Must(t, http.StatusSeeOther)
	c.Post("/en/directory/apply", c.GuardedForm("/en/directory/apply", bits, apptest.FormWait, url.Values{
		"name": {"Zq7 Outreach Van"}, "short_name": {"ZOV"}, "type": {"local"}, "country": {"CL"}, "language": {"es"},
		"website": {"https://zq7.example"}, "description_en": {"Peers running a night outreach van."},
		"contact_name": {contact}, "contact_email": {contactEmail}})).Must(t, http.StatusSeeOther)
	link = regexp.MustCompile(`/en/directory/apply/verify/[A-Za-z0-9_-]{43}`).FindString(s.LastText(contactEmail))
	if link == "" {
		t.Fatal("no verification link mailed to the directory applicant")
	}
	c.Post(link, nil).Must(t, http.StatusOK, "Your address is confirmed")
}

// Staff see registrants' names and answers as locked until they unlock
// the organisation key for their session with its file and passphrase;
// locking, or signing out, forgets it. Another session never has it.
func TestUnlockOrganisationKey(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true, OrgKey: true}, func(t *testing.T, s *apptest.Site) {
		const name, org = "Amina Zq7", "Harbour Zq7 Collective"
		p := s.Participate("zq7.amina@example.org", name, org, "Brother Zq7")
		registrants := fmt.Sprintf("/admin/entries/%d/registrants", p.EventID)
		var r webtest.Response
		admin, csrf := s.Admin()
		r = admin.Get(registrants)
		r.Must(t, http.StatusOK, "zq7.amina@example.org", "locked", `href="/admin/people/unlock"`)
		r.MustNot(t, name, org)
		r = admin.Post("/admin/people", url.Values{"csrf": {csrf}, "email": {"zq7.amina@example.org"}})
		r.Must(t, http.StatusOK, "locked")
		r.MustNot(t, org) // the name is also a published signatory's, which the server reads

		admin.Get("/admin/people/unlock").Must(t, http.StatusOK, `name="key_file"`, `name="passphrase"`)
		admin.Post("/admin/people/unlock", url.Values{"csrf": {csrf}, "key_file": {string(s.OrgKeyFile)}, "passphrase": {"wrong passphrase"}}).
			Must(t, http.StatusUnprocessableEntity, "do not open")
		admin.Post("/admin/people/unlock", url.Values{"csrf": {csrf}, "key_file": {""}, "passphrase": {""}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/people/unlock", url.Values{"key_file": {string(s.OrgKeyFile)}, "passphrase": {s.OrgPassphrase}}).Must(t, http.StatusForbidden)
		admin.Get(registrants).MustNot(t, name)

		admin.Post("/admin/people/unlock", url.Values{"csrf": {csrf}, "key_file": {string(s.OrgKeyFile)}, "passphrase": {s.OrgPassphrase}}).Must(t, http.StatusSeeOther)
		admin.Get(registrants).Must(t, http.StatusOK, name, org)
		admin.Post("/admin/people", url.Values{"csrf": {csrf}, "email": {"zq7.amina@example.org"}}).Must(t, http.StatusOK, name, org, "unlocked for this session")
		other, _ := s.Admin()
		r = other.Get(registrants)
		r.Must(t, http.StatusOK, "locked")
		r.MustNot(t, name)
		// A public page never opens it, even for the staff member's browser.
		admin.Get("/en/").MustNot(t, name)

		admin.Post("/admin/people/lock", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		admin.Get("/admin/people/unlock?locked=1").Must(t, http.StatusOK, "forgotten", `name="passphrase"`)
		admin.Get(registrants).MustNot(t, name)

		admin.Post("/admin/people/unlock", url.Values{"csrf": {csrf}, "key_file": {string(s.OrgKeyFile)}, "passphrase": {s.OrgPassphrase}}).Must(t, http.StatusSeeOther)
		admin.Get(registrants).Must(t, http.StatusOK, name)
		admin.Post("/admin/logout", url.Values{"csrf": {csrf}})
		admin.SignIn(s.Login.Email, s.Login.Password)
		r = admin.Get(registrants)
		r.Must(t, http.StatusOK, "locked")
		r.MustNot(t, name)
	})
}

// A site that had no organisation key seals with the site key; once it
// has one, `keys rotate` moves registrants' names and answers to it and
// leaves the addresses the server mails with the site key.
func TestRotateMovesStaffDataToOrganisationKey(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		s.Participate("zq7.bruno@example.org", "Bruno Zq7", "Lakeside Zq7", "Aunt Zq7")
		column := func(col string) string {
			var v string
			if err := s.App.DB.QueryRowContext(ctx, `SELECT `+col+` FROM registrations`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if participant.IsSealedForStaff(column("name")) {
			t.Fatal("sealed to an organisation key the site does not have")
		}
		recipient, file, err := participant.NewOrgKey("another passphrase", 10)
		if err != nil {
			t.Fatal(err)
		}
		if err := app.SetOrgRecipient(ctx, s.App.DB, recipient, false); err != nil {
			t.Fatal(err)
		}
		if err := app.SetOrgRecipient(ctx, s.App.DB, s.App.People.Vault.OrgRecipient()+"x", false); err == nil {
			t.Fatal("a second organisation key replaced the first unasked")
		}
		r, err := app.RotateKeys(ctx, s.App.Config, s.App.DB)
		if err != nil {
			t.Fatal(err)
		}
		// The demo's own staff data (the directory's waiting applications,
		// added by a job that may or may not have run yet) moves too;
		// what this test's participant gave is counted apart.
		moved := 0
		for _, c := range r.Moved {
			if c.Holder == "events/registrations" || c.Holder == "campaign/tributes" {
				moved += c.N
			}
		}
		if moved != 3 {
			t.Errorf("moved %d values (%v); want the name, the answers and the tribute submitter's address", moved, r.Moved)
		}
		name, answers, email := column("name"), column("answers"), column("email")
		if !participant.IsSealedForStaff(name) || !participant.IsSealedForStaff(answers) || participant.IsSealedForStaff(email) {
			t.Fatal("the rotation did not move staff data alone")
		}
		id, _ := participant.OpenIdentityFile(file, "another passphrase")
		if got, err := participant.OpenWithIdentity(id, name, "events:registration-name"); err != nil || got != "Bruno Zq7" {
			t.Fatalf("moved name: %q %v", got, err)
		}
	})
}
