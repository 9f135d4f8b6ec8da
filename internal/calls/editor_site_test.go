package calls_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"testing"
	"time"

	"peerpress/internal/calls"
)

var savedRe = regexp.MustCompile(`^/admin/entries/(\d+)\?saved=1$`)

// callForm is a new call as the editor posts it: the deadline in a zone
// named by its city, a field worded in two languages, a criterion.
func callForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {"call"}, "lang": {"en"}, "status": {"published"}, "section_id": {"0"},
		"title": {"Grants for peer-led outreach"}, "body": {"Small grants for outreach teams."}, "coauthor_role": {"published_with"},
		"call_opens": {"2031-03-01T09:00"}, "call_closes": {"2031-03-30T23:59:59"}, "call_zone": {"Nairobi"}, "call_grace": {"30"},
		"call_file_types": {".MP4, webm"}, "call_max_mb": {"500"}, "call_max_minutes": {"10"}, "call_one_per_email": {"yes"},
		"call_work_languages": {"en, sw"}, "call_retention": {"60"},
		"call_text_lang":          {"en", ""},
		"call_text_eligibility":   {"Teams led by people who use drugs.", ""},
		"call_text_consent":       {"I agree.", ""},
		"call_field_key":          {"team", "team", "budget", ""},
		"call_field_type":         {"short", "short", "choice", "short"},
		"call_field_required":     {"yes", "yes", "no", "no"},
		"call_field_lang":         {"en", "fr", "en", ""},
		"call_field_label":        {"Team name", "Nom de l’équipe", "Budget", ""},
		"call_field_options":      {"", "", "Under 1000; Over 1000", ""},
		"call_criterion_key":      {"reach", ""},
		"call_criterion_weight":   {"3", ""},
		"call_criterion_scale":    {"10", "5"},
		"call_criterion_lang":     {"en", ""},
		"call_criterion_name":     {"Reach", ""},
		"call_criterion_guidance": {"How many people the work reaches.", ""},
	}
}

// An editor opens a call in one pass: its instants in the zone named by
// a city, its checks, its form worded in two languages and its criteria,
// saved with the entry and shown back in the editor.
func TestCallInEditor(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		c.Get("/admin/entries/new?kind=call").Must(t, http.StatusOK, `<fieldset class="ext" data-kinds="call">`, `id="call_closes"`,
			`id="call_field_key-1"`, `id="call_criterion_name-1"`, `<option value="Europe/London" label="London · United Kingdom">`)
		r := c.Post("/admin/entries", callForm(csrf))
		m := savedRe.FindStringSubmatch(r.Location)
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q\n%s", r.Status, r.Location, r.Body)
		}
		e, err := s.App.Content.BySlug(context.Background(), "en", "grants-for-peer-led-outreach")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := calls.Of(e)
		if !ok {
			t.Fatal("the call has no settings")
		}
		nairobi, _ := time.LoadLocation("Africa/Nairobi")
		want := calls.Call{OpensAt: time.Date(2031, 3, 1, 9, 0, 0, 0, nairobi).UTC(), ClosesAt: time.Date(2031, 3, 30, 23, 59, 59, 0, nairobi).UTC(),
			TimeZone: "Africa/Nairobi", GraceMinutes: 30, FileTypes: []string{"mp4", "webm"}, MaxFileMB: 500, MaxVideoMinutes: 10,
			OnePerEmail: true, WorkLanguages: []string{"en", "sw"}, RetentionDays: 60,
			Texts: map[string]calls.Texts{"en": {Eligibility: "Teams led by people who use drugs.", Consent: "I agree."}},
			Form: []calls.FormField{
				{Key: "team", Type: calls.ShortText, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Team name"}, "fr": {Label: "Nom de l’équipe"}}},
				{Key: "budget", Type: calls.Choice, Wordings: map[string]calls.Wording{"en": {Label: "Budget", Options: []string{"Under 1000", "Over 1000"}}}},
			},
			Criteria: []calls.Criterion{{Key: "reach", Weight: 3, Scale: 10, Wordings: map[string]calls.CriterionWording{"en": {Name: "Reach", Guidance: "How many people the work reaches."}}}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("saved\n%+v\nwant\n%+v", got, want)
		}
		c.Get(r.Location).Must(t, http.StatusOK, `value="2031-03-30T23:59:59"`, `value="Africa/Nairobi"`, `value="Nom de l’équipe"`, `value="Under 1000; Over 1000"`)
	})
}

// What the editor refuses comes back beside its field, and nothing is
// saved.
func TestCallEditorRefuses(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		c, csrf := s.Admin()
		f := callForm(csrf)
		f.Set("call_closes", "2031-02-01T09:00")
		f.Set("call_zone", "Atlantis")
		f.Set("call_file_types", "exe")
		f["call_field_options"] = []string{"", "", "", ""} // a choice without options
		f["call_field_lang"] = []string{"en", "tlh", "en", ""}
		f["call_criterion_scale"] = []string{"7", "5"}
		r := c.Post("/admin/entries", f)
		r.Must(t, http.StatusUnprocessableEntity, "Deadline: The deadline must come after the opening.", "Time zone: Choose a time zone from the list.",
			"File types: Only mp4, mov and webm files can be taken.", "Language, row 2: This language is not one of the site’s.",
			"Options, row 3: Give options for a choice", "Scale, row 1: Choose one of the options offered.")
		if _, err := s.App.Content.BySlug(context.Background(), "en", "grants-for-peer-led-outreach"); err == nil {
			t.Fatal("a refused call was saved")
		}
	})
}
