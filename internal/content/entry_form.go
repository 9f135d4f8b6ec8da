package content

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/i18n"
)

// Field limits, in characters.
const (
	maxTitle   = 300
	maxSummary = 1000
	maxBody    = 200_000
)

// formTimeLayout is what <input type="datetime-local"> sends.
const formTimeLayout = "2006-01-02T15:04"

// FieldErrors maps a form field to the message key of what is wrong with it.
type FieldErrors map[string]string

// Any reports whether there is at least one error.
func (fe FieldErrors) Any() bool { return len(fe) > 0 }

// Error lists the fields and their keys, for logs: SaveEntry refuses
// extension values that fail their checks with the FieldErrors.
func (fe FieldErrors) Error() string {
	parts := make([]string, 0, len(fe))
	for _, f := range slices.Sorted(maps.Keys(fe)) {
		parts = append(parts, f+": "+fe[f])
	}
	return "content: invalid " + strings.Join(parts, ", ")
}

// entryForm is the editor's form for an entry and one of its translations,
// kept as typed so that a refused form comes back unchanged.
type entryForm struct {
	Kind      string
	Lang      string
	Title     string
	Slug      string
	Summary   string
	Body      string
	Status    string
	PublishAt string // datetime-local, in the site's zone
	SectionID int64
	Featured  bool
	TagIDs    map[int64]bool
	OrgIDs    map[int64]bool
	OrgOrder  []int64
	// CoauthorRole is what the co-authors did (CoauthorRoles).
	CoauthorRole string
	// NewOrgs are the co-authors named in the "add an organisation"
	// rows, as typed: known ones by name, or to create.
	NewOrgs []newOrgRow
	// Ext is the extensions' fields as typed (Extension).
	Ext url.Values
	// Stage is the token under which a new entry's files wait for its
	// first save (AddUpload).
	Stage string
}

func parseIDs(vals []string) (map[int64]bool, []int64, bool) {
	set := map[int64]bool{}
	var order []int64
	for _, v := range vals {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, false
		}
		if !set[id] {
			set[id] = true
			order = append(order, id)
		}
	}
	return set, order, true
}

// newOrgRow is an organisation named in the editor, with its country's
// ISO 3166 code as chosen from the list.
type newOrgRow struct {
	Name    string
	Country string
}

// newOrgRows are the rows the editor offers for naming co-authors.
const newOrgRows = 2

// maxOrgName bounds an organisation's name, in characters.
const maxOrgName = 200

// readEntryForm reads the posted form, the extensions' fields included;
// it never fails, validation does.
func readEntryForm(form url.Values, exts []Extension) (entryForm, FieldErrors) {
	errs := FieldErrors{}
	f := entryForm{
		Kind:         strings.TrimSpace(form.Get("kind")),
		Lang:         strings.TrimSpace(form.Get("lang")),
		Title:        strings.TrimSpace(form.Get("title")),
		Slug:         strings.TrimSpace(form.Get("slug")),
		Summary:      strings.TrimSpace(form.Get("summary")),
		Body:         strings.ReplaceAll(form.Get("body"), "\r\n", "\n"),
		Status:       form.Get("status"),
		PublishAt:    strings.TrimSpace(form.Get("publish_at")),
		Featured:     form.Get("featured") != "",
		Ext:          extValues(exts, form),
		CoauthorRole: strings.TrimSpace(form.Get("coauthor_role")),
		Stage:        form.Get("stage"),
	}
	names, countries := form["new_org_name"], form["new_org_country"]
	for i := range max(len(names), len(countries)) {
		var row newOrgRow
		if i < len(names) {
			row.Name = strings.Join(strings.Fields(names[i]), " ")
		}
		if i < len(countries) {
			row.Country = strings.TrimSpace(countries[i])
		}
		f.NewOrgs = append(f.NewOrgs, row)
	}
	if s := form.Get("section_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			errs["section_id"] = "form.invalid_choice"
		}
		f.SectionID = id
	}
	var ok bool
	if f.TagIDs, _, ok = parseIDs(form["tag_id"]); !ok {
		errs["tags"] = "form.invalid_choice"
	}
	if f.OrgIDs, f.OrgOrder, ok = parseIDs(form["org_id"]); !ok {
		errs["organisations"] = "form.invalid_choice"
	}
	return f, errs
}

