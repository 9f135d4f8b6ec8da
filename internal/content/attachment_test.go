package content

import (
	"context"
	"errors"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/i18n"
)

func addMedia(t *testing.T, d *db.DB, path, mime string, bytes int64) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO media (path, mime, bytes, lang, created_at) VALUES (?, ?, ?, '', ?) RETURNING id`,
			path, mime, bytes, t0.Unix()).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert media %s: %v", path, err)
	}
	return id
}

func TestAttachments(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		id := mustSave(t, s, 0, article, pub("en", "Annual report", "annual-report"), 0)
		other := mustSave(t, s, 0, article, pub("en", "Other entry", "other-entry"), 0)
		enPDF := addMedia(t, d, "2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf", "application/pdf", 1234567)
		ruPDF := addMedia(t, d, "2025/03/BBBBBBBBBBBBBBBBBBBBBB.pdf", "application/pdf", 2048)
		chart := addMedia(t, d, "2025/03/CCCCCCCCCCCCCCCCCCCCCC.png", "image/png", 500)

		if got, err := s.Attachments(ctx, id); err != nil || len(got) != 0 {
			t.Fatalf("Attachments of a new entry = %v, %v", got, err)
		}
		en, err := s.AddAttachment(ctx, id, enPDF, "en", "Annual report 2025")
		if err != nil {
			t.Fatalf("AddAttachment: %v", err)
		}
		want := Attachment{ID: en.ID, EntryID: id, MediaID: enPDF, Lang: "en", Title: "Annual report 2025", Position: 1, CreatedAt: t0,
			Path: "2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf", MIME: "application/pdf", Bytes: 1234567}
		if en != want {
			t.Errorf("AddAttachment = %+v\nwant           %+v", en, want)
		}
		if en.URL() != "/media/2025/03/AAAAAAAAAAAAAAAAAAAAAA.pdf" {
			t.Errorf("URL() = %q", en.URL())
		}
		ru, err := s.AddAttachment(ctx, id, ruPDF, "ru", "Годовой отчёт 2025")
		if err != nil {
			t.Fatal(err)
		}
		png, err := s.AddAttachment(ctx, id, chart, "en", "Chart")
		if err != nil {
			t.Fatal(err)
		}
		if ru.Position != 2 || png.Position != 3 {
			t.Errorf("positions %d, %d; want 2, 3", ru.Position, png.Position)
		}
		got, err := s.Attachments(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0] != en || got[1] != ru || got[2] != png {
			t.Errorf("Attachments = %+v", got)
		}
		if got, _ := s.Attachments(ctx, other); len(got) != 0 {
			t.Errorf("another entry's attachments: %+v", got)
		}
		if _, err := s.AddAttachment(ctx, id+1000, enPDF, "en", "x"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("AddAttachment(missing entry) = %v, want db.ErrNotFound", err)
		}

		// Deleting: only through its own entry; the media item is reported
		// free once nothing refers to it.
		if _, err := s.DeleteAttachment(ctx, other, ru.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("DeleteAttachment through another entry = %v, want db.ErrNotFound", err)
		}
		orphan, err := s.DeleteAttachment(ctx, id, ru.ID)
		if err != nil || orphan != ruPDF {
			t.Errorf("DeleteAttachment = %d, %v; want %d", orphan, err, ruPDF)
		}
		if _, err := s.DeleteAttachment(ctx, id, ru.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("second DeleteAttachment = %v, want db.ErrNotFound", err)
		}
		// A file also used elsewhere is not reported free.
		if _, err := s.SetFeaturedMedia(ctx, other, chart); err != nil {
			t.Fatal(err)
		}
		if orphan, err := s.DeleteAttachment(ctx, id, png.ID); err != nil || orphan != 0 {
			t.Errorf("DeleteAttachment of a featured image = %d, %v; want 0", orphan, err)
		}
		if got, _ := s.Attachments(ctx, id); len(got) != 1 || got[0] != en {
			t.Errorf("after deleting: %+v", got)
		}
		// A new attachment goes after the last one left.
		again, err := s.AddAttachment(ctx, id, ruPDF, "ru", "Годовой отчёт")
		if err != nil || again.Position != 2 {
			t.Errorf("re-added at %d, %v; want 2", again.Position, err)
		}

		// Deleting the entry or the media takes the attachments along.
		if _, err := d.ExecContext(ctx, `DELETE FROM media WHERE id = ?`, enPDF); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Attachments(ctx, id); len(got) != 1 || got[0].ID != again.ID {
			t.Errorf("after deleting a media item: %+v", got)
		}
		if _, err := s.DeleteEntry(ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, d, "entry_attachments"); n != 0 {
			t.Errorf("%d attachments left after deleting the entry", n)
		}
	})
}

func TestOrderAttachments(t *testing.T) {
	b, err := i18n.New([]string{"en", "ru", "fr", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	atts := []Attachment{
		{ID: 1, Lang: "ar"}, {ID: 2, Lang: "en"}, {ID: 3, Lang: "es"}, {ID: 4, Lang: "ru"},
		{ID: 5, Lang: "en"}, {ID: 6, Lang: "fr"}, {ID: 7, Lang: "ru"},
	}
	for lang, want := range map[string][]int64{
		"en": {2, 5, 4, 7, 6, 1, 3},
		"ru": {4, 7, 2, 5, 6, 1, 3},
		"ar": {1, 2, 5, 4, 7, 6, 3},
	} {
		got := orderAttachments(atts, lang, b.Enabled())
		var ids []int64
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		if len(ids) != len(want) {
			t.Fatalf("%s: %v", lang, ids)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Errorf("order on a %s page: %v, want %v", lang, ids, want)
				break
			}
		}
	}
	if atts[0].ID != 1 {
		t.Error("orderAttachments reordered its argument")
	}
}

func TestFileSize(t *testing.T) {
	b, err := i18n.New([]string{"en", "ru", "fr", "hi", "ar"})
	if err != nil {
		t.Fatal(err)
	}
	const nb = "\u00a0"
	cases := []struct {
		lang  string
		bytes int64
		want  string
	}{
		{"en", 1, "0.1" + nb + "KB"},
		{"en", 1024, "1.0" + nb + "KB"},
		{"en", 1536, "1.5" + nb + "KB"},
		{"en", 1023 * 1024, "1,023.0" + nb + "KB"},
		{"en", 1024*1024 - 10, "1.0" + nb + "MB"},
		{"en", 1258291, "1.2" + nb + "MB"},
		{"en", 50 << 20, "50.0" + nb + "MB"},
		{"en", 1500 << 20, "1,500.0" + nb + "MB"},
		{"ru", 1258291, "1,2" + nb + "МБ"},
		{"fr", 1258291, "1,2" + nb + "Mo"},
		{"hi", 1258291, "१.२" + nb + "MB"},
		{"ar", 1258291, "١٫٢" + nb + "ميغابايت"},
	}
	for _, c := range cases {
		if got := fileSize(b.Localizer(c.lang), c.bytes); got != c.want {
			t.Errorf("fileSize(%s, %d) = %q, want %q", c.lang, c.bytes, got, c.want)
		}
	}
	for mime, want := range map[string]string{"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "application/vnd.oasis.opendocument.text": "ODT", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX"} {
		if got := fileType(mime); got != want {
			t.Errorf("fileType(%s) = %q, want %q", mime, got, want)
		}
	}
}
