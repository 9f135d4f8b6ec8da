package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"peerpress/internal/app"
	"peerpress/internal/auth"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/settings"
	"peerpress/internal/web/webtest"
)

// A translator sees what their languages are waiting for, translates into
// them, and can change nothing else; when the source changes they see what
// changed, and readers of the old translation are told.
func TestTranslatorWorkflow(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		tr, err := s.App.Users.CreateUser(ctx, "translator@example.org", "Tr", auth.RoleTranslator, "translator-pw-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.App.Users.SetLanguages(ctx, tr.ID, []string{"fr"}); err != nil {
			t.Fatal(err)
		}
		editor := s.client()
		ecsrf := editor.SignIn(s.Login.Email, s.Login.Password)
		id := editor.createEntry(ecsrf, "title", "Outreach vans on the coast", "summary", "Two vans, three towns.", "body", "The vans leave at dawn.")

		translator := s.client()
		csrf := translator.SignIn("translator@example.org", "translator-pw-1")
		// The to-do page offers only French, and lists the new entry as missing.
		todo := translator.Get("/admin/translations")
		todo.Must(t, 200, `href="/admin/translations?lang=fr"`)
		todo.MustNot(t, `?lang=ru"`, `?lang=es"`)
		translator.Get("/admin/translations?lang=fr").Must(t, 200, "Outreach vans on the coast", "not translated")
		translator.Get("/admin/translations?lang=ru").Must(t, http.StatusNotFound)

		// Nothing but French translations.
		translator.Get("/admin/entries/new").Must(t, http.StatusForbidden)
		translator.Post("/admin/entries", entryForm(csrf, "title", "Sneaky")).Must(t, http.StatusForbidden)
		translator.Post("/admin/entries/"+id, entryForm(csrf, "title", "Changed source")).Must(t, http.StatusForbidden)
		translator.Post("/admin/entries/"+id+"/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusForbidden)
		translator.Get("/admin/entries/"+id+"/translations/ru").Must(t, http.StatusForbidden)
		translator.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"x"}, "status": {"published"}}).Must(t, http.StatusForbidden)
		translator.Get("/admin/sections").Must(t, http.StatusForbidden)
		translator.Get("/admin/settings").Must(t, http.StatusForbidden)
		if r := translator.Get("/admin/entries/" + id); r.Status != http.StatusSeeOther || r.Location != "/admin/entries/"+id+"/translations/fr" {
			t.Fatalf("translator opening an entry: %d %q", r.Status, r.Location)
		}

		// The French translation.
		r := translator.Post("/admin/entries/"+id+"/translations/fr", url.Values{"csrf": {csrf}, "title": {"Des camionnettes sur la côte"}, "body": {"Les camionnettes partent à l'aube."}, "status": {"published"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("translate: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		reader := s.client()
		fr := reader.Get("/fr/articles/des-camionnettes-sur-la-cote")
		fr.Must(t, 200, "Les camionnettes partent")
		fr.MustNot(t, `class="notice"`)
		translator.Get("/admin/translations?lang=fr").MustNot(t, "Outreach vans on the coast")
		editor.Get("/admin/entries?q=Outreach+vans").MustNot(t, "its source has changed since")

		// The source changes: French is outdated, the change is shown, readers are told.
		editor.Post("/admin/entries/"+id, entryForm(ecsrf, "title", "Outreach vans on the coast", "slug", "outreach-vans-on-the-coast", "summary", "Two vans, three towns.", "body", "The vans leave at dawn, with naloxone."))
		translator.Get("/admin/translations?lang=fr").Must(t, 200, "Outreach vans on the coast", "outdated")
		// The entries list says in words what its marker means.
		editor.Get("/admin/entries?q=Outreach+vans").Must(t, 200, `fr<span aria-hidden="true">*</span><span class="visually-hidden"> (outdated: the source changed since)</span>`,
			"An outdated translation: its source has changed since it was last saved.")
		page := translator.Get("/admin/entries/" + id + "/translations/fr")
		page.Must(t, 200, "<ins>, with naloxone</ins>")
		fr = reader.Get("/fr/articles/des-camionnettes-sur-la-cote")
		fr.Must(t, 200, `class="notice"`, `href="/en/articles/outreach-vans-on-the-coast"`)
		// Saving the translation again brings it up to date.
		translator.Post("/admin/entries/"+id+"/translations/fr", url.Values{"csrf": {csrf}, "title": {"Des camionnettes sur la côte"}, "slug": {"des-camionnettes-sur-la-cote"}, "body": {"Avec de la naloxone."}, "status": {"published"}})
		reader.Get("/fr/articles/des-camionnettes-sur-la-cote").MustNot(t, `class="notice"`)
	})
}

// An entry missing in the reader's language says where it exists instead.
func TestEntryMissingInLanguage(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		r := c.Get("/ru/articles/a-night-on-outreach-with-peer-workers")
		r.Must(t, http.StatusNotFound, `<html lang="ru"`, `href="/en/articles/a-night-on-outreach-with-peer-workers"`, "English")
		// A slug nobody uses is a plain 404.
		c.Get("/ru/articles/no-such-thing-anywhere").Must(t, http.StatusNotFound)
	})
}

