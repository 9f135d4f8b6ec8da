package campaign_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/web/webtest"
)

const (
	campaignSlug = "remember-every-name"
	wall         = "/en/campaigns/" + campaignSlug + "/tributes/"
	action       = "/en/campaigns/" + campaignSlug + "/tributes"
)

// openWall has the admin open the demo campaign's wall with some details,
// and returns the campaign's id.
func openWall(t *testing.T, s *site) int64 {
	t.Helper()
	e, err := s.App.Content.BySlug(context.Background(), "en", campaignSlug)
	if err != nil {
		t.Fatal(err)
	}
	admin := s.client()
	csrf := admin.SignIn(s.Login.Email, s.Login.Password)
	id := strconv.FormatInt(e.ID, 10)
	admin.Get("/admin/entries/"+id).Must(t, 200, `href="/admin/entries/`+id+`/campaign"`)
	admin.Post("/admin/entries/"+id+"/campaign", url.Values{"csrf": {csrf}, "lang": {"en"}, "wall_open": {"yes"},
		"starts_on": {"2026-08-01"}, "ends_on": {"2026-08-31"}, "primary_objective": {"Naloxone in every pocket"},
		"asks": {"Free naloxone\nGood Samaritan laws"}}).Must(t, 303)
	return e.ID
}

// tributeFiles reads the files of a tribute's photo and of its smaller
// sizes, by their stored paths; a file gone is nil.
func tributeFiles(t *testing.T, s *site, d *db.DB, remembered string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	rows, err := d.QueryContext(ctx, `SELECT m.path FROM tributes t JOIN media m ON m.id = t.media_id WHERE t.remembered = ?
		UNION ALL SELECT v.path FROM tributes t JOIN media_variants v ON v.media_id = t.media_id WHERE t.remembered = ?`, remembered, remembered)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var p string
		rows.Scan(&p)
		b, _ := os.ReadFile(filepath.Join(s.App.Config.DataDir, "media", filepath.FromSlash(p)))
		out[p] = b
	}
	return out
}

var withdrawRe = regexp.MustCompile(`/en/tributes/withdraw/[A-Za-z0-9_-]+`)

