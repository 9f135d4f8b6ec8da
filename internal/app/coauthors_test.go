package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"peerpress/internal/content"
)

// An editor says what the co-authors did, and names a new one with its
// country from a list; readers see the role in their language.
func TestCoauthorRole(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		const slug = "joint-statement-health-and-dignity-not-punishment"
		e, err := s.App.Content.BySlug(ctx, "en", slug)
		if err != nil {
			t.Fatal(err)
		}
		s.client().Get("/en/statements/"+slug).Must(t, http.StatusOK, "Joint statement with")
		admin := s.client()
		csrf := admin.SignIn(s.Login.Email, s.Login.Password)
		editPath := "/admin/entries/" + strconv.FormatInt(e.ID, 10)
		admin.Get(editPath).Must(t, http.StatusOK, `<option value="joint_statement" selected>Joint statement with</option>`,
			`<option value="KE">Kenya</option>`, `list="organisation-names"`)

		src := e.Source()
		form := url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {string(e.Kind)}, "title": {src.Title}, "slug": {src.Slug},
			"summary": {src.Summary}, "body": {src.Body}, "status": {string(src.Status)}, "section_id": {strconv.FormatInt(e.SectionID, 10)},
			"coauthor_role": {"cosigned_by"}, "new_org_name": {"Lagoon Collective", "  "}, "new_org_country": {"KE", ""}}
		for _, id := range e.OrgIDs {
			form.Add("org_id", strconv.FormatInt(id, 10))
		}
		for _, id := range e.TagIDs {
			form.Add("tag_id", strconv.FormatInt(id, 10))
		}
		orgs := func() int {
			var n int
			s.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations`).Scan(&n)
			return n
		}
		before := orgs()

		// An unknown country or role is refused, and nothing is created.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad["new_org_country"] = []string{"QQ", ""}
		bad.Set("coauthor_role", "ghost_written")
		admin.Post(editPath, bad).Must(t, http.StatusUnprocessableEntity, `<a href="#new_org_country-1">`, `<a href="#coauthor_role">`,
			`value="Lagoon Collective"`)
		if n := orgs(); n != before {
			t.Fatalf("%d organisations after a refused save, want %d", n, before)
		}

		admin.Post(editPath, form).Must(t, http.StatusSeeOther)
		if n := orgs(); n != before+1 {
			t.Fatalf("%d organisations, want %d", n, before+1)
		}
		e, err = s.App.Content.Entry(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := s.App.Content.Organisations(ctx)
		var lagoon content.Organisation
		for _, o := range all {
			if o.Name == "Lagoon Collective" {
				lagoon = o
			}
		}
		if lagoon.Country != "KE" || len(e.OrgIDs) == 0 || e.OrgIDs[len(e.OrgIDs)-1] != lagoon.ID || e.CoauthorRole != "cosigned_by" {
			t.Fatalf("organisation %+v, entry's %v, role %q", lagoon, e.OrgIDs, e.CoauthorRole)
		}
		// Naming it again, in other letters' case, links the same one.
		form.Set("new_org_name", "lagoon collective")
		form["org_id"] = nil
		admin.Post(editPath, form).Must(t, http.StatusSeeOther)
		if n := orgs(); n != before+1 {
			t.Fatalf("%d organisations after naming a known one, want %d", n, before+1)
		}

		words := map[string]string{"en": "Co-signed by", "es": "Firmado también por", "fr": "Cosigné par", "ru": "Также подписали",
			"ar": "شارك في التوقيع", "hi": "सह-हस्ताक्षरकर्ता:"}
		seen := 0
		for _, tr := range e.Translations {
			if tr.Status != content.Published {
				continue
			}
			seen++
			s.client().Get(content.URL(e.Kind, tr.Lang, tr.Slug)).Must(t, http.StatusOK, words[tr.Lang], "Lagoon Collective")
		}
		if seen < 2 {
			t.Fatalf("the statement is published in %d languages; the test needs two", seen)
		}
	})
}
