package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// extName keys a Call among an entry's extension values.
const extName = "call"

// Ext is c as an entry's extension values, for code that saves calls
// itself (the demo, tests).
func Ext(c Call) map[string]any { return map[string]any{extName: c} }

// Of is the call's settings, which content loads with the entry; ok is
// false when it has none.
func Of(e *content.Entry) (c Call, ok bool) {
	c, ok = e.Ext[extName].(Call)
	return c, ok
}

// Limits of the settings.
const (
	maxGraceMinutes = 24 * 60
	maxFileMB       = 4096
	maxVideoMinutes = 600
	maxRetention    = 3650
	maxRows         = 100
	maxLabel        = 300
	maxText         = 4000
)

// VideoTypes are the file types a call may take: video containers whose
// location and device metadata ffmpeg removes (see video.go).
var VideoTypes = []string{"mp4", "mov", "webm"}

// keyPattern is a form field's or a criterion's key.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// Settings adds a call's settings to call entries (content.Extension):
// the editor's fields, their checks, and the calls table's row, saved in
// the entry's transaction by whatever saves the entry.
type Settings struct {
	// Languages gives the site's enabled languages, which the wordings
	// may be in; nil allows every language the interface has.
	Languages func() []string
}

// ExtensionName keys a Call (content.Extension).
func (Settings) ExtensionName() string { return extName }

// ExtendsKind reports whether k is the call kind.
func (Settings) ExtendsKind(k content.Kind) bool { return k == Kind }

// languageSuggestions are the languages the site can publish in, each
// named in itself.
func languageSuggestions(string) []content.Suggestion {
	var out []content.Suggestion
	for _, l := range i18n.Available() {
		out = append(out, content.Suggestion{Value: l.Code, Label: l.Name})
	}
	return out
}

func yesNo() []content.Option {
	return []content.Option{{Value: "no", Label: "calls.no"}, {Value: "yes", Label: "calls.yes"}}
}

// EditorFields are the instants and zone, the checks, and three lists:
// the texts by language, the form's fields and the review criteria, each
// a row per language.
func (Settings) EditorFields() content.FieldSet {
	types := []content.Option{{Value: ShortText, Label: "calls.field_type.short"}, {Value: LongText, Label: "calls.field_type.long"},
		{Value: Choice, Label: "calls.field_type.choice"}, {Value: Checkboxes, Label: "calls.field_type.checkboxes"},
		{Value: Country, Label: "calls.field_type.country"}, {Value: Link, Label: "calls.field_type.link"},
		{Value: File, Label: "calls.field_type.file"}}
	scales := []content.Option{{Value: "5", Label: "calls.scale.5"}, {Value: "10", Label: "calls.scale.10"}}
	return content.FieldSet{Legend: "calls.settings", Rows: [][]content.Field{
		{
			{Name: "call_opens", Label: "calls.opens", Type: "datetime-local"},
			{Name: "call_closes", Label: "calls.closes", Hint: "calls.closes_hint", Type: "datetime-local"},
			{Name: "call_zone", Label: "calls.zone", Hint: "calls.zone_hint", Suggest: content.ZoneSuggestions, ShowLabel: true, Max: 64},
			{Name: "call_grace", Label: "calls.grace", Hint: "calls.grace_hint", Type: "number", Min: 0, Max: maxGraceMinutes},
		},
		{
			{Name: "call_file_types", Label: "calls.file_types", Hint: "calls.file_types_hint", Max: 100},
			{Name: "call_max_mb", Label: "calls.max_mb", Type: "number", Min: 1, Max: maxFileMB},
			{Name: "call_max_minutes", Label: "calls.max_minutes", Hint: "calls.max_minutes_hint", Type: "number", Min: 0, Max: maxVideoMinutes},
		},
		{
			{Name: "call_one_per_email", Label: "calls.one_per_email", Type: "select", Options: yesNo()},
			{Name: "call_work_languages", Label: "calls.work_languages", Hint: "calls.work_languages_hint", Max: 100},
			{Name: "call_retention", Label: "calls.retention", Hint: "calls.retention_hint", Type: "number", Min: 1, Max: maxRetention},
		},
	}, Lists: []content.FieldList{
		{Name: "call_text", Legend: "calls.texts", Hint: "calls.texts_hint", Fields: []content.Field{
			{Name: "call_text_lang", Label: "calls.language", Suggest: languageSuggestions, Max: 8},
			{Name: "call_text_eligibility", Label: "calls.eligibility", Max: maxText},
			{Name: "call_text_consent", Label: "calls.consent", Max: maxText},
		}},
		{Name: "call_field", Legend: "calls.form", Hint: "calls.form_hint", Fields: []content.Field{
			{Name: "call_field_key", Label: "calls.field_key", Max: 30},
			{Name: "call_field_type", Label: "calls.field_type", Type: "select", Options: types},
			{Name: "call_field_required", Label: "calls.field_required", Type: "select", Options: yesNo()},
			{Name: "call_field_lang", Label: "calls.language", Suggest: languageSuggestions, Max: 8},
			{Name: "call_field_label", Label: "calls.field_label", Max: maxLabel},
			{Name: "call_field_options", Label: "calls.field_options", Hint: "calls.field_options_hint", Max: maxText},
		}},
		{Name: "call_criterion", Legend: "calls.criteria", Hint: "calls.criteria_hint", Fields: []content.Field{
			{Name: "call_criterion_key", Label: "calls.field_key", Max: 30},
			{Name: "call_criterion_weight", Label: "calls.criterion_weight", Type: "number", Min: 1, Max: 100},
			{Name: "call_criterion_scale", Label: "calls.criterion_scale", Type: "select", Options: scales},
			{Name: "call_criterion_lang", Label: "calls.language", Suggest: languageSuggestions, Max: 8},
			{Name: "call_criterion_name", Label: "calls.criterion_name", Max: maxLabel},
			{Name: "call_criterion_guidance", Label: "calls.criterion_guidance", Max: maxText},
		}},
	}}
}

