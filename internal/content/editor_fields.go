package content

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"peerpress/internal/i18n"
)

// FieldSet is an extension's part of the entry editor: a legend (a
// message key), rows of fields, and lists of rows the editor adds to,
// removes from and reorders (an event's speakers).
type FieldSet struct {
	Legend string
	Rows   [][]Field
	Lists  []FieldList
}

// FieldList is a list of rows of the same fields, posted as repeated
// values of each field in row order. The editor adds its own fields
// beside them: Name+"_pos", each row's position, and Name+"_remove",
// the rows to remove; content puts the rows in order, leaves out the
// removed and the empty ones, and hands the extension only its fields.
type FieldList struct {
	Name   string // unique in the form, like a field's: event_speaker
	Legend string // a message key
	Hint   string // a message key; "" for none
	Fields []Field
}

// ListCell is the i-th value posted for a list's field, trimmed; "" past
// the rows posted.
func ListCell(form url.Values, name string, i int) string {
	if vs := form[name]; i < len(vs) {
		return strings.TrimSpace(vs[i])
	}
	return ""
}

// ListRows is how many rows a list's fields were posted with.
func ListRows(form url.Values, names ...string) int {
	n := 0
	for _, name := range names {
		n = max(n, len(form[name]))
	}
	return n
}

// ListFieldID is the element id of a list's field in the i-th row (from
// 0) of the editor: where an error of that row's value shows.
func ListFieldID(name string, i int) string { return name + "-" + strconv.Itoa(i+1) }

// Field is one input an extension adds to the entry editor. Its name is
// the form field's, unique in the form: the extension's prefix keeps it
// apart from content's own (event_start).
type Field struct {
	Name  string
	Label string // a message key
	Hint  string // a message key; "" for none
	// Type is the <input>'s type (text when empty), select, textarea,
	// or hidden: a value carried with the row that the editor does not
	// see, and which does not make a row count as typed.
	Type    string
	Options []Option // a select's choices
	// Suggest gives what is offered as the editor types (a datalist), in
	// the editor's language.
	Suggest func(lang string) []Suggestion
	// ShowLabel: a saved value is shown as its suggestion's words
	// ("Москва · Россия", not "Europe/Moscow"), which the extension's
	// ParseForm reads back.
	ShowLabel bool
	// Min and Max bound a number; Max is a text's length.
	Min, Max int
	// Lang is the language the field is written in ("" for none): shown
	// where the site has the language enabled, its label given the
	// language's name as {{.Language}}; carried unseen otherwise, so that
	// what was written in a language the site turned off is kept.
	Lang string
}

// Option is one of a select's choices; Label is a message key.
type Option struct {
	Value string
	Label string
}

// Suggestion is one of a datalist's: the value the field takes, and the
// words the editor recognises it by, already in their language.
type Suggestion struct {
	Value string
	Label string
}

// spareRows are the empty rows a list always offers, and moreRows those
// the "more rows" button adds, so that a list grows without JavaScript.
const (
	spareRows = 2
	moreRows  = 3
)

