package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/api"
	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/secret"
	"peerpress/internal/web/webtest"
)

// call sends an API request with an optional token and JSON body.
func (c *client) call(method, path, token, body string, header ...string) response {
	c.T.Helper()
	var req *http.Request
	if body != "" {
		req, _ = http.NewRequest(method, c.Base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequest(method, c.Base+path, nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Do(req)
}

// apiError reads the error code of a JSON error answer, failing the test
// when the answer is not one.
func apiError(t *testing.T, r response, status int, code string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string                     `json:"code"`
			Message string                     `json:"message"`
			Fields  map[string]json.RawMessage `json:"fields"`
		} `json:"error"`
	}
	if r.Status != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(r.Body), &e) != nil ||
		e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("want %d %s, got %d %q: %s", status, code, r.Status, r.Header.Get("Content-Type"), webtest.Snippet(r.Body))
	}
}

type apiEntries struct {
	Entries []struct {
		ID          int64  `json:"id"`
		Kind        string `json:"kind"`
		Lang        string `json:"lang"`
		Slug        string `json:"slug"`
		URL         string `json:"url"`
		PublishedAt string `json:"published_at"`
		Section     string `json:"section"`
	} `json:"entries"`
	NextCursor *string `json:"next_cursor"`
}

type apiEntry struct {
	ID           int64    `json:"id"`
	Kind         string   `json:"kind"`
	SourceLang   string   `json:"source_lang"`
	Section      string   `json:"section"`
	Tags         []string `json:"tags"`
	Orgs         []string `json:"organisations"`
	CoauthorRole string   `json:"coauthor_role"`
	Translations []struct {
		Lang     string `json:"lang"`
		Title    string `json:"title"`
		Slug     string `json:"slug"`
		Status   string `json:"status"`
		BodyHTML string `json:"body_html"`
		URL      string `json:"url"`
	} `json:"translations"`
}

func decodeJSON(t *testing.T, r response, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, webtest.Snippet(r.Body))
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%v: %s", err, webtest.Snippet(r.Body))
	}
}