// A tribute goes from the form to moderation, unseen by the public; a
// moderator approves it; it appears in the gallery and the slideshow with
// a clean photo in several sizes; its submitter withdraws it by the
// mailed link and it is gone from every page at once, photo and all.
func TestTributeJourney(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		campaignID := openWall(t, s)
		visitor := s.client()

		// The campaign page shows its details and the wall's entrance.
		visitor.Get("/en/campaigns/"+campaignSlug).Must(t, 200, "Naloxone in every pocket", "Good Samaritan laws", `href="`+wall+`new"`)

		f := visitor.tributeForm(wall, "Rosa Ilyina", "She carried naloxone for everyone on the block.", "friend@example.org")
		r := visitor.multipart(action, f, "rosa.jpg", secretJPEG(t, 1200, 800))
		r.Must(t, 303)
		if r.Location != wall+"sent" {
			t.Fatalf("redirect to %q", r.Location)
		}
		visitor.Get(r.Location).Must(t, 200, "waits for a moderator")

		// Waiting: nowhere public.
		for _, p := range []string{wall, "/en/campaigns/" + campaignSlug} {
			visitor.Get(p).MustNot(t, "Rosa Ilyina")
		}
		var shown int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ? AND status = 'approved'`, campaignID).Scan(&shown); err != nil {
			t.Fatal(err)
		}
		visitor.Get(wall+strconv.Itoa(shown+1)).Must(t, 404)

		// The email is stored sealed, never in the clear.
		var sealed string
		if err := d.QueryRowContext(ctx, `SELECT email_sealed FROM tributes WHERE remembered = 'Rosa Ilyina'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if sealed == "" || strings.Contains(sealed, "friend@example.org") {
			t.Fatalf("email stored as %q", sealed)
		}

		// The photo on disk carries no metadata, and its sizes come from
		// the queue; the mail with the private link goes out.
		s.RunJobs()
		files := tributeFiles(t, s, d, "Rosa Ilyina")
		if len(files) != 3 { // the photo, 480 and 960 wide
			t.Fatalf("stored files: %d, want the photo and 2 smaller sizes", len(files))
		}
		for p, b := range files {
			if len(b) == 0 {
				t.Fatalf("%s missing", p)
			}
			for _, secret := range []string{gpsSecret, commentSecret, "Exif"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s still holds %q", p, secret)
				}
			}
		}
		out, err := s.App.Mailer.Outbox(ctx, 10)
		if err != nil || len(out) == 0 {
			t.Fatalf("outbox: %v, %d messages", err, len(out))
		}
		if out[0].To != "friend@example.org" {
			t.Fatalf("mail to %q", out[0].To)
		}
		link := withdrawRe.FindString(out[0].Text)
		if link == "" {
			t.Fatalf("no withdrawal link in %q", out[0].Text)
		}

		// A moderator sees it, flagged (no proof of work came), and
		// approves it.
		mod, csrf := s.moderator()
		page := mod.Get("/admin/moderation")
		page.Must(t, 200, "Rosa Ilyina", "Flagged", `href="/admin/moderation"`)
		id := regexp.MustCompile(`name="id" value="(\d+)"[^>]*aria-label="[^"]*Rosa Ilyina`).FindStringSubmatch(page.Body)
		if id == nil {
			t.Fatal("no checkbox for the tribute")
		}
		mod.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"approve"}, "id": {id[1]}}).Must(t, 303)
		mod.Get("/admin/moderation?done=1&decided=approved").Must(t, 200, "1 tribute approved.")

		// Public now: gallery, slideshow (with srcset), campaign page.
		visitor.Get(wall).Must(t, 200, "Rosa Ilyina", "She carried naloxone")
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ? AND status = 'approved'`, campaignID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		slide := visitor.Get(wall + strconv.Itoa(n))
		slide.Must(t, 200, "<h1 tabindex=\"-1\">Rosa Ilyina</h1>", `srcset="`, ` 480w`, `data-slide="next"`, `data-slide="prev"`, "slideshow.")
		visitor.Get("/en/campaigns/"+campaignSlug).Must(t, 200, "Rosa Ilyina")

		// Withdrawal: a confirmation page (private), then gone at once,
		// though the gallery was cached.
		visitor.Get(wall).Must(t, 200, "Rosa Ilyina")
		confirm := visitor.Get(link)
		confirm.Must(t, 200, "Rosa Ilyina", "Withdraw the tribute", "on the public wall now")
		if !strings.Contains(confirm.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("withdrawal page Cache-Control %q", confirm.Header.Get("Cache-Control"))
		}
		visitor.Post(link, nil).Must(t, 200, "deleted")
		visitor.Get(wall).MustNot(t, "Rosa Ilyina")
		visitor.Get("/en/campaigns/"+campaignSlug).MustNot(t, "Rosa Ilyina")
		for p := range files {
			if _, err := os.Stat(filepath.Join(s.App.Config.DataDir, "media", filepath.FromSlash(p))); !os.IsNotExist(err) {
				t.Errorf("%s left after withdrawal (%v)", p, err)
			}
		}
		visitor.Post(link, nil).Must(t, 404, "no longer leads to a tribute")
		visitor.Get(link).Must(t, 404)
	})
}

