package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/settings"
)

// A translator sees what their languages are waiting for, translates into
// them, and can change nothing else; when the source changes they see what
// changed, and readers of the old translation are told.
func TestTranslatorWorkflow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := context.Background()
		tr, err := s.app.Users.CreateUser(ctx, "translator@example.org", "Tr", auth.RoleTranslator, "translator-pw-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.app.Users.SetLanguages(ctx, tr.ID, []string{"fr"}); err != nil {
			t.Fatal(err)
		}
		editor := s.client()
		editor.signIn(s.login.Email, s.login.Password)
		ecsrf := editor.csrf()
		id := editor.createEntry(ecsrf, "title", "Outreach vans on the coast", "summary", "Two vans, three towns.", "body", "The vans leave at dawn.")

		translator := s.client()
		translator.signIn("translator@example.org", "translator-pw-1")
		csrf := translator.csrf()
		// The to-do page offers only French, and lists the new entry as missing.
		todo := translator.get("/admin/translations")
		todo.must(t, 200, `href="/admin/translations?lang=fr"`)
		todo.mustNot(t, `?lang=ru"`, `?lang=es"`)
		translator.get("/admin/translations?lang=fr").must(t, 200, "Outreach vans on the coast", "not translated")
		translator.get("/admin/translations?lang=ru").must(t, http.StatusNotFound)

		// Nothing but French translations.
		translator.get("/admin/entries/new").must(t, http.StatusForbidden)
		translator.post("/admin/entries", entryForm(csrf, "title", "Sneaky")).must(t, http.StatusForbidden)
		translator.post("/admin/entries/"+id, entryForm(csrf, "title", "Changed source")).must(t, http.StatusForbidden)
		translator.post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}}).must(t, http.StatusForbidden)
		translator.get("/admin/entries/"+id+"/translations/ru").must(t, http.StatusForbidden)
		translator.post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"x"}, "status": {"published"}}).must(t, http.StatusForbidden)
		translator.get("/admin/sections").must(t, http.StatusForbidden)
		translator.get("/admin/settings").must(t, http.StatusForbidden)
		if r := translator.get("/admin/entries/" + id); r.status != http.StatusSeeOther || r.location != "/admin/entries/"+id+"/translations/fr" {
			t.Fatalf("translator opening an entry: %d %q", r.status, r.location)
		}

		// The French translation.
		r := translator.post("/admin/entries/"+id+"/translations/fr", url.Values{"csrf": {csrf}, "title": {"Des camionnettes sur la côte"}, "body": {"Les camionnettes partent à l'aube."}, "status": {"published"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("translate: %d\n%s", r.status, snippet(r.body))
		}
		reader := s.client()
		fr := reader.get("/fr/articles/des-camionnettes-sur-la-cote")
		fr.must(t, 200, "Les camionnettes partent")
		fr.mustNot(t, `class="notice"`)
		translator.get("/admin/translations?lang=fr").mustNot(t, "Outreach vans on the coast")

		// The source changes: French is outdated, the change is shown, readers are told.
		editor.post("/admin/entries/"+id, entryForm(ecsrf, "title", "Outreach vans on the coast", "slug", "outreach-vans-on-the-coast", "summary", "Two vans, three towns.", "body", "The vans leave at dawn, with naloxone."))
		translator.get("/admin/translations?lang=fr").must(t, 200, "Outreach vans on the coast", "outdated")
		page := translator.get("/admin/entries/" + id + "/translations/fr")
		page.must(t, 200, "<ins>, with naloxone</ins>")
		fr = reader.get("/fr/articles/des-camionnettes-sur-la-cote")
		fr.must(t, 200, `class="notice"`, `href="/en/articles/outreach-vans-on-the-coast"`)
		// Saving the translation again brings it up to date.
		translator.post("/admin/entries/"+id+"/translations/fr", url.Values{"csrf": {csrf}, "title": {"Des camionnettes sur la côte"}, "slug": {"des-camionnettes-sur-la-cote"}, "body": {"Avec de la naloxone."}, "status": {"published"}})
		reader.get("/fr/articles/des-camionnettes-sur-la-cote").mustNot(t, `class="notice"`)
	})
}