// The read side: listings with filters and cursors that walk every entry
// once, one entry with its visible translations, events with their zones,
// organisations, and JSON errors for what is wrong.
func TestAPIRead(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()

		// A walk by cursor gives exactly the entries of one big page, in order.
		var all apiEntries
		decodeJSON(t, c.Get("/api/v1/entries?lang=en&limit=100"), 200, &all)
		var visible int
		d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM translations t JOIN entries e ON e.id = t.entry_id
			WHERE t.lang = 'en' AND t.Status <> 'draft' AND t.publish_at <= ? AND e.kind <> 'page'`, time.Now().Unix()).Scan(&visible)
		if len(all.Entries) != visible || all.NextCursor != nil {
			t.Fatalf("one page of 100: %d entries (next %v), %d visible", len(all.Entries), all.NextCursor, visible)
		}
		var walked []int64
		seen := map[int64]bool{}
		path := "/api/v1/entries?lang=en&limit=7"
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("the cursor walk does not end")
			}
			var page apiEntries
			decodeJSON(t, c.Get(path), 200, &page)
			if len(page.Entries) > 7 {
				t.Fatalf("%d entries on a page of 7", len(page.Entries))
			}
			for _, e := range page.Entries {
				if seen[e.ID] {
					t.Fatalf("entry %d twice", e.ID)
				}
				seen[e.ID] = true
				walked = append(walked, e.ID)
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/entries?lang=en&limit=7&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		if len(walked) != len(all.Entries) {
			t.Fatalf("walked %d entries, %d exist", len(walked), len(all.Entries))
		}
		var last time.Time
		for i, e := range all.Entries {
			if walked[i] != e.ID {
				t.Fatalf("position %d: walked %d, listed %d", i, walked[i], e.ID)
			}
			at, err := time.Parse(time.RFC3339, e.PublishedAt)
			if err != nil || (i > 0 && at.After(last)) || !strings.HasPrefix(e.URL, s.Server.URL+"/en/") || e.Lang != "en" || e.Kind == "page" {
				t.Fatalf("entry %d: %+v", i, e)
			}
			last = at
		}

		// Filters.
		var events, news, tagged, ru apiEntries
		decodeJSON(t, c.Get("/api/v1/entries?kind=event&limit=100"), 200, &events)
		decodeJSON(t, c.Get("/api/v1/entries?section=news&limit=100"), 200, &news)
		decodeJSON(t, c.Get("/api/v1/entries?tag=naloxone&limit=100"), 200, &tagged)
		decodeJSON(t, c.Get("/api/v1/entries?lang=ru&limit=5"), 200, &ru)
		if len(events.Entries) == 0 || len(news.Entries) == 0 || len(tagged.Entries) == 0 || len(ru.Entries) != 5 || ru.NextCursor == nil {
			t.Fatalf("filters: %d events, %d news, %d tagged, %d ru", len(events.Entries), len(news.Entries), len(tagged.Entries), len(ru.Entries))
		}
		for _, e := range events.Entries {
			if e.Kind != "event" {
				t.Errorf("kind=event gave a %s", e.Kind)
			}
		}
		for _, e := range news.Entries {
			if e.Section != "news" {
				t.Errorf("section=news gave %q", e.Section)
			}
		}
		for _, e := range ru.Entries {
			if e.Lang != "ru" || !strings.Contains(e.URL, "/ru/") {
				t.Errorf("lang=ru gave %+v", e)
			}
		}
		// Bad parameters.
		for path, code := range map[string]string{
			"/api/v1/entries?cursor=%21%21":                            "invalid_cursor",
			"/api/v1/entries?cursor=bm90IGEgY3Vyc29y":                  "invalid_cursor", // base64 of "not a cursor"
			"/api/v1/entries?cursor=djoxMDA6Mw":                        "invalid_cursor", // an events cursor
			"/api/v1/entries?limit=101":                                "invalid_limit",
			"/api/v1/entries?limit=0":                                  "invalid_limit",
			"/api/v1/entries?limit=ten":                                "invalid_limit",
			"/api/v1/entries?lang=xx":                                  "invalid_lang",
			"/api/v1/entries?kind=rumour":                              "invalid_kind",
			"/api/v1/entries?section=nope":                             "invalid_section",
			"/api/v1/entries?tag=nope":                                 "invalid_tag",
			"/api/v1/events?from=tomorrow":                             "invalid_from",
			"/api/v1/events?cursor=" + url.QueryEscape(*ru.NextCursor): "invalid_cursor",
		} {
			t.Run(path, func(t *testing.T) { apiError(t, c.Get(path), 400, code) })
		}

		// One entry: its visible translations only.
		var id int64
		d.QueryRowContext(context.Background(), `SELECT entry_id FROM translations WHERE lang = 'en' AND slug = 'remember-every-name'`).Scan(&id)
		var e apiEntry
		decodeJSON(t, c.Get("/api/v1/entries/"+strconv.FormatInt(id, 10)), 200, &e)
		var langs []string
		for _, tr := range e.Translations {
			langs = append(langs, tr.Lang)
			if tr.URL == "" || tr.BodyHTML == "" || tr.Status == "draft" {
				t.Errorf("translation %s: %+v", tr.Lang, tr)
			}
		}
		if e.ID != id || e.Kind != "campaign" || e.SourceLang != "en" || e.Section != "advocacy" || len(e.Tags) == 0 ||
			strings.Join(langs, ",") != "ar,en,es,fr,ru" {
			t.Fatalf("entry: %+v (languages %v)", e, langs)
		}
		var draftID int64
		d.QueryRowContext(context.Background(), `SELECT e.id FROM entries e WHERE NOT EXISTS (SELECT 1 FROM translations t
			WHERE t.entry_id = e.id AND t.Status <> 'draft' AND t.publish_at <= ?) ORDER BY e.id LIMIT 1`, time.Now().Unix()).Scan(&draftID)
		if draftID == 0 {
			t.Fatal("the demo has no unpublished entry")
		}
		apiError(t, c.Get("/api/v1/entries/"+strconv.FormatInt(draftID, 10)), 404, "not_found")
		apiError(t, c.Get("/api/v1/entries/999999"), 404, "not_found")
		apiError(t, c.Get("/api/v1/entries/abc"), 404, "not_found")

		// Events: start times in their own zone, with the zone's name.
		var ev struct {
			Events []struct {
				ID       int64  `json:"id"`
				StartsAt string `json:"starts_at"`
				EndsAt   string `json:"ends_at"`
				TimeZone string `json:"time_zone"`
				URL      string `json:"url"`
			} `json:"events"`
			NextCursor *string `json:"next_cursor"`
		}
		decodeJSON(t, c.Get("/api/v1/events?lang=en&from=2000-01-01T00:00:00Z&limit=100"), 200, &ev)
		if len(ev.Events) == 0 {
			t.Fatal("no events")
		}
		var prev time.Time
		for _, e := range ev.Events {
			at, err := time.Parse(time.RFC3339, e.StartsAt)
			loc, lerr := time.LoadLocation(e.TimeZone)
			if err != nil || lerr != nil || e.TimeZone == "" || !strings.Contains(e.URL, "/en/events/") {
				t.Fatalf("event %+v", e)
			}
			if _, off := at.In(loc).Zone(); func() int { _, o := at.Zone(); return o }() != off {
				t.Errorf("event %d: %s is not in %s's offset", e.ID, e.StartsAt, e.TimeZone)
			}
			if at.Before(prev) {
				t.Errorf("events out of order")
			}
			prev = at
		}
		var upcoming struct {
			Events []json.RawMessage `json:"events"`
		}
		decodeJSON(t, c.Get("/api/v1/events"), 200, &upcoming)
		if len(upcoming.Events) >= len(ev.Events) {
			t.Errorf("upcoming events %d, all %d: past events listed", len(upcoming.Events), len(ev.Events))
		}

		var orgs struct {
			Organisations []struct {
				Slug, Name, Relation string
			} `json:"organisations"`
		}
		decodeJSON(t, c.Get("/api/v1/organisations"), 200, &orgs)
		if len(orgs.Organisations) == 0 || !strings.Contains(c.Get("/api/v1/organisations").Body, "Harbour Harm Reduction Alliance") {
			t.Fatalf("organisations: %+v", orgs)
		}

		var spec struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		decodeJSON(t, c.Get("/api/v1/openapi.json"), 200, &spec)
		if spec.OpenAPI != "3.1.0" || len(spec.Paths) == 0 {
			t.Fatalf("openapi: %+v", spec)
		}

		// Unknown addresses and methods answer in JSON too.
		apiError(t, c.Get("/api/v1/nope"), 404, "not_found")
		apiError(t, c.Get("/api/v2/entries"), 404, "not_found")
		r := c.call("DELETE", "/api/v1/entries/1", "", "")
		apiError(t, r, 405, "method_not_allowed")
		if r.Header.Get("Allow") != "GET, PATCH" {
			t.Errorf("Allow: %q", r.Header.Get("Allow"))
		}
	})
}

// Every route of the API's table is mounted in the application's: each
// answers from its handler, not from the site's catch-all or the API's
// fallback.
func TestAPIRoutesMounted(t *testing.T) {
	s := sqliteSite(t)
	d := s.App.DB
	c := s.client()
	// Without configured origins, no CORS header at all.
	if r := c.call("GET", "/api/v1/entries", "", "", "Origin", "https://partner.example"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no origins configured, yet %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
	var id string
	d.QueryRowContext(context.Background(), `SELECT CAST(entry_id AS TEXT) FROM translations WHERE lang = 'en' AND slug = 'remember-every-name'`).Scan(&id)
	for _, rt := range api.New(api.Config{}).Routes() {
		path := strings.ReplaceAll(rt.Path, "{id}", id)
		want := http.StatusOK
		if rt.Method != "GET" {
			want = http.StatusUnauthorized // the handler asks for a token
		}
		if r := c.call(rt.Method, path, "", "{}"); r.Status != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %q: %s", rt.Method, path, r.Status, r.Header.Get("Content-Type"), webtest.Snippet(r.Body))
		}
	}
}

// The write side: tokens carry their user's role; authors change their
// own entries only, translators only translations into their languages;
// bodies are checked strictly; cookies count for nothing.
func TestAPIWrite(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		ctx := context.Background()
		c := s.client()
		users := s.App.Users
		mkUser := func(email string, role auth.Role, langs ...string) (auth.User, string) {
			u, err := users.CreateUser(ctx, email, email, role, "a-long-password-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(langs) > 0 {
				if err := users.SetLanguages(ctx, u.ID, langs); err != nil {
					t.Fatal(err)
				}
			}
			_, token, err := users.CreateAPIToken(ctx, u.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			return u, token
		}
		author, authorToken := mkUser("author@example.org", auth.RoleAuthor)
		_, translatorToken := mkUser("translator@example.org", auth.RoleTranslator, "fr")
		editor, editorToken := mkUser("editor@example.org", auth.RoleEditor)

		// Create: an author's entry, published, with a section and tags.
		r := c.call("POST", "/api/v1/entries", authorToken, `{"kind": "article", "lang": "en", "title": "Written by a program",
			"summary": "Through the API", "body": "# Hello\n\n<script>alert(1)</script>Text", "status": "published",
			"section": "news", "tags": ["naloxone"]}`)
		var created apiEntry
		decodeJSON(t, r, http.StatusCreated, &created)
		if created.Kind != "article" || created.Section != "news" || len(created.Translations) != 1 || created.Translations[0].Slug != "written-by-a-program" ||
			strings.Contains(created.Translations[0].BodyHTML, "<script") || r.Location != "/api/v1/entries/"+strconv.FormatInt(created.ID, 10) {
			t.Fatalf("created: %+v, Location %q", created, r.Location)
		}
		s.client().Get("/en/articles/written-by-a-program").Must(t, 200, "Through the API")
		var authorID int64
		d.QueryRowContext(ctx, `SELECT author_id FROM entries WHERE id = ?`, created.ID).Scan(&authorID)
		if authorID != author.ID {
			t.Errorf("author_id %d, want the token's user %d", authorID, author.ID)
		}
		own := "/api/v1/entries/" + strconv.FormatInt(created.ID, 10)

		// Update: the author's own entry, yes; someone else's, no.
		var updated apiEntry
		decodeJSON(t, c.call("PATCH", own, authorToken, `{"title": "Written by a program, revised"}`), 200, &updated)
		if updated.Translations[0].Title != "Written by a program, revised" || updated.Translations[0].Slug != "written-by-a-program" || updated.Section != "news" {
			t.Fatalf("updated: %+v", updated)
		}
		var demoID int64
		d.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND slug = 'remember-every-name'`).Scan(&demoID)
		other := "/api/v1/entries/" + strconv.FormatInt(demoID, 10)
		apiError(t, c.call("PATCH", other, authorToken, `{"title": "Taken over"}`), 403, "forbidden")
		decodeJSON(t, c.call("PATCH", other, editorToken, `{"summary": "Edited by an editor's program"}`), 200, &updated)
		var editedBy int64
		d.QueryRowContext(ctx, `SELECT r.author_id FROM revisions r JOIN translations t ON t.id = r.translation_id
			WHERE t.entry_id = ? AND t.lang = 'en' ORDER BY r.number DESC LIMIT 1`, demoID).Scan(&editedBy)
		if editedBy != editor.ID {
			t.Errorf("revision by %d, want the editor %d", editedBy, editor.ID)
		}

		// A translator: translations into their languages only, never the
		// source, never a new entry.
		decodeJSON(t, c.call("PATCH", own, translatorToken, `{"lang": "fr", "title": "Écrit par un programme", "status": "published"}`), 200, &updated)
		var fr bool
		for _, tr := range updated.Translations {
			fr = fr || (tr.Lang == "fr" && tr.Slug == "ecrit-par-un-programme" && tr.URL != "")
		}
		if !fr {
			t.Fatalf("no French translation: %+v", updated)
		}
		s.client().Get("/fr/articles/ecrit-par-un-programme").Must(t, 200, "Écrit par un programme")
		apiError(t, c.call("PATCH", own, translatorToken, `{"lang": "ru", "title": "Нет"}`), 403, "forbidden")
		apiError(t, c.call("PATCH", own, translatorToken, `{"title": "Not mine"}`), 403, "forbidden")
		apiError(t, c.call("PATCH", own, translatorToken, `{"lang": "fr", "section": "news"}`), 400, "source_only")

		// What the co-authors did (migration 0020): read with the entry,
		// the kind's default until chosen; written with the source.
		if created.CoauthorRole != "published_with" {
			t.Errorf("a new article's coauthor_role %q, want published_with", created.CoauthorRole)
		}
		var orgSlug string
		d.QueryRowContext(ctx, `SELECT slug FROM organisations ORDER BY id LIMIT 1`).Scan(&orgSlug)
		decodeJSON(t, c.call("PATCH", own, authorToken, `{"organisations": ["`+orgSlug+`"], "coauthor_role": "cosigned_by"}`), 200, &updated)
		if updated.CoauthorRole != "cosigned_by" || len(updated.Orgs) != 1 {
			t.Fatalf("after choosing co-signed: %+v", updated)
		}
		var read apiEntry
		decodeJSON(t, c.call("GET", own, "", ""), 200, &read)
		if read.CoauthorRole != "cosigned_by" {
			t.Errorf("read back: coauthor_role %q", read.CoauthorRole)
		}
		s.client().Get("/en/articles/written-by-a-program").Must(t, 200, "Co-signed by")
		for _, bad := range []string{`{"coauthor_role": "ghostwritten"}`, `{"coauthor_role": ""}`} {
			r := c.call("PATCH", own, authorToken, bad)
			apiError(t, r, 422, "validation_failed")
			if !strings.Contains(r.Body, `"coauthor_role":{"code":"form.invalid_choice"`) {
				t.Errorf("%s: %s", bad, r.Body)
			}
		}
		decodeJSON(t, c.call("GET", own, "", ""), 200, &read)
		if read.CoauthorRole != "cosigned_by" {
			t.Errorf("a refused role was stored: %q", read.CoauthorRole)
		}
		apiError(t, c.call("PATCH", own, translatorToken, `{"lang": "fr", "coauthor_role": "joint_statement"}`), 400, "source_only")
		apiError(t, c.call("POST", "/api/v1/entries", translatorToken, `{"kind": "article", "title": "No"}`), 403, "forbidden")

		// Validation speaks the editor's rules, field by field.
		r = c.call("POST", "/api/v1/entries", authorToken, `{"kind": "rumour", "title": "", "status": "scheduled", "section": "nope", "tags": ["nope"]}`)
		apiError(t, r, 422, "validation_failed")
		for _, f := range []string{`"title":{"code":"form.required"`, `"kind":`, `"section":`, `"tags":`, `"publish_at":{"code":"entry.schedule_needs_time"`} {
			if !strings.Contains(r.Body, f) {
				t.Errorf("validation lacks %s: %s", f, r.Body)
			}
		}
		r = c.call("POST", "/api/v1/entries", authorToken, `{"kind": "event", "title": "An event", "event": {"starts_at": "soon", "time_zone": "Mars/Olympus", "mode": "online"}}`)
		apiError(t, r, 422, "validation_failed")
		for _, f := range []string{`"event.starts_at":{"code":"form.invalid_time"`, `"event.time_zone":{"code":"event.zone_invalid"`} {
			if !strings.Contains(r.Body, f) {
				t.Errorf("validation lacks %s: %s", f, r.Body)
			}
		}
		r = c.call("POST", "/api/v1/entries", authorToken, `{"kind": "event", "title": "An event by API", "status": "published",
			"event": {"starts_at": "2031-05-01T14:00:00+03:00", "time_zone": "Africa/Nairobi", "mode": "online", "duration_minutes": 90}}`)
		var evEntry struct {
			Event struct {
				StartsAt string `json:"starts_at"`
				TimeZone string `json:"time_zone"`
			} `json:"event"`
		}
		decodeJSON(t, r, 201, &evEntry)
		if evEntry.Event.StartsAt != "2031-05-01T14:00:00+03:00" || evEntry.Event.TimeZone != "Africa/Nairobi" {
			t.Errorf("event: %+v", evEntry)
		}
		apiError(t, c.call("POST", "/api/v1/entries", authorToken, `{"kind": "article", "title": "Written by a program, revised", "slug": "written-by-a-program"}`), 422, "validation_failed")

		// Text a database cannot store (NUL; JSON decodes invalid UTF-8
		// to U+FFFD) is refused field by field, on both engines: never a
		// 500 (audit F9).
		for _, body := range []string{
			`{"kind":"article","title":"t\u0000t"}`,
			`{"kind":"article","title":"t","summary":"\u0000"}`,
			`{"kind":"article","title":"t","body":"a\u0000b"}`,
			`{"kind":"event","title":"t","event":{"starts_at":"2027-01-01T10:00:00Z","time_zone":"UTC","mode":"online","venue":"v\u0000"}}`,
		} {
			apiError(t, c.call("POST", "/api/v1/entries", authorToken, body), 422, "validation_failed")
			apiError(t, c.call("PATCH", own, authorToken, body), 422, "validation_failed")
		}
		apiError(t, c.call("PATCH", own, authorToken, `{"kind":"article","title":"\u0000"}`), 422, "validation_failed")
		apiError(t, c.call("POST", "/api/v1/entries", authorToken, `{"kind":"article","title":"t","tags":["a\u0000"]}`), 422, "validation_failed")
		// Strict bodies.
		apiError(t, c.call("POST", "/api/v1/entries", authorToken, `{"kind": "article", "title": "X", "colour": "red"}`), 400, "unknown_field")
		apiError(t, c.call("PATCH", own, authorToken, `{"title": "X"} {"title": "Y"}`), 400, "malformed_json")
		apiError(t, c.call("PATCH", own, authorToken, `{"title": `), 400, "malformed_json")
		apiError(t, c.call("PATCH", own, authorToken, `{"title": "X"}}`), 400, "malformed_json")
		apiError(t, c.call("PATCH", own, authorToken, `{"title": 5}`), 400, "malformed_json")
		apiError(t, c.call("POST", "/api/v1/entries", authorToken, `{"title": "No kind"}`), 422, "validation_failed")
		apiError(t, c.call("PATCH", own, authorToken, `["title"]`), 400, "malformed_json")
		apiError(t, c.call("POST", "/api/v1/entries", authorToken, `{"kind": "article", "title": "X", "body": "`+strings.Repeat("a", 1<<20)+`"}`), 413, "body_too_large")
		req, _ := http.NewRequest("POST", s.Server.URL+"/api/v1/entries", strings.NewReader("kind=article&title=X"))
		req.Header.Set("Authorization", "Bearer "+authorToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		apiError(t, c.Do(req), 415, "unsupported_media_type")
		apiError(t, c.call("PATCH", "/api/v1/entries/999999", editorToken, `{"title": "X"}`), 404, "not_found")

		// Tokens: none, unknown, revoked, or a disabled user's, are all 401;
		// a signed-in browser's cookie is not a token.
		apiError(t, c.call("POST", "/api/v1/entries", "", `{"kind": "article", "title": "X"}`), 401, "unauthorized")
		apiError(t, c.call("POST", "/api/v1/entries", "pp_nonsense", `{"kind": "article", "title": "X"}`), 401, "invalid_token")
		apiError(t, c.call("POST", "/api/v1/entries", "", `{"kind": "article", "title": "X"}`, "Authorization", "Basic YWRtaW46YWRtaW4="), 401, "unauthorized")
		r = c.call("PATCH", own, "pp_"+strings.Repeat("A", 43), `{"title": "X"}`)
		apiError(t, r, 401, "invalid_token")
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		tokens, _ := users.APITokens(ctx, editor.ID)
		if len(tokens) != 1 || tokens[0].LastUsedAt.IsZero() {
			t.Errorf("editor's token use not noted: %+v", tokens)
		}
		if err := users.RevokeAPIToken(ctx, editor.ID, tokens[0].ID); err != nil {
			t.Fatal(err)
		}
		apiError(t, c.call("PATCH", own, editorToken, `{"title": "X"}`), 401, "invalid_token")
		users.SetDisabled(ctx, author.ID, true)
		apiError(t, c.call("PATCH", own, authorToken, `{"title": "X"}`), 401, "invalid_token")
		browser := s.client()
		browser.SignIn(s.Login.Email, s.Login.Password)
		apiError(t, browser.call("POST", "/api/v1/entries", "", `{"kind": "article", "title": "By cookie"}`), 401, "unauthorized")
		var stored int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, authorToken).Scan(&stored)
		if stored != 0 {
			t.Error("a token is stored as it is")
		}
	})
}

