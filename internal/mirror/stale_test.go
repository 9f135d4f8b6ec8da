package mirror_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/events"
	"peerpress/internal/letter"
	"peerpress/internal/media"
	"peerpress/internal/mirror"
)

// The pages an incremental export must render again though they only
// show what changed (no entry's page links them anew, or no entry was
// saved): each test changes something after a full export, exports
// incrementally, and finds the pages showing it as a full export of the
// same data writes them.

// fullExportAgain exports the site whole into a new folder: what an
// incremental export into dir must leave.
func fullExportAgain(t *testing.T, s *apptest.Site) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// firstExport makes a full export into a new folder and returns it.
func firstExport(t *testing.T, s *apptest.Site) string {
	t.Helper()
	dir := t.TempDir()
	// Times are kept in seconds, and an export renders again what
	// changed in the second before it began.
	time.Sleep(1100 * time.Millisecond)
	if _, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func incrementalExport(t *testing.T, s *apptest.Site, dir string) {
	t.Helper()
	time.Sleep(1100 * time.Millisecond)
	rep, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir, Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Incremental {
		t.Fatal("the export was not incremental")
	}
}

// A photo given to a tribute after the wall's first page and before the
// latest the campaign's page shows: neither page changes, yet the
// tribute's slide does. Then a tribute taken off the wall: every slide
// after it moves, and the last is gone.
func TestIncrementalExportRenewsAWallsSlideshow(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
		if err != nil {
			t.Fatal(err)
		}
		total, err := s.App.Campaigns.CountApproved(ctx, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := total; i < 30; i++ {
			if _, err := s.App.Campaigns.AddTribute(ctx, camp.ID, "en", fmt.Sprintf("Wall Tribute %02d", i), "Remembered on the wall.", campaign.Approved, 0); err != nil {
				t.Fatal(err)
			}
		}
		nth := func(n int) campaign.Tribute {
			t.Helper()
			ts, err := s.App.Campaigns.Approved(ctx, camp.ID, n-1, 1)
			if err != nil || len(ts) != 1 {
				t.Fatalf("tribute %d: %v %v", n, ts, err)
			}
			return ts[0]
		}
		walls := func(rel string) bool { return strings.Contains(rel, "/tributes/") }
		dir := firstExport(t, s)
		var img bytes.Buffer
		if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 64, 48))); err != nil {
			t.Fatal(err)
		}
		photo, err := s.App.Media.SaveImage(ctx, &img, "", "", media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.App.Campaigns.SetPhoto(ctx, nth(25).ID, photo.ID); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		if !strings.Contains(read(t, dir, "en/campaigns/remember-every-name/tributes/25/index.html"), `class="slide-photo"`) {
			t.Error("the 25th slide does not show the tribute's new photo")
		}
		if diff := compareFiles(t, dir, fullExportAgain(t, s), walls); diff != "" {
			t.Errorf("a photo given to a tribute: the walls differ from a full export's at %s", diff)
		}
		if changed, err := s.App.Campaigns.Decide(ctx, []int64{nth(3).ID}, campaign.Rejected, ""); err != nil || changed != 1 {
			t.Fatalf("reject: %d %v", changed, err)
		}
		incrementalExport(t, s, dir)
		if diff := compareFiles(t, dir, fullExportAgain(t, s), walls); diff != "" {
			t.Errorf("a tribute taken off: the walls differ from a full export's at %s", diff)
		}
	})
}

// A campaign retitled: its share links (one page per network, leading
// to the network's form filled in with the title) say the new title.
func TestIncrementalExportRenewsShareLinks(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := camp.Translation("en")
		dir := firstExport(t, s)
		_, err = s.App.Content.SaveTranslation(ctx, camp.ID, content.TranslationInput{Lang: "en", Title: "Every name, retitled", Slug: tr.Slug,
			Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0)
		if err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		share := "en/share/campaigns/" + tr.Slug + "/"
		if !strings.Contains(read(t, dir, share+"x/index.html"), "retitled") {
			t.Error("the share link to X does not carry the new title")
		}
		links := func(rel string) bool { return strings.HasPrefix(rel, share) }
		if diff := compareFiles(t, dir, fullExportAgain(t, s), links); diff != "" {
			t.Errorf("a campaign retitled: its share links differ from a full export's at %s", diff)
		}
	})
}

