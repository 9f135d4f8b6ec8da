package demo

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/font"

	"peerpress/internal/media"
)

// Every demo document is a PDF that the upload pipeline accepts, so that
// its download works as an editor's would.
func TestDemoDocumentsAreAcceptedPDFs(t *testing.T) {
	for _, doc := range demoDocuments {
		pdf, err := doc.pdf()
		if err != nil {
			t.Fatalf("%s (%s): %v", doc.slug, doc.lang, err)
		}
		p, err := media.ProcessDocument(bytes.NewReader(pdf), media.DefaultDocLimits())
		if err != nil {
			t.Fatalf("%s (%s): refused by the pipeline: %v", doc.slug, doc.lang, err)
		}
		if p.MIME != "application/pdf" || !strings.HasPrefix(string(p.Data), "%PDF-") {
			t.Fatalf("%s (%s): stored as %s", doc.slug, doc.lang, p.MIME)
		}
	}
}

// The demo sends no reader to another site for what the site itself
// does: the tribute wall, the signing form, registration, downloads and
// the network's own publications are linked on the site, or shown by the
// entry's panels and not repeated in the text.
func TestDemoLinksStayOnTheSite(t *testing.T) {
	names, err := files.ReadDir("content")
	if err != nil {
		t.Fatal(err)
	}
	ownThings := []string{"remember-every-name", "hcv-statement", "annual-report-2025", "naloxone-guide",
		"women-services-guide", "hiv-hcv-briefing", "events/clm-webinar", "events/women-dialogue-asia",
		"events/drug-checking-latam", "events/hcv-access", "events/peer-workers-nairobi", "care-not-cells)"}
	for _, n := range names {
		raw, err := files.ReadFile("content/" + n.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, thing := range ownThings {
			if strings.Contains(string(raw), "https://example.org/"+thing) {
				t.Errorf("%s links example.org/%s, which the site itself offers", n.Name(), thing)
			}
		}
	}
}

// The Russian, Arabic and Hindi files carry the glyphs they draw (a
// subset of the font, a few kilobytes) and their text, so they show the
// script on a reader without its fonts and can be searched.
func TestScriptDocumentsEmbedTheirGlyphs(t *testing.T) {
	langs := map[string]bool{}
	for _, doc := range demoDocuments {
		if doc.lang != "ru" && doc.lang != "ar" && doc.lang != "hi" {
			continue
		}
		langs[doc.lang] = true
		pdf, err := doc.pdf()
		if err != nil {
			t.Fatalf("%s: %v", doc.lang, err)
		}
		if len(pdf) > 25000 {
			t.Errorf("%s: %d bytes; the whole font went in?", doc.lang, len(pdf))
		}
		var text, file []byte
		for rest := pdf; ; {
			i := bytes.Index(rest, []byte("stream\n"))
			if i < 0 {
				break
			}
			rest = rest[i+len("stream\n"):]
			end := bytes.Index(rest, []byte("\nendstream"))
			z, err := zlib.NewReader(bytes.NewReader(rest[:end]))
			if err != nil {
				t.Fatalf("%s: %v", doc.lang, err)
			}
			data, err := io.ReadAll(z)
			if err != nil {
				t.Fatalf("%s: %v", doc.lang, err)
			}
			if bytes.HasPrefix(data, []byte{0, 1, 0, 0}) {
				file = data
			} else {
				text = append(text, data...)
			}
			rest = rest[end+len("\nendstream"):]
		}
		if !bytes.Contains(text, []byte("/ActualText <"+utf16Hex(doc.lines[0])+">")) {
			t.Errorf("%s: the title's text is not in the file", doc.lang)
		}
		if file == nil {
			t.Fatalf("%s: no embedded font", doc.lang)
		}
		face, err := font.ParseTTF(bytes.NewReader(file))
		if err != nil {
			t.Fatalf("%s: the embedded font does not parse: %v", doc.lang, err)
		}
		drawn, dropped := 0, 0
		for _, r := range doc.lines[0] {
			if unicode.IsLetter(r) {
				if gid, ok := face.NominalGlyph(r); ok {
					if o, ok := face.GlyphDataOutline(gid); ok && len(o.Segments) > 0 {
						drawn++
					}
				}
			}
		}
		for _, r := range map[string]string{"ru": "ЩЪЭ", "ar": "ژڤگ", "hi": "ऋॠऌ"}[doc.lang] { // letters no document uses
			if gid, ok := face.NominalGlyph(r); ok {
				if o, ok := face.GlyphDataOutline(gid); !ok || len(o.Segments) == 0 {
					dropped++
				}
			}
		}
		if drawn == 0 || dropped == 0 {
			t.Errorf("%s: %d of the title's letters drawn, %d unused letters left out", doc.lang, drawn, dropped)
		}
	}
	if len(langs) != 3 {
		t.Fatalf("demo documents in %v, want ru, ar and hi", langs)
	}
}