// validTranslation checks the language-specific fields and turns them into
// a TranslationInput. zone is the site's zone for the publish time.
func (f *entryForm) validTranslation(errs FieldErrors, zone *time.Location) TranslationInput {
	in := TranslationInput{Lang: f.Lang, Title: f.Title, Slug: f.Slug, Summary: f.Summary, Body: f.Body, Status: Status(f.Status)}
	if f.PublishAt != "" {
		t, err := time.ParseInLocation(formTimeLayout, f.PublishAt, zone)
		if err != nil {
			errs["publish_at"] = "form.invalid_time"
		}
		in.PublishAt = t
	}
	CheckTranslation(&in, errs)
	f.Slug = in.Slug // the form shows the slug made from the title
	return in
}

// StorableText reports whether every database can store s: valid UTF-8
// with no NUL, which PostgreSQL refuses. The editor's forms are checked
// for it on the way in (web.CleanInput, web.ParseForm); the API's JSON and
// imports are checked here.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CheckTranslation applies the editor's rules to one language's text, for
// the admin's forms and the API alike: a title, lengths, a valid slug (made
// from the title when empty, which fills in in.Slug), readable text, a
// known status, and a time for a scheduled translation. Problems go into
// errs as message keys, by field; a field already in errs keeps its key.
func CheckTranslation(in *TranslationInput, errs FieldErrors) {
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs["title"] = "form.required"
	case n > maxTitle:
		errs["title"] = "form.too_long"
	}
	if in.Slug == "" {
		in.Slug = Slugify(in.Title)
	}
	switch {
	case in.Slug == "" && in.Title != "":
		errs["slug"] = "entry.slug_invalid"
	case in.Slug != "" && !ValidSlug(in.Slug):
		errs["slug"] = "entry.slug_invalid"
	case reservedSlugs[in.Slug]:
		errs["slug"] = "entry.slug_reserved"
	}
	if utf8.RuneCountInString(in.Summary) > maxSummary {
		errs["summary"] = "form.too_long"
	}
	if utf8.RuneCountInString(in.Body) > maxBody {
		errs["body"] = "form.too_long"
	}
	for field, text := range map[string]string{"title": in.Title, "summary": in.Summary, "body": in.Body} {
		if !StorableText(text) {
			errs[field] = "form.invalid_text"
		}
	}
	if !in.Status.Valid() {
		errs["status"] = "form.invalid_choice"
	}
	if in.Status == Scheduled && in.PublishAt.IsZero() && errs["publish_at"] == "" {
		errs["publish_at"] = "entry.schedule_needs_time"
	}
}

// entryChoices are what an entry's form may pick from: the site's
// sections, tags and organisations as they are now.
type entryChoices struct {
	sections []Section
	tags     []Tag
	orgs     []Organisation
}

func (a *Admin) entryChoices(ctx context.Context) (entryChoices, error) {
	var c entryChoices
	var err error
	if c.sections, err = a.store.Sections(ctx); err != nil {
		return c, err
	}
	if c.tags, err = a.store.Tags(ctx); err != nil {
		return c, err
	}
	c.orgs, err = a.store.Organisations(ctx)
	return c, err
}

// validEntry checks the entry-wide fields, and the fields of the
// extensions of the entry's kind.
func (f *entryForm) validEntry(errs FieldErrors, c entryChoices, exts []Extension) EntryInput {
	sections, tags, orgs := c.sections, c.tags, c.orgs
	in := EntryInput{Kind: Kind(f.Kind), SectionID: f.SectionID, Featured: f.Featured, TagIDs: sortedIDs(f.TagIDs),
		OrgIDs: slices.Clone(f.OrgOrder), CoauthorRole: f.CoauthorRole, Stage: f.Stage}
	f.validNewOrgs(errs, orgs, &in)
	for _, x := range exts {
		if x.ExtendsKind(in.Kind) {
			if in.Ext == nil {
				in.Ext = map[string]any{}
			}
			v := x.ParseForm(f.Ext, errs)
			x.CheckExtension(v, errs)
			in.Ext[x.ExtensionName()] = v
		}
	}
	CheckEntry(&in, errs, sections, tags, orgs)
	return in
}