// Moderators moderate and do nothing else: no entry editing, no users, no
// campaign details. Authors and translators may not moderate.
func TestModeratorRights(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		e, err := s.App.Content.BySlug(ctx, "en", campaignSlug)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(e.ID, 10)

		// The admin creates the moderator on the users page.
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Get("/admin/users").Must(t, 200, `<option value="moderator">Moderator</option>`)
		admin.Post("/admin/users", url.Values{"csrf": {csrf}, "email": {"mod@example.org"}, "name": {"Mod"}, "role": {"moderator"}}).Must(t, 303)

		mod := s.client()
		mod.Post(s.InviteLink("mod@example.org"), url.Values{"password": {"a careful moderator 42"}}).Must(t, 303)
		mcsrf := mod.SignIn("mod@example.org", "a careful moderator 42")
		mod.Get("/admin/moderation").Must(t, 200, "Tributes waiting")
		mod.Get("/admin/entries").Must(t, 200, `href="/admin/moderation"`)
		mod.Get("/admin/entries").MustNot(t, `href="/admin/entries/new"`)
		for _, p := range []string{"/admin/entries/new", "/admin/entries/" + id, "/admin/entries/" + id + "/campaign", "/admin/users", "/admin/settings", "/admin/sections"} {
			if r := mod.Get(p); r.Status != 403 {
				t.Errorf("moderator GET %s: %d, want 403", p, r.Status)
			}
		}
		before := e.Source().Title
		mod.Post("/admin/entries/"+id, url.Values{"csrf": {mcsrf}, "title": {"Defaced"}, "slug": {campaignSlug}, "body": {"x"}}).Must(t, 403)
		mod.Post("/admin/entries/"+id+"/campaign", url.Values{"csrf": {mcsrf}, "wall_open": {"yes"}}).Must(t, 403)
		mod.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {mcsrf}, "title": {"Испорчено"}}).Must(t, 403)
		mod.Get("/admin/translations?lang=ru").Must(t, 404)
		if e2, _ := s.App.Content.Entry(ctx, e.ID); e2.Source().Title != before {
			t.Fatalf("moderator changed the title to %q", e2.Source().Title)
		}

		// An author may not moderate.
		if _, err := s.App.Users.CreateUser(ctx, "author@example.org", "Au", auth.RoleAuthor, "an author writes 2026"); err != nil {
			t.Fatal(err)
		}
		au := s.client()
		acsrf := au.SignIn("author@example.org", "an author writes 2026")
		au.Get("/admin/moderation").Must(t, 403)
		au.Post("/admin/moderation/tributes", url.Values{"csrf": {acsrf}, "do": {"approve"}, "id": {"1"}}).Must(t, 403)
		au.Get("/admin/entries").MustNot(t, `href="/admin/moderation"`)
	})
}

