package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stageOf reads the stage token of a new entry's form.
func stageOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="stage" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the new entry's form has no stage token")
	}
	return m[1]
}

// postParts sends a multipart form as the editor's script does: fields,
// one file, and Accept: application/json when asJSON.
func postParts(c *client, path string, fields url.Values, field, name string, data []byte, asJSON bool) response {
	c.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return c.Do(req)
}

func count(t *testing.T, s *site, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An editor writes a new entry without saving first: an image placed in
// the text (by the script, answered in JSON), a featured image and a
// report added through the form without JavaScript, then one save claims
// them all; the page serves the image in its sizes.
func TestWritingFilesBeforeFirstSave(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		ac := &client{c}
		form := c.Get("/admin/entries/new?kind=article")
		form.Must(t, 200, `data-toolbar="body"`, `formaction="/admin/entries/preview"`, `name="inline_image"`, "/toolbar.")
		stage := stageOf(t, form.Body)
		typed := url.Values{"csrf": {csrf}, "stage": {stage}, "kind": {"article"}, "lang": {"en"},
			"title": {"Drop-in hours"}, "body": {"Open every weekday."}, "status": {"published"}}
		with := func(extra ...string) url.Values {
			v := url.Values{}
			for k, vs := range typed {
				v[k] = vs
			}
			for i := 0; i+1 < len(extra); i += 2 {
				v.Set(extra[i], extra[i+1])
			}
			return v
		}

		// The script's upload: JSON with the Markdown to insert.
		r := postParts(ac, "/admin/entries/uploads", with("upload", "inline", "inline_alt", "The centre's door"), "inline_image", "door.jpg", jpegBytes(t, 1200, 800), true)
		r.Must(t, 200)
		var ans struct{ Markdown, Error string }
		if err := json.Unmarshal([]byte(r.Body), &ans); err != nil {
			t.Fatalf("answer %q: %v", r.Body, err)
		}
		if !regexp.MustCompile(`^!\[The centre's door\]\(/media/\d{4}/\d{2}/[A-Za-z0-9_-]+\.jpg\)$`).MatchString(ans.Markdown) {
			t.Fatalf("Markdown %q", ans.Markdown)
		}
		// Without JavaScript: the form again, as typed, with what was added.
		r = postParts(ac, "/admin/entries/uploads", with("upload", "featured", "featured_alt", "Volunteers"), "featured_image", "f.jpg", jpegBytes(t, 600, 400), false)
		r.Must(t, 200, `value="Drop-in hours"`, "Open every weekday.", `alt="Volunteers"`, stage)
		r = postParts(ac, "/admin/entries/uploads", with("upload", "attachment", "attachment_lang", "en", "attachment_title", "Hours 2026"), "attachment_file", "hours.pdf", reportPDF("Hours"), false)
		r.Must(t, 200, "Hours 2026", strings.TrimPrefix(ans.Markdown[strings.Index(ans.Markdown, "("):], "("))
		if n := count(t, s, `SELECT COUNT(*) FROM editor_uploads WHERE entry_id IS NULL`); n != 3 {
			t.Fatalf("%d staged uploads, want 3", n)
		}

		save := with("body", "Open every weekday.\n\n"+ans.Markdown+"\n", "action", "save")
		c.Post("/admin/entries", save).Must(t, 303)
		if n := count(t, s, `SELECT COUNT(*) FROM editor_uploads WHERE entry_id IS NULL`); n != 0 {
			t.Errorf("%d uploads still staged after the save", n)
		}
		var id int64
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE slug = 'drop-in-hours'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM entries WHERE id = ? AND featured_media_id IS NOT NULL`, id); n != 1 {
			t.Error("the staged featured image is not the entry's")
		}
		if n := count(t, s, `SELECT COUNT(*) FROM entry_attachments WHERE entry_id = ? AND title = 'Hours 2026'`, id); n != 1 {
			t.Error("the staged file is not attached")
		}
		s.RunJobs() // the image's sizes
		page := s.client().Get("/en/articles/drop-in-hours")
		page.Must(t, 200, `alt="The centre&#39;s door"`, `width="1200" height="800"`, `loading="lazy"`, ` 480w, `, `sizes="(min-width: 48rem) 46rem, 100vw"`, "Hours 2026")

		// Deleting the entry deletes the image placed in its text too.
		path := regexp.MustCompile(`\(/media/([^)]+)\)`).FindStringSubmatch(ans.Markdown)[1]
		c.Post("/admin/entries/"+strconv.FormatInt(id, 10)+"/delete", url.Values{"csrf": {csrf}})
		s.RunJobs()
		if n := count(t, s, `SELECT COUNT(*) FROM media WHERE path = ?`, path); n != 0 {
			t.Error("the image in the deleted entry's text is still stored")
		}
		if s.client().Get("/media/"+path).Status != 404 {
			t.Error("the image in the deleted entry's text is still served")
		}
	})
}

// Uploads the editor refuses leave nothing stored and say why, in the
// admin's language; the form comes back as typed.
func TestWritingUploadRefused(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		ac := &client{c}
		stage := stageOf(t, c.Get("/admin/entries/new?kind=article").Body)
		base := url.Values{"csrf": {csrf}, "stage": {stage}, "lang": {"en"}, "kind": {"article"}, "title": {"Kept as typed"}, "upload": {"inline"}, "inline_alt": {"A door"}}
		before := mediaState(t, s)
		cases := []struct {
			name  string
			path  string
			set   url.Values
			file  []byte
			json  bool
			state int
			want  string
		}{
			{"not an image", "/admin/entries/uploads", nil, []byte("just text, not a picture"), false, 422, "Kept as typed"},
			{"not an image, script", "/admin/entries/uploads", nil, []byte("%PDF-1.4 nope"), true, 422, `"error":`},
			{"no description", "/admin/entries/uploads", url.Values{"inline_alt": {""}}, jpegBytes(t, 50, 50), true, 422, "Describe the image"},
			{"no file", "/admin/entries/uploads", nil, nil, false, 422, "Kept as typed"},
			{"forged token", "/admin/entries/uploads", url.Values{"stage": {"not-a-token"}}, jpegBytes(t, 50, 50), true, 422, "too old"},
			{"unknown role", "/admin/entries/uploads", url.Values{"upload": {"avatar"}}, jpegBytes(t, 50, 50), false, 400, ""},
			{"attachment without title", "/admin/entries/uploads", url.Values{"upload": {"attachment"}, "attachment_lang": {"en"}}, reportPDF("x"), false, 422, "Give the file a title"},
		}
		for _, tc := range cases {
			f := url.Values{}
			for k, v := range base {
				f[k] = v
			}
			for k, v := range tc.set {
				f[k] = v
			}
			field := "inline_image"
			if f.Get("upload") == "attachment" {
				field = "attachment_file"
			}
			r := postParts(ac, tc.path, f, field, "x.jpg", tc.file, tc.json)
			if r.Status != tc.state || !strings.Contains(r.Body, tc.want) {
				t.Errorf("%s: %d, want %d with %q:\n%.600s", tc.name, r.Status, tc.state, tc.want, r.Body)
			}
			if after := mediaState(t, s); after != before {
				t.Errorf("%s: stored something: %s, was %s", tc.name, after, before)
			}
		}
		// Without the session's token: refused before anything is read.
		f := url.Values{"stage": {stage}, "upload": {"inline"}, "inline_alt": {"x"}}
		if r := postParts(ac, "/admin/entries/uploads", f, "inline_image", "x.jpg", jpegBytes(t, 50, 50), true); r.Status != 403 {
			t.Errorf("without CSRF: %d", r.Status)
		}
		// Over the body limit: "too large", with what was typed kept.
		var id int64
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT id FROM entries ORDER BY id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		big := bytes.Repeat([]byte{0xff}, 33<<20)
		r := postParts(ac, "/admin/entries/"+strconv.FormatInt(id, 10)+"/uploads", base, "inline_image", "big.jpg", big, false)
		r.Must(t, 422, "Kept as typed")
		if after := mediaState(t, s); after != before {
			t.Errorf("oversize: stored something: %s", after)
		}
		// A saved entry's image for the text belongs to it at once.
		f = url.Values{"csrf": {csrf}, "upload": {"inline"}, "inline_alt": {"A chart"}}
		r = postParts(ac, "/admin/entries/"+strconv.FormatInt(id, 10)+"/uploads", f, "inline_image", "c.jpg", jpegBytes(t, 80, 60), true)
		r.Must(t, 200, `"markdown":"![A chart](/media/`)
		if n := count(t, s, `SELECT COUNT(*) FROM editor_uploads WHERE entry_id = ? AND role = 'inline'`, id); n != 1 {
			t.Error("the image is not the saved entry's")
		}
		// Only images go in the text of a saved entry; its other files
		// have their own forms.
		f = url.Values{"csrf": {csrf}, "upload": {"featured"}}
		if r := postParts(ac, "/admin/entries/"+strconv.FormatInt(id, 10)+"/uploads", f, "featured_image", "x.jpg", jpegBytes(t, 50, 50), false); r.Status != 400 {
			t.Errorf("featured on a saved entry: %d", r.Status)
		}
	})
}

