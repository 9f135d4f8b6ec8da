package events

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Programme is an event's interpretation languages, speakers and agenda:
// the lists an editor writes with the event, in the entry editor, as rows
// of ordinary fields. They are kept in the event's details (the same
// columns and JSON the details page and the API always used).
type Programme struct {
	Languages []Interpretation
	Speakers  []Speaker
	Agenda    []AgendaItem
}

// ProgrammeFields adds an event's programme to the entry editor
// (content.Extension), saved in the entry's transaction. A save that
// gives no programme (the API, an import) leaves the one kept alone.
type ProgrammeFields struct{}

// programmeName keys a Programme among an entry's extension values.
const programmeName = "programme"

// maxRows bounds each list, and maxText each text in it.
const (
	maxRows = 100
	maxText = 300
)

// ExtensionName keys a Programme (content.Extension).
func (ProgrammeFields) ExtensionName() string { return programmeName }

// EntryPageOnly tells listings not to load the programme: only the
// event's own page shows it (content.EntryPageOnly).
func (ProgrammeFields) EntryPageOnly() {}

// ExtendsKind reports whether k is the event kind.
func (ProgrammeFields) ExtendsKind(k content.Kind) bool { return k == content.Event }

// interpretationLanguages are suggested for interpretation, besides any
// language code typed.
var interpretationLanguages = []string{"en", "es", "fr", "ru", "ar", "hi", "pt", "zh", "uk", "sw", "id", "th",
	"vi", "ms", "tl", "ur", "bn", "fa", "tr", "de", "it", "ka", "ky", "kk", "uz", "ro", "pl", "sr", "ne", "my", "km"}

// languageSuggestions name the suggested languages in the editor's
// language, each followed by its name in itself.
func languageSuggestions(lang string) []content.Suggestion {
	out := make([]content.Suggestion, 0, len(interpretationLanguages))
	for _, code := range interpretationLanguages {
		name := languageName(code, lang)
		if self := languageName(code, code); self != name && self != code {
			name += " · " + self
		}
		out = append(out, content.Suggestion{Value: code, Label: name})
	}
	return out
}

// resolveLanguage reads a language as typed: a BCP 47 code ("pt-BR"), or
// the name of a suggested language in itself or in a language the site
// has a catalog for ("Portuguese", "português").
func resolveLanguage(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if before, _, ok := strings.Cut(s, " · "); ok {
		s = before
	}
	if tag, err := language.Parse(s); err == nil && len(s) <= 35 {
		if base, conf := tag.Base(); conf != language.No && base.String() != "und" {
			return tag.String(), true
		}
	}
	for _, code := range interpretationLanguages {
		for _, in := range append([]string{code}, "en", "es", "fr", "ru", "ar", "hi") {
			if n := display.Tags(language.Make(in)).Name(language.Make(code)); n != "" && strings.EqualFold(n, s) {
				return code, true
			}
		}
	}
	return "", false
}

// EditorFields are three lists: languages, speakers, agenda.
func (ProgrammeFields) EditorFields() content.FieldSet {
	return content.FieldSet{Legend: "events.admin.programme", Lists: []content.FieldList{
		{Name: "event_lang", Legend: "events.admin.languages", Hint: "events.admin.languages_rows_hint", Fields: []content.Field{
			{Name: "event_lang_code", Label: "events.admin.language", Suggest: languageSuggestions, Max: 35},
			{Name: "event_lang_status", Label: "events.admin.interpretation", Type: "select", Options: []content.Option{
				{Value: Confirmed, Label: "events.admin.interpretation_confirmed"},
				{Value: ToConfirm, Label: "events.admin.interpretation_tbc"}}},
		}},
		{Name: "event_speaker", Legend: "events.admin.speakers", Fields: []content.Field{
			{Name: "event_speaker_name", Label: "events.admin.speaker_name", Max: maxText},
			{Name: "event_speaker_role", Label: "events.admin.speaker_role", Max: maxText},
			{Name: "event_speaker_org", Label: "events.admin.speaker_organisation", Max: maxText},
		}},
		{Name: "event_agenda", Legend: "events.admin.agenda", Fields: []content.Field{
			{Name: "event_agenda_time", Label: "events.admin.agenda_time", Hint: "events.admin.agenda_time_hint", Max: 6},
			{Name: "event_agenda_title", Label: "events.admin.agenda_title", Max: maxText},
		}},
	}}
}

// FormValues shows a Programme as the editor's rows.
func (ProgrammeFields) FormValues(v any) url.Values {
	out := url.Values{}
	p, ok := v.(Programme)
	if !ok {
		return out
	}
	for _, l := range p.Languages {
		out.Add("event_lang_code", l.Lang)
		out.Add("event_lang_status", l.Status)
	}
	for _, s := range p.Speakers {
		out.Add("event_speaker_name", s.Name)
		out.Add("event_speaker_role", s.Role)
		out.Add("event_speaker_org", s.Organisation)
	}
	for _, a := range p.Agenda {
		at := a.Clock
		if at == "" {
			at = "+" + strconv.Itoa(a.Offset)
		}
		out.Add("event_agenda_time", at)
		out.Add("event_agenda_title", a.Title)
	}
	return out
}