// An entry missing in the reader's language says where it exists instead.
func TestEntryMissingInLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		c := newSite(t, d).client()
		r := c.get("/ru/articles/a-night-on-outreach-with-peer-workers")
		r.must(t, http.StatusNotFound, `<html lang="ru"`, `href="/en/articles/a-night-on-outreach-with-peer-workers"`, "English")
		// A slug nobody uses is a plain 404.
		c.get("/ru/articles/no-such-thing-anywhere").must(t, http.StatusNotFound)
	})
}

// Languages are a site setting: enabling one needs no restart, and archives
// can list untranslated entries marked with their language.
func TestLanguageSettings(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		admin := s.client()
		admin.signIn(s.login.Email, s.login.Password)
		csrf := admin.csrf()
		reader := s.client()
		reader.get("/en/").must(t, 200)
		reader.get("/es/articles").mustNot(t, "A night on outreach")

		// Disable Spanish, make French the default, include untranslated entries.
		r := admin.post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "fr", "ru"}, "default": {"fr"}, "include_untranslated": {"1"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("save settings: %d\n%s", r.status, snippet(r.body))
		}
		reader.get("/es/").must(t, http.StatusNotFound)
		if r := reader.get("/"); r.location != "/fr/" {
			t.Fatalf("default language after settings: %q", r.location)
		}
		arch := reader.get("/fr/articles")
		arch.must(t, 200, `lang="en"`, "English")
		// Bad settings are refused and change nothing.
		admin.post("/admin/settings", url.Values{"csrf": {csrf}}).must(t, http.StatusUnprocessableEntity)
		admin.post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en"}, "default": {"ru"}}).must(t, http.StatusUnprocessableEntity)
		admin.post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "tlh"}, "default": {"en"}}).must(t, http.StatusBadRequest)
		reader.get("/ru/").must(t, 200)
		// And back on.
		admin.post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "es"}, "default": {"en"}})
		reader.get("/es/").must(t, 200)
		reader.get("/ru/").must(t, http.StatusNotFound)
	})
}

// The switcher remembers an explicit choice; / then honours it over the
// browser's preference.
func TestLanguageChoiceRemembered(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		c := s.client()
		page := c.get("/en/campaigns/remember-every-name")
		m := regexp.MustCompile(`href="(/lang/ru\?next=[^"]+)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no switcher link to Russian:\n%s", snippet(page.body))
		}
		r := c.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/ru/campaigns/") {
			t.Fatalf("switch: %d %q", r.status, r.location)
		}
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/", nil)
		req.Header.Set("Accept-Language", "fr")
		if r := c.do(req); r.location != "/ru/" {
			t.Fatalf("/ after choosing Russian: %q", r.location)
		}
		// next must stay in the chosen language's pages.
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/en/", "/ru"} {
			if r := c.get("/lang/ru?next=" + url.QueryEscape(next)); r.location != "/ru/" {
				t.Errorf("next=%s: went to %q", next, r.location)
			}
		}
		c.get("/lang/xx").must(t, http.StatusNotFound)
	})
}

// A translation with an empty title or another entry's slug is refused
// with the form kept, and nothing changes.
func TestBadTranslationRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		c := s.client()
		c.signIn(s.login.Email, s.login.Password)
		csrf := c.csrf()
		id := c.createEntry(csrf, "title", "Harm reduction in prisons, again")
		c.post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {""}, "body": {"текст сохранён"}, "status": {"published"}}).
			must(t, http.StatusUnprocessableEntity, "текст сохранён")
		// The slug of an existing Russian entry.
		c.post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"Повтор"}, "slug": {"pomnit-kazhdoe-imya"}, "status": {"published"}}).
			must(t, http.StatusUnprocessableEntity, `value="Повтор"`)
		c.post("/admin/entries/"+id+"/translations/xx", url.Values{"csrf": {csrf}, "title": {"x"}, "status": {"published"}}).must(t, http.StatusNotFound)
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM translations WHERE entry_id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Fatalf("refused translations were stored: %d translations, %v", n, err)
		}
		// Hindi page numbers in Devanagari digits, over untranslated entries.
		ctx := context.Background()
		if err := s.app.Settings.Save(ctx, settings.Site{Languages: []string{"en", "hi"}, IncludeUntranslated: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.app.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		s.client().get("/hi/articles/page/2").must(t, 200, `aria-current="page">२<`, `<html lang="hi"`)
	})
}