// formTimeLayout is what <input type="datetime-local"> sends; seconds
// may be typed too.
const (
	formTimeLayout        = "2006-01-02T15:04"
	formTimeLayoutSeconds = "2006-01-02T15:04:05"
)

func formTime(t time.Time) string {
	if t.Second() != 0 {
		return t.Format(formTimeLayoutSeconds)
	}
	return t.Format(formTimeLayout)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// FormValues shows a Call in the editor; a new call takes videos of up
// to 2 GB, one application per email, kept 90 days after the close.
func (Settings) FormValues(v any) url.Values {
	c, ok := v.(Call)
	if !ok {
		return url.Values{"call_zone": {"UTC"}, "call_grace": {"60"}, "call_file_types": {"mp4, mov, webm"},
			"call_max_mb": {"2048"}, "call_max_minutes": {"0"}, "call_one_per_email": {"yes"}, "call_retention": {"90"}}
	}
	zone := c.Zone()
	out := url.Values{
		"call_opens": {formTime(c.OpensAt.In(zone))}, "call_closes": {formTime(c.ClosesAt.In(zone))}, "call_zone": {c.TimeZone},
		"call_grace": {strconv.Itoa(c.GraceMinutes)}, "call_file_types": {strings.Join(c.FileTypes, ", ")},
		"call_max_mb": {strconv.Itoa(c.MaxFileMB)}, "call_max_minutes": {strconv.Itoa(c.MaxVideoMinutes)},
		"call_one_per_email": {yes(c.OnePerEmail)}, "call_work_languages": {strings.Join(c.WorkLanguages, ", ")},
		"call_retention": {strconv.Itoa(c.RetentionDays)},
	}
	for _, lang := range sortedKeys(c.Texts) {
		out.Add("call_text_lang", lang)
		out.Add("call_text_eligibility", c.Texts[lang].Eligibility)
		out.Add("call_text_consent", c.Texts[lang].Consent)
	}
	for _, f := range c.Form {
		for _, lang := range sortedKeys(f.Wordings) {
			out.Add("call_field_key", f.Key)
			out.Add("call_field_type", f.Type)
			out.Add("call_field_required", yes(f.Required))
			out.Add("call_field_lang", lang)
			out.Add("call_field_label", f.Wordings[lang].Label)
			out.Add("call_field_options", strings.Join(f.Wordings[lang].Options, "; "))
		}
	}
	for _, cr := range c.Criteria {
		for _, lang := range sortedKeys(cr.Wordings) {
			out.Add("call_criterion_key", cr.Key)
			out.Add("call_criterion_weight", strconv.Itoa(cr.Weight))
			out.Add("call_criterion_scale", strconv.Itoa(cr.Scale))
			out.Add("call_criterion_lang", lang)
			out.Add("call_criterion_name", cr.Wordings[lang].Name)
			out.Add("call_criterion_guidance", cr.Wordings[lang].Guidance)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// number reads an integer field; what is not one becomes -1, which every
// check refuses.
func number(form url.Values, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(form.Get(name)))
	if err != nil {
		return -1
	}
	return n
}

// splitList reads "mp4, .MOV webm" as [mp4 mov webm].
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if p = strings.TrimPrefix(p, "."); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// ParseForm reads the fields as typed: the instants in the call's zone,
// the lists' rows grouped by key in the order the keys first come.
func (Settings) ParseForm(form url.Values, errs content.FieldErrors) any {
	zone := strings.TrimSpace(form.Get("call_zone"))
	if id, ok := i18n.ResolveZone(zone, ""); ok {
		zone = id
	}
	c := Call{TimeZone: zone, GraceMinutes: number(form, "call_grace"), FileTypes: splitList(form.Get("call_file_types")),
		MaxFileMB: number(form, "call_max_mb"), MaxVideoMinutes: number(form, "call_max_minutes"),
		OnePerEmail: form.Get("call_one_per_email") == "yes", WorkLanguages: splitList(form.Get("call_work_languages")),
		RetentionDays: number(form, "call_retention")}
	loc := c.Zone()
	for name, at := range map[string]*time.Time{"call_opens": &c.OpensAt, "call_closes": &c.ClosesAt} {
		s := strings.TrimSpace(form.Get(name))
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation(formTimeLayoutSeconds, s, loc)
		if err != nil {
			t, err = time.ParseInLocation(formTimeLayout, s, loc)
		}
		if err != nil {
			errs[name] = "form.invalid_time"
			continue
		}
		*at = t
	}
	for i := range content.ListRows(form, "call_text_lang", "call_text_eligibility", "call_text_consent") {
		lang := content.ListCell(form, "call_text_lang", i)
		if _, dup := c.Texts[lang]; dup {
			errs[content.ListFieldID("call_text_lang", i)] = "calls.error.language_twice"
			continue
		}
		if c.Texts == nil {
			c.Texts = map[string]Texts{}
		}
		c.Texts[lang] = Texts{Eligibility: content.ListCell(form, "call_text_eligibility", i), Consent: content.ListCell(form, "call_text_consent", i)}
	}
	for i := range content.ListRows(form, "call_field_key", "call_field_type", "call_field_lang", "call_field_label", "call_field_options") {
		key, lang := content.ListCell(form, "call_field_key", i), content.ListCell(form, "call_field_lang", i)
		w := Wording{Label: content.ListCell(form, "call_field_label", i), Options: options(content.ListCell(form, "call_field_options", i))}
		at := slices.IndexFunc(c.Form, func(f FormField) bool { return f.Key == key })
		if at < 0 {
			c.Form = append(c.Form, FormField{Key: key, Type: content.ListCell(form, "call_field_type", i),
				Required: content.ListCell(form, "call_field_required", i) == "yes", Wordings: map[string]Wording{}})
			at = len(c.Form) - 1
		}
		if _, dup := c.Form[at].Wordings[lang]; dup {
			errs[content.ListFieldID("call_field_lang", i)] = "calls.error.language_twice"
			continue
		}
		c.Form[at].Wordings[lang] = w
	}
	for i := range content.ListRows(form, "call_criterion_key", "call_criterion_lang", "call_criterion_name", "call_criterion_guidance") {
		key, lang := content.ListCell(form, "call_criterion_key", i), content.ListCell(form, "call_criterion_lang", i)
		at := slices.IndexFunc(c.Criteria, func(cr Criterion) bool { return cr.Key == key })
		if at < 0 {
			weight, err := strconv.Atoi(content.ListCell(form, "call_criterion_weight", i))
			if err != nil {
				weight = -1
			}
			scale, _ := strconv.Atoi(content.ListCell(form, "call_criterion_scale", i))
			c.Criteria = append(c.Criteria, Criterion{Key: key, Weight: weight, Scale: scale, Wordings: map[string]CriterionWording{}})
			at = len(c.Criteria) - 1
		}
		if _, dup := c.Criteria[at].Wordings[lang]; dup {
			errs[content.ListFieldID("call_criterion_lang", i)] = "calls.error.language_twice"
			continue
		}
		c.Criteria[at].Wordings[lang] = CriterionWording{Name: content.ListCell(form, "call_criterion_name", i), Guidance: content.ListCell(form, "call_criterion_guidance", i)}
	}
	return c
}

// options splits "a; b; c", leaving out empty options.
func options(s string) []string {
	var out []string
	for _, o := range strings.Split(s, ";") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// CheckExtension checks a Call from the editor, the API or an import.
// A list's problems are reported on the row that shows them in the
// editor's order (FormValues: by key, then by language).
func (s Settings) CheckExtension(v any, errs content.FieldErrors) {
	set := func(id, key string) {
		if errs[id] == "" {
			errs[id] = key
		}
	}
	c, ok := v.(Call)
	if !ok {
		set("call_closes", "form.required")
		return
	}
	if !i18n.ValidZone(c.TimeZone) {
		set("call_zone", "calls.error.zone")
	}
	switch {
	case c.OpensAt.IsZero():
		set("call_opens", "form.required")
	case c.ClosesAt.IsZero():
		set("call_closes", "form.required")
	case !c.ClosesAt.After(c.OpensAt):
		set("call_closes", "calls.error.closes_before_opens")
	}
	if c.GraceMinutes < 0 || c.GraceMinutes > maxGraceMinutes {
		set("call_grace", "calls.error.grace")
	}
	for _, t := range c.FileTypes {
		if !slices.Contains(VideoTypes, t) {
			set("call_file_types", "calls.error.file_type")
		}
	}
	if c.MaxFileMB < 1 || c.MaxFileMB > maxFileMB {
		set("call_max_mb", "calls.error.max_mb")
	}
	if c.MaxVideoMinutes < 0 || c.MaxVideoMinutes > maxVideoMinutes {
		set("call_max_minutes", "calls.error.max_minutes")
	}
	for _, l := range c.WorkLanguages {
		if !languageCode(l) {
			set("call_work_languages", "calls.error.language")
		}
	}
	if c.RetentionDays < 1 || c.RetentionDays > maxRetention {
		set("call_retention", "calls.error.retention")
	}
	long := func(s string, n int) bool { return utf8.RuneCountInString(s) > n || !content.StorableText(s) }
	row := 0
	for _, lang := range sortedKeys(c.Texts) {
		t := c.Texts[lang]
		if !s.enabled(lang) {
			set(content.ListFieldID("call_text_lang", row), "calls.error.language")
		}
		if long(t.Eligibility, maxText) {
			set(content.ListFieldID("call_text_eligibility", row), "form.too_long")
		}
		if long(t.Consent, maxText) {
			set(content.ListFieldID("call_text_consent", row), "form.too_long")
		}
		row++
	}
	if len(c.Form) > maxRows {
		set("call_field_key-1", "form.too_long")
	}
	row = 0
	keys := map[string]bool{}
	for _, f := range c.Form {
		first := row
		if !keyPattern.MatchString(f.Key) || keys[f.Key] {
			set(content.ListFieldID("call_field_key", first), "calls.error.key")
		}
		keys[f.Key] = true
		if !slices.Contains(FieldTypes, f.Type) {
			set(content.ListFieldID("call_field_type", first), "form.invalid_choice")
		}
		if f.Type == File && len(c.FileTypes) == 0 {
			set(content.ListFieldID("call_field_type", first), "calls.error.file_without_types")
		}
		if len(f.Wordings) == 0 {
			set(content.ListFieldID("call_field_lang", first), "form.required")
		}
		n := -1
		for _, lang := range sortedKeys(f.Wordings) {
			w := f.Wordings[lang]
			if !s.enabled(lang) {
				set(content.ListFieldID("call_field_lang", row), "calls.error.language")
			}
			switch {
			case w.Label == "":
				set(content.ListFieldID("call_field_label", row), "form.required")
			case long(w.Label, maxLabel):
				set(content.ListFieldID("call_field_label", row), "form.too_long")
			}
			choice := f.Type == Choice || f.Type == Checkboxes
			if choice != (len(w.Options) > 0) || (n >= 0 && len(w.Options) != n) || len(w.Options) > maxRows {
				set(content.ListFieldID("call_field_options", row), "calls.error.options")
			}
			for _, o := range w.Options {
				if long(o, maxLabel) {
					set(content.ListFieldID("call_field_options", row), "form.too_long")
				}
			}
			n = len(w.Options)
			row++
		}
	}
	if len(c.Criteria) > maxRows {
		set("call_criterion_key-1", "form.too_long")
	}
	row = 0
	keys = map[string]bool{}
	for _, cr := range c.Criteria {
		first := row
		if !keyPattern.MatchString(cr.Key) || keys[cr.Key] {
			set(content.ListFieldID("call_criterion_key", first), "calls.error.key")
		}
		keys[cr.Key] = true
		if cr.Weight < 1 || cr.Weight > 100 {
			set(content.ListFieldID("call_criterion_weight", first), "calls.error.weight")
		}
		if !slices.Contains(Scales, cr.Scale) {
			set(content.ListFieldID("call_criterion_scale", first), "form.invalid_choice")
		}
		if len(cr.Wordings) == 0 {
			set(content.ListFieldID("call_criterion_lang", first), "form.required")
		}
		for _, lang := range sortedKeys(cr.Wordings) {
			w := cr.Wordings[lang]
			if !s.enabled(lang) {
				set(content.ListFieldID("call_criterion_lang", row), "calls.error.language")
			}
			switch {
			case w.Name == "":
				set(content.ListFieldID("call_criterion_name", row), "form.required")
			case long(w.Name, maxLabel):
				set(content.ListFieldID("call_criterion_name", row), "form.too_long")
			}
			if long(w.Guidance, maxText) {
				set(content.ListFieldID("call_criterion_guidance", row), "form.too_long")
			}
			row++
		}
	}
}

// enabled reports whether a wording may be in lang.
func (s Settings) enabled(lang string) bool {
	if s.Languages != nil {
		return slices.Contains(s.Languages(), lang)
	}
	_, ok := i18n.Lookup(lang)
	return ok
}

// languageCode reports whether s is a language's BCP 47 code.
func languageCode(s string) bool {
	tag, err := language.Parse(s)
	if err != nil || len(s) > 35 {
		return false
	}
	base, conf := tag.Base()
	return conf != language.No && base.String() != "und"
}

// SaveExtension writes the call's row in the entry's transaction, or
// removes it (nil: the entry is no longer a call).
func (Settings) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	c, ok := v.(Call)
	if !ok {
		_, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE entry_id = ?`, entryID)
		return err
	}
	texts, _ := json.Marshal(orEmptyMap(c.Texts))
	form, _ := json.Marshal(orEmpty(c.Form))
	criteria, _ := json.Marshal(orEmpty(c.Criteria))
	_, err := tx.ExecContext(ctx, `INSERT INTO calls (entry_id, opens_at, closes_at, time_zone, grace_minutes, file_types,
		max_file_mb, max_video_minutes, one_per_email, work_languages, retention_days, texts, form, criteria)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET opens_at = excluded.opens_at, closes_at = excluded.closes_at,
		time_zone = excluded.time_zone, grace_minutes = excluded.grace_minutes, file_types = excluded.file_types,
		max_file_mb = excluded.max_file_mb, max_video_minutes = excluded.max_video_minutes, one_per_email = excluded.one_per_email,
		work_languages = excluded.work_languages, retention_days = excluded.retention_days, texts = excluded.texts,
		form = excluded.form, criteria = excluded.criteria`,
		entryID, c.OpensAt.Unix(), c.ClosesAt.Unix(), c.TimeZone, c.GraceMinutes, strings.Join(c.FileTypes, ","),
		c.MaxFileMB, c.MaxVideoMinutes, c.OnePerEmail, strings.Join(c.WorkLanguages, ","), c.RetentionDays,
		string(texts), string(form), string(criteria))
	if err != nil {
		return fmt.Errorf("calls: save %d: %w", entryID, err)
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// callCols are the calls table's columns scanCall reads.
const callCols = `entry_id, opens_at, closes_at, time_zone, grace_minutes, file_types, max_file_mb, max_video_minutes,
	one_per_email, work_languages, retention_days, texts, form, criteria`

func scanCall(row interface{ Scan(...any) error }) (int64, Call, error) {
	var id, opens, closes int64
	var c Call
	var types, langs, texts, form, criteria string
	if err := row.Scan(&id, &opens, &closes, &c.TimeZone, &c.GraceMinutes, &types, &c.MaxFileMB, &c.MaxVideoMinutes,
		&c.OnePerEmail, &langs, &c.RetentionDays, &texts, &form, &criteria); err != nil {
		return 0, c, err
	}
	c.OpensAt, c.ClosesAt = time.Unix(opens, 0).UTC(), time.Unix(closes, 0).UTC()
	c.FileTypes, c.WorkLanguages = splitList(types), splitList(langs)
	for _, f := range []struct {
		raw string
		v   any
	}{{texts, &c.Texts}, {form, &c.Form}, {criteria, &c.Criteria}} {
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return 0, c, fmt.Errorf("calls: settings of %d: %w", id, err)
		}
	}
	return id, c, nil
}

// LoadExtension reads the calls' rows of the given entries in one query.
func (Settings) LoadExtension(ctx context.Context, q db.Querier, entryIDs []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	marks, args := db.InList(entryIDs)
	rows, err := q.QueryContext(ctx, `SELECT `+callCols+` FROM calls WHERE entry_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("calls: settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		id, c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("calls: settings: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// itemNote is the line under a listed call's title. A literal, so
// parsing it cannot fail.
var itemNote = template.Must(template.New("item_note").Parse(
	`<p class="meta">{{if .Closed}}{{.L.T "calls.state.closed"}}{{else}}{{.L.T "calls.closes"}}: <time datetime="{{.At.Format "2006-01-02T15:04:05Z07:00"}}">{{.L.DateTime .Local}}</time> ({{.Zone}}){{end}}</p>`))

// ItemNote says when a listed call closes, or that it has
// (content.ItemNoter).
func (Settings) ItemNote(l *i18n.Localizer, v any) template.HTML {
	c, ok := v.(Call)
	if !ok {
		return ""
	}
	zone := c.Zone()
	var b strings.Builder
	data := struct {
		L      *i18n.Localizer
		At     time.Time
		Local  time.Time
		Zone   string
		Closed bool
	}{l, c.ClosesAt.UTC(), c.ClosesAt.In(zone), zone.String(), c.State(time.Now()) == StateClosed}
	if err := itemNote.Execute(&b, data); err != nil {
		return "" // a localizer's methods do not fail; nothing to show otherwise
	}
	return template.HTML(b.String()) // #nosec G203 -- output of html/template, escaped by it
}