// Languages are a site setting: enabling one needs no restart, and archives
// can list untranslated entries marked with their language.
func TestLanguageSettings(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		reader := s.client()
		reader.Get("/en/").Must(t, 200)
		reader.Get("/es/articles").MustNot(t, "A night on outreach")

		// Disable Spanish, make French the default, include untranslated entries.
		r := admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "fr", "ru"}, "default": {"fr"}, "include_untranslated": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save settings: %d\n%s", r.Status, webtest.Snippet(r.Body))
		}
		reader.Get("/es/").Must(t, http.StatusNotFound)
		if r := reader.Get("/"); r.Location != "/fr/" {
			t.Fatalf("default language after settings: %q", r.Location)
		}
		arch := reader.Get("/fr/articles")
		arch.Must(t, 200, `lang="en"`, "English")
		// The switcher keeps the site's order (English, Russian, French),
		// whichever language is the default; the settings page shows the
		// chosen default.
		home := reader.Get("/fr/")
		switcher := home.Body[strings.Index(home.Body, `class="switcher"`):]
		switcher = switcher[:strings.Index(switcher, "</nav>")]
		en, ru, fr := strings.Index(switcher, `lang="en"`), strings.Index(switcher, `lang="ru"`), strings.Index(switcher, `lang="fr"`)
		if en < 0 || ru < 0 || fr < 0 || en > ru || ru > fr {
			t.Errorf("switcher order after saving settings, want en, ru, fr:\n%s", switcher)
		}
		admin.Get("/admin/settings").Must(t, 200, `Français" checked>`)
		// Bad settings are refused and change nothing.
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en"}, "default": {"ru"}}).Must(t, http.StatusUnprocessableEntity)
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "tlh"}, "default": {"en"}}).Must(t, http.StatusBadRequest)
		reader.Get("/ru/").Must(t, 200)
		// And back on.
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "es"}, "default": {"en"}})
		reader.Get("/es/").Must(t, 200)
		reader.Get("/ru/").Must(t, http.StatusNotFound)
	})
}

// A settings change saved on one instance reaches another instance over
// the same database within about a second, without a restart.
func TestSettingsReachOtherInstances(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		other, err := app.New(context.Background(), s.App.Config, dbtest.OpenSecond(t, d))
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- other.Serve(ctx, ln) }()
		defer func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		reader := webtest.NewClient(t, "http://"+ln.Addr().String())
		reader.Get("/es/").Must(t, 200)

		admin := s.client()
		admin.SignIn(s.Login.Email, s.Login.Password)
		admin.Post("/admin/settings", url.Values{"csrf": {admin.CSRF("/admin/entries")}, "lang": {"en", "fr"}, "default": {"en"}}).Must(t, http.StatusSeeOther)
		deadline := time.Now().Add(3 * time.Second)
		for reader.Get("/es/").Status != http.StatusNotFound {
			if time.Now().After(deadline) {
				t.Fatal("the other instance still serves Spanish 3 s after it was disabled")
			}
			time.Sleep(50 * time.Millisecond)
		}
		reader.Get("/fr/").Must(t, 200)
	})
}