// The last place of an event taken: its page says the places are all
// taken, and nothing of who took them.
func TestIncrementalExportRenewsAnEventsPlaces(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		p := s.Participate("first-mirror-registrant@example.org", "First Registrant", "First Org", "First Remembered")
		if err := s.App.Events.SaveDetails(ctx, events.Details{EntryID: p.EventID, Open: true, Capacity: 2,
			JoinURL: "https://meet.example.org/behind-bars", Questions: []events.Question{{Type: events.QuestionText, Label: "Organisation"}},
			ReminderMinutes: events.DefaultReminders}); err != nil {
			t.Fatal(err)
		}
		page := "en/events/apptest-harm-reduction-behind-bars/"
		full := "All places are taken"
		dir := firstExport(t, s)
		if strings.Contains(read(t, dir, page+"index.html"), full) {
			t.Fatal("with a place left, the event's page says they are all taken")
		}
		s.Participate(canary, "Canary Person", "Canary Org", "Remembered Canary")
		incrementalExport(t, s, dir)
		got := read(t, dir, page+"index.html")
		if !strings.Contains(got, full) {
			t.Error("the event's page does not say its places are all taken")
		}
		for _, private := range []string{canary, "Canary Person", "Canary Org", "First Registrant"} {
			if strings.Contains(got, private) {
				t.Errorf("the event's page shows %q", private)
			}
		}
		if diff := compareFiles(t, dir, fullExportAgain(t, s), func(rel string) bool { return strings.HasPrefix(rel, page) }); diff != "" {
			t.Errorf("a place taken: the event's page differs from a full export's at %s", diff)
		}
	})
}

// An event's places cut to those taken, on its registration settings
// (not the entry's form): its page says they are all taken.
func TestIncrementalExportRenewsAnEventsSettings(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		p := s.Participate(canary, "Canary Person", "Canary Org", "Remembered Canary")
		page := "en/events/apptest-harm-reduction-behind-bars/"
		dir := firstExport(t, s)
		d, err := s.App.Events.Details(ctx, p.EventID)
		if err != nil {
			t.Fatal(err)
		}
		d.Capacity = 1
		if err := s.App.Events.SaveDetails(ctx, d); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		if !strings.Contains(read(t, dir, page+"index.html"), "All places are taken") {
			t.Error("the event's page does not say its places are all taken")
		}
		if diff := compareFiles(t, dir, fullExportAgain(t, s), func(rel string) bool { return strings.HasPrefix(rel, page) }); diff != "" {
			t.Errorf("places cut: the event's page differs from a full export's at %s", diff)
		}
	})
}

// An incremental export by another process (a new program over the same
// database, as `peerpress export static` is each time) takes the
// listings' bounds from the state file instead of walking the listings:
// an old article edited, the archive pages that list it, on a numbered
// page, in its language and in those that list it untranslated, are
// what a full export writes.
func TestIncrementalExportInANewProcessFindsTheListingsPages(t *testing.T) {
	opt := apptest.Options{Config: withOnion, Languages: langs}
	apptest.Run(t, opt, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		dir := firstExport(t, s)
		var id int64
		if err := s.App.DB.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND entry_kind = 'article' AND status = 'published'
			ORDER BY publish_at, entry_id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		e, err := s.App.Content.Entry(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := e.Translation("en")
		const title = "The oldest article, retitled"
		if _, err := s.App.Content.SaveTranslation(ctx, e.ID, content.TranslationInput{Lang: "en", Title: title, Slug: tr.Slug,
			Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		// The same site (its key and data folder) in a new program.
		cfg := s.App.Config
		opt.Config = func(c *app.Config) { withOnion(c); c.SiteKey, c.DataDir = cfg.SiteKey, cfg.DataDir }
		again := apptest.New(t, s.App.DB, opt)
		incrementalExport(t, again, dir)
		full := fullExportAgain(t, s)
		archive := regexp.MustCompile(`^[a-z]+/(articles|section/[^/]+|tag/[^/]+)(/page/[0-9]+)?/index\.html$`)
		numbered := 0
		for _, l := range langs {
			matches, _ := filepath.Glob(filepath.Join(full, l, "articles", "page", "*", "index.html"))
			for _, m := range matches {
				if b, _ := os.ReadFile(m); bytes.Contains(b, []byte(title)) {
					numbered++
				}
			}
		}
		if numbered == 0 {
			t.Fatal("the oldest article is on no numbered page of the articles: the test shows nothing")
		}
		if diff := compareFiles(t, dir, full, archive.MatchString); diff != "" {
			t.Errorf("an archive page differs from a full export's: %s", diff)
		}
	})
}

// The pages an incremental export must change though no entry's form
// was saved: a feature area's own settings of an entry (a campaign's
// details, a statement's signing settings), an organisation that
// entries name, and the areas' pages that are no longer public (a wall
// turned off, a statement closed with nobody signed, an organisation
// deleted), whose files must go as a full export leaves them out.

// sameAsFull fails unless the folder an incremental export left holds
// exactly the files, with the same bytes, of a full export of the same
// data.
func sameAsFull(t *testing.T, s *apptest.Site, dir, what string) {
	t.Helper()
	sameAsFullIn(t, s, dir, what, func(string) bool { return true })
}

// sameAsFullIn is sameAsFull for the files keep names.
func sameAsFullIn(t *testing.T, s *apptest.Site, dir, what string, keep func(rel string) bool) {
	t.Helper()
	full := fullExportAgain(t, s)
	if diff := compareFiles(t, dir, full, keep); diff != "" {
		t.Errorf("%s: the incremental export differs from a full export at %s (files only in the incremental one: %v; only in the full one: %v)",
			what, diff, filesOnlyIn(dir, full), filesOnlyIn(full, dir))
	}
}

// filesOnlyIn lists (at most ten) files of the folder a that b lacks.
func filesOnlyIn(a, b string) []string {
	var out []string
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(out) < 10 {
			rel, _ := filepath.Rel(a, p)
			if _, err := os.Stat(filepath.Join(b, rel)); err != nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return err
	})
	return out
}

// exists says whether the mirror holds the file rel.
func exists(dir, rel string) bool {
	_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
	return err == nil
}

// holding lists the files of the mirror whose bytes hold s.
func holding(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(s)) {
				rel, _ := filepath.Rel(dir, p)
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return err
	})
	return out
}

