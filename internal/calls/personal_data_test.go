package calls_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// An applicant's data is personal data: staff find and export it (email,
// answers, file names), erasing it deletes the application and its
// files, and the purge takes every application of a call, files
// included, its retention days after the close, not before.
func TestApplicationsArePersonalData(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		c := s.Client()
		fields := s.form(c, answers("person@example.org"))
		fields.Del("a_film_link")
		c.PostFile(applyURL, fields, "a_film", "our film.mp4", phoneVideo(t, 1)).Must(t, http.StatusOK, "Check your mail")
		c.Post(s.mailedPath("person@example.org", true), nil)
		s.applyAndConfirm(s.Client(), "other@example.org")

		who, err := s.App.People.Subject("Person@Example.org")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := s.App.People.Find(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var found string
		for _, r := range recs {
			if r.Holder == "calls/applications" {
				for _, f := range r.Fields {
					found += f.Name + "=" + f.Value + "\n"
				}
			}
		}
		for _, want := range []string{"email=person@example.org", "answer: name=Harbour Film Collective", "file: film=our film.mp4"} {
			if !strings.Contains(found, want) {
				t.Fatalf("found lacks %q:\n%s", want, found)
			}
		}
		if _, err := s.App.People.Erase(ctx, who); err != nil {
			t.Fatal(err)
		}
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications after erasing one of two", n)
		}
		if n := len(s.storedFiles()); n != 0 {
			t.Fatalf("%d files kept after erasure", n)
		}

		// Retention: 90 days after the close.
		closes := s.call.ClosesAt
		if _, err := s.App.People.PurgeAll(ctx, closes.Add(89*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := s.applications(); n != 1 {
			t.Fatalf("%d applications purged before their time", 1-n)
		}
		if _, err := s.App.People.PurgeAll(ctx, closes.Add(91*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := s.applications(); n != 0 {
			t.Fatalf("%d applications kept past retention", n)
		}
		var kept int
		if err := s.App.DB.QueryRowContext(ctx, `SELECT kept_applications FROM calls WHERE entry_id = ?`, s.entryID).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 1 {
			t.Fatalf("the call counts %d purged applications, want 1", kept)
		}
	})
}
