package updates_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/updates"
)

const importURL = "/admin/updates/subscribers/import"

// An administrator imports a list with its evidence of consent: rows
// without it, with a bad address or language, or for an address that
// unsubscribed or was erased are refused by line; duplicates are merged;
// a file with wrong columns or not in UTF-8 changes nothing. The export
// gives the list back (a spreadsheet formula defused), is written to the
// audit log, and imports again as the same list.
func TestCSVImportExport(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		subscribeAndConfirm(t, s, c, "left@example.org", "en", nil)
		c.Post(mailedManage(t, s, "left@example.org")+"/erase", nil).Must(t, http.StatusOK)
		a, csrf := s.Admin()
		form := url.Values{"csrf": {csrf}}

		a.PostFile(importURL, form, "file", "x.csv", []byte("mail,consent\nx@example.org,yes\n")).Must(t, http.StatusUnprocessableEntity, "Unknown column")
		a.PostFile(importURL, form, "file", "x.csv", []byte("email,consent_date\nx@example.org,2025-01-01\n")).
			Must(t, http.StatusUnprocessableEntity, "consent_source")
		a.PostFile(importURL, form, "file", "x.csv", []byte("email,consent_date,consent_source\nj\xe9r\xf4me@example.org,2025-01-01,fair\n")).
			Must(t, http.StatusUnprocessableEntity, "not UTF-8")
		a.PostFile(importURL, form, "file", "x.csv", nil).Must(t, http.StatusUnprocessableEntity, "Choose a CSV file")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 0 {
			t.Fatalf("a refused file added %d", n)
		}

		file := "\uFEFFemail;language;second_language;topics;consent_date;consent_source\n" + // Excel's BOM and semicolons
			"Amira@Example.org;ar;fr;event publication;2025-03-01;Cairo meeting sign-up sheet\n" + // line 2
			"amira@example.org;ar;;;2025-03-01;the same person again\n" + // 3: merged
			"noconsent@example.org;en;;;;form\n" + // 4
			"not an address;en;;;2025-03-01;form\n" + // 5
			"nolang@example.org;xx;;;2025-03-01;form\n" + // 6
			"left@example.org;en;;;2025-03-01;old list\n" + // 7: erased
			"formula@example.org;es;;;2025-03-02;\"=HYPERLINK(\"\"http://evil.example\"\")\"\n" + // 8
			"future@example.org;es;;;2999-01-01;form\n" // 9
		r := a.PostFile(importURL, form, "file", "list.csv", []byte(file))
		r.Must(t, http.StatusOK, "2 added, 1 already on the list, 5 refused", "<td>4</td><td>No consent date", "<td>5</td><td>Not one email",
			"<td>6</td><td>Not one of the site", "<td>7</td><td>This address unsubscribed or was erased", "<td>9</td><td>The consent date")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active' AND consent_at > 0 AND link_salt <> ''`); n != 2 {
			t.Fatalf("%d active after the import, want 2", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'erased' AND email = ''`); n != 1 {
			t.Fatal("the erased address was added back")
		}

		r = a.Get("/admin/updates/subscribers.csv")
		r.Must(t, http.StatusOK, "amira@example.org", "Cairo meeting sign-up sheet", "'=HYPERLINK")
		r.MustNot(t, "left@example.org")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Fatalf("the export is cacheable: %q", cc)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'updates/subscribers_csv' AND records = 2`); n != 1 {
			t.Fatal("the export is not in the audit log")
		}
		rows, err := updates.ParseImport([]byte(r.Body), []string{"en", "ar", "es", "fr"}, time.Now())
		if err != nil || len(rows) != 2 {
			t.Fatalf("the export reads back as %d rows, %v", len(rows), err)
		}
		for _, row := range rows {
			if row.Problem.Key != "" {
				t.Fatalf("line %d of the export is refused: %s", row.Line, row.Problem.Key)
			}
		}
		if rows[0].Prefs.Lang != "ar" || rows[0].Prefs.Lang2 != "fr" || strings.Join(rows[0].Prefs.Topics, ",") != "event,publication" {
			t.Fatalf("round trip lost choices: %+v", rows[0].Prefs)
		}
		a.PostFile(importURL, form, "file", "again.csv", []byte(r.Body)).Must(t, http.StatusOK, "0 added, 2 already on the list, 0 refused")

		// With the option, new addresses get a confirmation link first.
		a.PostFile(importURL, url.Values{"csrf": {csrf}, "confirm": {"1"}}, "file", "c.csv",
			[]byte("email,consent_date,consent_source,language\nnew@example.org,2025-05-05,stall,es\n")).Must(t, http.StatusOK, "1 added", "1 confirmation")
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'pending'`); n != 1 {
			t.Fatal("the confirmed import did not wait for the link")
		}
		mails := s.Mail("new@example.org")
		if len(mails) != 1 || !strings.Contains(mails[0].Text, "/es/updates/confirm/") {
			t.Fatalf("confirmation: %+v", mails)
		}
	})
}

// mailedManage is the private link in the last mail to addr.
func mailedManage(t *testing.T, s *apptest.Site, addr string) string {
	t.Helper()
	return mailed(t, s, addr, manageRe)
}
