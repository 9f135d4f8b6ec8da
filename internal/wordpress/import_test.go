package wordpress

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/search"
)

var update = flag.Bool("update", false, "rewrite the golden Markdown files")

// importFile imports an export into d.
func importFile(t testing.TB, d *db.DB, path string, opt Options) (*Report, error) {
	t.Helper()
	if opt.Languages == nil {
		opt.Languages = []string{"en", "fr"}
	}
	opt.Name = filepath.Base(path)
	im := New(d, content.NewStore(d, search.Index{}), opt)
	return im.Import(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) })
}

func mustImport(t *testing.T, d *db.DB, path string, opt Options) *Report {
	t.Helper()
	rep, err := importFile(t, d, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// snapshot is what a test compares before and after: rows per table and
// the text of every translation.
func snapshot(t *testing.T, d *db.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"entries", "translations", "revisions", "sections", "section_names", "tags", "tag_names",
		"entry_tags", "users", "old_paths", "wordpress_objects", "wordpress_imports", "media"} {
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d\n", table, n)
	}
	rows, err := d.QueryContext(context.Background(), `SELECT entry_id, lang, slug, title, status, publish_at, revision, body FROM translations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, publish, rev int64
		var lang, slug, title, status, body string
		if err := rows.Scan(&id, &lang, &slug, &title, &status, &publish, &rev, &body); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %s %s %q %s %d r%d %d\n", id, lang, slug, title, status, publish, rev, len(body))
	}
	return b.String()
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func wantCount(t *testing.T, rep *Report, what string, want Count) {
	t.Helper()
	got := Count{}
	if c := rep.Counts[what]; c != nil {
		got = *c
	}
	if got != want {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
}

// The three shared exports import with the numbers counted in the files
// (see TestReaderSharedExports), and again as a no-op.
func TestImportSharedExports(t *testing.T) {
	for _, c := range []struct {
		file                       string
		articles, pages, secs, tgs int
		authors                    int
		skipped                    map[string]int
		entries, translations      int
	}{
		// Polylang: 4 posts (2 en, 2 fr) and 2 pages (en, fr) in 3 groups;
		// 4 categories in 2 groups, one of them Uncategorized.
		{"polylang/test-import.xml", 4, 2, 1, 0, 1,
			map[string]int{"items of post type nav_menu_item": 4, "the category Uncategorized: its posts have no section": 1}, 3, 6},
		// 58 posts (one draft, one future), 21 pages, 68 categories (one is
		// Uncategorized), 110 tags, 33 comments, 37 attachments, 70 menu items.
		{"theme-test-data/themeunittestdata.wordpress.xml", 58, 21, 67, 110, 2,
			map[string]int{"items of post type nav_menu_item": 70, "comments (not imported)": 33,
				"attachments (their files stay at the old address: give --uploads to bring them)": 37,
				"the category Uncategorized: its posts have no section":                           1}, 79, 79},
		// 61 posts, 1 page, 7 categories (one Uncategorized), 4 tags.
		{"theme-test-data/64-block-test-data.xml", 61, 1, 6, 4, 2,
			map[string]int{"items of post type wp_navigation": 1, "comments (not imported)": 2,
				"attachments (their files stay at the old address: give --uploads to bring them)": 9,
				"the category Uncategorized: its posts have no section":                           1}, 62, 62},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := sharedExport(t, c.file)
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				rep := mustImport(t, d, path, Options{BatchSize: 25})
				wantCount(t, rep, "article", Count{Imported: c.articles})
				wantCount(t, rep, "page", Count{Imported: c.pages})
				wantCount(t, rep, "section", Count{Imported: c.secs})
				wantCount(t, rep, "tag", Count{Imported: c.tgs})
				wantCount(t, rep, "author", Count{Imported: c.authors})
				for k, n := range c.skipped {
					if rep.Skipped[k] != n {
						t.Errorf("skipped %q: %d, want %d", k, rep.Skipped[k], n)
					}
				}
				if len(rep.Skipped) != len(c.skipped) {
					t.Errorf("skipped %v", rep.Skipped)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM entries`); n != c.entries {
					t.Errorf("%d entries, want %d", n, c.entries)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM translations`); n != c.translations {
					t.Errorf("%d translations, want %d", n, c.translations)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM sections`); n != c.secs {
					t.Errorf("%d sections, want %d", n, c.secs)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM users WHERE password_hash = ''`); n != c.authors {
					t.Errorf("%d users without a password, want %d", n, c.authors)
				}
				// Every translation is in the search index.
				if n := count(t, d, `SELECT COUNT(*) FROM translations WHERE id NOT IN (SELECT translation_id FROM search_docs)`); n != 0 {
					t.Errorf("%d translations not indexed", n)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM wordpress_imports WHERE finished_at > 0`); n != 1 {
					t.Errorf("the import is not recorded as finished")
				}

				before := snapshot(t, d)
				again := mustImport(t, d, path, Options{BatchSize: 7})
				if after := snapshot(t, d); after != before {
					t.Errorf("importing again changed the database:\n%s\nafter:\n%s", before, after)
				}
				for what, cnt := range again.Counts {
					if cnt.Imported != 0 || cnt.Updated != 0 {
						t.Errorf("again, %s: %+v", what, *cnt)
					}
				}
				wantCount(t, again, "article", Count{Unchanged: c.articles})
			})
		})
	}
}

