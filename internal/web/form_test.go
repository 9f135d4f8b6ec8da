package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// upload is a multipart body as a browser sends the form: text fields,
// then the file.
func upload(t *testing.T, limit int64, file []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", "Ana María")
	mw.WriteField("words", "Kind words that must be kept.")
	fw, _ := mw.CreateFormFile("photo", "photo.jpg")
	fw.Write(file)
	mw.Close()
	r := httptest.NewRequest("POST", "/", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, limit)
	return r
}

// A file over the body limit is left out and reported; what was typed
// before it is kept. A file within the limit reads as with any form.
func TestParseFormKeepsFieldsOfTooLargeUpload(t *testing.T) {
	r := upload(t, 64<<10, make([]byte, 200<<10))
	if err := ParseForm(r); err != nil {
		t.Fatalf("a file over the limit: %v", err)
	}
	if r.PostFormValue("name") != "Ana María" || r.PostFormValue("words") != "Kind words that must be kept." {
		t.Errorf("typed fields lost: %v", r.PostForm)
	}
	if !FileTooLarge(r, "photo") || FileTooLarge(r, "name") {
		t.Error("the file over the limit is not reported, or another field is")
	}
	if _, _, err := r.FormFile("photo"); err == nil {
		t.Error("part of a file over the limit was kept")
	}

	photo := bytes.Repeat([]byte("pixels"), 1000)
	r = upload(t, 64<<10, photo)
	if err := ParseForm(r); err != nil {
		t.Fatal(err)
	}
	f, h, err := r.FormFile("photo")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, photo) || h.Filename != "photo.jpg" || FileTooLarge(r, "photo") || r.PostFormValue("name") != "Ana María" {
		t.Errorf("a file within the limit: %d bytes as %q, too large %v", len(got), h.Filename, FileTooLarge(r, "photo"))
	}
	if err := ParseForm(r); err != nil {
		t.Errorf("a second read of the form: %v", err)
	}
}

// What waits in a spool is sealed on disk, reads back whole, and goes
// with Close.
func TestSpoolSealed(t *testing.T) {
	canary := bytes.Repeat([]byte("canary.participant@example.org and a photo's bytes "), 4000) // several chunks
	s, err := newSpool()
	if err != nil {
		t.Fatal(err)
	}
	s.Write(canary)
	onDisk, err := os.ReadFile(s.f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk) < 64<<10 || bytes.Contains(onDisk, []byte("canary")) {
		t.Fatalf("the spool on disk shows what was written: %q", onDisk)
	}
	r, n, err := s.Contents()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(r); !bytes.Equal(got, canary) || n != int64(len(canary)) {
		t.Fatalf("read back %d bytes (%d), want %d", len(got), n, len(canary))
	}
	name := s.f.Name()
	s.Close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("the spool outlived Close: %v", err)
	}
}

// Text no browser sends from a UTF-8 page is refused in multipart forms
// as in urlencoded ones, before any handler or database sees it.
func TestParseFormRefusesUnstorableText(t *testing.T) {
	for _, bad := range []string{"a\x00b", "\xff\xfeab"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("remembered", bad)
		mw.Close()
		r := httptest.NewRequest("POST", "/", &buf)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		err := ParseForm(r)
		if e := asError(err); e.Status != http.StatusBadRequest || e.Key != "form.invalid_text" {
			t.Errorf("%q: %v, want a 400 form.invalid_text", bad, err)
		}
	}
}

// Whatever a client sends as a multipart body, ParseForm answers with an
// error or a form whose every value a database can store: never a panic,
// never text that would make PostgreSQL answer 500.
func FuzzParseForm(f *testing.F) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.SetBoundary("fuzzboundary")
	mw.WriteField("name", "Ana")
	fw, _ := mw.CreateFormFile("photo", "p.jpg")
	fw.Write([]byte("\xff\xd8\xff pixels"))
	mw.Close()
	f.Add(buf.Bytes(), int64(1<<10))
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\x00y\r\n--fuzzboundary--\r\n"), int64(64))
	f.Add([]byte("--fuzzboundary\r\n\r\n"), int64(8))
	f.Fuzz(func(t *testing.T, body []byte, limit int64) {
		limit = max(1, min(limit, 1<<20))
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=fuzzboundary")
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, limit)
		if err := ParseForm(r); err != nil {
			return
		}
		for _, vs := range r.PostForm {
			for _, v := range vs {
				if !cleanText(v) {
					t.Fatalf("a value a database cannot store came through: %q", v)
				}
			}
		}
	})
}