// Cross-origin reading is allowed for the configured origins, GET only.
func TestAPICORS(t *testing.T) {
	runWith(t, apptest.Options{Outbox: true, Config: func(c *app.Config) { c.CORSOrigins = []string{"https://partner.example"} }}, func(t *testing.T, s *site) {
		c := s.client()
		r := c.call("GET", "/api/v1/entries", "", "", "Origin", "https://partner.example")
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://partner.example" || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Fatalf("allowed origin: %d %q %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Values("Vary"))
		}
		if r := c.call("GET", "/api/v1/entries", "", "", "Origin", "https://elsewhere.example"); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("other origin allowed: %q", r.Header.Get("Access-Control-Allow-Origin"))
		}
		r = c.call("OPTIONS", "/api/v1/entries", "", "", "Origin", "https://partner.example", "Access-Control-Request-Method", "GET")
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://partner.example" || r.Header.Get("Access-Control-Allow-Methods") != "GET" {
			t.Fatalf("preflight: %d %v", r.Status, r.Header)
		}
		apiError(t, c.call("OPTIONS", "/api/v1/entries", "", "", "Origin", "https://partner.example", "Access-Control-Request-Method", "POST"), 403, "cors_refused")
		apiError(t, c.call("OPTIONS", "/api/v1/entries", "", "", "Origin", "https://elsewhere.example", "Access-Control-Request-Method", "GET"), 403, "cors_refused")
		// Writes are never opened to other origins.
		_, token, _ := s.App.Users.CreateAPIToken(context.Background(), 1, "cors")
		r = c.call("POST", "/api/v1/entries", token, `{"kind": "article", "title": "X"}`, "Origin", "https://partner.example", "Sec-Fetch-Site", "cross-site")
		if r.Status < 400 || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("cross-origin write: %d %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
		if _, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Languages: []string{"en"}, TimeZone: "UTC", SiteKey: secret.NewKey(),
			CORSOrigins: []string{"partner.example"}}, s.App.DB); err == nil || !strings.Contains(err.Error(), "CORS origin") {
			t.Errorf("an origin without a scheme: %v", err)
		}
	})
}

