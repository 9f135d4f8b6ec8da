package account_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/web/webtest"
)

// The admin sets how long an unused staff session lasts at
// /admin/settings: sessions left longer are signed out, shorter ones
// go on; out-of-bounds values are refused and change nothing.
func TestIdleTimeoutSetting(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := apptest.New(t, d, apptest.Options{Languages: []string{"en"}})
		clock := &testClock{t: time.Now()}
		s.App.Users.Now = clock.Now
		admin, csrf := s.Admin()
		save := func(minutes string) webtest.Response {
			return admin.Post("/admin/settings", url.Values{"csrf": {csrf}, "lang": {"en"}, "default": {"en"}, "idle_minutes": {minutes}})
		}
		admin.Get("/admin/settings").Must(t, http.StatusOK, `name="idle_minutes"`, `min="5"`, `max="480"`)
		for _, bad := range []string{"4", "481", "ten", "-30", "1e3"} {
			save(bad).Must(t, http.StatusUnprocessableEntity, "whole number from 5 to 480")
		}
		if got := s.App.Live.Site().IdleMinutes; got != 0 {
			t.Fatalf("a refused value was kept: %d", got)
		}

		// The default, 30 minutes: 20 idle minutes keep a session.
		c := s.Client()
		c.SignIn(s.Login.Email, s.Login.Password)
		clock.Add(20 * time.Minute)
		c.Get("/admin/entries").Must(t, http.StatusOK)

		save("10").Must(t, http.StatusSeeOther)
		admin.Get("/admin/settings").Must(t, http.StatusOK, `value="10"`)
		clock.Add(9 * time.Minute)
		c.Get("/admin/entries").Must(t, http.StatusOK)
		clock.Add(11 * time.Minute)
		if r := c.Get("/admin/entries"); r.Status != http.StatusSeeOther {
			t.Errorf("after 11 idle minutes with a 10-minute timeout: %d", r.Status)
		}

		// Longer, up to the bound: 2 hours. (The admin's own session
		// timed out too.)
		csrf = admin.SignIn(s.Login.Email, s.Login.Password)
		save("480").Must(t, http.StatusSeeOther)
		c2 := s.Client()
		c2.SignIn(s.Login.Email, s.Login.Password)
		clock.Add(2 * time.Hour)
		c2.Get("/admin/entries").Must(t, http.StatusOK)
		// Emptied: back to 30.
		csrf = admin.SignIn(s.Login.Email, s.Login.Password)
		save("").Must(t, http.StatusSeeOther)
		clock.Add(31 * time.Minute)
		if r := c2.Get("/admin/entries"); r.Status != http.StatusSeeOther {
			t.Errorf("after 31 idle minutes with the default: %d", r.Status)
		}
	})
}
