package app_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/db"
)

// Feeds, the sitemap, robots.txt and sharing cards: what other programs
// read of the site.

type rssFeed struct {
	Channel struct {
		Title         string `xml:"title"`
		Link          string `xml:"link"`
		Language      string `xml:"language"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title   string `xml:"title"`
			Link    string `xml:"link"`
			GUID    string `xml:"guid"`
			PubDate string `xml:"pubDate"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type jsonFeed struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	FeedURL  string `json:"feed_url"`
	Items    []struct {
		ID            string `json:"id"`
		URL           string `json:"url"`
		Title         string `json:"title"`
		ContentHTML   string `json:"content_html"`
		DatePublished string `json:"date_published"`
		DateModified  string `json:"date_modified"`
	} `json:"items"`
}

// Each feed parses back, holds the latest 20 entries of its listing in
// its language with absolute addresses, dates in the format's style and
// stable tag: ids, and says its type.
func TestFeeds(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		abs := s.Server.URL + "/"
		for _, tc := range []struct {
			lang, base string
			max        int
		}{
			{"en", "/en", 20}, {"ru", "/ru", 20}, {"ar", "/ar", 20},
			{"en", "/en/events", 20}, {"en", "/en/section/news", 20}, {"fr", "/fr/statements", 20},
			{"en", "/en/tag/naloxone", 20},
		} {
			prefix := abs + tc.lang + "/"
			if tc.base != "/"+tc.lang {
				prefix = s.Server.URL + tc.base + "/"
				if strings.Contains(tc.base, "/section/") || strings.Contains(tc.base, "/tag/") {
					prefix = abs + tc.lang + "/" // a section or a tag holds several kinds
				}
			}
			r := c.Get(tc.base + "/feed.xml")
			r.Must(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/rss+xml; charset=utf-8" {
				t.Errorf("%s/feed.xml: Content-Type %q", tc.base, ct)
			}
			var rss rssFeed
			if err := xml.Unmarshal([]byte(r.Body), &rss); err != nil {
				t.Fatalf("%s/feed.xml: %v", tc.base, err)
			}
			items := rss.Channel.Items
			if len(items) == 0 || len(items) > tc.max || rss.Channel.Language != tc.lang {
				t.Fatalf("%s/feed.xml: %d items, language %q", tc.base, len(items), rss.Channel.Language)
			}
			if _, err := time.Parse(time.RFC1123Z, rss.Channel.LastBuildDate); err != nil {
				t.Errorf("%s/feed.xml: lastBuildDate %q", tc.base, rss.Channel.LastBuildDate)
			}
			for _, it := range items {
				if !strings.HasPrefix(it.Link, prefix) || !strings.HasPrefix(it.GUID, "tag:127.0.0.1,") || it.Content == "" {
					t.Errorf("%s/feed.xml: item %q link %q guid %q", tc.base, it.Title, it.Link, it.GUID)
				}
				if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
					t.Errorf("%s/feed.xml: pubDate %q", tc.base, it.PubDate)
				}
			}

			r = c.Get(tc.base + "/atom.xml")
			r.Must(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
				t.Errorf("%s/atom.xml: Content-Type %q", tc.base, ct)
			}
			var atom atomFeed
			if err := xml.Unmarshal([]byte(r.Body), &atom); err != nil {
				t.Fatalf("%s/atom.xml: %v", tc.base, err)
			}
			if len(atom.Entries) != len(items) || atom.Lang != tc.lang || atom.ID != s.Server.URL+tc.base+"/atom.xml" {
				t.Fatalf("%s/atom.xml: %d entries (RSS %d), lang %q, id %q", tc.base, len(atom.Entries), len(items), atom.Lang, atom.ID)
			}
			updated, err := time.Parse(time.RFC3339, atom.Updated)
			if err != nil {
				t.Fatalf("%s/atom.xml: updated %q", tc.base, atom.Updated)
			}
			var newest time.Time
			for i, e := range atom.Entries {
				pub, err1 := time.Parse(time.RFC3339, e.Published)
				upd, err2 := time.Parse(time.RFC3339, e.Updated)
				if err1 != nil || err2 != nil || upd.Before(pub) {
					t.Errorf("%s/atom.xml: dates %q %q", tc.base, e.Published, e.Updated)
				}
				if upd.After(newest) {
					newest = upd
				}
				if e.ID != items[i].GUID || e.Link.Href != items[i].Link || e.Content.Type != "html" || e.Content.Value == "" {
					t.Errorf("%s/atom.xml: entry %d: %q %q %q", tc.base, i, e.ID, e.Link.Href, e.Content.Type)
				}
			}
			if !updated.Equal(newest) {
				t.Errorf("%s/atom.xml: updated %v, newest entry %v", tc.base, updated, newest)
			}

			r = c.Get(tc.base + "/feed.json")
			r.Must(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/feed+json; charset=utf-8" {
				t.Errorf("%s/feed.json: Content-Type %q", tc.base, ct)
			}
			var jf jsonFeed
			if err := json.Unmarshal([]byte(r.Body), &jf); err != nil {
				t.Fatalf("%s/feed.json: %v", tc.base, err)
			}
			if jf.Version != "https://jsonfeed.org/version/1.1" || jf.Language != tc.lang || len(jf.Items) != len(items) || jf.FeedURL != s.Server.URL+tc.base+"/feed.json" {
				t.Fatalf("%s/feed.json: %q %q %d items, feed_url %q", tc.base, jf.Version, jf.Language, len(jf.Items), jf.FeedURL)
			}
			for i, it := range jf.Items {
				if it.ID != items[i].GUID || it.URL != items[i].Link || it.ContentHTML == "" {
					t.Errorf("%s/feed.json: item %d: %q %q", tc.base, i, it.ID, it.URL)
				}
				for _, d := range []string{it.DatePublished, it.DateModified} {
					if _, err := time.Parse(time.RFC3339, d); err != nil {
						t.Errorf("%s/feed.json: date %q", tc.base, d)
					}
				}
			}
		}
		// The language feeds hold the latest 20 of many; a body keeps its
		// Markdown rendered and sanitized.
		var rss rssFeed
		xml.Unmarshal([]byte(c.Get("/en/feed.xml").Body), &rss)
		if len(rss.Channel.Items) != 20 {
			t.Errorf("/en/feed.xml: %d items, want the latest 20", len(rss.Channel.Items))
		}
		for _, it := range rss.Channel.Items {
			if strings.Contains(it.Content, "<script") {
				t.Errorf("%s: unsanitized body", it.Link)
			}
		}
		// Drafts and scheduled entries are not in any feed.
		var draft string
		d.QueryRowContext(context.Background(), `SELECT slug FROM translations WHERE status IN ('draft', 'scheduled') AND lang = 'en' ORDER BY id LIMIT 1`).Scan(&draft)
		if draft == "" || strings.Contains(c.Get("/en/feed.json").Body, "/"+draft+`"`) {
			t.Errorf("unpublished entry %q in the feed", draft)
		}
		c.Get("/en/section/nope/feed.xml").Must(t, 404)
		c.Get("/en/tag/nope/atom.xml").Must(t, 404)
		// A tag's feed holds the tag's entries, newest first, as its page
		// lists them.
		var tagFeed rssFeed
		xml.Unmarshal([]byte(c.Get("/en/tag/naloxone/feed.xml").Body), &tagFeed)
		listed := regexp.MustCompile(`<h2><a href="([^"]+)"`).FindAllStringSubmatch(c.Get("/en/tag/naloxone").Body, -1)
		if len(listed) == 0 || len(tagFeed.Channel.Items) < len(listed) {
			t.Fatalf("/en/tag/naloxone: %d listed, %d in its feed", len(listed), len(tagFeed.Channel.Items))
		}
		for i, m := range listed {
			if got := tagFeed.Channel.Items[i].Link; got != s.Server.URL+m[1] {
				t.Errorf("/en/tag/naloxone/feed.xml: item %d is %s, the tag's page lists %s", i, got, m[1])
			}
		}
		c.Get("/xx/feed.xml").Must(t, 404)

		// Public pages announce their language's feeds, and an archive its own too.
		home := c.Get("/en/")
		home.Must(t, 200, `<link rel="alternate" type="application/rss+xml" title="Test Network (RSS)" href="/en/feed.xml">`,
			`<link rel="alternate" type="application/atom+xml" title="Test Network (Atom)" href="/en/atom.xml">`,
			`<link rel="alternate" type="application/feed+json" title="Test Network (JSON Feed)" href="/en/feed.json">`)
		c.Get("/en/section/news").Must(t, 200, `href="/en/feed.xml"`, `title="Test Network: News (RSS)" href="/en/section/news/feed.xml"`)
		c.Get("/en/tag/naloxone/page/2").Must(t, 200, `href="/en/feed.xml"`, `href="/en/tag/naloxone/feed.json"`)
		c.Get("/ru/events").Must(t, 200, `href="/ru/feed.xml"`, `href="/ru/events/atom.xml"`)
		c.Get("/en/campaigns/remember-every-name").Must(t, 200, `href="/en/feed.json"`)
	})
}