// A campaign without a tribute wall given its details (an objective,
// dates) on its details page: its page shows them. Then its wall opened,
// and closed again with no tribute on it: the wall's page comes, then
// goes, with the campaign's way to it.
func TestIncrementalExportRenewsACampaignsDetails(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "care-not-cells")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.App.Campaigns.CountApproved(ctx, camp.ID); err != nil || n != 0 {
			t.Fatalf("the campaign has %d tributes (%v): the test needs one without", n, err)
		}
		page, wall := "en/campaigns/care-not-cells/index.html", "en/campaigns/care-not-cells/tributes/index.html"
		dir := firstExport(t, s)
		if exists(dir, wall) {
			t.Fatal("the campaign has a wall before it was opened")
		}
		const objective = "Objective written for the mirror"
		save := func(open bool) {
			t.Helper()
			d := campaign.Details{EntryID: camp.ID, StartsOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), WallOpen: open}
			if err := s.App.Campaigns.SaveDetails(ctx, d, "en", campaign.Texts{PrimaryObjective: objective, Asks: "Ask one\nAsk two"}); err != nil {
				t.Fatal(err)
			}
		}
		save(false)
		incrementalExport(t, s, dir)
		if !strings.Contains(read(t, dir, page), objective) {
			t.Error("the campaign's page does not show its new objective")
		}
		sameAsFull(t, s, dir, "a campaign's details saved")

		save(true)
		incrementalExport(t, s, dir)
		if !exists(dir, wall) {
			t.Error("the wall opened is not in the mirror")
		}
		sameAsFull(t, s, dir, "a campaign's wall opened")

		save(false)
		incrementalExport(t, s, dir)
		if exists(dir, wall) {
			t.Error("the wall closed with no tribute on it is still in the mirror")
		}
		if strings.Contains(read(t, dir, page), "tributes/") {
			t.Error("the campaign's page still leads to its closed wall")
		}
		sameAsFull(t, s, dir, "a campaign's wall closed")
	})
}