// CheckEntry applies the editor's rules to an entry as a whole, for the
// admin's forms and the API alike: a known kind, a section, tags and
// organisations that exist (Store.CheckExtensions checks the extensions'
// values). Problems go into errs as message keys, by field; a field
// already in errs keeps its key.
func CheckEntry(in *EntryInput, errs FieldErrors, sections []Section, tags []Tag, orgs []Organisation) {
	if !in.Kind.Valid() {
		errs["kind"] = "form.invalid_choice"
	}
	if in.SectionID != 0 && !containsID(len(sections), func(i int) int64 { return sections[i].ID }, in.SectionID) {
		errs["section_id"] = "form.invalid_choice"
	}
	for _, id := range in.TagIDs {
		if !containsID(len(tags), func(i int) int64 { return tags[i].ID }, id) {
			errs["tags"] = "form.invalid_choice"
		}
	}
	for _, id := range in.OrgIDs {
		if !containsID(len(orgs), func(i int) int64 { return orgs[i].ID }, id) {
			errs["organisations"] = "form.invalid_choice"
		}
	}
	if in.CoauthorRole != "" && !slices.Contains(CoauthorRoles, in.CoauthorRole) {
		errs["coauthor_role"] = "form.invalid_choice"
	}
}

// validNewOrgs turns the organisations named in the editor into
// co-authors: a known one by its name, whatever its case; a new one to
// create with the entry, with a country from the list or none.
func (f *entryForm) validNewOrgs(errs FieldErrors, orgs []Organisation, in *EntryInput) {
	for i, row := range f.NewOrgs {
		id := "new_org_name-" + strconv.Itoa(i+1)
		if row.Name == "" {
			if row.Country != "" {
				errs[id] = "entry.org_name_required"
			}
			continue
		}
		if known := slices.IndexFunc(orgs, func(o Organisation) bool { return strings.EqualFold(o.Name, row.Name) }); known >= 0 {
			if !slices.Contains(in.OrgIDs, orgs[known].ID) {
				in.OrgIDs = append(in.OrgIDs, orgs[known].ID)
			}
			continue
		}
		switch {
		case !StorableText(row.Name):
			errs[id] = "form.invalid_text"
		case utf8.RuneCountInString(row.Name) > maxOrgName:
			errs[id] = "form.too_long"
		}
		if row.Country != "" && !i18n.ValidCountry(row.Country) {
			errs["new_org_country-"+strconv.Itoa(i+1)] = "form.unknown_country"
		}
		in.NewOrgs = append(in.NewOrgs, Organisation{Name: row.Name, Country: row.Country, Relation: "partner"})
	}
}

func containsID(n int, id func(int) int64, want int64) bool {
	for i := 0; i < n; i++ {
		if id(i) == want {
			return true
		}
	}
	return false
}

func sortedIDs(set map[int64]bool) []int64 { return slices.Sorted(maps.Keys(set)) }

// formFromEntry fills the form from a stored entry, one translation and
// the values of the extensions of its kind.
func formFromEntry(e *Entry, t Translation, zone *time.Location, exts []Extension) entryForm {
	f := entryForm{
		Kind: string(e.Kind), Lang: t.Lang, Title: t.Title, Slug: t.Slug, Summary: t.Summary, Body: t.Body,
		Status: string(t.Status), SectionID: e.SectionID, Featured: e.Featured,
		TagIDs: map[int64]bool{}, OrgIDs: map[int64]bool{},
	}
	if !t.PublishAt.IsZero() {
		f.PublishAt = t.PublishAt.In(zone).Format(formTimeLayout)
	}
	for _, id := range e.TagIDs {
		f.TagIDs[id] = true
	}
	for _, id := range e.OrgIDs {
		f.OrgIDs[id] = true
	}
	f.OrgOrder = e.OrgIDs
	f.CoauthorRole = e.Coauthors()
	f.Ext = url.Values{}
	for _, x := range exts {
		if x.ExtendsKind(e.Kind) {
			maps.Copy(f.Ext, x.FormValues(e.Ext[x.ExtensionName()]))
		} else {
			// Another kind's fields start from their defaults, for an
			// editor who changes the entry's kind.
			maps.Copy(f.Ext, x.FormValues(nil))
		}
	}
	return f
}

// isPreview reports whether the editor pressed Preview rather than Save.
func isPreview(r *http.Request) bool { return r.PostFormValue("action") == "preview" }