func TestImportPolylang(t *testing.T) {
	path := sharedExport(t, "polylang/test-import.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustImport(t, d, path, Options{})
		store := content.NewStore(d, search.Index{})
		// Posts 398 (en) and 400 (fr) are one group: one entry, English first.
		e, err := store.BySlug(ctx, "en", "test")
		if err != nil {
			t.Fatal(err)
		}
		fr, ok := e.Translation("fr")
		if e.SourceLang != "en" || e.Kind != content.Article || !ok || fr.Slug != "essai" || fr.Title != "Essai" {
			t.Fatalf("entry %+v", e)
		}
		if fr.SourceRevision != 1 {
			t.Errorf("the French translation was made from revision %d of the source, want 1", fr.SourceRevision)
		}
		if want := time.Date(2016, 1, 30, 17, 3, 16, 0, time.UTC); !e.Source().PublishAt.Equal(want) {
			t.Errorf("published %v, want %v (post_date_gmt)", e.Source().PublishAt, want)
		}
		// Categories 4 (en "test") and 2 (fr "essai") are one section.
		sec, err := store.SectionBySlug(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if sec.Names["en"] != "Test" || sec.Names["fr"] != "Essai" || e.SectionID != sec.ID {
			t.Errorf("section %+v, entry's %d", sec, e.SectionID)
		}
		// The pages' group.
		home, err := store.BySlug(ctx, "fr", "accueil")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := home.Translation("en"); !ok || home.Kind != content.Page {
			t.Errorf("home %+v", home)
		}
		for old, want := range map[string]string{
			"/wordpress/test-import/test":                        "/en/articles/test",
			"/wordpress/test-import/fr/essai":                    "/fr/articles/essai",
			"/wordpress/test-import?p=400":                       "/fr/articles/essai",
			"/wordpress/test-import?page_id=404":                 "/fr/accueil",
			"/wordpress/test-import/category/test":               "/en/section/test",
			"/wordpress/test-import/fr/category/essai":           "/fr/section/test",
			"/wordpress/test-import/fr/category/essai/feed/atom": "/fr/section/test/atom.xml",
			"/wordpress/test-import/feed":                        "/en/feed.xml",
			"/wordpress/test-import/fr/feed/atom":                "/fr/atom.xml",
		} {
			got, err := store.OldPath(ctx, old)
			if err != nil || got != want {
				t.Errorf("%s leads to %q (%v), want %q", old, got, err, want)
			}
		}
	})
}

