package campaign_test

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"testing"
)

// Staff add a tribute gathered elsewhere, with its photo and how consent
// was given: published at once it is on the wall, with its photo stripped
// of metadata; queued, it waits for a moderator. The consent is sealed and
// shown on no public page.
func TestStaffAddTribute(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		id := strconv.FormatInt(openWall(t, s), 10)
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Get("/admin/entries/"+id+"/campaign").Must(t, 200, `href="/admin/entries/`+id+`/campaign/tributes/new"`)
		admin.Get("/admin/entries/"+id+"/campaign/tributes/new").Must(t, 200, "Name as it should appear", "How it was given", "Given by", "Publish on the wall now")
		path := "/admin/entries/" + id + "/campaign/tributes"
		form := func(name, publish string) url.Values {
			return url.Values{"csrf": {csrf}, "lang": {"en"}, "remembered": {name}, "body": {"Always first to help."},
				"consent_evidence": {"reply to our post on 2025-03-02"}, "consent_by": {"her sister Ana"}, "publish": {publish}}
		}
		r := admin.multipart(path, form("Marta Silva", "yes"), "marta.jpg", secretJPEG(t, 64, 48))
		if r.Status != 303 || r.Location != path+"/new?added=1" {
			t.Fatalf("add: %d %q", r.Status, r.Location)
		}
		admin.Get(r.Location).Must(t, 200, "The tribute was added.")
		page := s.client().Get(wall)
		page.Must(t, 200, "Marta Silva", "Always first to help.")
		page.MustNot(t, "her sister", "reply to our post")
		for p, b := range tributeFiles(t, s, s.App.DB, "Marta Silva") {
			if len(b) == 0 || bytes.Contains(b, []byte(gpsSecret)) || bytes.Contains(b, []byte(commentSecret)) {
				t.Errorf("photo %s: %d bytes, metadata kept", p, len(b))
			}
		}
		var evidence, by string
		var addedBy int64
		if err := s.App.DB.QueryRowContext(ctx, `SELECT consent_evidence, consent_by, added_by FROM tributes WHERE remembered = ?`, "Marta Silva").
			Scan(&evidence, &by, &addedBy); err != nil {
			t.Fatal(err)
		}
		if evidence == "" || bytes.Contains([]byte(evidence+by), []byte("sister")) || addedBy == 0 {
			t.Errorf("consent stored as %q / %q, added by %d", evidence, by, addedBy)
		}

		admin.multipart(path, form("Queued Person", "no"), "", nil).Must(t, 303)
		s.client().Get(wall).MustNot(t, "Queued Person")
		mod, mcsrf := s.moderator()
		mod.Get("/admin/moderation").Must(t, 200, "Queued Person")
		mod.decide(mcsrf, "approve", tributeID(t, s.App.DB, "Queued Person"))
		s.client().Get(wall).Must(t, 200, "Queued Person")
	})
}

// A staff form missing its consent, its words or with a bad photo keeps
// everything typed and stores nothing.
func TestStaffAddTributeRefusals(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		id := strconv.FormatInt(openWall(t, s), 10)
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		path := "/admin/entries/" + id + "/campaign/tributes"
		count := func() int {
			var n int
			s.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tributes`).Scan(&n)
			return n
		}
		before := count()
		base := url.Values{"csrf": {csrf}, "lang": {"en"}, "remembered": {"Keep Me"}, "body": {"Words kept"}, "publish": {"yes"},
			"consent_evidence": {"on paper"}, "consent_by": {"himself"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range base {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		admin.multipart(path, with("consent_evidence", ""), "", nil).Must(t, 422, "Record how consent was given", `value="Keep Me"`, "Words kept")
		admin.multipart(path, with("consent_by", " "), "", nil).Must(t, 422, "Record how consent was given", `value="on paper"`)
		admin.multipart(path, with("body", ""), "", nil).Must(t, 422, `value="Keep Me"`)
		admin.multipart(path, with("lang", "xx"), "", nil).Must(t, 422, "Choose one of the languages offered")
		admin.multipart(path, base, "notes.txt", []byte("not a photo")).Must(t, 422, `value="Keep Me"`, "Words kept")
		if count() != before {
			t.Fatal("a refused form stored a tribute")
		}
	})
}