// ParseForm reads the rows in their order (content has left out the
// empty and removed ones); a row that cannot be read is an error of its
// own field.
func (ProgrammeFields) ParseForm(form url.Values, errs content.FieldErrors) any {
	var p Programme
	for i := range content.ListRows(form, "event_lang_code", "event_lang_status") {
		code, ok := resolveLanguage(content.ListCell(form, "event_lang_code", i))
		if !ok {
			errs[content.ListFieldID("event_lang_code", i)] = "events.error.language_unknown"
		}
		status := content.ListCell(form, "event_lang_status", i)
		if status == "" {
			status = Confirmed
		}
		p.Languages = append(p.Languages, Interpretation{Lang: code, Status: status})
	}
	for i := range content.ListRows(form, "event_speaker_name", "event_speaker_role", "event_speaker_org") {
		s := Speaker{Name: content.ListCell(form, "event_speaker_name", i), Role: content.ListCell(form, "event_speaker_role", i),
			Organisation: content.ListCell(form, "event_speaker_org", i)}
		if s.Name == "" {
			errs[content.ListFieldID("event_speaker_name", i)] = "events.error.speaker_name"
		}
		p.Speakers = append(p.Speakers, s)
	}
	for i := range content.ListRows(form, "event_agenda_time", "event_agenda_title") {
		at, title := content.ListCell(form, "event_agenda_time", i), content.ListCell(form, "event_agenda_title", i)
		item, ok := agendaTime(at)
		if !ok {
			errs[content.ListFieldID("event_agenda_time", i)] = "events.error.agenda_time"
		}
		if item.Title = title; title == "" {
			errs[content.ListFieldID("event_agenda_title", i)] = "events.error.agenda_title"
		}
		p.Agenda = append(p.Agenda, item)
	}
	return p
}

// agendaTime reads an agenda item's time: a clock time in the event's
// zone ("12:30", "9:05"), or minutes from the start ("+15").
func agendaTime(s string) (AgendaItem, bool) {
	if off, ok := strings.CutPrefix(s, "+"); ok {
		n, err := strconv.Atoi(off)
		return AgendaItem{Offset: n}, err == nil && n >= 0 && n <= maxDuration
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return AgendaItem{}, false
	}
	return AgendaItem{Clock: t.Format("15:04")}, true
}

// CheckExtension checks a Programme wherever it came from; nil (none
// given) is fine.
func (ProgrammeFields) CheckExtension(v any, errs content.FieldErrors) {
	p, ok := v.(Programme)
	if !ok {
		return
	}
	set := func(id, key string) {
		if errs[id] == "" {
			errs[id] = key
		}
	}
	long := func(s string) bool { return utf8.RuneCountInString(s) > maxText || !content.StorableText(s) }
	if len(p.Languages) > maxRows {
		set("event_lang", "form.too_long")
	}
	for i, l := range p.Languages {
		if _, ok := resolveLanguage(l.Lang); !ok {
			set(content.ListFieldID("event_lang_code", i), "events.error.language_unknown")
		}
		if l.Status != Confirmed && l.Status != ToConfirm {
			set(content.ListFieldID("event_lang_status", i), "form.invalid_choice")
		}
	}
	if len(p.Speakers) > maxRows {
		set("event_speaker", "form.too_long")
	}
	for i, s := range p.Speakers {
		if s.Name == "" {
			set(content.ListFieldID("event_speaker_name", i), "events.error.speaker_name")
		}
		for name, text := range map[string]string{"event_speaker_name": s.Name, "event_speaker_role": s.Role, "event_speaker_org": s.Organisation} {
			if long(text) {
				set(content.ListFieldID(name, i), "form.too_long")
			}
		}
	}
	if len(p.Agenda) > maxRows {
		set("event_agenda", "form.too_long")
	}
	for i, a := range p.Agenda {
		if a.Title == "" {
			set(content.ListFieldID("event_agenda_title", i), "events.error.agenda_title")
		} else if long(a.Title) {
			set(content.ListFieldID("event_agenda_title", i), "form.too_long")
		}
	}
}

// SaveExtension writes the programme into the event's details, and its
// speakers into the search index, in the entry's transaction; nil (none given, or no longer an event) keeps
// what is there.
func (ProgrammeFields) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	p, ok := v.(Programme)
	if !ok {
		return nil
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	_, err := tx.ExecContext(ctx, `INSERT INTO event_details (entry_id, languages, speakers, agenda) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET languages = excluded.languages, speakers = excluded.speakers, agenda = excluded.agenda`,
		entryID, enc(orEmpty(p.Languages)), enc(orEmpty(p.Speakers)), enc(orEmpty(p.Agenda)))
	if err != nil {
		return fmt.Errorf("events: save programme of %d: %w", entryID, err)
	}
	return indexEvent(ctx, tx, entryID)
}

// LoadExtension reads the programmes of the given entries in one query.
func (ProgrammeFields) LoadExtension(ctx context.Context, q db.Querier, entryIDs []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	marks, args := db.InList(entryIDs)
	rows, err := q.QueryContext(ctx, `SELECT entry_id, languages, speakers, agenda FROM event_details
		WHERE entry_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: programmes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var langs, speakers, agenda string
		if err := rows.Scan(&id, &langs, &speakers, &agenda); err != nil {
			return nil, fmt.Errorf("events: programmes: %w", err)
		}
		var p Programme
		for _, f := range []struct {
			raw string
			v   any
		}{{langs, &p.Languages}, {speakers, &p.Speakers}, {agenda, &p.Agenda}} {
			if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
				return nil, fmt.Errorf("events: programme of %d: %w", id, err)
			}
		}
		out[id] = p
	}
	return out, rows.Err()
}

// ProgrammeExt is a programme as an entry's extension values, beside an
// event's Info, for code that saves events itself (tests).
func ProgrammeExt(info Info, p Programme) map[string]any {
	return map[string]any{extName: info, programmeName: p}
}