// Staged files wait a day for their save; then a save no longer claims
// them and they are listed for deletion.
func TestWritingStagedExpire(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		ac := &client{c}
		stage := stageOf(t, c.Get("/admin/entries/new?kind=article").Body)
		f := url.Values{"csrf": {csrf}, "stage": {stage}, "lang": {"en"}, "kind": {"article"}, "upload": {"inline"}, "inline_alt": {"Old"}}
		postParts(ac, "/admin/entries/uploads", f, "inline_image", "x.jpg", jpegBytes(t, 60, 40), true).Must(t, 200)
		ctx := context.Background()
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE editor_uploads SET created_at = ?`, time.Now().Add(-25*time.Hour).Unix()); err != nil {
			t.Fatal(err)
		}
		var path string
		if err := s.App.DB.QueryRowContext(ctx, `SELECT path FROM media m JOIN editor_uploads u ON u.media_id = m.id`).Scan(&path); err != nil {
			t.Fatal(err)
		}
		s.client().Get("/media/"+path).Must(t, 200)
		c.Post("/admin/entries", url.Values{"csrf": {csrf}, "stage": {stage}, "kind": {"article"}, "lang": {"en"}, "title": {"Late"}, "status": {"draft"}})
		if n := count(t, s, `SELECT COUNT(*) FROM editor_uploads WHERE entry_id IS NOT NULL`); n != 0 {
			t.Error("a save claimed an upload staged over a day ago")
		}
		// The task deletes it, file included.
		if n, err := s.App.Content.PurgeUnclaimed(ctx, s.App.Media.Delete); n != 1 || err != nil {
			t.Fatalf("PurgeUnclaimed = %d, %v", n, err)
		}
		s.RunJobs()
		if n := count(t, s, `SELECT COUNT(*) FROM media WHERE path = ?`, path); n != 0 {
			t.Error("the unclaimed image is still recorded")
		}
		if r := s.client().Get("/media/" + path); r.Status != 404 {
			t.Errorf("the unclaimed image is still served: %d", r.Status)
		}
	})
}

// Paste from a word processor: the site answers clean Markdown.
func TestWritingPaste(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		word := `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{font-family:Calibri}</style></head><body>
<!--StartFragment--><p class=MsoNormal><span style='mso-ansi-language:EN-US'>We gave out <b>4,000 kits</b>.<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p><!--EndFragment--></body></html>`
		r := c.Post("/admin/markup/paste", url.Values{"csrf": {csrf}, "html": {word}})
		r.Must(t, 200, `"markdown":"We gave out **4,000 kits**."`)
		r.MustNot(t, "mso", "Calibri", "StartFragment")
		if got := r.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("Cache-Control %q", got)
		}
		if r := c.Post("/admin/markup/paste", url.Values{"html": {word}}); r.Status != 403 {
			t.Errorf("without CSRF: %d", r.Status)
		}
		if r := c.Post("/admin/markup/paste", url.Values{"csrf": {csrf}, "html": {strings.Repeat("a", 4<<20+1)}}); r.Status != 400 {
			t.Errorf("too long a paste: %d", r.Status)
		}
		if r := s.client().Post("/admin/markup/paste", url.Values{"html": {word}}); r.Status != 403 {
			t.Errorf("signed out: %d", r.Status)
		}
	})
}

// The preview is the public page, from the unsaved form, in the entry's
// language and direction; nothing is saved and nothing cached.
func TestWritingPreview(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		entries := count(t, s, `SELECT COUNT(*) FROM entries`)
		f := url.Values{"csrf": {csrf}, "kind": {"article"}, "lang": {"ar"}, "title": {"عنوان المعاينة"},
			"summary": {"ملخص"}, "body": {"## قسم\n\n**مهم** <script>alert(1)</script>"}, "status": {"draft"}, "action": {"preview"}}
		r := c.Post("/admin/entries/preview", f)
		r.Must(t, 200, `<html lang="ar" dir="rtl">`, "<h1", "عنوان المعاينة", "<strong>مهم</strong>", "Test Network", `name="robots"`)
		r.MustNot(t, "<script>alert", `name="stage"`)
		if got := r.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("Cache-Control %q", got)
		}
		if r.Header.Get("X-Frame-Options") != "SAMEORIGIN" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
			t.Errorf("the preview cannot be framed by the editor: %v", r.Header)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM entries`); n != entries {
			t.Errorf("the preview saved an entry")
		}
		// An entry's pages still refuse to be framed.
		if got := s.client().Get("/en/").Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("public page X-Frame-Options %q", got)
		}
		f.Del("csrf")
		if r := c.Post("/admin/entries/preview", f); r.Status != 403 {
			t.Errorf("preview without CSRF: %d", r.Status)
		}
		// A saved entry's translation, as the translator typed it.
		var id int64
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT e.id FROM entries e JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang WHERE e.kind = 'article' ORDER BY e.id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		p := "/admin/entries/" + strconv.FormatInt(id, 10) + "/translations/ru/preview"
		r = c.Post(p, url.Values{"csrf": {csrf}, "title": {"Черновик перевода"}, "body": {"Текст *перевода*"}, "status": {"draft"}})
		r.Must(t, 200, `<html lang="ru" dir="ltr">`, "Черновик перевода", "<em>перевода</em>")
		if r := c.Post("/admin/entries/999999/preview", url.Values{"csrf": {csrf}, "title": {"x"}}); r.Status != 404 {
			t.Errorf("preview of a missing entry: %d", r.Status)
		}
	})
}

