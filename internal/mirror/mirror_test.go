package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/letter"
	"peerpress/internal/mirror"
)

// langs are the languages of the tests' sites: two written left to
// right, one right to left.
var langs = []string{"en", "fr", "ar"}

const (
	live   = "https://peer.example"
	onion  = "http://peervoicesxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
	canary = "canary-mirror-7Q2@example.org"
)

func withOnion(c *app.Config) { c.BaseURL, c.OnionURL = live, onion }

// The whole mirror, read as files: every relative link and asset leads to
// a file of the folder, the live site is named only where a visitor must
// go to it, no form, challenge, private link or participant's address is
// in it, the notices stand where the forms were in the page's language,
// and a second export of the same data changes no byte.
func TestExportIsCompleteAndPublicOnly(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		p := s.Participate(canary, "Canary Person", "Canary Org", "Remembered Canary")
		waiting, err := s.App.Campaigns.ByStatus(ctx, campaign.Waiting, p.CampaignID, 10)
		if err != nil || len(waiting) != 1 {
			t.Fatalf("waiting tributes: %v %v", waiting, err)
		}
		if _, err := s.App.Campaigns.Decide(ctx, []int64{waiting[0].ID}, campaign.Approved, ""); err != nil {
			t.Fatal(err)
		}
		site := s.App.Mirror()
		dir := t.TempDir()
		rep, err := mirror.Export(ctx, site, mirror.Options{Out: dir, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Missing) > 0 {
			t.Errorf("links to no page: %v", rep.Missing)
		}
		files := crawl(t, site, dir)
		for _, want := range []string{
			"index.html", "en/index.html", "ar/index.html", "en/articles/index.html", "en/articles/page/2/index.html",
			"en/events/upcoming/index.html", "en/events/calendar.ics", "en/feed.xml", "sitemap.xml", "robots.txt",
			"en/tag/naloxone/index.html", "en/tag/naloxone/feed.xml", "fr/tag/naloxone/atom.xml", "en/section/news/feed.json",
			"en/campaigns/apptest-candles-for-the-lost/tributes/index.html", "en/campaigns/apptest-candles-for-the-lost/tributes/1/index.html",
			"en/statements/apptest-decriminalise-us-now/signatures/index.html", "en/share/site.png",
			"en/events/apptest-harm-reduction-behind-bars/index.html",
		} {
			if !files[want] {
				t.Errorf("the mirror lacks %s", want)
			}
		}
		static := 0
		for f := range files {
			static += b2i(strings.HasPrefix(f, "static/"))
			if slash := "/" + f; (strings.Contains(slash, "/search/") && !isMirrorSearch(f)) || strings.Contains(slash, "/register/") || strings.Contains(slash, "/new/") ||
				strings.Contains(slash, "/sign/") || strings.HasPrefix(f, "admin/") || strings.HasPrefix(f, "api/") || strings.HasPrefix(f, "lang/") {
				t.Errorf("exported a page only the live site may serve: %s", f)
			}
		}
		if static < 2 {
			t.Errorf("%d static files: the stylesheet and scripts are missing", static)
		}

		// Forms gone, notices in the page's language, with both addresses.
		event := read(t, dir, "en/events/apptest-harm-reduction-behind-bars/index.html")
		for _, want := range []string{"forms, registration, signing and search work on the live site", live + "/en/events/register/apptest-harm-reduction-behind-bars", onion + "/en/events/register/apptest-harm-reduction-behind-bars"} {
			if !strings.Contains(event, want) {
				t.Errorf("event page: no %q", want)
			}
		}
		statement := read(t, dir, "en/statements/apptest-decriminalise-us-now/index.html")
		if !strings.Contains(statement, live+"/en/statements/apptest-decriminalise-us-now/sign") {
			t.Errorf("statement page: no way to sign on the live site")
		}
		for lang, notice := range map[string]string{"fr": "Cette copie du site est en lecture seule", "ar": "هذه النسخة من الموقع للقراءة فقط"} {
			if home := read(t, dir, lang+"/index.html"); !strings.Contains(home, notice) || !strings.Contains(home, onion+"/"+lang+"/") {
				t.Errorf("%s home page: no notice %q with the onion address", lang, notice)
			}
		}

		// Deterministic: the same data gives the same bytes, and a second
		// export into the same folder writes nothing.
		again := t.TempDir()
		if _, err := mirror.Export(ctx, site, mirror.Options{Out: again, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		if diff := compareDirs(t, dir, again); diff != "" {
			t.Errorf("two exports of the same data differ: %s", diff)
		}
		rep, err = mirror.Export(ctx, site, mirror.Options{Out: dir, Incremental: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Written != 0 || !rep.Incremental {
			t.Errorf("an export with nothing changed: incremental %v, %d files written, want 0", rep.Incremental, rep.Written)
		}

		// A full export again writes nothing either, but a file spoiled
		// or deleted in the folder since is written again, whatever the
		// export recorded of it.
		if rep, err = mirror.Export(ctx, site, mirror.Options{Out: dir}); err != nil || rep.Written != 0 {
			t.Errorf("a full export with nothing changed: %v, %d files written, want 0", err, rep.Written)
		}
		spoiled, deleted := filepath.Join(dir, "en", "index.html"), filepath.Join(dir, "fr", "index.html")
		want := read(t, dir, "en/index.html")
		if err := os.WriteFile(spoiled, []byte(strings.Replace(want, "<", ">", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(deleted); err != nil {
			t.Fatal(err)
		}
		if rep, err = mirror.Export(ctx, site, mirror.Options{Out: dir}); err != nil || rep.Written != 2 {
			t.Errorf("a full export after a file was spoiled and one deleted: %v, %d files written, want 2", err, rep.Written)
		}
		if diff := compareDirs(t, dir, again); diff != "" {
			t.Errorf("the spoiled and deleted files were not restored: %s", diff)
		}
	})
}

// crawl walks every file of the folder, checks every page's links, and
// returns the files by their path in the folder.
func crawl(t *testing.T, site mirror.Site, dir string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		body := string(b)
		for _, bad := range []string{canary, "/registration/manage/", "/registration/confirm/", "/tributes/withdraw/", "/signatures/verify/", "/signatures/withdraw/", "data-pow-challenge", "/admin/"} {
			if f == "robots.txt" && bad == "/admin/" {
				continue // Disallow: /admin/
			}
			if strings.Contains(body, bad) {
				t.Errorf("%s holds %q", f, bad)
			}
		}
		if !strings.HasSuffix(f, ".html") {
			continue
		}
		checkLinks(t, site, dir, f, b, files)
	}
	return files
}

// checkLinks checks one page's addresses: relative ones lead to a file of
// the folder; absolute ones to the live site only in the notices or to
// what only the live site serves.
func checkLinks(t *testing.T, site mirror.Site, dir, file string, body []byte, files map[string]bool) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		tok := z.Token()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		if tok.Data == "form" {
			t.Errorf("%s: a form", file)
		}
		external := false
		var addrs []string
		for _, a := range tok.Attr {
			switch a.Key {
			case "rel":
				external = strings.Contains(a.Val, "external")
			case "href", "src", "action":
				addrs = append(addrs, a.Val)
			case "srcset":
				for part := range strings.SplitSeq(a.Val, ",") {
					if f := strings.Fields(part); len(f) > 0 {
						addrs = append(addrs, f[0])
					}
				}
			case "content":
				if strings.HasPrefix(a.Val, "http") {
					addrs = append(addrs, a.Val)
				}
			}
		}
		for _, addr := range addrs {
			switch u, err := url.Parse(addr); {
			case err != nil:
				t.Errorf("%s: bad address %q", file, addr)
			case strings.HasPrefix(addr, live) || strings.HasPrefix(addr, onion):
				if !external && mirror.Mirrored(site, u.Path) && u.RawQuery == "" {
					t.Errorf("%s: absolute address %q of a page the mirror holds", file, addr)
				}
			case u.Scheme != "" || strings.HasPrefix(addr, "//") || strings.HasPrefix(addr, "#"):
				// another site, mail, or this page
			case strings.HasPrefix(addr, "/"):
				t.Errorf("%s: root-relative address %q: the mirror would not work opened as files", file, addr)
			default:
				target := path.Join(path.Dir(file), u.Path)
				if strings.HasSuffix(u.Path, "/") || u.Path == "" {
					t.Errorf("%s: link %q to a folder, not its index.html", file, addr)
					continue
				}
				if !files[target] {
					t.Errorf("%s: link %q: no %s in the mirror", file, addr, target)
				}
			}
		}
	}
}

// An incremental export after one edit renders a few pages, and the
// edited entry's pages and archive show the change.
func TestIncrementalExportAfterAnEdit(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		site := s.App.Mirror()
		dir := t.TempDir()
		// Times are kept in seconds and an export renders again what
		// changed in the second before it began: a demo loaded just now
		// would count as changed since the full export.
		time.Sleep(1100 * time.Millisecond)
		full, err := mirror.Export(ctx, site, mirror.Options{Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.App.Content.BySlug(ctx, "en", "naloxone-by-post")
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := e.Translation("en")
		_, err = s.App.Content.SaveTranslation(ctx, e.ID, content.TranslationInput{Lang: "en", Title: "Naloxone by post, retitled", Slug: tr.Slug,
			Summary: tr.Summary, Body: tr.Body, Status: tr.Status, PublishAt: tr.PublishAt}, 0)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // times are kept in seconds
		inc, err := mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: dir, Incremental: true})
		if err != nil {
			t.Fatal(err)
		}
		if !inc.Incremental || inc.Rendered*2 > full.Rendered {
			t.Errorf("after one edit: incremental %v, %d addresses rendered of %d", inc.Incremental, inc.Rendered, full.Rendered)
		}
		page := content.URL(e.Kind, "en", tr.Slug)
		for _, f := range []string{strings.TrimPrefix(page, "/") + "/index.html", "en/index.html", "en/" + e.Kind.Segment() + "/index.html",
			"en/tag/naloxone/index.html", "en/tag/naloxone/feed.xml", "en/section/news/atom.xml"} {
			if !strings.Contains(read(t, dir, f), "Naloxone by post, retitled") {
				t.Errorf("%s does not show the new title", f)
			}
		}
		// An article's edit leaves the events' pages alone: they show
		// only events, and no event changed.
		tracked := 0
		for _, l := range langs {
			for _, p := range site.Publishers {
				pages, err := p.PublicPages(ctx, l)
				if err != nil {
					t.Fatal(err)
				}
				for _, pg := range pages {
					if pg.Tracked && pg.Path(l) != "" {
						tracked++
					}
				}
			}
		}
		if tracked == 0 || inc.Kept != tracked {
			t.Errorf("after an article's edit, %d of the areas' pages kept; want the %d events' pages", inc.Kept, tracked)
		}

		// An event's edit renders its listings again.
		ev, err := s.App.Content.BySlug(ctx, "en", "webinar-who-pays-for-harm-reduction")
		if err != nil {
			t.Fatal(err)
		}
		evtr, _ := ev.Translation("en")
		_, err = s.App.Content.SaveTranslation(ctx, ev.ID, content.TranslationInput{Lang: "en", Title: "Who pays, retitled", Slug: evtr.Slug,
			Summary: evtr.Summary, Body: evtr.Body, Status: evtr.Status, PublishAt: evtr.PublishAt}, 0)
		if err != nil {
			t.Fatal(err)
		}
		// A tribute approved on the demo campaign's wall shows on the
		// wall and on the campaign's page, though no entry changed.
		camp, err := s.App.Content.BySlug(ctx, "en", "remember-every-name")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.Campaigns.AddTribute(ctx, camp.ID, "en", "Mirrored Remembrance", "Words for the mirror.", campaign.Approved, 0); err != nil {
			t.Fatal(err)
		}
		// A signature added to a statement shows on its signatories'
		// page, though no entry changed either.
		st, err := s.App.Content.BySlug(ctx, "en", "joint-statement-hepatitis-c-cure-not-a-luxury")
		if err != nil {
			t.Fatal(err)
		}
		sig := letter.ImportRow{Signature: letter.Signature{Kind: letter.Individual, Name: "Mirrored Signatory", Country: "GB"}, Evidence: "signed on paper"}
		if res, err := s.App.Letters.Import(ctx, st.ID, []letter.ImportRow{sig}, "en", 0, nil); err != nil || res.Imported != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		time.Sleep(1100 * time.Millisecond)
		if inc, err = mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: dir, Incremental: true}); err != nil || !inc.Incremental {
			t.Fatalf("export: %v, incremental %v", err, inc.Incremental)
		}
		lists := read(t, dir, "en/events/upcoming/index.html") + read(t, dir, "en/events/past/index.html")
		if !strings.Contains(lists, "Who pays, retitled") {
			t.Error("the events' listings do not show the edited event")
		}
		for _, f := range []string{"en/campaigns/remember-every-name/tributes/index.html", "en/campaigns/remember-every-name/index.html"} {
			if !strings.Contains(read(t, dir, f), "Mirrored Remembrance") {
				t.Errorf("%s does not show the approved tribute", f)
			}
		}
		if !strings.Contains(read(t, dir, "en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/signatures/index.html"), "Mirrored Signatory") {
			t.Error("the statement's signatories do not show the new signature")
		}
		// The site-wide files the incremental exports left (the sitemap
		// and its parts, the search index) are what a full export of the
		// same data writes.
		full2 := t.TempDir()
		if _, err := mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: full2}); err != nil {
			t.Fatal(err)
		}
		siteWide := func(rel string) bool {
			return strings.HasPrefix(rel, "sitemap") || strings.Contains(rel, "search-index")
		}
		if diff := compareFiles(t, dir, full2, siteWide); diff != "" {
			t.Errorf("after incremental exports, the folder differs from a full export's: %s", diff)
		}
		// So are the pages derived from what changed that the pages
		// rendered again only link to: the wall's slideshow (a tribute
		// approved moves every slide's count and the last one's "next"),
		// the edited event's calendar file and the events' calendar.
		derived := func(rel string) bool {
			return strings.HasPrefix(rel, "en/campaigns/remember-every-name/tributes/") ||
				strings.HasPrefix(rel, "en/events/calendar") || strings.HasPrefix(rel, "en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/")
		}
		if diff := compareFiles(t, dir, full2, derived); diff != "" {
			t.Errorf("after incremental exports, a page derived from a change differs from a full export's: %s", diff)
		}
		if ics := read(t, dir, "en/events/calendar/"+evtr.Slug+".ics"); !strings.Contains(ics, `Who pays\, retitled`) {
			t.Error("the edited event's calendar file does not show its new title")
		}
		// A change of what every page may show (a section) renders
		// everything again.
		if _, err := s.App.DB.ExecContext(ctx, `INSERT INTO sections (slug, position) VALUES ('mirror-new', 99)`); err != nil {
			t.Fatal(err)
		}
		inc, err = mirror.Export(ctx, s.App.Mirror(), mirror.Options{Out: dir, Incremental: true})
		if err != nil {
			t.Fatal(err)
		}
		if inc.Incremental {
			t.Error("a new section: the export stayed incremental")
		}
	})
}