// The switcher remembers an explicit choice; / then honours it over the
// browser's preference.
func TestLanguageChoiceRemembered(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c := s.client()
		page := c.Get("/en/campaigns/remember-every-name")
		m := regexp.MustCompile(`href="(/lang/ru\?next=[^"]+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no switcher link to Russian:\n%s", webtest.Snippet(page.Body))
		}
		r := c.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/ru/campaigns/") {
			t.Fatalf("switch: %d %q", r.Status, r.Location)
		}
		req, _ := http.NewRequest(http.MethodGet, s.Server.URL+"/", nil)
		req.Header.Set("Accept-Language", "fr")
		if r := c.Do(req); r.Location != "/ru/" {
			t.Fatalf("/ after choosing Russian: %q", r.Location)
		}
		// next must stay in the chosen language's pages.
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/en/", "/ru"} {
			if r := c.Get("/lang/ru?next=" + url.QueryEscape(next)); r.Location != "/ru/" {
				t.Errorf("next=%s: went to %q", next, r.Location)
			}
		}
		c.Get("/lang/xx").Must(t, http.StatusNotFound)
	})
}

// A translation with an empty title or another entry's slug is refused
// with the form kept, and nothing changes.
func TestBadTranslationRefused(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		d := s.App.DB
		c := s.client()
		csrf := c.SignIn(s.Login.Email, s.Login.Password)
		id := c.createEntry(csrf, "title", "Harm reduction in prisons, again")
		c.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {""}, "body": {"текст сохранён"}, "status": {"published"}}).
			Must(t, http.StatusUnprocessableEntity, "текст сохранён")
		// The slug of an existing Russian entry.
		c.Post("/admin/entries/"+id+"/translations/ru", url.Values{"csrf": {csrf}, "title": {"Повтор"}, "slug": {"pomnit-kazhdoe-imya"}, "status": {"published"}}).
			Must(t, http.StatusUnprocessableEntity, `value="Повтор"`)
		c.Post("/admin/entries/"+id+"/translations/xx", url.Values{"csrf": {csrf}, "title": {"x"}, "status": {"published"}}).Must(t, http.StatusNotFound)
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM translations WHERE entry_id = ?`, id).Scan(&n); err != nil || n != 1 {
			t.Fatalf("refused translations were stored: %d translations, %v", n, err)
		}
		// Hindi page numbers in Devanagari digits, over untranslated entries.
		ctx := context.Background()
		if err := s.App.Settings.Save(ctx, settings.Site{Languages: []string{"en", "hi"}, IncludeUntranslated: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.App.Live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		s.client().Get("/hi/articles/page/2").Must(t, 200, `aria-current="page">२<`, `<html lang="hi"`)
	})
}

// A language with few translations is not an empty site: by default its
// home page, event listings and archives list what is not yet translated
// into it, in its own language and marked so; with the setting off they
// list only what is (issue 15, defect 4).
func TestFewTranslationsStillASite(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		reader := s.client()
		home := reader.Get("/hi/")
		const onlyIn = "केवल इस भाषा में: English" // "Only in: English"
		home.Must(t, 200, `<li class="item" lang="en">`, "केवल इस भाषा में:", onlyIn)
		reader.Get("/hi/events/upcoming").Must(t, 200, `<li lang="en">`, onlyIn)
		reader.Get("/ar/articles").Must(t, 200, `<li class="item" lang="en">`)

		admin, csrf := s.Admin()
		admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en", "ru", "fr", "es", "hi", "ar"}, "default": {"en"}}).
			Must(t, http.StatusSeeOther)
		home = reader.Get("/hi/")
		home.Must(t, 200)
		home.MustNot(t, `<li class="item" lang="en">`)
		reader.Get("/hi/events/upcoming").MustNot(t, onlyIn)
	})
}
