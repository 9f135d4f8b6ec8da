package content

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/i18n"
	"peerpress/internal/media"
	"peerpress/internal/web"
)

// entryReference is the renderer the entry pages are written with and
// the template they replace, testdata/public_entry.html.
func entryReference(t *testing.T) (*web.Renderer, *i18n.Bundle, *template.Template) {
	return templateReference(t, "public_entry")
}

// templateReference is the renderer the public pages are written with
// and the template testdata/NAME.html that their Go replaced.
func templateReference(t *testing.T, name string) (*web.Renderer, *i18n.Bundle, *template.Template) {
	t.Helper()
	assets, err := web.NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New([]string{"en", "ru", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer("Peer Voices", func() *i18n.Bundle { return bundle }, nil, assets)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := rd.Templates(os.DirFS("testdata"), name+".html")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl[name] == nil {
		t.Fatalf("no reference template %s among %v", name, tmpl)
	}
	return rd, bundle, tmpl[name]
}

// testPublic is the public pages of s, rendered by rd, in UTC.
func testPublic(t *testing.T, s *Store, rd *web.Renderer) *Public {
	t.Helper()
	p, err := NewPublic(s, NewMarkdown(), rd, fakeMedia{}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sameEntryPage checks that d written by Go is what the template wrote.
func sameEntryPage(t *testing.T, rd *web.Renderer, reference *template.Template, name string, d entryPage) {
	t.Helper()
	p := &Public{rd: rd}
	sameAsTemplate(t, rd, reference, name, d, func(w http.ResponseWriter) error { return p.renderEntry(w, &d) })
}

// sameAsTemplate checks that a page written by Go (write) is what the
// reference template wrote from data: the same bytes, the same type.
func sameAsTemplate(t *testing.T, rd *web.Renderer, reference *template.Template, name string, data any, write func(http.ResponseWriter) error) {
	t.Helper()
	want, got := httptest.NewRecorder(), httptest.NewRecorder()
	if err := rd.Render(want, 200, reference, data); err != nil {
		t.Fatal(err)
	}
	if err := write(got); err != nil {
		t.Fatal(err)
	}
	if got.Body.String() != want.Body.String() {
		t.Errorf("%s: written by Go:\n%s\n--- template:\n%s", name, got.Body.String(), want.Body.String())
	}
	if got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
		t.Errorf("%s: Content-Type %q, the template's %q", name, got.Header().Get("Content-Type"), want.Header().Get("Content-Type"))
	}
}

// entryHostile are what a title, a name, an address or an alt text could
// carry.
var entryHostile = []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "Tom & Jerry &amp; C++", "javascript:alert(1)",
	"حقوق الناس", "\u202eevil\u202c", "nul\x00 and \xff bad utf-8", "/a b?c=<d>&e='f'", ""}

// An entry page written by Go (entryPage.writeMain and the layout's
// RenderPublic) is what html/template wrote from
// testdata/public_entry.html, byte for byte: every kind, in left-to-right
// and right-to-left languages, with and without each of its parts
// (section, organisations, notices, downloads, image, videos, panels,
// sharing, tags), and with hostile values in each.
func TestEntryMainAsTheTemplateWritesIt(t *testing.T) {
	rd, bundle, reference := entryReference(t)
	zone := time.FixedZone("X", 3*3600)
	at := time.Date(2025, 3, 9, 23, 30, 0, 0, time.UTC)
	page := func(code, kind string, s string) entryPage {
		l := bundle.Localizer(code)
		ar, _ := bundle.Get("ar")
		sec := Section{Slug: "news" + s, Names: map[string]string{"en": "News " + s, "ar": s}}
		img := media.Media{Path: "2025/03/img" + s + ".jpg", MIME: "image/jpeg", Width: 1600, Height: 900, Alt: "Alt " + s,
			Variants: []media.Variant{{Width: 480, Height: 270, Path: "2025/03/v480" + s + ".jpg"}, {Width: 960, Height: 540, Path: "2025/03/v960.jpg"}}}
		d := entryPage{Page: web.Page{L: l, Lang: l.Lang, Site: "Peer Voices " + s, Title: s, Description: s, Canonical: "/" + code + "/x/" + s},
			Kind: Kind(kind), Zone: zone,
			T:    Translation{Lang: code, Title: "Title " + s, Summary: "Summary " + s, Status: Published, PublishAt: at},
			Body: template.HTML("<p>Body <b>" + template.HTMLEscapeString(s) + "</b></p>"), Videos: true,
			Section:       &sec,
			Tags:          []Tag{{Slug: "tag" + s, Names: map[string]string{"en": "Tag " + s}}, {Slug: "zwei", Names: map[string]string{"ru": "Два"}}},
			Organisations: []Organisation{{Name: "Org " + s, Website: s}, {Name: "Plain " + s}, {Name: "Site", Website: "https://example.org/?q=" + s}},
			CoauthorRole:  "published_with",
			Image:         &img,
			Downloads: []attachmentView{
				newAttachmentView(bundle, l, Attachment{Lang: "ar", Title: "Report " + s, Path: "2025/03/r" + s + ".pdf", MIME: "application/pdf", Bytes: 123456}),
				newAttachmentView(bundle, l, Attachment{Lang: "xx" + s, Title: s, Path: "2025/03/x.png", MIME: "image/png" + s, Bytes: 7})},
			Outdated: true, SourceLang: ar, SourceURL: "/ar/" + s,
			Hashtags: []string{"one" + s, "two"},
			Sharing:  []shareLink{{Name: "Net " + s, URL: "https://share.example/?u=" + s}, {Name: "Bad", URL: s}},
			Actions:  []template.HTML{"<form class=\"register\"><button>Go</button></form>", "<p>second</p>"},
			Panels:   []template.HTML{"<section class=\"event-when\">Monday</section>"},
		}
		return d
	}
	var n int
	for _, code := range []string{"en", "ru", "ar"} {
		for _, kind := range []string{"article", "event", "publication", "statement", "campaign", "page"} {
			for _, s := range entryHostile {
				d := page(code, kind, s)
				sameEntryPage(t, rd, reference, code+" "+kind+" full "+s, d)
				// Each part left out in turn, and all of them.
				bare := d
				bare.Section, bare.Tags, bare.Organisations, bare.Image, bare.Downloads = nil, nil, nil, nil, nil
				bare.Outdated, bare.SourceURL, bare.Hashtags, bare.Sharing, bare.Actions, bare.Panels = false, "", nil, nil, nil, nil
				bare.Videos, bare.T.Summary, bare.T.Status, bare.Body = false, "", Archived, ""
				sameEntryPage(t, rd, reference, code+" "+kind+" bare "+s, bare)
				some := d
				some.Actions, some.Image.Variants, some.SourceURL, some.Hashtags = nil, nil, "", nil
				sameEntryPage(t, rd, reference, code+" "+kind+" downloads only "+s, some)
				some = d
				some.Downloads, some.T.Status = nil, Archived
				sameEntryPage(t, rd, reference, code+" "+kind+" actions only "+s, some)
				n += 4
			}
		}
	}
	if n == 0 {
		t.Fatal("no pages compared")
	}
}

// fakeMedia finds one featured image, with copies, whose alt text is
// hostile.
type fakeMedia struct{}

func (fakeMedia) ByID(_ context.Context, id int64) (media.Media, error) {
	return media.Media{ID: id, Path: "2025/03/feature.jpg", MIME: "image/jpeg", Width: 1200, Height: 800, Alt: `"><script>x</script> صورة`,
		Variants: []media.Variant{{Width: 480, Height: 320, Path: "2025/03/f480.jpg"}}}, nil
}

func (fakeMedia) ByIDs(ctx context.Context, ids []int64) (map[int64]media.Media, error) {
	out := map[int64]media.Media{}
	for _, id := range ids {
		out[id], _ = fakeMedia{}.ByID(ctx, id)
	}
	return out, nil
}

// The same on entries as the store gives them on both engines, their
// pages' data made by entryData: each kind, with a section, tags,
// organisations, attachments and a featured image, translated and
// outdated (ru), untranslated (ar is the source's), archived, and hostile
// titles, summaries, bodies and names.
func TestStoredEntryPagesAsTheTemplateWritesThem(t *testing.T) {
	rd, _, reference := entryReference(t)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		p := testPublic(t, s, rd)
		sec := mustSection(t, s, Section{Slug: "news", Names: map[string]string{"en": `News & "views"`, "ar": "أخبار"}})
		tags := []int64{
			mustTag(t, s, Tag{Slug: "harm-reduction", Names: map[string]string{"en": "<b>Harm</b> reduction", "ru": "Снижение вреда"}}),
			mustTag(t, s, Tag{Slug: "naloxone", Names: map[string]string{"en": "Naloxone"}}),
		}
		orgs := []int64{
			mustOrg(t, s, Organisation{Slug: "evil", Name: `Evil "Org" <i>`, Website: "javascript:alert(1)", Relation: "partner"}),
			mustOrg(t, s, Organisation{Slug: "good", Name: "Good & Co", Website: "https://example.org/a b", Relation: "member"}),
		}
		pdf := addMedia(t, d, "2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf", "application/pdf", 1234567)
		png := addMedia(t, d, "2025/03/CCCCCCCCCCCCCCCCCCCCCC.png", "image/png", 500)
		feature := addMedia(t, d, "2025/03/feature.jpg", "image/jpeg", 5000)
		var n int
		for i, kind := range []Kind{Article, Event, Publication, Statement, Campaign, Page} {
			slug := "entry-" + string(kind)
			src := pub("en", `<script>alert("`+string(kind)+`")</script> & "quotes"`, slug)
			src.Summary = `Summary with <tags> & #hashtag and 'quotes' ` + string(kind)
			src.Body = "A body with **markdown**, a [link](javascript:alert(1)), <b>raw</b> and #naloxone.\n\n![photo](/media/2025/03/feature.jpg)"
			in := EntryInput{Kind: kind, TagIDs: tags, OrgIDs: orgs}
			if i%2 == 0 {
				in.SectionID = sec
			}
			if kind == Statement {
				src.Status = Archived
			}
			id := mustSave(t, s, 0, in, src, 0)
			mustTranslate(t, s, id, pub("ru", "Заголовок «"+string(kind)+"»", slug+"-ru"), 0)
			// The source changed after its Russian translation: outdated.
			src.Body += "\n\nMore."
			mustSave(t, s, id, in, src, 0)
			if _, err := s.AddAttachment(ctx, id, pdf, "ar", "تقرير <2025>"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddAttachment(ctx, id, png, "en", `Chart "one"`); err != nil {
				t.Fatal(err)
			}
			if i%3 != 2 {
				if _, err := s.SetFeaturedMedia(ctx, id, feature); err != nil {
					t.Fatal(err)
				}
			}
			e := mustEntry(t, s, id)
			for _, lang := range []string{"en", "ru", "ar"} {
				tr, ok := e.Translation(lang)
				if !ok {
					// Untranslated: its source, in the page's language.
					tr = e.Source()
					tr.Lang = lang
				}
				r := httptest.NewRequest("GET", URL(kind, lang, tr.Slug), nil)
				r.SetPathValue("lang", lang)
				data, err := p.entryData(r, e, tr, kind, false)
				if err != nil {
					t.Fatal(err)
				}
				if data.T.Title == "" || len(data.Tags) != 2 || len(data.Organisations) != 2 || len(data.Downloads) != 2 {
					t.Fatalf("%s %s: the page lacks what was stored: %+v", kind, lang, data)
				}
				sameEntryPage(t, rd, reference, string(kind)+" "+lang, data)
				n++
			}
		}
		if n != 18 {
			t.Fatalf("%d pages compared", n)
		}
	})
}