// Bulk approve and reject act on every ticked tribute, and only those.
func TestBulkModeration(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		openWall(t, s)
		visitor := s.client()
		for i, name := range []string{"Ana Bulk", "Ben Bulk", "Cai Bulk"} {
			f := visitor.tributeForm(wall, name, "Words for "+name, "bulk"+strconv.Itoa(i)+"@example.org")
			visitor.multipart(action, f, "", nil).Must(t, 303)
		}
		ids := map[string]string{}
		rows, err := d.QueryContext(ctx, `SELECT id, remembered FROM tributes WHERE remembered LIKE '% Bulk'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var name string
			rows.Scan(&id, &name)
			ids[name] = strconv.FormatInt(id, 10)
		}
		rows.Close()
		if len(ids) != 3 {
			t.Fatalf("stored %v", ids)
		}
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"approve"}, "id": {ids["Ana Bulk"], ids["Ben Bulk"]}}).Must(t, 303)
		// A reason too long, or not text, is refused and changes nothing.
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"reject"}, "id": {ids["Cai Bulk"]}, "reason": {strings.Repeat("é", 501)}}).
			Must(t, 400, "at most 500 characters")
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"reject"}, "id": {ids["Cai Bulk"]}, "reason": {"bad\xff"}}).Must(t, 400)
		admin.Get("/admin/moderation").Must(t, 200, "Cai Bulk")
		// The reason is kept for staff, shown with the rejected tributes,
		// and mailed to nobody.
		mailsTo := func() int {
			out, err := s.App.Mailer.Outbox(ctx, 1000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range out {
				if m.To == "bulk2@example.org" {
					n++
				}
			}
			return n
		}
		s.RunJobs()
		mailsBefore := mailsTo()
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"reject"}, "id": {ids["Cai Bulk"]}, "reason": {"  Names a living person  "}}).Must(t, 303)
		admin.Get("/admin/moderation?status=rejected").Must(t, 200, "Reason for rejecting:</strong> <span dir=\"auto\">Names a living person</span>")
		s.RunJobs()
		if got := mailsTo(); got != mailsBefore {
			t.Errorf("rejecting mailed the tribute's author %d messages", got-mailsBefore)
		}
		// Reject and approve are told apart, and each tribute has its
		// labels for the phone's card layout.
		admin.Get("/admin/moderation").Must(t, 200, `value="reject" class="danger"`, `<label for="reject-reason">`, `data-label="Words"`)
		g := visitor.Get(wall)
		g.Must(t, 200, "Ana Bulk", "Ben Bulk")
		g.MustNot(t, "Cai Bulk")
		// Un-publishing an approved one takes it off the wall.
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"reject"}, "id": {ids["Ben Bulk"]}, "status": {"approved"}}).Must(t, 303)
		visitor.Get(wall).MustNot(t, "Ben Bulk", "Cai Bulk")
		rejected := admin.Get("/admin/moderation?status=rejected")
		rejected.Must(t, 200, "Ben Bulk", "Cai Bulk")
		if strings.Count(rejected.Body, `class="reject-reason"`) != 1 {
			t.Error("Ben Bulk, rejected without a reason, shows one")
		}
		// Nonsense is refused, not a 500.
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"delete"}, "id": {ids["Ana Bulk"]}}).Must(t, 400)
		admin.Post("/admin/moderation/tributes", url.Values{"csrf": {csrf}, "do": {"approve"}, "id": {"x"}}).Must(t, 400)
	})
}

// Bad photos, bad fields and the guard's refusals show the form again as
// typed with a clear message, and store nothing.
func TestTributeBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		openWall(t, s)
		visitor := s.client()
		count := func() (tributes, media int) {
			d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes`).Scan(&tributes)
			d.QueryRowContext(ctx, `SELECT COUNT(*) FROM media`).Scan(&media)
			return
		}
		t0, m0 := count()
		// A valid PNG header declaring 100000×100000 pixels, and nothing else.
		ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00")
		pngBomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
		pngBomb = binary.BigEndian.AppendUint32(pngBomb, crc32.ChecksumIEEE(ihdr))
		cases := []struct {
			name     string
			change   func(url.Values)
			file     string
			data     []byte
			status   int
			message  string
			keepText bool
		}{
			{"PDF named .jpg", nil, "x.jpg", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n"), 422, "not a photo we accept", true},
			{"truncated JPEG", nil, "x.jpg", secretJPEG(t, 64, 64)[:300], 422, "damaged or incomplete", true},
			{"decompression bomb", nil, "x.png", pngBomb, 422, "too large in pixels", true},
			{"over 30 MB", nil, "big.jpg", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 30<<20+512)...), 422, "This file is too large", true},
			// Over the form's limit: the photo is left out, what was typed kept.
			{"over the form's limit", nil, "huge.jpg", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 33<<20)...), 413, "This file is too large", true},
			{"no name", func(v url.Values) { v.Set("remembered", " ") }, "", nil, 422, "name or a pseudonym", false},
			{"too long", func(v url.Values) { v.Set("body", strings.Repeat("word ", 200)) }, "", nil, 422, "600 characters or fewer", false},
			{"bad email", func(v url.Values) { v.Set("email", "not an address") }, "", nil, 422, "email address such as", false},
			{"no consent", func(v url.Values) { v.Del("consent_rights") }, "", nil, 422, "Tick this box", true},
			{"honeypot", func(v url.Values) { v.Set("guard_note", "http://spam.example") }, "", nil, 422, "", true},
			{"forged challenge", func(v url.Values) { v.Set("guard_challenge", "forged") }, "", nil, 422, "", true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := visitor.tributeForm(wall, "Dmitri Test", "Kind words that must be kept.", "keep@example.org")
				if c.change != nil {
					c.change(f)
				}
				r := visitor.multipart(action, f, c.file, c.data)
				r.Must(t, c.status, c.message, `role="alert"`)
				if c.keepText {
					r.Must(t, c.status, `value="keep@example.org"`, "Kind words that must be kept.")
				}
				if tr, me := count(); tr != t0 || me != m0 {
					t.Fatalf("stored something: %d tributes (was %d), %d media (was %d)", tr, t0, me, m0)
				}
			})
		}

		// Text a database cannot store: refused, nothing stored, on both
		// engines (audit F9).
		for _, bad := range []url.Values{{"remembered": {"a\x00b"}}, {"remembered": {"\xff\xfeab"}}, {"body": {"a\x00b"}}, {"body": {"\xff\xfeab"}}} {
			f := visitor.tributeForm(wall, "Dmitri Test", "Kind words.", "keep@example.org")
			for k, v := range bad {
				f[k] = v
			}
			visitor.multipart(action, f, "", nil).Must(t, 400, "cannot be stored")
			if tr, me := count(); tr != t0 || me != m0 {
				t.Fatalf("stored something from %q", bad)
			}
		}

		// Too fast: sent the moment the form was served.
		r := visitor.Get(wall + "new")
		ch := webtest.GuardFields(t, r.Body, 0).Get("guard_challenge")
		visitor.multipart(action, url.Values{"guard_challenge": {ch}, "remembered": {"Quick"}, "body": {"x"}, "email": {"q@example.org"},
			"consent_publish": {"yes"}, "consent_rights": {"yes"}}, "", nil).Must(t, 422, `role="alert"`)

		// The same email remembering the same name twice: answered as a
		// first tribute (the page tells nobody who remembered whom, audit
		// F8); the first is kept, the second not stored, and the address
		// gets a fresh link for the first, the old one dead.
		f := visitor.tributeForm(wall, "Eva Twice", "First time.", "twice@example.org")
		visitor.multipart(action, f, "", nil).Must(t, 303)
		tr1, _ := count()
		f = visitor.tributeForm(wall, "eva  twice", "Second time.", "Twice@Example.org")
		if r := visitor.multipart(action, f, "", nil); r.Status != 303 || r.Location != wall+"sent" {
			t.Fatalf("a second tribute answered %d %q, a first one 303 %q", r.Status, r.Location, wall+"sent")
		}
		if tr, _ := count(); tr != tr1 {
			t.Fatalf("%d tributes after the second, want %d", tr, tr1)
		}
		s.RunJobs()
		out, err := s.App.Mailer.Outbox(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		var mails []string // oldest first
		for _, m := range out {
			if m.To == "Twice@Example.org" || m.To == "twice@example.org" {
				mails = append([]string{m.Text}, mails...)
			}
		}
		if len(mails) != 2 || !strings.Contains(mails[1], "kept the first one") {
			t.Fatalf("want the first mail and one about the second, got %d:\n%s", len(mails), strings.Join(mails, "\n---\n"))
		}
		oldLink, newLink := withdrawRe.FindString(mails[0]), withdrawRe.FindString(mails[1])
		visitor.Get(oldLink).Must(t, 404)
		visitor.Get(newLink).Must(t, 200, "Eva Twice")

		// A closed wall takes nothing.
		e, _ := s.App.Content.BySlug(ctx, "en", campaignSlug)
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Post("/admin/entries/"+strconv.FormatInt(e.ID, 10)+"/campaign", url.Values{"csrf": {csrf}, "lang": {"en"}}).Must(t, 303)
		visitor.Get(wall+"new").Must(t, 404, "takes no new tributes")
		visitor.multipart(action, url.Values{"remembered": {"Late"}}, "", nil).Must(t, 404)
		// Bad addresses are 404s, not errors.
		for _, p := range []string{wall + "0", wall + "01", wall + "x", wall + "?page=0", wall + "?page=99", "/en/campaigns/no-such/tributes/", "/en/tributes/withdraw/nonsense"} {
			if r := visitor.Get(p); r.Status != 404 {
				t.Errorf("GET %s: %d", p, r.Status)
			}
		}
	})
}