// A wall closed, then every tribute on it taken off: the wall, its
// slideshow and the campaign page's latest tributes leave the mirror,
// and no remembered name stays in it.
func TestIncrementalExportRemovesAWallTakenDown(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
		if err != nil {
			t.Fatal(err)
		}
		const remembered = "Remembered Canary Mirror"
		if _, err := s.App.Campaigns.AddTribute(ctx, camp.ID, "en", remembered, "Words that must leave the mirror.", campaign.Approved, 0); err != nil {
			t.Fatal(err)
		}
		dir := firstExport(t, s)
		if len(holding(t, dir, remembered)) == 0 {
			t.Fatal("the tribute is not in the mirror: the test shows nothing")
		}
		d, err := s.App.Campaigns.Details(ctx, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.WallOpen = false
		if err := s.App.Campaigns.SaveDetails(ctx, d, "en", d.Texts["en"]); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		sameAsFull(t, s, dir, "a wall closed")
		n, err := s.App.Campaigns.CountApproved(ctx, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := s.App.Campaigns.Approved(ctx, camp.ID, 0, n)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(ts))
		for i, tr := range ts {
			ids[i] = tr.ID
		}
		if changed, err := s.App.Campaigns.Decide(ctx, ids, campaign.Rejected, ""); err != nil || changed != len(ids) {
			t.Fatalf("reject: %d %v", changed, err)
		}
		incrementalExport(t, s, dir)
		if files := holding(t, dir, remembered); len(files) > 0 {
			t.Errorf("a tribute taken off stays in the mirror, in %v", files)
		}
		if exists(dir, "en/campaigns/remember-every-name/tributes/index.html") || exists(dir, "en/campaigns/remember-every-name/tributes/1/index.html") {
			t.Error("the wall taken down is still in the mirror")
		}
		// The slideshow's script, which no page uses now, stays until a
		// full export: the mirror does not count who uses each asset.
		sameAsFullIn(t, s, dir, "a wall taken down", func(rel string) bool { return !strings.HasPrefix(rel, "static/") })
	})
}

// A statement opened for signatures on its settings page, with a goal:
// its page shows the way to sign and its signatories' page comes. Then
// closed with nobody signed: both go.
func TestIncrementalExportRenewsAStatementsSettings(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		st, err := s.App.Content.BySlug(ctx, "en", "statement-overdose-awareness-day-grief-is-not-enough")
		if err != nil {
			t.Fatal(err)
		}
		if c, err := s.App.Letters.Count(ctx, st.ID); err != nil || c.Total() != 0 {
			t.Fatalf("the statement has signatures (%v): the test needs one without", err)
		}
		page, list := "en/statements/statement-overdose-awareness-day-grief-is-not-enough/index.html", "en/statements/statement-overdose-awareness-day-grief-is-not-enough/signatures/index.html"
		dir := firstExport(t, s)
		before := read(t, dir, page)
		if exists(dir, list) {
			t.Fatal("the statement has a signatories' page before it was opened")
		}
		if err := s.App.Letters.SaveLetter(ctx, letter.Letter{EntryID: st.ID, Open: true, Organisations: true, Individuals: true, Goal: 500}); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		if read(t, dir, page) == before {
			t.Error("the statement's page did not change when it was opened for signatures")
		}
		sameAsFull(t, s, dir, "a statement opened")
		if err := s.App.Letters.SaveLetter(ctx, letter.Letter{EntryID: st.ID, Organisations: true}); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		if exists(dir, list) {
			t.Error("the signatories' page of a statement closed with nobody signed is still in the mirror")
		}
		if read(t, dir, page) != before {
			t.Error("the statement's page closed again is not as it was")
		}
		sameAsFull(t, s, dir, "a statement closed")
	})
}

// exportAgain exports into dir as `serve --mirror` does after a change:
// incrementally when it can, whole when the change asks for it.
func exportAgain(t *testing.T, s *apptest.Site, dir string) {
	t.Helper()
	time.Sleep(1100 * time.Millisecond)
	if _, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir, Incremental: true}); err != nil {
		t.Fatal(err)
	}
}

// An organisation renamed: the entries it co-authored name it anew. Then
// deleted: its page leaves the mirror, and its entries no longer name it.
// (Organisations are in the site's fingerprint: either change makes the
// export a full one.)
func TestIncrementalExportRenewsAnOrganisation(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		o, err := s.App.Directory.BySlug(ctx, "rights-coalition")
		if err != nil {
			t.Fatal(err)
		}
		page, org := "en/campaigns/care-not-cells/index.html", "en/directory/rights-coalition/index.html"
		dir := firstExport(t, s)
		if !strings.Contains(read(t, dir, page), o.Name) || !exists(dir, org) {
			t.Fatal("the campaign does not name the organisation: the test shows nothing")
		}
		const renamed = "Coalition Renamed For The Mirror"
		o.Name = renamed
		if _, err := s.App.Directory.Save(ctx, o); err != nil {
			t.Fatal(err)
		}
		exportAgain(t, s, dir)
		if !strings.Contains(read(t, dir, page), renamed) {
			t.Error("the campaign co-authored by the organisation does not show its new name")
		}
		sameAsFull(t, s, dir, "an organisation renamed")
		if err := s.App.Directory.Delete(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		exportAgain(t, s, dir)
		if exists(dir, org) {
			t.Error("the page of an organisation deleted is still in the mirror")
		}
		if files := holding(t, dir, renamed); len(files) > 0 {
			t.Errorf("the organisation deleted is still named in %v", files)
		}
		sameAsFull(t, s, dir, "an organisation deleted")
	})
}