type sitemapIndex struct {
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

type urlSet struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"url"`
}

// The sitemap index names one sitemap per language; each lists the home
// page, the archives and every visible entry with a lastmod and its
// translations as hreflang alternates. robots.txt names the index.
func TestSitemapAndRobots(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		r := c.Get("/sitemap.xml")
		r.Must(t, 200)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
			t.Errorf("sitemap index: %q", r.Header.Get("Content-Type"))
		}
		var idx sitemapIndex
		if err := xml.Unmarshal([]byte(r.Body), &idx); err != nil {
			t.Fatal(err)
		}
		var locs []string
		for _, sm := range idx.Sitemaps {
			locs = append(locs, sm.Loc)
			// Hindi has nothing to read yet, so nothing changed in it.
			if _, err := time.Parse(time.RFC3339, sm.LastMod); err != nil && !strings.HasSuffix(sm.Loc, "-hi.xml") {
				t.Errorf("%s: lastmod %q", sm.Loc, sm.LastMod)
			}
		}
		want := []string{}
		for _, l := range []string{"en", "ru", "fr", "es", "hi", "ar"} {
			want = append(want, s.Server.URL+"/sitemap-"+l+".xml")
		}
		if strings.Join(locs, " ") != strings.Join(want, " ") {
			t.Fatalf("sitemap index lists %v, want %v", locs, want)
		}

		r = c.Get("/sitemap-en.xml")
		r.Must(t, 200)
		var set urlSet
		if err := xml.Unmarshal([]byte(r.Body), &set); err != nil {
			t.Fatal(err)
		}
		var visible int
		d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM translations WHERE lang = 'en' AND status <> 'draft' AND publish_at <= ?`, time.Now().Unix()).Scan(&visible)
		byLoc := map[string]int{}
		for i, u := range set.URLs {
			if _, dup := byLoc[u.Loc]; dup {
				t.Errorf("%s listed twice", u.Loc)
			}
			byLoc[u.Loc] = i
			if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
				t.Errorf("%s: lastmod %q", u.Loc, u.LastMod)
			}
			if !strings.HasPrefix(u.Loc, s.Server.URL+"/en/") {
				t.Errorf("%s: not an absolute English address", u.Loc)
			}
		}
		for _, p := range []string{"/en/", "/en/articles", "/en/events", "/en/section/news", "/en/about"} {
			if _, ok := byLoc[s.Server.URL+p]; !ok {
				t.Errorf("sitemap lacks %s", p)
			}
		}
		// The areas' own pages (feed.Publisher) are listed too.
		for _, p := range []string{"/en/events/upcoming", "/en/events/past", "/en/campaigns/remember-every-name/tributes/", "/en/directory", "/en/directory/harbour-alliance"} {
			if _, ok := byLoc[s.Server.URL+p]; !ok {
				t.Errorf("sitemap lacks %s", p)
			}
		}
		signatories := 0
		for loc := range byLoc {
			if strings.HasSuffix(loc, "/signatures") {
				signatories++
			}
			// Every address in the sitemap can be read.
			c.Get(strings.TrimPrefix(loc, s.Server.URL)).Must(t, 200)
		}
		if signatories == 0 {
			t.Error("sitemap lists no statement's signatories")
		}
		listing := regexp.MustCompile(`^/en/(?:|articles|events|publications|statements|campaigns|calls|updates|section/[^/]+|events/(?:upcoming|past|month/\d{4}-\d{2})|.+/signatures|.+/tributes/|directory(?:/[^/]+)?)$`)
		entries := 0
		for loc := range byLoc {
			if !listing.MatchString(strings.TrimPrefix(loc, s.Server.URL)) {
				entries++
			}
		}
		if entries != visible {
			t.Errorf("sitemap has %d entries, %d are visible", entries, visible)
		}
		campaign, ok := byLoc[s.Server.URL+"/en/campaigns/remember-every-name"]
		if !ok {
			t.Fatal("sitemap lacks the campaign")
		}
		alts := map[string]string{}
		for _, l := range set.URLs[campaign].Links {
			if l.Rel != "alternate" {
				t.Errorf("link rel %q", l.Rel)
			}
			alts[l.Hreflang] = l.Href
		}
		for _, l := range []string{"en", "ru", "fr", "es", "ar"} {
			if !strings.HasPrefix(alts[l], s.Server.URL+"/"+l+"/campaigns/") {
				t.Errorf("campaign alternate %s: %q", l, alts[l])
			}
		}
		if _, ok := alts["hi"]; ok {
			t.Error("an alternate in a language the campaign has no translation in")
		}
		draftFree := c.Get("/sitemap-en.xml").Body
		var draft string
		d.QueryRowContext(context.Background(), `SELECT slug FROM translations WHERE status = 'draft' AND lang = 'en' ORDER BY id LIMIT 1`).Scan(&draft)
		if strings.Contains(draftFree, "/"+draft+"<") {
			t.Errorf("draft %s in the sitemap", draft)
		}
		c.Get("/sitemap-xx.xml").Must(t, 404)
		c.Get("/sitemap-en-2.xml").Must(t, 404) // one part is enough
		c.Get("/sitemap-en-0.xml").Must(t, 404)
		c.Get("/no-such-file.txt").Must(t, 404)

		robots := c.Get("/robots.txt")
		robots.Must(t, 200, "User-agent: *\n", "Allow: /\n", "Disallow: /admin/\n", "Disallow: /lang/\n", "Sitemap: "+s.Server.URL+"/sitemap.xml\n")
		if !strings.HasPrefix(robots.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("robots.txt: %q", robots.Header.Get("Content-Type"))
		}
	})
}

