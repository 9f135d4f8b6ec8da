package people_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// auditDump is the whole audit log as text, to look for what must not be
// in it.
func auditDump(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT at, COALESCE(user_id, 0), action, holder, target, records, subject FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var at, user, records int64
		var action, holder, target, subject string
		rows.Scan(&at, &user, &action, &holder, &target, &records, &subject)
		fmt.Fprintf(&b, "%d %s %s %s %d %s\n", user, action, holder, target, records, subject)
	}
	return b.String()
}

// An administrator looks a participant up and sees what each feature
// holds, exports it as JSON, and erases it after confirming: afterwards
// nothing about the person is left in any feature, the event still counts
// their place, and someone else's data is untouched. Every step is in the
// audit log, which names neither the address nor the data. Other staff
// cannot reach any of it.
func TestPeopleLookUpExportErase(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		d := s.App.DB
		const email = "zq7.amina@example.org"
		p := s.Participate(email, "Amina Zq7", "Harbour Zq7 Collective", "Brother Zq7")
		s.Participate("bruno@example.org", "Bruno", "Lakeside", "Aunt Rosa")
		before, err := s.App.Events.Counts(ctx, p.EventID)
		if err != nil || before.Confirmed != 2 {
			t.Fatalf("counts before: %+v %v", before, err)
		}

		// Editors and moderators get nowhere.
		if _, err := s.App.Users.CreateUser(ctx, "ed@example.org", "Ed", auth.RoleEditor, "an editor's password"); err != nil {
			t.Fatal(err)
		}
		ed := s.Client()
		edCSRF := ed.SignIn("ed@example.org", "an editor's password")
		ed.Get("/admin/people").Must(t, http.StatusForbidden)
		ed.Get("/admin/audit").Must(t, http.StatusForbidden)
		ed.Post("/admin/people", url.Values{"csrf": {edCSRF}, "email": {email}}).MustNot(t, "Zq7")
		ed.Post("/admin/people/export", url.Values{"csrf": {edCSRF}, "email": {email}}).Must(t, http.StatusForbidden)
		ed.Post("/admin/people/erase", url.Values{"csrf": {edCSRF}, "email": {email}, "confirm": {"yes"}}).Must(t, http.StatusForbidden)

		admin, csrf := s.Admin()
		admin.Get("/admin/people").Must(t, http.StatusOK, `action="/admin/people"`, `href="/admin/audit"`)
		admin.Post("/admin/people", url.Values{"csrf": {csrf}, "email": {"not an address"}}).Must(t, http.StatusUnprocessableEntity, "Enter one email address")
		admin.Post("/admin/people", url.Values{"email": {email}}).Must(t, http.StatusForbidden) // no CSRF token

		// The look-up shows each feature's record, the other person's none.
		r := admin.Post("/admin/people", url.Values{"csrf": {csrf}, "email": {"  ZQ7.Amina@Example.org "}})
		r.Must(t, http.StatusOK, "3 records held", "events/registrations", "letter/signatures", "campaign/tributes",
			apptest.EventTitle, "Harbour Zq7 Collective", apptest.StatementTitle, "Amina Zq7", apptest.CampaignTitle, "Brother Zq7")
		r.MustNot(t, "Bruno", "Aunt Rosa", "Lakeside")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the look-up may be cached: %q", cc)
		}

		// The export holds what each feature holds.
		r = admin.Post("/admin/people/export", url.Values{"csrf": {csrf}, "email": {email}})
		r.Must(t, http.StatusOK)
		if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export not a download: %v", r.Header)
		}
		var exp participant.Export
		if err := json.Unmarshal([]byte(r.Body), &exp); err != nil {
			t.Fatalf("export: %v\n%s", err, r.Body)
		}
		held := map[string]string{}
		for _, rec := range exp.Records {
			for _, f := range rec.Fields {
				held[rec.Holder+" "+f.Name] = f.Value
			}
		}
		for k, want := range map[string]string{
			"events/registrations email": email, "events/registrations name": "Amina Zq7", "events/registrations answer: Organisation": "Harbour Zq7 Collective",
			"letter/signatures name": "Amina Zq7", "letter/signatures country": "KE", "letter/signatures status": "approved",
			"campaign/tributes remembered": "Brother Zq7", "campaign/tributes email": email,
		} {
			if held[k] != want {
				t.Errorf("export %q = %q, want %q", k, held[k], want)
			}
		}
		if exp.Email != email || len(exp.Records) != 3 {
			t.Errorf("export of %q with %d records", exp.Email, len(exp.Records))
		}

		// Erasure asks first, and says how much would go.
		r = admin.Post("/admin/people/erase", url.Values{"csrf": {csrf}, "email": {email}})
		r.Must(t, http.StatusOK, `name="confirm" value="yes"`, "events/registrations</code>: 1 record", "campaign/tributes</code>: 1 record")
		if recs, _ := s.App.People.Find(ctx, subject(t, s, email)); len(recs) != 3 {
			t.Fatalf("the question erased something: %d left", len(recs))
		}
		r = admin.Post("/admin/people/erase", url.Values{"csrf": {csrf}, "email": {email}, "confirm": {"yes"}})
		r.Must(t, http.StatusSeeOther)
		admin.Get(r.Location).Must(t, http.StatusOK, "Erased 3 records.")

		// Gone from every feature; the counts remain; Bruno stays.
		if recs, err := s.App.People.Find(ctx, subject(t, s, email)); err != nil || len(recs) != 0 {
			t.Fatalf("after erasure: %v %+v", err, recs)
		}
		after, _ := s.App.Events.Counts(ctx, p.EventID)
		if after.Confirmed != before.Confirmed {
			t.Errorf("confirmed places %d after erasure, %d before", after.Confirmed, before.Confirmed)
		}
		regs, _ := s.App.Events.Registrants(ctx, p.EventID)
		if len(regs) != 1 || regs[0].Name != "Bruno" {
			t.Errorf("registrants after erasure: %+v", regs)
		}
		admin.Get(fmt.Sprintf("/admin/entries/%d/registrants", p.EventID)).MustNot(t, "Zq7")
		admin.Get(fmt.Sprintf("/admin/entries/%d/signatures", p.StatementID)).MustNot(t, "Zq7")
		if c, _ := s.App.Letters.Count(ctx, p.StatementID); c.Total() != 1 {
			t.Errorf("signatures after erasure: %+v", c)
		}
		var tributes int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ?`, p.CampaignID).Scan(&tributes)
		if tributes != 1 {
			t.Errorf("%d tributes left, want Bruno's", tributes)
		}
		if recs, _ := s.App.People.Find(ctx, subject(t, s, "bruno@example.org")); len(recs) != 3 {
			t.Errorf("Bruno's data: %d records", len(recs))
		}

		// The audit log: each step, by whom, how many; never the address
		// or the data.
		log := auditDump(t, d)
		key := subject(t, s, email).AuditKey()
		for _, want := range []string{"people/view events/registrations  1 " + key, "people/export campaign/tributes  1 " + key,
			"people/erase letter/signatures  1 " + key} {
			if !strings.Contains(log, want) {
				t.Errorf("audit log lacks %q:\n%s", want, log)
			}
		}
		for _, secret := range []string{"zq7", "Zq7", "amina", "Amina"} {
			if strings.Contains(log, secret) {
				t.Fatalf("the audit log holds %q:\n%s", secret, log)
			}
		}
		r = admin.Get("/admin/audit")
		r.Must(t, http.StatusOK, "people/export", "events/registrants", s.Login.Email, key[:12])
		r.MustNot(t, "zq7")
	})
}

func subject(t *testing.T, s *apptest.Site, email string) participant.Subject {
	t.Helper()
	who, err := s.App.People.Subject(email)
	if err != nil {
		t.Fatal(err)
	}
	return who
}

// Opening registrants or signatories on their admin pages, or as CSV, is
// in the audit log, and the log is shown in pages.
func TestFeatureExportsAudited(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		d := s.App.DB
		p := s.Participate("csv@example.org", "Cee Ess", "Org", "Vee")
		admin, _ := s.Admin()
		admin.Get(fmt.Sprintf("/admin/entries/%d/registrants.csv", p.EventID)).Must(t, http.StatusOK, "csv@example.org")
		admin.Get(fmt.Sprintf("/admin/entries/%d/signatures.csv", p.StatementID)).Must(t, http.StatusOK, "csv@example.org")
		admin.Get(fmt.Sprintf("/admin/entries/%d/signatures", p.StatementID)).Must(t, http.StatusOK, "csv@example.org")
		admin.Get("/admin/outbox").Must(t, http.StatusOK)
		log := auditDump(t, d)
		for _, want := range []string{
			fmt.Sprintf("events/registrants_csv events/registrations entry %d 1", p.EventID),
			fmt.Sprintf("letter/signatures_csv letter/signatures entry %d 1", p.StatementID),
			fmt.Sprintf("letter/signatures letter/signatures entry %d 1", p.StatementID),
			"mail/outbox mail/queue",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("audit log lacks %q:\n%s", want, log)
			}
		}
		if strings.Contains(log, "csv@") {
			t.Fatalf("the audit log holds the address:\n%s", log)
		}
		// 60 more rows: two pages of 50.
		for i := 0; i < 60; i++ {
			if err := s.App.People.Audit.Record(ctx, participant.Access{Action: "test/filler", Records: i}); err != nil {
				t.Fatal(err)
			}
		}
		admin.Get("/admin/audit").Must(t, http.StatusOK, `href="/admin/audit?page=2"`, "test/filler")
		admin.Get("/admin/audit?page=2").Must(t, http.StatusOK, "events/registrants_csv", "command line")
		admin.Get("/admin/audit?page=9").Must(t, http.StatusNotFound)
	})
}
