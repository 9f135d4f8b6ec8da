package events

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// QuestionList is an event's registration questions, in the form's order.
type QuestionList []Question

// QuestionFields adds an event's registration questions to the entry
// editor (content.Extension) as rows of ordinary fields: a type, whether
// an answer is required, and the question and its options in each of the
// site's languages. They are kept in the event's details (the column the
// registration form and the API always read); a save that gives none
// (the API, an import) leaves them alone.
type QuestionFields struct{}

// questionsName keys a QuestionList among an entry's extension values.
const questionsName = "questions"

// Limits on questions: how many, and how many options each.
const (
	maxQuestions = 50
	maxOptions   = 50
)

// ExtensionName keys the questions (content.Extension).
func (QuestionFields) ExtensionName() string { return questionsName }

// EntryPageOnly tells listings not to load the questions for registrants: only the
// event's own page shows it (content.EntryPageOnly).
func (QuestionFields) EntryPageOnly() {}

// ExtendsKind reports whether k is the event kind.
func (QuestionFields) ExtendsKind(k content.Kind) bool { return k == content.Event }

// questionLangs are the languages a question may be worded in: every
// language the site has a catalog for. The editor shows those enabled.
func questionLangs() []string {
	var out []string
	for _, l := range i18n.Available() {
		out = append(out, l.Code)
	}
	return out
}

// EditorFields is one list: a question a row.
func (QuestionFields) EditorFields() content.FieldSet {
	types := []content.Option{
		{Value: QuestionText, Label: "events.admin.question_type.text"},
		{Value: QuestionLongText, Label: "events.admin.question_type.longtext"},
		{Value: QuestionChoice, Label: "events.admin.question_type.choice"},
		{Value: QuestionCheckboxes, Label: "events.admin.question_type.checkboxes"},
		{Value: QuestionCheckbox, Label: "events.admin.question_type.checkbox"},
		{Value: QuestionInterpretation, Label: "events.admin.question_type.interpretation"},
		{Value: QuestionAccessibility, Label: "events.admin.question_type.accessibility"},
	}
	fields := []content.Field{
		{Name: "event_question_type", Label: "events.admin.question_type", Type: "select", Options: types},
		{Name: "event_question_required", Label: "events.admin.question_answer", Type: "select", Options: []content.Option{
			{Value: "", Label: "events.admin.question_optional"}, {Value: "required", Label: "events.admin.question_required"}}},
		{Name: "event_question_lang", Type: "hidden"},
	}
	for _, code := range questionLangs() {
		fields = append(fields,
			content.Field{Name: "event_question_label_" + code, Label: "events.admin.question_wording", Lang: code, Max: maxText},
			content.Field{Name: "event_question_options_" + code, Label: "events.admin.question_options", Lang: code,
				Type: "textarea", Hint: "events.admin.question_options_hint", Max: maxOptions * (maxText + 1)})
	}
	return content.FieldSet{Legend: "events.admin.questions", Lists: []content.FieldList{
		{Name: "event_question", Legend: "events.admin.questions", Hint: "events.admin.questions_rows_hint", Fields: fields},
	}}
}

// FormValues shows questions as the editor's rows: each language's
// wording in its own fields, options a line each.
func (QuestionFields) FormValues(v any) url.Values {
	out := url.Values{}
	qs, ok := v.(QuestionList)
	if !ok {
		return out
	}
	for _, q := range qs {
		out.Add("event_question_type", q.Type)
		required := ""
		if q.Required {
			required = "required"
		}
		out.Add("event_question_required", required)
		out.Add("event_question_lang", q.Lang)
		for _, code := range questionLangs() {
			w, ok := q.Wordings[code]
			if code == q.Lang {
				w, ok = Wording{Label: q.Label, Options: q.Options}, true
			}
			if !ok {
				w = Wording{}
			}
			out.Add("event_question_label_"+code, w.Label)
			out.Add("event_question_options_"+code, strings.Join(w.Options, "\n"))
		}
	}
	return out
}

