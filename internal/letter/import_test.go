package letter_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/letter"
	"peerpress/internal/web/webtest"
)

const importCSV = "name,organisation,country,email,signed_at,consent\n" +
	"Jane Peer,,KE,jane@example.org,2025-03-02,signed on paper 2025-03-02\n" +
	",Harm Reduction Kenya,Kenya,,,form on old site\n" +
	"Bad Row,,Atlantis,,2025-13-01,\n" +
	"Already Signed,,UG,a@example.org,,signed on paper\n" +
	"Jane Again,,KE,JANE@example.org,,signed twice\n"

// staff signs in the site's admin (a moderator may import) and returns
// its client and the form token.
func (s *site) staff() (*client, string) {
	c := s.client()
	return c, c.SignIn(s.Login.Email, s.Login.Password)
}

// preview uploads a CSV file to the import page.
func (c *client) preview(csrf, csv string, extra url.Values) response {
	c.T.Helper()
	fields := url.Values{"csrf": {csrf}}
	for k, v := range extra {
		fields[k] = v
	}
	return c.PostFile(adminPath(c.site)+"/import", fields, "file", "signatures.csv", []byte(csv))
}

// confirm sends back the previewed file, as the preview's button does.
func (c *client) confirm(csrf string, page response, send bool) response {
	c.T.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="csv" value="([^"]*)">`).FindStringSubmatch(page.Body)
	if m == nil {
		c.T.Fatalf("no confirmation form in the preview:\n%s", webtest.Snippet(page.Body))
	}
	fields := url.Values{"csrf": {csrf}, "csv": {unescapeHTML(m[1])}, "confirm": {"1"}}
	if send {
		fields.Set("send", "1")
	}
	return c.PostFile(adminPath(c.site)+"/import", fields, "none", "", nil)
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&#xA;", "\n", "&#10;", "\n", "&amp;", "&").Replace(s)
}

// Staff import signatures gathered elsewhere: every row is shown with
// its fate before anything is stored; confirming stores the good rows as
// approved signatures with their evidence of consent, sealed, skips those
// who signed already, and mails no one.
func TestImportSignatures(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})
		s.client().signAndConfirm(url.Values{"kind": {"individual"}, "name": {"Already Signed"}, "country": {"UG"}, "email": {"a@example.org"}, "consent": {"yes"}})
		before := s.rows()

		c, csrf := s.staff()
		c.Get(adminPath(s)).Must(t, http.StatusOK, `href="`+adminPath(s)+`/import"`)
		c.Get(adminPath(s)+"/import").Must(t, http.StatusOK, "name, organisation, country and consent are required", `type="file"`)
		page := c.preview(csrf, importCSV, nil)
		page.Must(t, http.StatusOK, "Ready to import: 2.", "Already signed, skipped: 2.", "Rows with errors, left out: 1.",
			"<td>3</td>", "Harm Reduction Kenya", "Unknown country “Atlantis”", "“2025-13-01” is not a date", "No evidence of consent",
			"Already signed: skipped", "signed on paper 2025-03-02", "Import 2 signatures",
			"to the signatories with an email (1)")
		if s.rows() != before {
			t.Fatal("the preview stored signatures")
		}

		r := c.confirm(csrf, page, false)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		c.Get(r.Location).Must(t, http.StatusOK, "Signatures imported: 2.", "Already signed, skipped: 2.")
		if got := s.rows(); got != before+2 {
			t.Fatalf("%d signatures, want %d", got, before+2)
		}
		if m := s.mailTo("jane@example.org"); len(m) != 0 {
			t.Errorf("mailed without being asked: %v", m)
		}
		s.client().Get(statement+"/signatures").Must(t, http.StatusOK, "Jane Peer", "Harm Reduction Kenya")

		// Sealed like every signature: neither the email nor the evidence
		// is in the clear.
		var email, evidence, status string
		var addedBy int64
		if err := s.App.DB.QueryRowContext(ctx, `SELECT email, consent_evidence, status, added_by FROM signatures WHERE entry_id = ? AND created_at = ?`,
			s.entryID, 1740873600).Scan(&email, &evidence, &status, &addedBy); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(email, "jane") || evidence == "" || strings.Contains(evidence, "paper") || status != "approved" || addedBy == 0 {
			t.Errorf("stored email %q, evidence %q, status %q, added by %d", email, evidence, status, addedBy)
		}

		// The same file again adds no one: there is nothing to confirm.
		again := c.preview(csrf, importCSV, nil)
		again.Must(t, http.StatusOK, "Ready to import: 0.", "Already signed, skipped: 4.")
		again.MustNot(t, `name="confirm"`)
	})
}

