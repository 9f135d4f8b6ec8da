package wordpress

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"peerpress/internal/wordpress/wptest"
)

func sharedExport(t testing.TB, name string) string { t.Helper(); return wptest.Export(t, name) }

// readAll reads an export through, counting items by type.
func readAll(src string) (map[string]int, *Reader, error) {
	r := NewReader(strings.NewReader(src))
	counts := map[string]int{}
	for {
		v, err := r.Next()
		if errors.Is(err, io.EOF) {
			return counts, r, nil
		}
		if err != nil {
			return counts, r, err
		}
		switch x := v.(type) {
		case *Item:
			counts[x.Type]++
		case *Term:
			counts["term:"+x.Taxonomy]++
		case *Author:
			counts["author"]++
		}
	}
}

const miniWXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="NS/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="NS/">
<channel>
	<title>Mini</title>
	<language>fr-FR</language>
	<wp:wxr_version>VERSION</wp:wxr_version>
	<wp:base_blog_url>https://old.example.org</wp:base_blog_url>
	<wp:author><wp:author_login>ana</wp:author_login><wp:author_email>ana@example.org</wp:author_email></wp:author>
	<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>news</wp:category_nicename><wp:cat_name>News &amp; views</wp:cat_name></wp:category>
	<plugin:thing xmlns:plugin="urn:other">ignored <b>entirely</b></plugin:thing>
	<item>
		<title>Hello &amp; welcome</title>
		<link>https://old.example.org/2020/01/02/hello/</link>
		<dc:creator><![CDATA[ana]]></dc:creator>
		<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>
		<excerpt:encoded><![CDATA[Short]]></excerpt:encoded>
		<wp:post_id>12</wp:post_id>
		<wp:post_date>2020-01-02 10:00:00</wp:post_date>
		<wp:post_date_gmt>2020-01-02 09:00:00</wp:post_date_gmt>
		<wp:post_name>hello</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
		<category domain="category" nicename="news"><![CDATA[News]]></category>
		<category>Old style</category>
		<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>40</wp:meta_value></wp:postmeta>
		<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>Hi</wp:comment_content></wp:comment>
	</item>