// A file chosen in the form of a new entry is kept when the editor
// presses Save instead of its own button: the featured image becomes the
// entry's, an image for the text goes at its end.
func TestWritingSaveKeepsChosenFiles(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		ac := &client{c}
		stage := stageOf(t, c.Get("/admin/entries/new?kind=article").Body)
		f := url.Values{"csrf": {csrf}, "stage": {stage}, "kind": {"article"}, "lang": {"en"}, "title": {"Chosen then saved"},
			"body": {"Text."}, "status": {"published"}, "featured_alt": {"A banner"}, "action": {"save"}}
		postParts(ac, "/admin/entries", f, "featured_image", "banner.jpg", jpegBytes(t, 300, 200), false).Must(t, 303)
		if n := count(t, s, `SELECT COUNT(*) FROM entries e JOIN translations t ON t.entry_id = e.id WHERE t.slug = 'chosen-then-saved' AND e.featured_media_id IS NOT NULL`); n != 1 {
			t.Error("the featured image chosen before Save was dropped")
		}
		// An image for the text without its description: nothing saved,
		// everything typed kept, the reason given.
		stage = stageOf(t, c.Get("/admin/entries/new?kind=article").Body)
		f = url.Values{"csrf": {csrf}, "stage": {stage}, "kind": {"article"}, "lang": {"en"}, "title": {"Second try"}, "body": {"Kept."}, "status": {"draft"}}
		r := postParts(ac, "/admin/entries", f, "inline_image", "x.jpg", jpegBytes(t, 40, 40), false)
		r.Must(t, 422, `value="Second try"`, "Kept.", "Describe the image")
		if n := count(t, s, `SELECT COUNT(*) FROM translations WHERE slug = 'second-try'`); n != 0 {
			t.Error("saved despite the refused image")
		}
		f.Set("inline_alt", "A small square")
		postParts(ac, "/admin/entries", f, "inline_image", "x.jpg", jpegBytes(t, 40, 40), false).Must(t, 303)
		var body string
		if err := s.App.DB.QueryRowContext(context.Background(), `SELECT body FROM translations WHERE slug = 'second-try'`).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^Kept\.\n\n!\[A small square\]\(/media/[^)]+\.jpg\)\n$`).MatchString(body) {
			t.Errorf("body %q", body)
		}
	})
}