var secretRe = regexp.MustCompile(`<input id="secret" readonly value="(pp_[A-Za-z0-9_-]+)"`)

// Every user makes and revokes their own tokens at /admin/tokens; a token
// is shown once.
func TestAPITokensPage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.App.Users.CreateUser(ctx, "author@example.org", "Author", auth.RoleAuthor, "author-password-1")
		c := s.client()
		c.SignIn("author@example.org", "author-password-1")
		c.Get("/admin/tokens").Must(t, 200, "API tokens", "You have no API tokens.")
		csrf := c.CSRF("/admin/entries")
		c.Post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {""}}).Must(t, 422, "at most 100 characters")
		r := c.Post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"newsletter script"}})
		r.Must(t, 200, "it is not kept and will not be shown again", "newsletter script")
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("token page Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		m := secretRe.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("no token shown:\n%s", webtest.Snippet(r.Body))
		}
		list := c.Get("/admin/tokens")
		list.Must(t, 200, "newsletter script", "never")
		list.MustNot(t, m[1])
		// The token works, with the author's rights.
		decodeJSON(t, c.call("POST", "/api/v1/entries", m[1], `{"kind": "article", "title": "From the newsletter script"}`), 201, &apiEntry{})
		// Another user cannot revoke it; its owner can.
		tokens, _ := s.App.Users.APITokens(ctx, 2)
		if len(tokens) != 1 {
			t.Fatalf("tokens: %+v", tokens)
		}
		path := "/admin/tokens/" + strconv.FormatInt(tokens[0].ID, 10) + "/delete"
		admin := s.client()
		admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Post(path, url.Values{"csrf": {admin.CSRF("/admin/entries")}}).Must(t, 404)
		c.Post(path, url.Values{}).Must(t, 403) // no CSRF token
		r = c.Post(path, url.Values{"csrf": {csrf}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.Status)
		}
		c.Get(r.Location).Must(t, 200, "The token is revoked", "You have no API tokens.")
		apiError(t, c.call("POST", "/api/v1/entries", m[1], `{"kind": "article", "title": "X"}`), 401, "invalid_token")
		s.client().Get("/admin/tokens").Must(t, http.StatusSeeOther)
	})
}