// A dry run reports what an import would do and writes nothing.
func TestImportDryRun(t *testing.T) {
	path := sharedExport(t, "theme-test-data/themeunittestdata.wordpress.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		before := snapshot(t, d)
		changes := d.Changes()
		dry := mustImport(t, d, path, Options{DryRun: true, BatchSize: 10})
		if after := snapshot(t, d); after != before {
			t.Fatalf("a dry run changed the database:\n%s\nafter:\n%s", before, after)
		}
		if d.Changes() != changes {
			t.Error("a dry run counted as a change: cached pages would be dropped")
		}
		real := mustImport(t, d, path, Options{})
		for what, c := range real.Counts {
			if dc := dry.Counts[what]; dc == nil || *dc != *c {
				t.Errorf("%s: dry run %+v, import %+v", what, dc, *c)
			}
		}
		if len(dry.Review) != len(real.Review) {
			t.Errorf("dry run: %d notes, import %d", len(dry.Review), len(real.Review))
		}
		if !dry.DryRun || real.DryRun {
			t.Error("DryRun not reported")
		}
	})
}

// A broken file is refused with its line before anything is written.
func TestImportRefusesBrokenFile(t *testing.T) {
	src, err := os.ReadFile(sharedExport(t, "theme-test-data/themeunittestdata.wordpress.xml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.xml")
	if err := os.WriteFile(truncated, src[:len(src)*3/4], 0o600); err != nil {
		t.Fatal(err)
	}
	notWXR := filepath.Join(dir, "feed.xml")
	if err := os.WriteFile(notWXR, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title><item><title>x</title></item></channel></rss>`), 0o600); err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		before := snapshot(t, d)
		_, err := importFile(t, d, truncated, Options{BatchSize: 5})
		if err == nil || !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), "ends in the middle") {
			t.Errorf("truncated: %v", err)
		}
		_, err = importFile(t, d, notWXR, Options{})
		if err == nil || !strings.Contains(err.Error(), "not a WordPress export") {
			t.Errorf("feed: %v", err)
		}
		if after := snapshot(t, d); after != before {
			t.Errorf("a refused file changed the database:\n%s", after)
		}
	})
}

// A newer export updates what changed, and leaves alone what an editor
// changed here since.
func TestImportUpdates(t *testing.T) {
	src, err := os.ReadFile(sharedExport(t, "polylang/test-import.xml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "1.xml"), filepath.Join(dir, "2.xml")
	os.WriteFile(first, src, 0o600)
	newer := strings.Replace(string(src), "<title><![CDATA[Essai]]></title>", "<title><![CDATA[Essai, revu]]></title>", 1)
	newer = strings.Replace(newer, "<title><![CDATA[Home]]></title>", "<title><![CDATA[Home, new]]></title>", 1)
	os.WriteFile(second, []byte(newer), 0o600)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustImport(t, d, first, Options{})
		store := content.NewStore(d, search.Index{})
		home, err := store.BySlug(ctx, "en", "home")
		if err != nil {
			t.Fatal(err)
		}
		// An editor changes the English home page here.
		if _, err := store.SaveTranslation(ctx, home.ID, content.TranslationInput{Lang: "en", Title: "Our home", Slug: "home",
			Status: content.Published, PublishAt: home.Source().PublishAt}, 0); err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, d, second, Options{})
		wantCount(t, rep, "article", Count{Updated: 1, Unchanged: 3})
		wantCount(t, rep, "page", Count{Unchanged: 2})
		e, _ := store.BySlug(ctx, "fr", "essai")
		if tr, _ := e.Translation("fr"); tr.Title != "Essai, revu" {
			t.Errorf("the French post was not updated: %q", tr.Title)
		}
		home, _ = store.BySlug(ctx, "en", "home")
		if home.Source().Title != "Our home" {
			t.Errorf("the editor's change was overwritten: %q", home.Source().Title)
		}
		found := false
		for _, n := range rep.Review {
			found = found || strings.Contains(n.Note, "changed both here and in WordPress")
		}
		if !found {
			t.Errorf("the report does not say the home page was left alone: %+v", rep.Review)
		}
	})
}

// The Markdown of chosen posts, kept as golden files.
func TestImportMarkdown(t *testing.T) {
	for file, slugs := range map[string][]string{
		"theme-test-data/themeunittestdata.wordpress.xml": {"post-format-image-caption", "edge-case-nested-and-mixed-lists",
			"post-format-gallery", "post-format-video-youtube", "markup-html-tags-and-formatting", "post-format-standard"},
		"theme-test-data/64-block-test-data.xml": {"columns", "buttons", "gallery", "table", "shortcode", "file"},
	} {
		path := sharedExport(t, file)
		d := dbtest.NewSQLite(t)
		mustImport(t, d, path, Options{})
		for _, slug := range slugs {
			t.Run(slug, func(t *testing.T) {
				var body string
				if err := d.QueryRowContext(context.Background(), `SELECT body FROM translations WHERE slug = ?`, slug).Scan(&body); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(file), ".xml")+"--"+slug+".md")
				if *update {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, []byte(body+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to write it)", err)
				}
				if body+"\n" != string(want) {
					t.Errorf("%s differs from %s:\n%s", slug, golden, body)
				}
			})
		}
	}
}

// WPML keeps translation groups as post meta (_wpml_trid, _wpml_language):
// a group becomes one entry too, even when the translation comes first.
func TestImportWPML(t *testing.T) {
	post := func(id int, lang, slug, title string) string {
		return `<item><title>` + title + `</title><link>https://wpml.example.org/` + lang + `/` + slug + `/</link>
			<content:encoded><![CDATA[<p>` + title + `</p>]]></content:encoded>
			<wp:post_id>` + fmt.Sprint(id) + `</wp:post_id><wp:post_date_gmt>2021-03-04 05:06:07</wp:post_date_gmt>
			<wp:post_name>` + slug + `</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
			<wp:postmeta><wp:meta_key>_wpml_trid</wp:meta_key><wp:meta_value>7</wp:meta_value></wp:postmeta>
			<wp:postmeta><wp:meta_key>_wpml_language</wp:meta_key><wp:meta_value>` + lang + `</wp:meta_value></wp:postmeta></item>`
	}
	// The French post has no GMT date, as drafts have not: its date is
	// read in the site's zone.
	fr := strings.Replace(post(21, "fr", "bonjour", "Bonjour"), "<wp:post_date_gmt>2021-03-04 05:06:07</wp:post_date_gmt>",
		"<wp:post_date>2021-03-04 05:06:07</wp:post_date><wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>", 1)
	src := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="https://wordpress.org/export/1.1/">
<channel><wp:wxr_version>1.1</wp:wxr_version><wp:base_blog_url>https://wpml.example.org</wp:base_blog_url>
` + fr + post(20, "en", "hello", "Hello") + `
</channel></rss>`
	path := filepath.Join(t.TempDir(), "wpml.xml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, d, path, Options{Zone: paris})
		wantCount(t, rep, "article", Count{Imported: 2})
		e, err := content.NewStore(d, search.Index{}).BySlug(context.Background(), "fr", "bonjour")
		if err != nil {
			t.Fatal(err)
		}
		if en, ok := e.Translation("en"); e.SourceLang != "en" || !ok || en.Slug != "hello" {
			t.Fatalf("entry %+v", e)
		}
		fr, _ := e.Translation("fr")
		if want := time.Date(2021, 3, 4, 4, 6, 7, 0, time.UTC); !fr.PublishAt.Equal(want) {
			t.Errorf("the French post without a GMT date: %v, want %v", fr.PublishAt, want)
		}
	})
}

// An import that stops half-way keeps the batches it committed; run again,
// it goes on from there and duplicates nothing.
func TestImportResumes(t *testing.T) {
	path := sharedExport(t, "theme-test-data/themeunittestdata.wordpress.xml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		opens := 0
		// The first reading sees the whole file; the second is cut short,
		// as a disk or a copy that fails under the import would.
		open := func() (io.ReadCloser, error) {
			opens++
			if opens == 2 {
				return io.NopCloser(strings.NewReader(string(src[:len(src)*2/3]))), nil
			}
			return io.NopCloser(strings.NewReader(string(src))), nil
		}
		im := New(d, content.NewStore(d, search.Index{}), Options{Languages: []string{"en"}, BatchSize: 10})
		if _, err := im.Import(context.Background(), open); err == nil || !strings.Contains(err.Error(), "changed since it was first read") {
			t.Fatalf("a file cut short under the import: %v", err)
		}
		half := count(t, d, `SELECT COUNT(*) FROM entries`)
		if half == 0 || half >= 79 {
			t.Fatalf("%d entries after the interruption, want some of 79", half)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM wordpress_imports WHERE finished_at = 0 AND items_done > 0`); n != 1 {
			t.Errorf("the progress is not recorded")
		}
		rep := mustImport(t, d, path, Options{Languages: []string{"en"}, BatchSize: 10})
		c := rep.Counts["article"]
		p := rep.Counts["page"]
		if c.Imported+p.Imported != 79-half || c.Unchanged+p.Unchanged != half || c.Updated+p.Updated != 0 {
			t.Errorf("resumed: articles %+v, pages %+v, after %d entries", *c, *p, half)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM entries`); n != 79 {
			t.Errorf("%d entries, want 79", n)
		}
	})
}

