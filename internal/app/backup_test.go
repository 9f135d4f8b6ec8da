package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/backup"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web/webtest"
)

var sitemapLocRe = regexp.MustCompile(`<loc>https?://[^/<]+(/[^<]*)</loc>`)

// publicPages is every page the sitemap lists, as paths.
func publicPages(t *testing.T, c *webtest.Client) []string {
	t.Helper()
	var pages []string
	index := c.Get("/sitemap.xml")
	for _, part := range sitemapLocRe.FindAllStringSubmatch(index.Body, -1) {
		for _, p := range sitemapLocRe.FindAllStringSubmatch(c.Get(part[1]).Body, -1) {
			pages = append(pages, p[1])
		}
	}
	return pages
}

// A backup made while the site serves, restored into an empty data
// folder and database, gives the same site: the same rows, every public
// page the same, every participant's sealed data the same and still
// sealed, the media files the same. Without the organisation's key the
// backup does not open, nor does it carry anything in the clear; a
// restore over a site that holds anything is refused.
func TestBackupRestoresTheSite(t *testing.T) {
	// Both sites answer for one address, as a restored site does.
	base := func(c *app.Config) { c.BaseURL = "https://network.example" }
	apptest.Run(t, apptest.Options{Languages: []string{"en", "ar"}, Outbox: true, OrgKey: true, Config: base}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		const email, name, org = "zq7.backup@example.org", "Backup Zq7 Person", "Backup Zq7 Collective"
		s.Participate(email, name, org, "Cousin Zq7")
		blobs := media.Dir(app.MediaDir(s.App.Config))
		photo := []byte("\x89PNG stand-in bytes of a stored file")
		if err := blobs.Put(ctx, "2026/12/backup-test.png", bytes.NewReader(photo), int64(len(photo)), "image/png"); err != nil {
			t.Fatal(err)
		}

		var file bytes.Buffer
		m, err := backup.Write(ctx, backup.Site{DB: s.App.DB, Blobs: blobs, SiteKey: s.App.Config.SiteKey}, s.App.People.Vault.OrgRecipient(), &file)
		if err != nil {
			t.Fatal(err)
		}
		if m.Media != 1 || m.Engine != s.App.DB.Engine {
			t.Fatalf("manifest %+v", m)
		}
		for _, canary := range []string{email, name, org, s.App.Config.SiteKey, "Decriminalise"} {
			if bytes.Contains(file.Bytes(), []byte(canary)) {
				t.Fatalf("the backup holds %q in the clear", canary)
			}
		}

		dataDir := t.TempDir()
		url := dbtest.EmptyURL(t, s.App.DB.Engine)
		target := func() backup.Target {
			tg := backup.Target{Blobs: media.Dir(dataDir + "/media"), Open: func(ctx context.Context) (*db.DB, error) { return db.Open(ctx, url) }}
			if strings.HasPrefix(url, "sqlite:") {
				tg.SQLitePath = strings.TrimPrefix(url, "sqlite:")
			}
			return tg
		}
		_, otherFile, _ := participant.NewOrgKey("someone else's", 10)
		other, _ := participant.OpenIdentityFile(otherFile, "someone else's")
		if _, _, _, err := backup.Restore(ctx, bytes.NewReader(file.Bytes()), other, target()); err == nil {
			t.Fatal("another key opened the backup")
		}
		id, err := participant.OpenIdentityFile(s.OrgKeyFile, s.OrgPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		got, key, restored, err := backup.Restore(ctx, bytes.NewReader(file.Bytes()), id, target())
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		if key != s.App.Config.SiteKey || got.Schema != m.Schema {
			t.Fatalf("restored %+v", got)
		}
		var before, after bytes.Buffer
		if err := s.App.DB.Dump(ctx, &before); err != nil {
			t.Fatal(err)
		}
		if err := restored.Dump(ctx, &after); err != nil {
			t.Fatal(err)
		}
		// A table's rows come in the order the engine stores them, which a
		// restore need not keep (PostgreSQL moves an updated row): compare
		// each table's rows as a set.
		if b, a := sortedRows(before.String()), sortedRows(after.String()); b != a {
			t.Fatalf("the restored rows differ: %d bytes before, %d after", len(b), len(a))
		}
		if b, err := media.Dir(dataDir+"/media").Open(ctx, "2026/12/backup-test.png"); err != nil {
			t.Fatalf("media not restored: %v", err)
		} else {
			b.Close()
		}
		if _, _, _, err := backup.Restore(ctx, bytes.NewReader(file.Bytes()), id, target()); !errors.Is(err, backup.ErrNotEmpty) {
			t.Fatalf("a restore over a site: %v", err)
		}

		// The restored site serves the same pages and holds the same
		// people, sealed as they were.
		cfg := s.App.Config
		cfg.DataDir, cfg.DatabaseURL = dataDir, url
		a2, err := app.New(ctx, cfg, restored)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a2.Handler)
		defer srv.Close()
		old, fresh := s.Client(), webtest.NewClient(t, srv.URL)
		pages := publicPages(t, old)
		if len(pages) < 20 {
			t.Fatalf("only %d public pages listed", len(pages))
		}
		for _, p := range pages {
			want, have := old.Get(p), fresh.Get(p)
			if want.Status != have.Status || want.Body != have.Body {
				a, b := want.Body, have.Body
				i := 0
				for i < len(a) && i < len(b) && a[i] == b[i] {
					i++
				}
				t.Errorf("%s differs after the restore (%d, %d) at %q / %q", p, want.Status, have.Status, a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
			}
		}
		who, _ := s.App.People.Subject(email)
		unlocked := participant.Unlocked(ctx, id)
		wantRecs, err := s.App.People.Find(unlocked, who)
		if err != nil {
			t.Fatal(err)
		}
		who2, _ := a2.People.Subject(email)
		haveRecs, err := a2.People.Find(unlocked, who2)
		if err != nil {
			t.Fatal(err)
		}
		if len(wantRecs) != 3 || !reflect.DeepEqual(wantRecs, haveRecs) {
			t.Fatalf("records differ:\n%+v\n%+v", wantRecs, haveRecs)
		}
		if !strings.Contains(strings.Join(fieldValues(haveRecs), " "), org) {
			t.Fatal("the restored registration does not open with the organisation key")
		}
	})
}

func fieldValues(recs []participant.Record) []string {
	var out []string
	for _, r := range recs {
		for _, f := range r.Fields {
			out = append(out, f.Value)
		}
	}
	return out
}

// sortedRows is a dump (db.DB.Dump: a table's header line, then a line a
// row) with each table's rows sorted.
func sortedRows(dump string) string {
	var out, rows []string
	flush := func() {
		slices.Sort(rows)
		out, rows = append(out, rows...), rows[:0]
	}
	for _, line := range strings.Split(dump, "\n") {
		if strings.HasPrefix(line, `{"table":`) {
			flush()
			out = append(out, line)
			continue
		}
		rows = append(rows, line)
	}
	flush()
	return strings.Join(out, "\n")
}
