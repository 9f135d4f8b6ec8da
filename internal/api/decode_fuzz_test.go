package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"peerpress/internal/content"
)

// Any body a client sends is either read into an entry's fields, which
// the editor's checks then take (content.CheckTranslation), or refused
// with a 4xx the client can read: never a panic, never a 5xx.
func FuzzDecodeEntryBody(f *testing.F) {
	for _, seed := range []string{
		`{"lang":"en","kind":"article","title":"Naloxone","body":"# Hi","status":"published","publish_at":"2026-12-03T10:00:00Z"}`,
		`{"title":"x","event":{"starts_at":"2026-12-03T10:00:00+01:00","time_zone":"Europe/Paris","duration_minutes":90}}`,
		`{"tags":["a","b"],"organisations":[],"coauthor_role":"cosigned_by","featured":true}`,
		`{"title":"\u0000"}`, `{"unknown":1}`, `{"title":"a"} {"title":"b"}`, `[]`, `null`, ``, `{"publish_at":"yesterday"}`,
		`{"title":"` + string([]byte{0xff, 0xfe}) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/entries", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var b entryBody
		err := decode(httptest.NewRecorder(), r, &b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Code == "" || e.Message == "" {
				t.Fatalf("body %q: %v, want a 4xx with a code and a message", body, err)
			}
			return
		}
		_ = b.entryWide()
		errs := content.FieldErrors{}
		tr := b.translation(content.TranslationInput{Lang: "en"}, errs)
		content.CheckTranslation(&tr, errs)
	})
}