// extFieldNames lists every extension field's name, lists' own included.
func extFieldNames(xs []Extension) []string {
	var out []string
	for _, x := range xs {
		fs := x.EditorFields()
		for _, row := range fs.Rows {
			for _, f := range row {
				out = append(out, f.Name)
			}
		}
		for _, l := range fs.Lists {
			for _, f := range l.Fields {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// extValues keeps, of a posted form, the extensions' fields as typed,
// their lists' rows in the editor's order without the removed and empty
// ones.
func extValues(xs []Extension, form url.Values) url.Values {
	out := url.Values{}
	for _, name := range extFieldNames(xs) {
		if v, ok := form[name]; ok {
			out[name] = slices.Clone(v)
		}
	}
	for _, x := range xs {
		for _, l := range x.EditorFields().Lists {
			orderRows(l, form, out)
		}
	}
	return out
}

// orderRows rewrites out's values of l's fields: rows sorted by the
// positions typed (ties keep their order), removed and empty rows (no
// text typed) left out.
func orderRows(l FieldList, form, out url.Values) {
	n := len(form[l.Name+"_pos"])
	for _, f := range l.Fields {
		n = max(n, len(form[f.Name]))
	}
	removed := map[string]bool{}
	for _, v := range form[l.Name+"_remove"] {
		removed[v] = true
	}
	type row struct {
		pos    int
		values []string
	}
	var rows []row
	for i := range n {
		r := row{pos: i + 1}
		if p := form[l.Name+"_pos"]; i < len(p) {
			if n, err := strconv.Atoi(strings.TrimSpace(p[i])); err == nil {
				r.pos = n
			}
		}
		empty := true
		for _, f := range l.Fields {
			v := ""
			if vs := form[f.Name]; i < len(vs) {
				v = strings.TrimSpace(vs[i])
			}
			// A select always has a value, a hidden field is the
			// editor's own: only what was typed counts.
			empty = empty && (v == "" || f.Type == "select" || f.Type == "hidden")
			r.values = append(r.values, v)
		}
		if !empty && !removed[strconv.Itoa(i)] {
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.pos - b.pos })
	for j, f := range l.Fields {
		vs := make([]string, len(rows))
		for i, r := range rows {
			vs[i] = r.values[j]
		}
		if len(vs) == 0 {
			delete(out, f.Name)
			continue
		}
		out[f.Name] = vs
	}
}

// fieldSetView is an extension's fields as the editor shows them.
type fieldSetView struct {
	Legend   string
	Kinds    string // the kinds that have them, space-separated: what the page's script shows them for
	Hidden   bool   // not the form's kind: rendered for the script, hidden
	Rows     [][]fieldView
	Lists    []listView
	Warnings []i18n.Msg
}

// listView is a FieldList as the editor shows it: the rows as typed,
// then empty ones.
type listView struct {
	FieldList
	Rows [][]fieldView
}

// fieldView is a field with its value as typed, and its element's id:
// a list's fields are numbered by row (event_speaker_name-2).
type fieldView struct {
	Field
	ID          string
	Value       string
	Row         int // a list's row, from 1; 0 outside lists
	Suggestions []Suggestion
	// LangName is the name of the field's language in itself; Unseen: a
	// field in a language the site does not have enabled, carried hidden.
	LangName string
	Unseen   bool
}

// Hidden reports whether the field is carried without being shown.
func (f fieldView) Hidden() bool { return f.Unseen || f.Type == "hidden" }

// labelIn is the field's label in l, with its language's name.
func (f fieldView) labelIn(l *i18n.Localizer) string {
	if f.Lang != "" {
		return l.T(f.Label, "Language", f.LangName)
	}
	return l.T(f.Label)
}

// Text reports whether the field is a text input, which Max bounds in
// characters rather than in value.
func (f fieldView) Text() bool { return f.Type == "" || f.Type == "text" }

// ListID names the field's suggestions; a list's rows share one.
func (f fieldView) ListID() string { return strings.ReplaceAll(f.Name, "_", "-") + "-suggestions" }

// extensionViews lays out the fields of every extension, those of other
// kinds than kind hidden, so that choosing a kind shows its fields at
// once; extra is how many empty rows each list offers beyond its spare
// ones. Fields in a language that is not among enabled are carried
// unseen.
func extensionViews(xs []Extension, kind Kind, values url.Values, lang string, enabled []i18n.Language, extra int) []fieldSetView {
	view := func(f Field, id, value string, row int) fieldView {
		fv := fieldView{Field: f, ID: id, Value: value, Row: row}
		if f.Lang != "" {
			fv.Unseen = true
			for _, l := range enabled {
				if l.Code == f.Lang {
					fv.LangName, fv.Unseen = l.Name, false
				}
			}
		}
		return fv
	}
	var out []fieldSetView
	for _, x := range xs {
		fs := x.EditorFields()
		var kinds []string
		for _, k := range Kinds() {
			if x.ExtendsKind(k) {
				kinds = append(kinds, string(k))
			}
		}
		v := fieldSetView{Legend: fs.Legend, Kinds: strings.Join(kinds, " "), Hidden: !x.ExtendsKind(kind)}
		if w, ok := x.(Warner); ok && !v.Hidden {
			// The value as typed: what cannot be read is the form's
			// errors, shown by the fields; warnings are about the rest.
			v.Warnings = w.Warnings(x.ParseForm(values, FieldErrors{}))
		}
		suggestions := map[string][]Suggestion{}
		suggest := func(f Field) []Suggestion {
			if f.Suggest == nil {
				return nil
			}
			if s, ok := suggestions[f.Name]; ok {
				return s
			}
			s := f.Suggest(lang)
			suggestions[f.Name] = s
			return s
		}
		shown := func(f Field, v string) string {
			if f.ShowLabel {
				for _, s := range suggest(f) {
					if s.Value == v && s.Label != "" {
						return s.Label
					}
				}
			}
			return v
		}
		for _, row := range fs.Rows {
			var r []fieldView
			for _, f := range row {
				fv := view(f, f.Name, shown(f, values.Get(f.Name)), 0)
				fv.Suggestions = suggest(f)
				r = append(r, fv)
			}
			v.Rows = append(v.Rows, r)
		}
		for _, l := range fs.Lists {
			lv := listView{FieldList: l}
			n := 0
			for _, f := range l.Fields {
				n = max(n, len(values[f.Name]))
			}
			for i := range n + spareRows + extra {
				var r []fieldView
				for _, f := range l.Fields {
					val := ""
					if vs := values[f.Name]; i < len(vs) {
						val = vs[i]
					}
					fv := view(f, ListFieldID(f.Name, i), shown(f, val), i+1)
					if i == 0 {
						fv.Suggestions = suggest(f) // one datalist serves every row
					}
					r = append(r, fv)
				}
				lv.Rows = append(lv.Rows, r)
			}
			v.Lists = append(v.Lists, lv)
		}
		out = append(out, v)
	}
	return out
}

// entryFieldLabels are the labels (message keys) of the entry form's own
// fields, in the form's order; the extensions' come after "publish_at".
var entryFieldLabels = []struct{ id, label string }{
	{"kind", "admin.filter.kind"}, {"lang", "entry.source_language"}, {"section_id", "admin.filter.section"},
	{"title", "entry.title"}, {"slug", "entry.slug"}, {"summary", "entry.summary"}, {"body", "entry.body"},
	{"status", "admin.filter.status"}, {"publish_at", "entry.publish_at"},
}

// entryFieldLabelsAfter are those after the extensions' fields.
var entryFieldLabelsAfter = []struct{ id, label string }{
	{"tags", "entry.tags"}, {"coauthor_role", "entry.coauthor_role"}, {"organisations", "entry.coauthors"},
	{"image", "entry.featured_image"}, {"attachment_lang", "entry.attachment_language"},
	{"attachment_title", "entry.attachment_title"}, {"attachment_file", "entry.attachment_file"},
	{"inline_image", "entry.inline_image"}, {"featured_image", "entry.featured_image"},
}

// errorList sums up a form's errors in the form's order, each with its
// field's label, for the top of the page.
func errorList(l *i18n.Localizer, errs FieldErrors, sets []fieldSetView) []errorLink {
	if !errs.Any() {
		return nil
	}
	var out []errorLink
	done := map[string]bool{}
	add := func(id, label string) {
		if key, ok := errs[id]; ok && !done[id] {
			done[id] = true
			out = append(out, errorLink{ID: id, Label: label, Message: l.T(key)})
		}
	}
	rowLabel := func(f fieldView) string {
		if f.Label == "" { // a hidden field
			return ""
		}
		if f.Row == 0 {
			return f.labelIn(l)
		}
		return l.T("form.row_field", "Field", f.labelIn(l), "Row", l.Number(f.Row))
	}
	for _, f := range entryFieldLabels {
		add(f.id, l.T(f.label))
	}
	for _, s := range sets {
		if s.Hidden {
			continue
		}
		for _, row := range s.Rows {
			for _, f := range row {
				add(f.ID, rowLabel(f))
			}
		}
		for _, list := range s.Lists {
			add(list.Name, l.T(list.Legend))
			for _, row := range list.Rows {
				for _, f := range row {
					add(f.ID, rowLabel(f))
				}
			}
		}
	}
	for _, f := range entryFieldLabelsAfter[:3] {
		add(f.id, l.T(f.label))
	}
	for i := range newOrgRows + 8 {
		n := l.Number(i + 1)
		add("new_org_name-"+strconv.Itoa(i+1), l.T("form.row_field", "Field", l.T("entry.org_name"), "Row", n))
		add("new_org_country-"+strconv.Itoa(i+1), l.T("form.row_field", "Field", l.T("entry.org_country"), "Row", n))
	}
	for _, f := range entryFieldLabelsAfter[3:] {
		add(f.id, l.T(f.label))
	}
	for _, id := range slices.Sorted(maps.Keys(errs)) {
		add(id, "") // a field the form does not name
	}
	return out
}