// The mirror never deletes what it did not write.
func TestExportRefusesAFolderOfOtherFiles(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		dir := t.TempDir()
		keep := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir})
		if !errors.Is(err, mirror.ErrNotMirror) {
			t.Fatalf("export into a folder of other files: %v, want ErrNotMirror", err)
		}
		if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
			t.Errorf("the folder's file was touched: %q %v", b, err)
		}
	})
}

// Live pages name the onion service in Onion-Location when one is
// configured, and only then.
func TestOnionLocation(t *testing.T) {
	apptest.Run(t, apptest.Options{Config: withOnion, Languages: langs}, func(t *testing.T, s *apptest.Site) {
		res := s.Client().Get("/fr/articles?x=1")
		if got := res.Header.Get("Onion-Location"); got != onion+"/fr/articles?x=1" {
			t.Errorf("Onion-Location %q, want %q", got, onion+"/fr/articles?x=1")
		}
	})
}

// Without an onion service, no Onion-Location.
func TestNoOnionLocation(t *testing.T) {
	apptest.Run(t, apptest.Options{Languages: langs}, func(t *testing.T, s *apptest.Site) {
		if got := s.Client().Get("/fr/").Header.Get("Onion-Location"); got != "" {
			t.Errorf("no onion service, yet Onion-Location %q", got)
		}
	})
}

func read(t *testing.T, dir, f string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
	if err != nil {
		t.Fatalf("the mirror lacks %s", f)
	}
	return string(b)
}

// compareDirs says how two folders differ ("" when they hold the same
// files with the same bytes), the state file aside.
func compareDirs(t *testing.T, a, b string) string {
	t.Helper()
	return compareFiles(t, a, b, func(string) bool { return true })
}

// compareFiles is compareDirs of the files whose relative paths (with
// slashes) keep accepts.
func compareFiles(t *testing.T, a, b string, keep func(rel string) bool) string {
	t.Helper()
	list := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && d.Name() != ".peerpress-mirror.json" {
				rel, _ := filepath.Rel(dir, p)
				if keep(filepath.ToSlash(rel)) {
					out[rel], _ = os.ReadFile(p)
				}
			}
			return err
		})
		return out
	}
	la, lb := list(a), list(b)
	if len(la) != len(lb) {
		return "different numbers of files"
	}
	for f, ba := range la {
		if bb, ok := lb[f]; !ok || !bytes.Equal(ba, bb) {
			return f
		}
	}
	return ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