// Ticking "send a confirmation" mails each imported signatory with an
// email their link to withdraw, which works.
func TestImportSendsConfirmationWhenAsked(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})
		c, csrf := s.staff()
		page := c.preview(csrf, "Name;Organisation;Country;E-mail;Consent\nRosa Lima;;BR;rosa@example.org;form on old site\nNo Mail;;BR;;paper\n", url.Values{"send": {"1"}})
		page.Must(t, http.StatusOK, "Ready to import: 2.", `name="send" value="1" checked`)
		r := c.confirm(csrf, page, true)
		c.Get(r.Location).Must(t, http.StatusOK, "Signatures imported: 2.", "Confirmations sent: 1.")
		mails := s.mailTo("rosa@example.org")
		if len(mails) != 1 {
			t.Fatalf("%d mails to the signatory, want 1", len(mails))
		}
		verify, withdraw := links(t, mails[0])
		if verify != "" {
			t.Error("an imported signature asks to be confirmed again")
		}
		s.client().Get(statement+"/signatures").Must(t, http.StatusOK, "Rosa Lima")
		s.client().Post(withdraw, nil).Must(t, http.StatusOK)
		s.client().Get(statement+"/signatures").MustNot(t, "Rosa Lima")
	})
}

// A file that is not a list of signatures is refused as a whole with a
// clear message, and nothing is stored.
func TestImportRefusesBadFiles(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})
		before := s.rows()
		c, csrf := s.staff()
		for _, tc := range []struct{ name, csv, want string }{
			{"wrong column", "nom,organisation,country,consent\nA,,KE,paper\n", "Unknown column “nom”"},
			{"missing column", "name,organisation,country\nA,,KE\n", "The column “consent” is missing"},
			{"not UTF-8", "name,organisation,country,consent\nJos\xe9,,KE,paper\n", "not text in UTF-8"},
			{"header only", "name,organisation,country,consent\n", "The file has no signatures"},
			{"empty", "", "The file has no signatures"},
			{"open quote", "name,organisation,country,consent\nA,,KE,paper\n\"B,,KE,paper\n", "cannot be read as CSV at line 3"},
			{"too large", strings.Repeat("x", 50<<20), "The file is too large. The limit is 8 MB"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.preview(csrf, tc.csv, nil)
				r.Must(t, http.StatusUnprocessableEntity, tc.want, "Nothing was saved.")
				r.MustNot(t, `name="confirm"`)
			})
		}
		c.PostFile(adminPath(s)+"/import", url.Values{"csrf": {csrf}}, "none", "", nil).Must(t, http.StatusUnprocessableEntity, "Choose a CSV file")
		// A forged confirmation of a bad file stores nothing either.
		c.PostFile(adminPath(s)+"/import", url.Values{"csrf": {csrf}, "confirm": {"1"}, "csv": {"nom\nA"}}, "none", "", nil).
			Must(t, http.StatusUnprocessableEntity, "Unknown column")
		if s.rows() != before {
			t.Fatal("a refused file stored signatures")
		}
	})
}

// Importing handles signatories' emails: moderators only.
func TestImportIsForModerators(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		if _, err := s.App.Users.CreateUser(context.Background(), "author@example.org", "Au", auth.RoleAuthor, "a long author passphrase"); err != nil {
			t.Fatal(err)
		}
		c := s.client()
		csrf := c.SignIn("author@example.org", "a long author passphrase")
		c.Get(adminPath(s)+"/import").Must(t, http.StatusForbidden)
		c.preview(csrf, importCSV, nil).Must(t, http.StatusForbidden)
	})
}
