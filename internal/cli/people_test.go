package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/participant"
)

// siteFlags are the flags that point a command at the test site's
// database and key.
func siteFlags(t *testing.T, s *apptest.Site, d *db.DB, key string) []string {
	return []string{"--data", t.TempDir(), "--database", dbtest.URL(t, d), "--site-key", key}
}

// `people export` writes what every feature holds about a person as JSON;
// `people erase` asks, does nothing unless told yes, then erases it all.
// Both are in the audit log as the command line's, without the address.
func TestPeopleCommands(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{Languages: []string{"en"}, Outbox: true})
		s.Participate("zq7.cli@example.org", "Cli Zq7", "Zq7 Org", "Zq7 Friend")
		flags := siteFlags(t, s, d, s.App.Config.SiteKey)

		code, out, errOut := run(t, "", append([]string{"people", "export", "--email", "ZQ7.cli@example.org"}, flags...)...)
		if code != 0 {
			t.Fatalf("export: %d %s", code, errOut)
		}
		var exp participant.Export
		if err := json.Unmarshal([]byte(out), &exp); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, out)
		}
		holders := map[string]bool{}
		for _, r := range exp.Records {
			holders[r.Holder] = true
		}
		if len(exp.Records) != 3 || !holders["events/registrations"] || !holders["letter/signatures"] || !holders["campaign/tributes"] {
			t.Fatalf("export: %+v", exp)
		}
		if code, _, errOut := run(t, "", append([]string{"people", "export", "--email", "nobody"}, flags...)...); code != 1 || !strings.Contains(errOut, "not an email address") {
			t.Fatalf("bad address: %d %s", code, errOut)
		}

		erase := append([]string{"people", "erase", "--email", "zq7.cli@example.org"}, flags...)
		code, _, errOut = run(t, "no\n", erase...)
		if code != 1 || !strings.Contains(errOut, "3 records (1 in events/registrations, 1 in letter/signatures, 1 in campaign/tributes)") ||
			!strings.Contains(errOut, "nothing erased") {
			t.Fatalf("erase answered no: %d %s", code, errOut)
		}
		who, _ := s.App.People.Subject("zq7.cli@example.org")
		if recs, _ := s.App.People.Find(context.Background(), who); len(recs) != 3 {
			t.Fatalf("answering no erased: %d left", len(recs))
		}
		if code, out, errOut = run(t, "yes\n", erase...); code != 0 || !strings.Contains(out, "erased 3 records") {
			t.Fatalf("erase: %d %q %s", code, out, errOut)
		}
		if recs, _ := s.App.People.Find(context.Background(), who); len(recs) != 0 {
			t.Fatalf("left after erasure: %+v", recs)
		}
		if code, out, _ = run(t, "", append(erase, "--yes")...); code != 0 || !strings.Contains(out, "erased 0 records") {
			t.Fatalf("erase again: %d %q", code, out)
		}

		page, _, err := s.App.People.Audit.Page(context.Background(), 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, a := range page {
			if !a.ByCLI() {
				t.Errorf("not the command line's: %+v", a)
			}
			if a.Subject != who.AuditKey() || strings.Contains(a.Holder+a.Target, "zq7") {
				t.Errorf("audit row %+v", a)
			}
			actions[a.Action] += a.Records
		}
		if actions[participant.ActionExport] != 3 || actions[participant.ActionErase] != 3 || actions[participant.ActionView] != 6 {
			t.Fatalf("audit: %v", actions)
		}
	})
}