var (
	ogImageRe = regexp.MustCompile(`<meta property="og:image" content="([^"]+)">`)
	ogRe      = func(prop, value string) string { return `<meta property="og:` + prop + `" content="` + value + `">` }
)

// Every public page describes itself to social networks; an entry shows
// its featured image, or else a card drawn with its title, which is a
// 1200×630 PNG.
func TestSharingCards(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		u := s.Server.URL
		// An entry without a featured image: the drawn card.
		page := c.Get("/en/campaigns/remember-every-name")
		page.Must(t, 200, ogRe("type", "article"), ogRe("url", u+"/en/campaigns/remember-every-name"), ogRe("site_name", "Test Network"),
			ogRe("locale", "en_US"), ogRe("image", u+"/en/share/campaigns/remember-every-name.png"), ogRe("image:width", "1200"),
			ogRe("image:height", "630"), `<meta property="og:title" content="Remember Every Name`, `<meta property="og:description" content="Every life lost`,
			`<meta name="twitter:card" content="summary_large_image">`)
		c.Get("/ar/").Must(t, 200, ogRe("type", "website"), ogRe("locale", "ar_EG"), ogRe("image", u+"/ar/share/site.png"), ogRe("url", u+"/ar/"))
		c.Get("/en/articles").Must(t, 200, ogRe("type", "website"), ogRe("url", u+"/en/articles"))

		for _, p := range []string{"/en/share/campaigns/remember-every-name.png", "/ar/share/site.png", "/en/share/site.png"} {
			r := c.Get(p)
			r.Must(t, 200)
			if r.Header.Get("Content-Type") != "image/png" || !strings.Contains(r.Header.Get("Cache-Control"), "public") {
				t.Errorf("%s: %q %q", p, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
			}
			img, err := png.Decode(strings.NewReader(r.Body))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
				t.Errorf("%s: %v", p, b)
			}
		}
		// The Arabic translation's card: its own image.
		ar := c.Get("/ar/campaigns/" + slugIn(t, d, "ar", "remember-every-name"))
		m := ogImageRe.FindStringSubmatch(ar.Body)
		if m == nil {
			t.Fatalf("no og:image on the Arabic campaign")
		}
		arCard := c.Get(strings.TrimPrefix(m[1], u))
		arCard.Must(t, 200)
		if arCard.Body == c.Get("/en/share/campaigns/remember-every-name.png").Body {
			t.Error("the Arabic card is the English one")
		}
		// Unpublished, unknown or mistyped: no card.
		var draft string
		d.QueryRowContext(context.Background(), `SELECT slug FROM translations WHERE status = 'draft' AND lang = 'en' ORDER BY id LIMIT 1`).Scan(&draft)
		for _, p := range []string{"/en/share/articles/" + draft + ".png", "/en/share/articles/" + draft + ".png", "/en/share/articles/nope.png",
			"/en/share/articles/remember-every-name.png", "/en/share/campaigns/remember-every-name", "/en/share/things/remember-every-name.png"} {
			c.Get(p).Must(t, 404)
		}

		// With a featured image, social networks show it.
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		id := admin.createEntry(csrf, "title", "With a picture", "summary", "A summary")
		if r := admin.upload("/admin/entries/"+id+"/image", csrf, "image", "photo.jpg", jpegBytes(t, 64, 48), url.Values{"alt": {"Volunteers with umbrellas"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d", r.Status)
		}
		withImage := c.Get("/en/articles/with-a-picture")
		withImage.Must(t, 200, ogRe("image:width", "64"), ogRe("image:height", "48"), ogRe("image:alt", "Volunteers with umbrellas"))
		m = ogImageRe.FindStringSubmatch(withImage.Body)
		if m == nil || !strings.HasPrefix(m[1], u+"/media/") {
			t.Fatalf("og:image %v", m)
		}
		c.Get(strings.TrimPrefix(m[1], u)).Must(t, 200)
		// Admin pages do not.
		admin.Get("/admin/entries").MustNot(t, "og:title")
	})
}

