package mirror_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
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
