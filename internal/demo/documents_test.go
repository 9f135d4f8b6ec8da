package demo

import (
	"bytes"
	"strings"
	"testing"

	"peerpress/internal/media"
)

// Every demo document is a PDF that the upload pipeline accepts, so that
// its download works as an editor's would.
func TestDemoDocumentsAreAcceptedPDFs(t *testing.T) {
	for _, doc := range demoDocuments {
		pdf, err := tinyPDF(doc.lines)
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
