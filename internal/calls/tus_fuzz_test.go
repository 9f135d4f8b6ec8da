package calls_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/calls"
	"peerpress/internal/db"
	"peerpress/internal/demo"
	"peerpress/internal/participant"
	"peerpress/internal/secret"
)

// tusSite is a site with the demo's open call and one confirmed
// application to it, whose private link's token uploads name.
type tusSite struct {
	engine  string
	handler http.Handler
	token   string
}

// newTusSite starts the demo over d, in English, with an application
// made straight in the store (no mail, no guard) and its private link.
func newTusSite(tb testing.TB, d *db.DB) tusSite {
	tb.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, d, []string{"en"}); err != nil {
		tb.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: tb.TempDir(), SiteName: "Fuzz", Languages: []string{"en"}, TimeZone: "UTC",
		SiteKey: secret.NewKey()}, d)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := a.Content.BySlug(ctx, "en", demo.DemoCallSlug)
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Calls.Apply(ctx, calls.ApplyInput{EntryID: e.ID, Lang: "en", Origin: "http://fuzz.example", Email: "fuzz@example.org",
		Answers: map[string][]string{"a_name": {"Fuzz Collective"}}, Title: "Call"}); err != nil {
		tb.Fatal(err)
	}
	token, hash := participant.NewLink()
	if _, err := d.Quiet().ExecContext(ctx, `UPDATE applications SET status = ?, confirm_hash = '', manage_hash = ? WHERE entry_id = ?`,
		calls.Confirmed, hash, e.ID); err != nil {
		tb.Fatal(err)
	}
	return tusSite{engine: string(d.Engine), handler: a.Handler, token: token}
}

// do sends one request to the site, in process.
func (s tusSite) do(method, path string, headers map[string]string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range headers {
		if v != "" {
			r.Header[k] = []string{v}
		}
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return w
}

// validMeta is the Upload-Metadata of a real upload; $TOKEN stands for
// the application's private token in fuzzed metadata.
func validMeta(token string) string {
	b := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return "token " + b(token) + ",field " + b("film") + ",filename " + b("film.mp4") + ",lang " + b("en")
}

var tusMethods = []string{http.MethodPost, http.MethodPatch, http.MethodHead, http.MethodOptions, http.MethodGet, http.MethodDelete}

// Whatever a client puts in the tus headers and body — offsets, lengths,
// metadata (with or without a real private link's token), protocol
// versions, content types — the endpoint answers without a panic and
// without a 5xx, other than 503 and 507 (tusd's documented answers when
// storage is busy or full). Each input is sent to the endpoint itself
// (creation), to an upload just created for a real application, and to
// an upload id the input names. With PEERPRESS_TEST_POSTGRES set, every
// input runs on PostgreSQL too, where a NUL byte or invalid UTF-8 that
// reached a query would answer 500.
func FuzzTusHeaders(f *testing.F) {
	tm := validMeta("$TOKEN")
	f.Add(uint8(0), uint8(0), "", "", "16", tm, "1.0.0", "", []byte{})
	f.Add(uint8(1), uint8(1), "", "0", "", "", "1.0.0", "application/offset+octet-stream", []byte("0123456789abcdef"))
	f.Add(uint8(1), uint8(1), "", "4", "", "", "1.0.0", "application/offset+octet-stream", []byte("abc"))
	f.Add(uint8(1), uint8(1), "", "-1", "", "", "1.0.0", "application/offset+octet-stream", []byte("abc"))
	f.Add(uint8(1), uint8(1), "", "99999999999999999999", "", "", "1.0.0", "application/offset+octet-stream", []byte("abc"))
	f.Add(uint8(1), uint8(1), "", "0", "", "", "1.0.0", "text/plain", []byte("abc"))
	f.Add(uint8(2), uint8(1), "", "", "", "", "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "-5", tm, "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "99999999999999999999", tm, "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "16", "token,field,filename", "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "16", "token "+base64.StdEncoding.EncodeToString([]byte("a\x00b"))+",filename "+
		base64.StdEncoding.EncodeToString([]byte("\xff\xfe.mp4")), "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "16", strings.ReplaceAll(tm, "ZW4=", base64.StdEncoding.EncodeToString([]byte("e\x00n"))), "1.0.0", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "16", "%%%% ####", "0.2.2", "", []byte{})
	f.Add(uint8(0), uint8(0), "", "", "", tm, "1.0.0", "application/offset+octet-stream", []byte("0123"))
	f.Add(uint8(1), uint8(2), "0123456789abcdef", "0", "", "", "1.0.0", "application/offset+octet-stream", []byte("x"))
	f.Add(uint8(2), uint8(2), "../../site.key", "", "", "", "1.0.0", "", []byte{})
	f.Add(uint8(1), uint8(2), "x.info", "0", "", "", "1.0.0", "application/offset+octet-stream", []byte("{}"))
	f.Add(uint8(3), uint8(0), "", "", "", "", "", "", []byte{})

	sites := []tusSite{newTusSite(f, apptest.Demo([]string{"en"}).NewSQLite(f))}
	if os.Getenv("PEERPRESS_TEST_POSTGRES") != "" {
		sites = append(sites, newTusSite(f, apptest.Demo([]string{"en"}).NewPostgres(f)))
	}
	f.Fuzz(func(t *testing.T, method, target uint8, id, offset, length, metadata, resumable, ctype string, body []byte) {
		if len(body) > 1<<16 || len(id)+len(offset)+len(length)+len(metadata)+len(resumable)+len(ctype) > 1<<14 {
			return
		}
		for _, s := range sites {
			path := "/uploads/applications/"
			switch target % 3 {
			case 1: // an upload just created for the application
				w := s.do(http.MethodPost, path, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "16",
					"Upload-Metadata": validMeta(s.token)}, nil)
				if w.Code != http.StatusCreated {
					t.Fatalf("%s: creating an upload to fuzz: %d %s", s.engine, w.Code, w.Body)
				}
				loc := w.Header().Get("Location")
				path = loc[strings.Index(loc, "/uploads/"):]
			case 2:
				path += id
			}
			if !validPath(path) {
				continue
			}
			m := tusMethods[int(method)%len(tusMethods)]
			tok := base64.StdEncoding.EncodeToString([]byte(s.token))
			w := s.do(m, path, map[string]string{"Tus-Resumable": resumable, "Upload-Offset": offset, "Upload-Length": length,
				"Upload-Metadata": strings.ReplaceAll(metadata, base64.StdEncoding.EncodeToString([]byte("$TOKEN")), tok),
				"Content-Type":    ctype}, body)
			if w.Code >= 500 && w.Code != http.StatusServiceUnavailable && w.Code != http.StatusInsufficientStorage {
				t.Fatalf("%s: %s %s (offset %q, length %q, metadata %q, Tus-Resumable %q, Content-Type %q, %d bytes): %d %s",
					s.engine, m, path, offset, length, metadata, resumable, ctype, len(body), w.Code, w.Body)
			}
		}
	})
}

// validPath reports whether path can be a request's path at all, as a
// client library would refuse to send it otherwise.
func validPath(path string) bool {
	r, err := http.NewRequest(http.MethodGet, "http://fuzz.example"+path, nil)
	return err == nil && r.URL.Path != "" && !strings.ContainsAny(path, " \t\r\n\x00?#")
}