// WordPress's statuses: publish stays published, future is scheduled at
// its instant, draft is a draft, and so is a password-protected post.
func TestImportStatuses(t *testing.T) {
	path := sharedExport(t, "theme-test-data/themeunittestdata.wordpress.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		rep := mustImport(t, d, path, Options{Languages: []string{"en"}})
		store := content.NewStore(d, search.Index{})
		for slug, want := range map[string]content.Status{
			"template-sticky":             content.Published,
			"scheduled":                   content.Scheduled,
			"draft":                       content.Draft,
			"template-password-protected": content.Draft,
		} {
			e, err := store.BySlug(context.Background(), "en", slug)
			if err != nil {
				t.Fatalf("%s: %v", slug, err)
			}
			if got := e.Source().Status; got != want {
				t.Errorf("%s: %s, want %s", slug, got, want)
			}
			if slug == "scheduled" && !e.Source().PublishAt.Equal(time.Date(2030, 1, 1, 19, 0, 18, 0, time.UTC)) {
				t.Errorf("scheduled at %v", e.Source().PublishAt)
			}
			if slug == "template-sticky" && !e.Featured {
				t.Error("a sticky post is not featured")
			}
		}
		if e, _ := store.BySlug(context.Background(), "en", "markup-title-with-markup"); e == nil || e.Source().Title != "Markup: Title With Markup" {
			t.Errorf("a title with markup: %+v", e)
		}
		notes := 0
		for _, n := range rep.Review {
			if strings.Contains(n.Note, "password-protected") {
				notes++
			}
		}
		if notes != 1 {
			t.Errorf("%d notes about the password-protected post", notes)
		}
	})
}

// A section an editor deleted since the last import stays deleted, as a
// deleted post does.
func TestImportKeepsDeletedSectionDeleted(t *testing.T) {
	path := sharedExport(t, "polylang/test-import.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustImport(t, d, path, Options{})
		store := content.NewStore(d, search.Index{})
		sec, err := store.SectionBySlug(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.DeleteSection(ctx, sec.ID); err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, d, path, Options{})
		if rep.Skipped["sections deleted here since an earlier import (not made again)"] != 1 {
			t.Errorf("skipped %v", rep.Skipped)
		}
		if _, err := store.SectionBySlug(ctx, "test"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("the section came back: %v", err)
		}
		if e, _ := store.BySlug(ctx, "en", "test"); e == nil || e.SectionID != 0 {
			t.Errorf("entry %+v", e)
		}
	})
}