// slugIn finds the slug in lang of the entry whose English slug is given.
func slugIn(t *testing.T, d *db.DB, lang, enSlug string) string {
	t.Helper()
	var slug string
	err := d.QueryRowContext(context.Background(), `SELECT t.slug FROM translations t JOIN translations en ON en.entry_id = t.entry_id
		WHERE en.lang = 'en' AND en.slug = ? AND t.lang = ?`, enSlug, lang).Scan(&slug)
	if err != nil {
		t.Fatal(err)
	}
	return slug
}

// A campaign shows its hashtags and links that share it; the links stay
// on the site until followed, then lead to the network's share form.
func TestCampaignSharing(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		page := c.Get("/en/campaigns/remember-every-name")
		// Each hashtag is isolated (<bdi>), so that on an Arabic page its
		// # stays at its start.
		page.Must(t, 200, `<p class="hashtags"><bdi>#RememberEveryName</bdi></p>`, "Share this campaign",
			`href="/en/share/campaigns/remember-every-name/x" rel="nofollow">X</a>`, `href="mailto:?`)
		r := c.Get("/en/share/campaigns/remember-every-name/x")
		if r.Status != http.StatusFound {
			t.Fatalf("share to X: %d", r.Status)
		}
		to, err := url.Parse(r.Location)
		if err != nil || to.Host != "x.com" || to.Query().Get("url") != s.Server.URL+"/en/campaigns/remember-every-name" ||
			to.Query().Get("hashtags") != "RememberEveryName" {
			t.Fatalf("share to X leads to %q", r.Location)
		}
		c.Get("/en/share/campaigns/remember-every-name/myspace").Must(t, 404)
		c.Get("/en/share/articles/naloxone-by-post/x").Must(t, 404) // articles show no share links
		// Other kinds show no share links.
		c.Get("/en/statements/joint-statement-health-and-dignity-not-punishment").MustNot(t, "Share this campaign")
		// The page itself still loads nothing from, and links nowhere on, other hosts.
		for _, m := range regexp.MustCompile(`(?:src|href)="(https?://[^"]+)"`).FindAllStringSubmatch(page.Body, -1) {
			if !strings.HasPrefix(m[1], "https://example.org/") {
				t.Errorf("the campaign refers to %s", m[1])
			}
		}
	})
}
