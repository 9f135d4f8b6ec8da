package updates_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
)

// The demo has a few hundred members in several languages, two past
// updates in three languages in the public archive with their lists
// filled from their periods, and a draft ready to preview.
func TestDemoUpdates(t *testing.T) {
	guard := apptest.QuickGuard()
	apptest.Run(t, apptest.Options{Guard: &guard}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = 'updates:seed'`); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'active'`); n != 300 {
			t.Fatalf("%d demo subscribers, want 300", n)
		}
		if n := count(t, s, `SELECT COUNT(DISTINCT lang) FROM subscribers`); n < 3 {
			t.Fatalf("demo subscribers in %d languages", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE email LIKE '%example.org%'`); n != 0 {
			t.Fatal("demo addresses stored in the clear")
		}
		c := s.Client()
		c.Get("/es/updates").Must(t, http.StatusOK, "Boletín para miembros: primavera", "Boletín para miembros: otoño")
		c.Get("/fr/updates/lettre-membres-automne").Must(t, http.StatusOK, "Lettre aux membres : automne")
		c.Get("/en/updates").MustNot(t, "winter (draft)")
		if n := count(t, s, `SELECT COUNT(*) FROM updates WHERE picks <> ''`); n < 2 {
			t.Fatalf("%d demo updates list entries", n)
		}
		var draft int64
		if err := s.App.DB.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE slug = 'members-update-winter'`).Scan(&draft); err != nil {
			t.Fatal(err)
		}
		a, _ := s.Admin()
		r := a.Get("/admin/updates/" + itoa(draft))
		r.Must(t, http.StatusOK, "Members&#39; update: winter (draft)", "srcdoc=")
		if !strings.Contains(r.Body, "Send this edition to me") {
			t.Fatal("no test button")
		}
	})
}