// optionLines splits a textarea's options, a line each, leaving out
// empty lines.
func optionLines(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// ParseForm reads the rows in their order (content has left out the
// empty and removed ones). A question is kept in the language it was
// first written in (the row's hidden language) while that wording is
// there, else in the first language written, and worded in the others;
// what cannot be read is an error of its own field.
func (QuestionFields) ParseForm(form url.Values, errs content.FieldErrors) any {
	langs := questionLangs()
	names := []string{"event_question_type", "event_question_required", "event_question_lang"}
	for _, code := range langs {
		names = append(names, "event_question_label_"+code, "event_question_options_"+code)
	}
	qs := QuestionList{}
	for i := range content.ListRows(form, names...) {
		q := Question{Type: content.ListCell(form, "event_question_type", i), Required: content.ListCell(form, "event_question_required", i) == "required"}
		if !slices.Contains(questionTypes, q.Type) {
			errs[content.ListFieldID("event_question_type", i)] = "form.invalid_choice"
		}
		written := map[string]Wording{}
		for _, code := range langs {
			w := Wording{Label: content.ListCell(form, "event_question_label_"+code, i), Options: optionLines(content.ListCell(form, "event_question_options_"+code, i))}
			switch {
			case w.Label == "" && len(w.Options) > 0:
				errs[content.ListFieldID("event_question_label_"+code, i)] = "events.error.question_label"
			case w.Label != "":
				written[code] = w
			}
		}
		base := content.ListCell(form, "event_question_lang", i)
		if _, ok := written[base]; !ok {
			base = ""
			for _, code := range langs {
				if _, ok := written[code]; ok {
					base = code
					break
				}
			}
		}
		if base == "" {
			errs[content.ListFieldID("event_question_type", i)] = "events.error.question_unwritten"
			qs = append(qs, q)
			continue
		}
		q.Lang, q.Label, q.Options = base, written[base].Label, written[base].Options
		for _, code := range langs {
			if w, ok := written[code]; ok && code != base {
				if q.Wordings == nil {
					q.Wordings = map[string]Wording{}
				}
				q.Wordings[code] = w
			}
		}
		qs = append(qs, q)
	}
	return qs
}

// CheckExtension checks questions wherever they came from; nil (none
// given) is fine. An error names the field of its row and language.
func (QuestionFields) CheckExtension(v any, errs content.FieldErrors) {
	qs, ok := v.(QuestionList)
	if !ok {
		return
	}
	set := func(id, key string) {
		if errs[id] == "" {
			errs[id] = key
		}
	}
	long := func(s string) bool { return utf8.RuneCountInString(s) > maxText || !content.StorableText(s) }
	if len(qs) > maxQuestions {
		set("event_question", "form.too_long")
	}
	langs := questionLangs()
	for i, q := range qs {
		if !slices.Contains(questionTypes, q.Type) {
			set(content.ListFieldID("event_question_type", i), "form.invalid_choice")
			continue
		}
		if q.Label == "" {
			set(content.ListFieldID("event_question_type", i), "events.error.question_unwritten")
			continue
		}
		if !slices.Contains(langs, q.Lang) {
			set(content.ListFieldID("event_question_type", i), "events.error.language_unknown")
			continue
		}
		check := func(code string, w Wording) {
			label, options := content.ListFieldID("event_question_label_"+code, i), content.ListFieldID("event_question_options_"+code, i)
			if long(w.Label) {
				set(label, "form.too_long")
			}
			if len(w.Options) > maxOptions {
				set(options, "form.too_long")
			}
			for _, o := range w.Options {
				if long(o) || strings.ContainsAny(o, "\r\n") {
					set(options, "form.too_long")
				}
			}
			switch {
			case !hasOptions(q.Type) && len(w.Options) > 0:
				set(options, "events.error.question_no_options")
			case code == q.Lang && hasOptions(q.Type) && len(w.Options) == 0:
				set(options, "events.error.question_options")
			case code != q.Lang && len(w.Options) > 0 && len(w.Options) != len(q.Options):
				set(options, "events.error.question_options_count")
			}
		}
		check(q.Lang, Wording{Label: q.Label, Options: q.Options})
		for code, w := range q.Wordings {
			if !slices.Contains(langs, code) || code == q.Lang {
				set(content.ListFieldID("event_question_type", i), "events.error.language_unknown")
				continue
			}
			if w.Label == "" {
				set(content.ListFieldID("event_question_label_"+code, i), "events.error.question_label")
			}
			check(code, w)
		}
	}
}

// SaveExtension writes the questions into the event's details, in the
// entry's transaction; nil (none given, or no longer an event) keeps
// what is there.
func (QuestionFields) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	qs, ok := v.(QuestionList)
	if !ok {
		return nil
	}
	b, err := json.Marshal(orEmpty([]Question(qs)))
	if err != nil {
		return fmt.Errorf("events: questions of %d: %w", entryID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_details (entry_id, questions) VALUES (?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET questions = excluded.questions`, entryID, string(b)); err != nil {
		return fmt.Errorf("events: save questions of %d: %w", entryID, err)
	}
	return nil
}

// LoadExtension reads the questions of the given entries in one query.
func (QuestionFields) LoadExtension(ctx context.Context, q db.Querier, entryIDs []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	marks, args := db.InList(entryIDs)
	rows, err := q.QueryContext(ctx, `SELECT d.entry_id, d.questions, e.source_lang FROM event_details d JOIN entries e ON e.id = d.entry_id
		WHERE d.entry_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw, lang string
		if err := rows.Scan(&id, &raw, &lang); err != nil {
			return nil, fmt.Errorf("events: questions: %w", err)
		}
		var qs QuestionList
		if err := json.Unmarshal([]byte(raw), &qs); err != nil {
			return nil, fmt.Errorf("events: questions of %d: %w", id, err)
		}
		out[id] = qs.inLanguage(lang)
	}
	return out, rows.Err()
}

// inLanguage gives the questions saved before their language was kept
// (in the pipe syntax of the details page) the language they were written
// in: the event's own, unless a wording of the question already is in it,
// then the first language free. Nothing written is lost: the editor shows
// each wording in its language's fields.
func (qs QuestionList) inLanguage(eventLang string) QuestionList {
	out := make(QuestionList, len(qs))
	for i, q := range qs {
		if q.Lang == "" {
			q.Lang = eventLang
			if _, taken := q.Wordings[q.Lang]; taken {
				for _, code := range questionLangs() {
					if _, taken := q.Wordings[code]; !taken {
						q.Lang = code
						break
					}
				}
			}
		}
		out[i] = q
	}
	return out
}