// A campaign unpublished: none of its pages stays in the mirror (its
// page, its wall and slideshow, its share links), whichever export the
// change makes (a translation's status moves the listing generation: a
// full one).
func TestExportAfterACampaignUnpublished(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
		if err != nil {
			t.Fatal(err)
		}
		dir := firstExport(t, s)
		for _, l := range camp.Translations {
			_, err := s.App.Content.SaveTranslation(ctx, camp.ID, content.TranslationInput{Lang: l.Lang, Title: l.Title, Slug: l.Slug,
				Summary: l.Summary, Body: l.Body, Status: content.Draft, PublishAt: l.PublishAt}, 0)
			if err != nil {
				t.Fatal(err)
			}
		}
		exportAgain(t, s, dir)
		for _, l := range camp.Translations {
			if exists(dir, l.Lang+"/campaigns/"+l.Slug+"/index.html") || exists(dir, l.Lang+"/share/campaigns/"+l.Slug+"/x/index.html") {
				t.Errorf("the unpublished campaign's pages (%s) are still in the mirror", l.Lang)
			}
		}
		sameAsFull(t, s, dir, "a campaign unpublished")
	})
}

// A campaign without a wall links a guide; the guide retitled: the
// campaign's page names it anew, though the campaign was not saved.
func TestIncrementalExportRenewsACampaignsLinks(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		camp, err := s.App.Content.BySlug(ctx, "en", "care-not-cells")
		if err != nil {
			t.Fatal(err)
		}
		guide, err := s.App.Content.BySlug(ctx, "en", "guide-peer-led-naloxone-distribution")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.App.Campaigns.SaveDetails(ctx, campaign.Details{EntryID: camp.ID, Links: []int64{guide.ID}}, "en", campaign.Texts{}); err != nil {
			t.Fatal(err)
		}
		dir := firstExport(t, s)
		page := "en/campaigns/care-not-cells/index.html"
		tr, _ := guide.Translation("en")
		if !strings.Contains(read(t, dir, page), tr.Title) {
			t.Fatal("the campaign's page does not name the entry it links: the test shows nothing")
		}
		const title = "The peer naloxone guide, retitled"
		if _, err := s.App.Content.SaveTranslation(ctx, guide.ID, content.TranslationInput{Lang: "en", Title: title, Slug: tr.Slug,
			Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		incrementalExport(t, s, dir)
		if !strings.Contains(read(t, dir, page), title) {
			t.Error("the campaign's page does not show the linked entry's new title")
		}
		sameAsFull(t, s, dir, "an entry a campaign links retitled")
	})
}

// An article's address changed, then a campaign's (which has a wall and
// share links under it): nothing stays at the old addresses, which the
// live site no longer answers.
func TestIncrementalExportRemovesAnOldAddress(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		dir := firstExport(t, s)
		move := func(slug string) {
			t.Helper()
			e, err := s.App.Content.BySlug(ctx, "en", slug)
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := e.Translation("en")
			if _, err := s.App.Content.SaveTranslation(ctx, e.ID, content.TranslationInput{Lang: "en", Title: tr.Title, Slug: slug + "-moved",
				Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0); err != nil {
				t.Fatal(err)
			}
		}
		move("naloxone-by-post")
		incrementalExport(t, s, dir)
		if exists(dir, "en/articles/naloxone-by-post/index.html") || !exists(dir, "en/articles/naloxone-by-post-moved/index.html") {
			t.Error("the article is not at its new address alone")
		}
		sameAsFull(t, s, dir, "an article's address changed")
		move("remember-every-name")
		incrementalExport(t, s, dir)
		for _, f := range []string{"en/campaigns/remember-every-name/index.html", "en/campaigns/remember-every-name/tributes/index.html",
			"en/campaigns/remember-every-name/tributes/1/index.html", "en/share/campaigns/remember-every-name/x/index.html"} {
			if exists(dir, f) {
				t.Errorf("%s is still in the mirror", f)
			}
		}
		sameAsFull(t, s, dir, "a campaign's address changed")
	})
}
