package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/web/webtest"
)

// Metadata planted in the test PDFs; none of it may be published.
const (
	leakAuthor  = "Jane Peer"
	leakCreator = "SecretWriter 9"
	leakXMP     = "XMP-LOCATION-50.4501N"
)

// reportPDF is a one-page PDF showing text, with an information
// dictionary and XMP metadata naming its author.
func reportPDF(text string) []byte {
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + leakAuthor + `</dc:creator>` +
		`<dc:coverage>` + leakXMP + `</dc:coverage></rdf:Description></rdf:RDF></x:xmpmeta>`
	content := "BT /F1 18 Tf 20 150 Td (" + text + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp), xmp),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Author (" + leakAuthor + ") /Creator (" + leakCreator + ") /Producer (" + leakCreator + ") /CreationDate (D:20260101120000+02'00') >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// mediaState is what a refused upload must leave unchanged: the rows and
// the files.
func mediaState(t *testing.T, s *site) string {
	t.Helper()
	ctx := context.Background()
	var media, atts int
	if err := s.App.DB.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM media), (SELECT COUNT(*) FROM entry_attachments)`).Scan(&media, &atts); err != nil {
		t.Fatal(err)
	}
	var files []string
	root := filepath.Join(s.App.Config.DataDir, "media")
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return fmt.Sprintf("%d media, %d attachments, files %q", media, atts, files)
}

// downloadLangs lists the lang attributes of the Downloads items, in order.
func downloadLangs(t *testing.T, body string) []string {
	t.Helper()
	start := strings.Index(body, `<section class="downloads"`)
	if start < 0 {
		return nil
	}
	section := body[start:]
	section = section[:strings.Index(section, "</section>")]
	var langs []string
	for _, m := range regexp.MustCompile(`<li lang="([a-z]+)"`).FindAllStringSubmatch(section, -1) {
		langs = append(langs, m[1])
	}
	return langs
}

var deleteAttachmentRe = regexp.MustCompile(`action="(/admin/entries/\d+/attachments/\d+/delete)"`)

// A report carries its PDF in English and in Russian; the page offers
// each, labelled in its own language, the page's own language first.
func TestAttachmentsPerLanguage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "Harm reduction report 2026", "slug", "hr-report-2026")
		r := c.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"Доклад о снижении вреда 2026"},
			"slug": {"doklad-2026"}, "body": {"Текст доклада."}, "status": {"published"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("translation: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		reader := s.client()
		reader.Get("/en/articles/hr-report-2026").MustNot(t, `class="downloads"`)
		edit := c.Get("/admin/entries/" + id)
		edit.Must(t, 200, `id="attachments"`, `action="/admin/entries/`+id+`/attachments" enctype="multipart/form-data"`, `<option value="ru" lang="ru">Русский</option>`)

		// The Russian file first, so that order on the page is not upload order.
		attach := func(lang, title, text string) {
			t.Helper()
			r := c.upload("/admin/entries/"+id+"/attachments", csrf, "file", "report-"+lang+".pdf", reportPDF(text),
				url.Values{"lang": {lang}, "title": {title}})
			if r.Status != http.StatusSeeOther || r.Location != "/admin/entries/"+id+"?saved=1#attachments" {
				t.Fatalf("attach %s: %d %q\n%s", lang, r.Status, r.Location, webtest.Snippet(r.Body))
			}
		}
		attach("ru", "Доклад (PDF, русский)", "Russian text")
		attach("en", "Harm reduction report (PDF)", "English text")

		edit = c.Get("/admin/entries/" + id)
		edit.Must(t, 200, "Доклад (PDF, русский)", "Harm reduction report (PDF)", `<td lang="ru" dir="ltr">Русский</td>`, "<td>PDF</td>")
		if n := len(deleteAttachmentRe.FindAllString(edit.Body, -1)); n != 2 {
			t.Fatalf("%d remove buttons, want 2", n)
		}

		en := reader.Get("/en/articles/hr-report-2026")
		en.Must(t, 200, `<h2 id="downloads-title">Downloads</h2>`)
		if got := downloadLangs(t, en.Body); strings.Join(got, " ") != "en ru" {
			t.Fatalf("downloads on the English page in order %v, want en ru", got)
		}
		enItem := regexp.MustCompile(`<li lang="en" dir="ltr"><a href="(/media/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.pdf)" hreflang="en" type="application/pdf" download="Harm reduction report \(PDF\)\.pdf">Harm reduction report \(PDF\)</a>\s*` +
			`<span class="meta">English · PDF · \d+\.\d\x{a0}KB</span></li>`).FindStringSubmatch(en.Body)
		if enItem == nil {
			t.Fatalf("no English download item as expected:\n%s", webtest.Snippet(en.Body[strings.Index(en.Body, `<section class="downloads"`):]))
		}
		// The Russian file is labelled in Russian, even on the English page.
		ruItem := regexp.MustCompile(`<li lang="ru" dir="ltr"><a href="(/media/[^"]+\.pdf)" hreflang="ru" type="application/pdf"[^>]*>Доклад \(PDF, русский\)</a>\s*` +
			`<span class="meta">Русский · PDF · \d+,\d\x{a0}КБ</span></li>`).FindStringSubmatch(en.Body)
		if ruItem == nil {
			t.Fatal("no Russian download item labelled in Russian")
		}
		ru := reader.Get("/ru/articles/doklad-2026")
		ru.Must(t, 200, `<h2 id="downloads-title">Файлы</h2>`)
		if got := downloadLangs(t, ru.Body); strings.Join(got, " ") != "ru en" {
			t.Fatalf("downloads on the Russian page in order %v, want ru en", got)
		}

		// The files are served as PDFs, in a sandbox, without the metadata
		// they were uploaded with, under names that say nothing.
		for _, u := range []string{enItem[1], ruItem[1]} {
			f := reader.Get(u)
			if f.Status != 200 || f.Header.Get("Content-Type") != "application/pdf" || f.Header.Get("Content-Security-Policy") != "sandbox" ||
				f.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("GET %s: %d, type %q, CSP %q", u, f.Status, f.Header.Get("Content-Type"), f.Header.Get("Content-Security-Policy"))
			}
			if !strings.HasPrefix(f.Body, "%PDF-") || !strings.Contains(f.Body, "text) Tj") {
				t.Errorf("GET %s: not the PDF uploaded", u)
			}
			for _, leak := range []string{leakAuthor, leakCreator, leakXMP, "report-"} {
				if strings.Contains(f.Body, leak) || strings.Contains(u, leak) {
					t.Errorf("GET %s: %q survived", u, leak)
				}
			}
		}

		// Removing one: gone from the page, and its file no longer served.
		del := deleteAttachmentRe.FindAllStringSubmatch(c.Get("/admin/entries/"+id).Body, -1)
		r = c.Post(del[0][1], url.Values{"csrf": {csrf}}) // the Russian one, attached first
		if r.Status != http.StatusSeeOther {
			t.Fatalf("remove: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		if got := downloadLangs(t, reader.Get("/en/articles/hr-report-2026").Body); strings.Join(got, " ") != "en" {
			t.Errorf("after removing the Russian file: %v", got)
		}
		reader.Get(ruItem[1]).Must(t, http.StatusNotFound)
		reader.Get(enItem[1]).Must(t, http.StatusOK)
		c.Post(del[0][1], url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
		c.Post("/admin/entries/"+id+"/attachments/abc/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
		// An attachment is removed only through its own entry.
		other := c.createEntry(csrf, "title", "Another entry")
		del = deleteAttachmentRe.FindAllStringSubmatch(c.Get("/admin/entries/"+id).Body, -1)
		c.Post(strings.Replace(del[0][1], "/entries/"+id+"/", "/entries/"+other+"/", 1), url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
		reader.Get(enItem[1]).Must(t, http.StatusOK)
		// Without the form's token, nothing happens.
		c.Post(del[0][1], url.Values{}).Must(t, http.StatusForbidden)
		reader.Get(enItem[1]).Must(t, http.StatusOK)
	})
}

// Every bad upload is refused with the reason on the entry's page, and
// stores nothing: no row, no file.
func TestAttachmentUploadRefusals(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "Report with refusals")
		path := "/admin/entries/" + id + "/attachments"
		good := reportPDF("Fine")
		before := mediaState(t, s)
		fields := func(kv ...string) url.Values {
			v := url.Values{"lang": {"en"}, "title": {"A report"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		tooBig := append([]byte("%PDF-1.4\n"), make([]byte, 50<<20)...)
		cases := []struct {
			name     string
			filename string
			data     []byte
			fields   url.Values
			want     string
		}{
			{"no file", "", nil, fields(), "Choose a file to attach."},
			{"HTML named .pdf", "report.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), fields(), "This type of file is not accepted"},
			{"damaged Word document", "report.docx", []byte("PK\x03\x04\x14\x00\x06\x00[Content_Types].xml"), fields(), "could not be read"},
			{"truncated PDF", "report.pdf", good[:len(good)/2], fields(), "could not be read"},
			{"over 50 MB", "big.pdf", tooBig, fields(), "The limit is 50 MB."},
			// Over the form's limit: the file is left out, not the form.
			{"over the form's limit", "huge.pdf", append(tooBig, make([]byte, 3<<20)...), fields(), "The limit is 50 MB."},
			{"unknown language", "report.pdf", good, fields("lang", "xx"), "Choose one of the options offered."},
			{"disabled language", "report.pdf", good, fields("lang", "de"), "Choose one of the options offered."},
			{"empty title", "report.pdf", good, fields("title", "  "), "This field is required."},
			{"overlong title", "report.pdf", good, fields("title", strings.Repeat("я", 301)), "This is too long."},
			{"bad title and bad file", "report.pdf", []byte("<html>"), fields("title", ""), "This field is required."},
		}
		for _, tc := range cases {
			r := c.upload(path, csrf, "file", tc.filename, tc.data, tc.fields)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422\n%s", tc.name, r.Status, webtest.Snippet(r.Body))
				continue
			}
			if !strings.Contains(r.Body, tc.want) {
				t.Errorf("%s: page lacks %q", tc.name, tc.want)
			}
			if !strings.Contains(r.Body, `id="attachments"`) || !strings.Contains(r.Body, "Report with refusals") {
				t.Errorf("%s: not the entry's page", tc.name)
			}
			if strings.Contains(r.Body, "\xff") || strings.Contains(r.Body, "\x00") {
				t.Errorf("%s: the page shows bytes that are not text", tc.name)
			}
			if after := mediaState(t, s); after != before {
				t.Fatalf("%s stored something: %s, before %s", tc.name, after, before)
			}
		}
		// Bytes no browser sends from a UTF-8 page are refused before the
		// handler, as in any form (web.ParseForm).
		for _, title := range []string{"Report \xff\xfe", "Report\x00"} {
			c.upload(path, csrf, "file", "report.pdf", good, fields("title", title)).Must(t, http.StatusBadRequest, "cannot be stored")
			if after := mediaState(t, s); after != before {
				t.Fatalf("title %q stored something", title)
			}
		}
		// The form keeps what was typed, with a file of any size.
		r := c.upload(path, csrf, "file", "x.pdf", []byte("<html>"), fields("lang", "ru", "title", "Доклад"))
		r.Must(t, http.StatusUnprocessableEntity, `value="Доклад"`, `<option value="ru" lang="ru" selected>`)
		r = c.upload(path, csrf, "file", "x.pdf", make([]byte, 60<<20), fields("lang", "ru", "title", "Доклад"))
		r.Must(t, http.StatusUnprocessableEntity, `value="Доклад"`, `<option value="ru" lang="ru" selected>`, "The limit is 50 MB.")
		// A featured image over the form's limit: "too large", not "this
		// form has expired".
		img := c.upload("/admin/entries/"+id+"/image", csrf, "image", "phone.jpg", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 33<<20)...), url.Values{"alt": {"A phone photo"}})
		img.Must(t, http.StatusUnprocessableEntity, "The file is too large. The limit is 30 MB.")
		img.MustNot(t, "expired")
		// And the same form with a good file is accepted.
		r = c.upload(path, csrf, "file", "report.pdf", good, fields())
		if r.Status != http.StatusSeeOther {
			t.Fatalf("good upload after refusals: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		if after := mediaState(t, s); after == before {
			t.Fatal("the good upload stored nothing")
		}
		// An image is a document too, re-encoded like a featured image.
		r = c.upload(path, csrf, "file", "chart.jpg", jpegBytes(t, 64, 48), fields("title", "Chart"))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("image attachment: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		s.client().Get("/en/articles/report-with-refusals").Must(t, 200, `type="image/jpeg" download="Chart.jpg">Chart</a>`, "English · JPEG · ")
	})
}

// Attaching and removing files takes the same right as editing the entry:
// an author only on their own entries.
func TestAttachmentPermissions(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		if _, err := s.App.Users.CreateUser(context.Background(), "author@example.org", "Author", auth.RoleAuthor, "author-password-1"); err != nil {
			t.Fatal(err)
		}
		admin := s.client()
		acsrf := admin.SignIn(s.Login.Email, s.Login.Password)
		adminsEntry := admin.createEntry(acsrf, "title", "Admin's report")
		r := admin.upload("/admin/entries/"+adminsEntry+"/attachments", acsrf, "file", "r.pdf", reportPDF("Admin"), url.Values{"lang": {"en"}, "title": {"Admin file"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("admin attach: %d", r.Status)
		}
		del := deleteAttachmentRe.FindStringSubmatch(admin.Get("/admin/entries/" + adminsEntry).Body)
		before := mediaState(t, s)

		author := s.client()
		csrf := author.SignIn("author@example.org", "author-password-1")
		author.upload("/admin/entries/"+adminsEntry+"/attachments", csrf, "file", "r.pdf", reportPDF("Hijack"), url.Values{"lang": {"en"}, "title": {"Hijack"}}).
			Must(t, http.StatusForbidden)
		author.Post(del[1], url.Values{"csrf": {csrf}}).Must(t, http.StatusForbidden)
		if after := mediaState(t, s); after != before {
			t.Fatalf("a refused author changed attachments: %s, before %s", after, before)
		}
		// Signed out: refused too.
		s.client().upload("/admin/entries/"+adminsEntry+"/attachments", csrf, "file", "r.pdf", reportPDF("Anon"), url.Values{"lang": {"en"}, "title": {"Anon"}}).
			Must(t, http.StatusForbidden)

		own := author.createEntry(csrf, "title", "Author's report", "status", "draft")
		r = author.upload("/admin/entries/"+own+"/attachments", csrf, "file", "r.pdf", reportPDF("Own"), url.Values{"lang": {"en"}, "title": {"My file"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("author attaching to their own entry: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		author.Get("/admin/entries/"+own).Must(t, 200, "My file")
	})
}

// docxWithAuthor is a minimal Word document whose properties and comment
// name its author.
func docxWithAuthor(t *testing.T, author, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"docProps/core.xml", `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + author + `</dc:creator><cp:lastModifiedBy>` + author + `</cp:lastModifiedBy></cp:coreProperties>`},
		{"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`},
		{"word/comments.xml", `<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="` + author + `"/></w:comments>`},
	} {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A Word document is offered as a download, without the name of whoever
// wrote it; a ZIP that is no office document is refused.
func TestAttachmentOfficeDocument(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "Outreach guide", "slug", "outreach-guide", "status", "published")
		path := "/admin/entries/" + id + "/attachments"
		doc := docxWithAuthor(t, "Jane Peer", "Carry naloxone")
		r := c.upload(path, csrf, "file", "guide.docx", doc, url.Values{"lang": {"en"}, "title": {"Outreach guide"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		c.Get("/admin/entries/"+id).Must(t, 200, "<td>DOCX</td>")
		page := s.client().Get("/en/articles/outreach-guide")
		m := regexp.MustCompile(`href="(/media/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.docx)"[^>]*download="Outreach guide\.docx"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no download link to the document:\n%s", webtest.Snippet(page.Body))
		}
		f := s.client().Get(m[1])
		if f.Status != 200 || f.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
			f.Header.Get("Content-Disposition") != "attachment" {
			t.Fatalf("GET %s: %d %q %q", m[1], f.Status, f.Header.Get("Content-Type"), f.Header.Get("Content-Disposition"))
		}
		zr, err := zip.NewReader(strings.NewReader(f.Body), int64(len(f.Body)))
		if err != nil {
			t.Fatalf("served document is not a zip: %v", err)
		}
		var words bool
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			if strings.Contains(string(b), "Jane Peer") {
				t.Errorf("%s names the author", zf.Name)
			}
			words = words || strings.Contains(string(b), "Carry naloxone")
		}
		if !words {
			t.Error("the document's words are gone")
		}

		var notDoc bytes.Buffer
		zw := zip.NewWriter(&notDoc)
		w, _ := zw.Create("notes.txt")
		w.Write([]byte("not a document"))
		zw.Close()
		c.upload(path, csrf, "file", "other.docx", notDoc.Bytes(), url.Values{"lang": {"en"}, "title": {"Macro"}}).
			Must(t, http.StatusUnprocessableEntity, "This type of file is not accepted")
	})
}
