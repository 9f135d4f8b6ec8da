package cli

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/campaign"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/participant"
	"peerpress/internal/secret"
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
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true, Serial: true}, func(t *testing.T, s *apptest.Site) {
		d := s.App.DB
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
		if code != 1 || !strings.Contains(errOut, "3 records (1 in events/registrations, 1 in campaign/tributes, 1 in letter/signatures)") ||
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

// Sealed columns and the context each is sealed for.
var sealedColumns = []struct{ table, column, where, context string }{
	{"registrations", "email", "", "events:registration-email"},
	{"registrations", "name", "", "events:registration-name"},
	{"registrations", "answers", "", "events:registration-answers"},
	{"registrations", "manage_sealed", "", "events:manage-link"},
	{"signatures", "name", "", "signature.name"},
	{"signatures", "email", "", "signature.email"},
	{"tributes", "email_sealed", "", "tributes.email_sealed"},
	{"jobs", "payload", "kind = 'mail.send'", "mail.message"},
	{"outbox", "message", "", "mail.message"},
}

// sealedValues lists every non-empty sealed value with its context.
func sealedValues(t *testing.T, d *db.DB) (values, contexts []string) {
	t.Helper()
	for _, c := range sealedColumns {
		q := `SELECT ` + c.column + ` FROM ` + c.table + ` WHERE ` + c.column + ` <> ''`
		if c.where != "" {
			q += ` AND ` + c.where
		}
		rows, err := d.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var v string
			rows.Scan(&v)
			values, contexts = append(values, v), append(contexts, c.context)
			n++
		}
		rows.Close()
		if n == 0 {
			t.Fatalf("no sealed values in %s.%s: the test would prove nothing", c.table, c.column)
		}
	}
	return values, contexts
}

// After `keys rotate` and throwing the old key away, the site starts with
// the new key alone, every sealed value opens with it and none with the
// old one, links mailed before still work, and duplicates are still found
// (keyed hashes did not change). Values sealed before key ids move too,
// and a second run has nothing left to do.
func TestKeysRotate(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: []string{"en"}, Outbox: true, Serial: true}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		d := s.App.DB
		p := s.Participate("rotate@example.org", "Before Rotation", "Old Org", "Old Friend")
		s.Participate("second@example.org", "Second", "Org", "Friend") // its tribute's mail stays queued
		oldKey, newKey := s.App.Config.SiteKey, secret.NewKey()
		old, _ := secret.Open(oldKey)
		// A value sealed before key ids: the same bytes without the prefix.
		var name string
		d.QueryRowContext(ctx, `SELECT name FROM signatures WHERE id = (SELECT MIN(id) FROM signatures)`).Scan(&name)
		if _, err := d.ExecContext(ctx, `UPDATE signatures SET name = ? WHERE id = (SELECT MIN(id) FROM signatures)`, name[strings.LastIndexByte(name, '$')+1:]); err != nil {
			t.Fatal(err)
		}

		// Without the old key the new one is refused.
		flags := siteFlags(t, s, d, newKey)
		if code, _, errOut := run(t, "", append([]string{"keys", "rotate"}, flags...)...); code != 1 || !strings.Contains(errOut, "another site key") {
			t.Fatalf("rotate without the old key: %d %s", code, errOut)
		}
		code, out, errOut := run(t, "", append([]string{"keys", "rotate", "--old-site-key", oldKey}, flags...)...)
		if code != 0 || !strings.Contains(out, "every sealed value is now sealed with key") || !strings.Contains(out, "events/registrations: 8 values resealed") {
			t.Fatalf("rotate: %d %q %s", code, out, errOut)
		}
		code, out, _ = run(t, "", append([]string{"keys", "rotate", "--old-site-key", oldKey}, flags...)...)
		if code != 0 || regexp.MustCompile(`: [1-9]\d* values resealed`).MatchString(out) || !strings.Contains(out, "mail/queue: 0 values resealed") {
			t.Fatalf("second rotate: %d %q", code, out)
		}

		// The old key is gone: only the new one.
		fresh, _ := secret.Open(newKey)
		values, contexts := sealedValues(t, d)
		for i, v := range values {
			if _, err := fresh.OpenString(v, contexts[i]); err != nil {
				t.Errorf("%s value does not open with the new key: %v", contexts[i], err)
			}
			if _, err := old.OpenString(v, contexts[i]); err == nil {
				t.Errorf("%s value still opens with the old key", contexts[i])
			}
		}
		cfg := app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: oldKey}
		if _, err := app.New(ctx, cfg, d); !errors.Is(err, app.ErrWrongSiteKey) {
			t.Fatalf("the old key alone: %v", err)
		}
		cfg.SiteKey = newKey
		a, err := app.New(ctx, cfg, d)
		if err != nil {
			t.Fatalf("the new key alone: %v", err)
		}
		who, _ := a.People.Subject("rotate@example.org")
		recs, err := a.People.Find(ctx, who)
		if err != nil || len(recs) != 3 {
			t.Fatalf("after rotation: %v %d records", err, len(recs))
		}
		// Links mailed before still work; the same email is still one person.
		if tr, err := campaign.NewStore(d, a.People.Vault, a.Mailer).ByToken(ctx, p.Withdraw); err != nil || tr.Remembered != "Old Friend" {
			t.Fatalf("the withdrawal link mailed before: %v %+v", err, tr)
		}
		if dup, err := campaign.NewStore(d, a.People.Vault, a.Mailer).IsDuplicate(ctx, p.CampaignID, "rotate@example.org", "Old Friend"); err != nil || !dup {
			t.Fatalf("a duplicate tribute is no longer found: %v", err)
		}
		var n int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM registrations WHERE entry_id = ? AND email_hash = ?`, p.EventID, who.Hash("events:registration-email")).Scan(&n)
		if n != 1 {
			t.Fatalf("the registration is not found by its keyed hash: %d", n)
		}
		// Queued mail still goes.
		for {
			ran, err := a.Jobs.RunOnce(ctx)
			if err != nil {
				t.Fatalf("a queued mail after rotation: %v", err)
			}
			if !ran {
				break
			}
		}
	})
}