// The details page refuses impossible dates and foreign links, keeping
// what was typed.
func TestCampaignDetailsValidation(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		e, err := s.App.Content.BySlug(context.Background(), "en", campaignSlug)
		if err != nil {
			t.Fatal(err)
		}
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		path := "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/campaign"
		admin.Post(path, url.Values{"csrf": {csrf}, "starts_on": {"2026-09-01"}, "ends_on": {"2026-08-01"}, "asks": {"Kept ask"}}).
			Must(t, 422, "cannot come before", "Kept ask")
		admin.Post(path, url.Values{"csrf": {csrf}, "starts_on": {"31/12/2026"}}).Must(t, 422, "YYYY-MM-DD")
		admin.Post(path, url.Values{"csrf": {csrf}, "link": {strconv.FormatInt(e.ID, 10)}}).Must(t, 422)

		// A linked event shows on the campaign page in the reader's
		// language, or in its own when untranslated.
		var eventID int64
		if err := d.QueryRowContext(context.Background(), `SELECT id FROM entries WHERE kind = 'event' ORDER BY id LIMIT 1`).Scan(&eventID); err != nil {
			t.Fatal(err)
		}
		ev, _ := s.App.Content.Entry(context.Background(), eventID)
		admin.Post(path, url.Values{"csrf": {csrf}, "lang": {"ru"}, "primary_objective": {"Налоксон каждому"}, "link": {strconv.FormatInt(eventID, 10)}}).Must(t, 303)
		ru, _ := e.Translation("ru")
		page := s.client().Get("/ru/campaigns/" + ru.Slug)
		page.Must(t, 200, "Налоксон каждому")
		want := content.URL(content.Event, "ru", "")
		if tr, ok := ev.Translation("ru"); !ok || !tr.Visible(tr.PublishAt) {
			want = content.URL(content.Event, ev.SourceLang, "")
		}
		if !strings.Contains(page.Body, want) {
			t.Fatalf("campaign page lacks a link under %s", want)
		}
	})
}

