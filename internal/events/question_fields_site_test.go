package events_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"peerpress/internal/app/apptest"
	"peerpress/internal/events"
)

// shownForm is what a browser without JavaScript posts from the page's
// form with the given action, as the page shows it: inputs (ticked boxes
// only), selects' chosen options, textareas. Buttons are left out.
func shownForm(t *testing.T, page, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	text := func(n *html.Node) string {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return b.String()
	}
	out := url.Values{}
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			if a, _ := attr(n, "action"); n.Data == "form" && a == action {
				in = true
			}
			name, named := attr(n, "name")
			if in && named {
				switch n.Data {
				case "input":
					typ, _ := attr(n, "type")
					_, checked := attr(n, "checked")
					v, _ := attr(n, "value")
					if (typ != "checkbox" && typ != "radio" && typ != "file" && typ != "submit") || checked {
						out.Add(name, v)
					}
				case "textarea":
					// The parser drops a textarea's first newline, as browsers do.
					out.Add(name, text(n))
				case "select":
					chosen, first := "", true
					for o := n.FirstChild; o != nil; o = o.NextSibling {
						if o.Type != html.ElementNode || o.Data != "option" {
							continue
						}
						v, _ := attr(o, "value")
						if _, sel := attr(o, "selected"); sel || first {
							chosen, first = v, false
						}
					}
					out.Add(name, chosen)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	if len(out) == 0 {
		t.Fatalf("no form posting to %s", action)
	}
	return out
}

// Registration questions are rows of ordinary fields in the event's
// editor. Questions written before, in the details page's pipe syntax,
// come into the rows with every wording in its language and are saved
// back unchanged; new questions are worded per language, checked, and
// read by registrants in theirs; staff read the answers as words.
func TestQuestionsWrittenAsRows(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		c, _ := s.Admin()
		edit := "/admin/entries/" + strconv.FormatInt(s.entryID, 10)

		// The demo's questions, as the pipe syntax kept them: no
		// language of their own, the region worded in Russian too.
		before, err := s.App.Events.Details(ctx, s.entryID)
		if err != nil {
			t.Fatal(err)
		}
		region := &before.Questions[2]
		region.Wordings = map[string]events.Wording{"ru": {Label: "Регион", Options: []string{"Африка", "Азия и Тихий океан",
			"Восточная Европа и Центральная Азия", "Латинская Америка и Карибы", "Другое"}}}
		raw, _ := json.Marshal(before.Questions)
		if _, err := s.App.DB.ExecContext(ctx, `UPDATE event_details SET questions = ? WHERE entry_id = ?`, string(raw), s.entryID); err != nil {
			t.Fatal(err)
		}

		page := c.Get(edit)
		page.Must(t, http.StatusOK, `id="event_question"`, `name="event_question_label_en" value="Your region"`,
			`name="event_question_label_ru" value="Регион"`, "Africa\nAsia and the Pacific\n", "Африка\nАзия и Тихий океан\n",
			`<option value="checkbox" selected>`, `<option value="interpretation" selected>`, `Question in Русский`)
		page.MustNot(t, `name="questions"`)
		form := shownForm(t, page.Body, edit)
		form.Set("action", "save")
		c.Post(edit, form).Must(t, http.StatusSeeOther)
		after, err := s.App.Events.Details(ctx, s.entryID)
		if err != nil {
			t.Fatal(err)
		}
		// Saved back, each question now knows it was written in English;
		// nothing else changed.
		for i := range after.Questions {
			if after.Questions[i].Lang != "en" {
				t.Errorf("question %d in %q, want en", i, after.Questions[i].Lang)
			}
			after.Questions[i].Lang = ""
		}
		if !reflect.DeepEqual(after.Questions, before.Questions) {
			t.Fatalf("questions changed by a save of the form as shown:\n%+v\nwant\n%+v", after.Questions, before.Questions)
		}

		// A new question in a spare row: several choices, required,
		// worded in English and Russian. Too few Russian options is the
		// field's error, and everything typed comes back.
		form = shownForm(t, c.Get(edit).Body, edit)
		form.Set("action", "save")
		row := len(after.Questions) // the first spare row
		set := func(name, v string) { form[name][row] = v }
		set("event_question_type", events.QuestionCheckboxes)
		set("event_question_required", "required")
		set("event_question_label_en", "Which sessions will you join?")
		set("event_question_options_en", "Morning\nAfternoon")
		set("event_question_label_ru", "На какие сессии вы придёте?")
		set("event_question_options_ru", "Утро")
		r := c.Post(edit, form)
		r.Must(t, http.StatusUnprocessableEntity, "Give as many options as the question", `id="event_question_options_ru-6"`,
			`value="Which sessions will you join?"`, "Утро</textarea>", `aria-invalid="true"`)
		set("event_question_options_ru", "Утро\nДень")
		c.Post(edit, form).Must(t, http.StatusSeeOther)

		// A type without options refuses them; a row with options and no
		// question is the question's error, not a lost row.
		bad := shownForm(t, c.Get(edit).Body, edit)
		bad.Set("action", "save")
		bad["event_question_options_fr"][0] = "Oui\nNon"
		c.Post(edit, bad).Must(t, http.StatusUnprocessableEntity, "Write the question in this language, or remove its options.")

		// Registrants read the questions in their language; a required
		// question left unanswered is its field's error.
		ru := s.client().Get("/ru/events/register/vebinar-nalokson-v-rukah-ravnyh")
		ru.Must(t, http.StatusOK, "На какие сессии вы придёте?", `value="Morning"`, "> Утро</label>", "Регион", `<option value="Africa">Африка</option>`)
		s.UseGuard(apptest.QuickGuard())
		v := s.client()
		in := answers("kofi@example.org", "Kofi")
		v.Post(register, v.form(true, in)).Must(t, http.StatusUnprocessableEntity, "Answer this question.")
		in["q5"] = []string{"Morning", "Afternoon"}
		v.Post(register, v.form(true, in)).Must(t, http.StatusOK, "Check your mail")
		v.confirmMailed("kofi@example.org")
		d, _ := s.App.Events.Details(ctx, s.entryID)
		if q := d.Questions[5]; q.Type != events.QuestionCheckboxes || !q.Required || q.Wordings["ru"].Options[1] != "День" {
			t.Fatalf("new question saved as %+v", q)
		}
		c.Get(s.adminBase()).Must(t, http.StatusOK, "Which sessions will you join?", "Morning, Afternoon", "Africa", "Yes")
	})
}
