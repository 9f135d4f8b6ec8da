package content

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
)

// An entry page asks for the entry's organisations and files only when
// the entry has some (issue 23: each statement is a round trip to
// PostgreSQL), and shows them on the first page read after they are
// added, as it shows their going.
func TestEntryPageAsksForLinksOnlyWhenThereAreSome(t *testing.T) {
	rd, _, _ := entryReference(t)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		p := testPublic(t, s, rd)
		in := EntryInput{Kind: Article}
		src := pub("en", "Outreach report", "outreach-report")
		id := mustSave(t, s, 0, in, src, 0)
		page := func() (string, []string) {
			t.Helper()
			cctx, st := db.CountStatements(ctx)
			r := httptest.NewRequest("GET", "/en/articles/outreach-report", nil).WithContext(cctx)
			r.SetPathValue("lang", "en")
			r.SetPathValue("slug", "outreach-report")
			w := httptest.NewRecorder()
			if err := p.Entry(Article)(w, r); err != nil {
				t.Fatal(err)
			}
			if w.Code != 200 {
				t.Fatalf("entry page: %d", w.Code)
			}
			return w.Body.String(), st.Texts()
		}
		body, texts := page()
		if len(texts) != 2 {
			t.Errorf("an entry with no organisations and no files: %d statements, want 2 (the entry, its links):\n%s", len(texts), strings.Join(texts, "\n---\n"))
		}
		if strings.Contains(body, "Annual figures") || strings.Contains(body, "Harbour Alliance") {
			t.Fatal("the page shows what the entry does not have yet")
		}

		pdf := addMedia(t, d, "2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf", "application/pdf", 1234567)
		att, err := s.AddAttachment(ctx, id, pdf, "en", "Annual figures")
		if err != nil {
			t.Fatal(err)
		}
		if body, _ := page(); !strings.Contains(body, "Annual figures") {
			t.Errorf("the file added is not on the next page:\n%s", body)
		}
		in.OrgIDs = []int64{mustOrg(t, s, Organisation{Slug: "harbour", Name: "Harbour Alliance", Relation: "partner"})}
		mustSave(t, s, id, in, src, 0)
		body, texts = page()
		if !strings.Contains(body, "Harbour Alliance") || !strings.Contains(body, "Annual figures") {
			t.Errorf("the organisation added is not on the next page:\n%s", body)
		}
		if len(texts) != 4 {
			t.Errorf("an entry with an organisation and a file: %d statements, want 4", len(texts))
		}

		if _, err := s.DeleteAttachment(ctx, id, att.ID); err != nil {
			t.Fatal(err)
		}
		in.OrgIDs = nil
		mustSave(t, s, id, in, src, 0)
		if body, _ := page(); strings.Contains(body, "Annual figures") || strings.Contains(body, "Harbour Alliance") {
			t.Errorf("the page still shows what was taken away:\n%s", body)
		}
	})
}
