package campaign_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The campaign's linked entries are found by searching their titles, not
// picked from a list of every entry: the Search button re-renders the
// form with the results and everything typed; Add and Remove change the
// list without saving; Save keeps it. The page's script asks the same
// search as JSON.
func TestLinkEntriesBySearch(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		e, err := s.App.Content.BySlug(ctx, "en", campaignSlug)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := s.App.Content.BySlug(ctx, "en", "webinar-naloxone-in-the-hands-of-peers")
		if err != nil {
			t.Fatal(err)
		}
		evID := strconv.FormatInt(ev.ID, 10)
		evTitle := ev.Source().Title
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		path := "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/campaign"
		admin.Get(path).Must(t, 200, `type="search" id="link_q" name="link_q"`, `name="find"`)
		admin.Get(path).MustNot(t, `type="checkbox" id="link-`)
		// The demo links the campaign to its events: start from none.
		admin.Post(path, url.Values{"csrf": {csrf}, "lang": {"en"}}).Must(t, 303)
		before, _ := s.App.Campaigns.Details(ctx, e.ID)
		if len(before.Links) != 0 {
			t.Fatalf("links left: %v", before.Links)
		}

		form := func(kv ...string) url.Values {
			v := url.Values{"csrf": {csrf}, "lang": {"en"}, "asks": {"Kept ask"}, "link_q": {"NALOXONE in the hands"}}
			for _, l := range before.Links {
				v.Add("link", strconv.FormatInt(l, 10))
			}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
		found := admin.Post(path, form("find", "1"))
		found.Must(t, 200, evTitle, `name="add_link" value="`+evID+`"`, "Kept ask", `value="NALOXONE in the hands"`)
		added := admin.Post(path, form("add_link", evID))
		added.Must(t, 200, `<input type="hidden" name="link" value="`+evID+`">`, `name="unlink" value="`+evID+`"`, "Kept ask")
		added.MustNot(t, `name="add_link" value="`+evID+`"`)
		if d, _ := s.App.Campaigns.Details(ctx, e.ID); len(d.Links) != len(before.Links) {
			t.Fatal("adding saved the form")
		}
		admin.Post(path, form("link", evID)).Must(t, 303)
		d, _ := s.App.Campaigns.Details(ctx, e.ID)
		if !slices.Contains(d.Links, ev.ID) || len(d.Links) != len(before.Links)+1 {
			t.Fatalf("links after save: %v", d.Links)
		}
		admin.Get(path).Must(t, 200, `name="unlink" value="`+evID+`"`)
		removed := admin.Post(path, form("link", evID, "unlink", evID))
		removed.MustNot(t, `<input type="hidden" name="link" value="`+evID+`">`)
		removed.Must(t, 200)

		// Nothing found says so; an entry that cannot be linked is refused.
		admin.Post(path, form("find", "1", "link_q", "zzz-no-such-title")).Must(t, 200, "No event, statement or publication has that in its title.")
		admin.Post(path, form("add_link", strconv.FormatInt(e.ID, 10))).Must(t, 200, "Choose one of the options offered")

		var items []struct {
			ID    int64
			Title string
			Kind  string
		}
		r := admin.Get(path + "/linkable?q=" + url.QueryEscape("naloxone in the"))
		if err := json.Unmarshal([]byte(r.Body), &items); err != nil || len(items) == 0 || items[0].ID != ev.ID || items[0].Kind != "Event" {
			t.Fatalf("JSON search: %v %+v\n%s", err, items, r.Body)
		}
		admin.Get(path+"/linkable?q="+strings.Repeat("x", 201)).Must(t, 200, "[]")
		s.client().Get(path+"/linkable?q=naloxone").MustNot(t, evTitle)
	})
}
