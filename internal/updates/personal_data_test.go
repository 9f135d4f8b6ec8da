package updates_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"peerpress/internal/app/apptest"
)

// Staff find a subscriber among the person's data, and erasing the
// person leaves only the keyed hash of the address: an import cannot add
// it back.
func TestPersonalDataFindErase(t *testing.T) {
	run(t, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		subscribeAndConfirm(t, s, s.Client(), "Found@Example.org", "fr", url.Values{"topic": {"event"}})
		who, err := s.App.People.Subject("found@example.org")
		if err != nil {
			t.Fatal(err)
		}
		recs, err := s.App.People.Find(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, r := range recs {
			if r.Holder != "updates/subscribers" {
				continue
			}
			found = true
			got := map[string]string{}
			for _, f := range r.Fields {
				got[f.Name] = f.Value
			}
			if got["email"] != "found@example.org" || got["language"] != "fr" || got["topics"] != "event" || got["consent source"] != "form" {
				t.Fatalf("record: %+v", got)
			}
		}
		if !found {
			t.Fatalf("no subscriber among %+v", recs)
		}
		if _, err := s.App.People.Erase(ctx, who); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM subscribers WHERE status = 'erased' AND email = '' AND lang = ''`); n != 1 {
			t.Fatal("erasure left more than the hash")
		}
		if recs, _ := s.App.People.Find(ctx, who); len(recs) != 0 {
			for _, r := range recs {
				if r.Holder == "updates/subscribers" {
					t.Fatal("an erased subscriber is still found")
				}
			}
		}
		a, csrf := s.Admin()
		a.PostFile(importURL, url.Values{"csrf": {csrf}}, "file", "l.csv", []byte("email,consent_date,consent_source\nfound@example.org,2025-01-01,old list\n")).
			Must(t, http.StatusOK, "0 added", "1 refused")
	})
}