// The guard's rate limit holds tributes off after a burst from one
// address, with a message and nothing stored; a valid proof of work is
// not flagged.
func TestTributeRateLimitAndProof(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		s.App.Guard = guard.New([]byte("rate test key"), guard.NewDBStore(s.App.DB), guard.Options{MinDelay: 3 * time.Second, Difficulty: 8, Rate: 1, Burst: 2, Per: time.Hour, Now: s.clock.Now})
		if err := s.App.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		openWall(t, s)
		visitor := s.client()
		for i, name := range []string{"Rate One", "Rate Two"} {
			f := visitor.tributeForm(wall, name, "Words.", "rate"+strconv.Itoa(i)+"@example.org")
			if i == 0 {
				// Solve the proof of work as pow.js would.
				f.Set("guard_proof", webtest.Proof(f.Get("guard_challenge"), 8))
			}
			visitor.multipart(action, f, "", nil).Must(t, 303)
		}
		f := visitor.tributeForm(wall, "Rate Three", "Words.", "rate3@example.org")
		visitor.multipart(action, f, "", nil).Must(t, 422, "Too many submissions came from your connection")
		var n int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE remembered LIKE 'Rate %'`).Scan(&n)
		if n != 2 {
			t.Fatalf("stored %d tributes, want 2", n)
		}
		var flagged []bool
		rows, _ := d.QueryContext(ctx, `SELECT flagged FROM tributes WHERE remembered LIKE 'Rate %' ORDER BY remembered`)
		for rows.Next() {
			var f bool
			rows.Scan(&f)
			flagged = append(flagged, f)
		}
		rows.Close()
		if len(flagged) != 2 || flagged[0] || !flagged[1] {
			t.Fatalf("flagged (Rate One, Rate Two) = %v, want [false true]", flagged)
		}
	})
}

// A wall of more tributes than a page holds has numbered pages, and the
// campaign page shows the newest few.
func TestWallPages(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		cid := openWall(t, s)
		store := campaign.NewStore(d, nil, nil)
		before, err := store.CountApproved(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 30; i++ {
			if _, err := store.AddTribute(ctx, cid, "en", "Paged "+strconv.Itoa(i), "Words.", campaign.Approved, 0); err != nil {
				t.Fatal(err)
			}
		}
		total := before + 30
		v := s.client()
		one := v.Get(wall)
		one.Must(t, 200, strconv.Itoa(total)+" tributes", `rel="next"`, `href="`+wall+`?page=2"`)
		last := (total + 23) / 24
		v.Get(wall+"?page="+strconv.Itoa(last)).Must(t, 200, "Paged 30", `rel="prev"`)
		v.Get(wall+"?page="+strconv.Itoa(last+1)).Must(t, 404)
		v.Get(wall+strconv.Itoa(total)).Must(t, 200, "Paged 30", strconv.Itoa(total)+" of "+strconv.Itoa(total))
		page := v.Get("/en/campaigns/" + campaignSlug)
		page.Must(t, 200, "Paged 30", "Paged 27")
		page.MustNot(t, "Paged 26<")
		if strings.Index(page.Body, "Paged 30") > strings.Index(page.Body, "Paged 27") {
			t.Error("the campaign page does not show the newest tribute first")
		}
	})
}