</channel>
</rss>`

func mini(ns, version string) string {
	return strings.NewReplacer("NS", ns, "VERSION", version).Replace(miniWXR)
}

func TestReaderVersions(t *testing.T) {
	for _, c := range []struct{ ns, version string }{
		{"http://wordpress.org/export/1.0", "1.0"},
		{"http://wordpress.org/export/1.1", "1.1"},
		{"http://wordpress.org/export/1.2", "1.2"},
		{"https://wordpress.org/export/1.2", "1.2"},
	} {
		t.Run(c.ns, func(t *testing.T) {
			r := NewReader(strings.NewReader(mini(c.ns, c.version)))
			var items []*Item
			var terms []*Term
			for {
				v, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				switch x := v.(type) {
				case *Item:
					items = append(items, x)
				case *Term:
					terms = append(terms, x)
				}
			}
			if r.Channel.WXRVersion != c.version || r.Channel.BaseBlogURL != "https://old.example.org" || r.Channel.Language != "fr-FR" {
				t.Errorf("channel %+v", r.Channel)
			}
			if len(terms) != 1 || terms[0].Name != "News & views" || terms[0].Taxonomy != "category" || terms[0].ID != "3" {
				t.Errorf("terms %+v", terms)
			}
			if len(items) != 1 {
				t.Fatalf("%d items", len(items))
			}
			it := items[0]
			if it.ID != 12 || it.Title != "Hello & welcome" || it.Content != "<p>Body</p>" || it.Excerpt != "Short" ||
				it.Creator != "ana" || it.DateGMT != "2020-01-02 09:00:00" || it.Type != "post" || it.Comments != 1 {
				t.Errorf("item %+v", it)
			}
			if id, ok := it.featured(); !ok || id != 40 {
				t.Errorf("featured %d %v", id, ok)
			}
			if refs := it.Terms("category"); len(refs) != 2 || refs[0].Slug != "news" || refs[1].Name != "Old style" {
				t.Errorf("categories %+v", refs)
			}
		})
	}
}

func TestReaderRefusesBadInput(t *testing.T) {
	good := mini("http://wordpress.org/export/1.2", "1.2")
	cut := strings.Index(good, "<wp:post_name>")
	for _, c := range []struct {
		name, src string
		want      []string // in the message
	}{
		{"empty", "", []string{"not a WordPress export"}},
		{"html", "<html><body>hi</body></html>", []string{"line 1", "<html>"}},
		{"rss feed", `<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>`, []string{"wxr_version", "RSS feed"}},
		{"truncated", good[:cut], []string{"line 21", `#12 "Hello & welcome"`, "ends in the middle"}},
		{"malformed", strings.Replace(good, "</wp:post_name>", "</wp:post_nam>", 1), []string{"line 21", "#12", "post_nam"}},
		{"invalid utf-8", strings.Replace(good, "Body", "B\xffdy", 1), []string{"line 16", "UTF-8"}},
		{"bad id", strings.Replace(good, "<wp:post_id>12<", "<wp:post_id>twelve<", 1), []string{"line 18", "not a number"}},
		{"no id", strings.Replace(good, "<wp:post_id>12</wp:post_id>", "", 1), []string{"without <wp:post_id>"}},
		{"future version", strings.Replace(good, "export/1.2/", "export/2.0/", -1), []string{"unknown WXR namespace"}},
		{"after channel", strings.Replace(good, "</rss>", "<extra/></rss>", 1), []string{"after the </channel>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(c.src)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestReaderSharedExports(t *testing.T) {
	for _, c := range []struct {
		file string
		want map[string]int
	}{
		// Counted in the files with grep: <wp:post_type>, <wp:category>, <wp:tag>, <wp:term>.
		{"polylang/test-import.xml", map[string]int{"post": 4, "page": 2, "nav_menu_item": 4, "author": 1, "term:category": 4,
			"term:language": 2, "term:post_translations": 3, "term:term_translations": 2, "term:term_language": 2, "term:nav_menu": 2}},
		{"theme-test-data/themeunittestdata.wordpress.xml", map[string]int{"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70,
			"author": 2, "term:category": 69, "term:post_tag": 110, "term:nav_menu": 6}},
		{"theme-test-data/64-block-test-data.xml", map[string]int{"post": 61, "page": 1, "attachment": 9, "wp_navigation": 1,
			"author": 2, "term:category": 14, "term:post_tag": 8, "term:wp_theme": 1, "term:wp_template_part_area": 1}},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(sharedExport(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := readAll(string(b))
			if err != nil {
				t.Fatal(err)
			}
			for k, n := range c.want {
				if got[k] != n {
					t.Errorf("%s: %d, want %d", k, got[k], n)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("got %v", got)
			}
		})
	}
}

func TestPHPPairs(t *testing.T) {
	got, err := phpPairs(`a:3:{s:2:"en";i:413;s:2:"fr";i:414;s:4:"sync";a:2:{s:2:"fr";s:2:"en";s:2:"en";s:2:"en";}}`)
	if err != nil || len(got) != 2 || got[0] != [2]string{"en", "413"} || got[1] != [2]string{"fr", "414"} {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "a:1:{", `a:1:{s:9:"en";i:1;}`, `a:99999999:{}`, `O:8:"stdClass":0:{}`} {
		if _, err := phpPairs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// FuzzReader feeds the reader broken exports: it must answer with items
// or an error, never a panic or a hang. The seeds run with go test.
func FuzzReader(f *testing.F) {
	good := mini("http://wordpress.org/export/1.2", "1.2")
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(strings.Replace(good, "CDATA", "CDAT", 1))
	f.Add(`<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.1/">1.1</wp:wxr_version><item></item></channel></rss>`)
	f.Add("<?xml version=\"1.0\"?><rss><channel><item><item>")
	f.Fuzz(func(t *testing.T, src string) {
		_, _, err := readAll(src)
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("an error without a line: %v", err)
		}
	})
}

func FuzzPHPPairs(f *testing.F) {
	f.Add(`a:2:{s:2:"en";i:398;s:2:"fr";i:400;}`)
	f.Add(`a:1:{s:4:"sync";a:1:{s:2:"fr";s:2:"en";}}`)
	f.Fuzz(func(t *testing.T, s string) { _, _ = phpPairs(s) })
}

// endless is an export whose item's content goes on for size bytes: a
// damaged or hostile 2 GB file, made as it is read, never stored.
type endless struct {
	head, filler []byte
	size, read   int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && e.read < e.size {
		var src []byte
		if e.read < int64(len(e.head)) {
			src = e.head[e.read:]
		} else {
			src = e.filler[(e.read-int64(len(e.head)))%int64(len(e.filler)):]
		}
		c := copy(p[n:], src)
		if rest := e.size - e.read; int64(c) > rest {
			c = int(rest)
		}
		n += c
		e.read += int64(c)
	}
	return n, nil
}

func TestReaderRefusesHugeItemWithoutReadingIt(t *testing.T) {
	good := mini("http://wordpress.org/export/1.2", "1.2")
	head := good[:strings.Index(good, "<content:encoded>")] + "<content:encoded><![CDATA["
	for _, c := range []struct {
		name   string
		filler string
	}{
		{"one text of 2 GB", "All work and no play. "},
		{"2 GB of meta", "<wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>v</wp:meta_value></wp:postmeta>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := head
			if strings.HasPrefix(c.filler, "<") {
				h = good[:strings.Index(good, "<content:encoded>")]
			}
			src := &endless{head: []byte(h), filler: []byte(c.filler), size: 2 << 30}
			r := NewReader(src)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), "over 48 MB") || !strings.Contains(err.Error(), `"Hello & welcome"`) {
				t.Fatalf("error %v, want a ParseError naming the item and the limit", err)
			}
			// It stopped at the limit: the rest of the 2 GB was never read.
			if src.read > 64<<20 {
				t.Errorf("read %d MB of the file before refusing it", src.read>>20)
			}
		})
	}
}
