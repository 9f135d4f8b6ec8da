package search

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/content"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Limits on what a reader may ask.
const (
	MaxQueryRunes = 200
	MaxQueryWords = 12
	PerPage       = 10
)

// Handlers serve the search page, /{lang}/search.
type Handlers struct {
	searcher *Searcher
	content  *content.Store
	rd       *web.Renderer
	zone     *time.Location
	tmpl     *template.Template
}

// NewHandlers parses the search page's template.
func NewHandlers(s *Searcher, store *content.Store, rd *web.Renderer, zone *time.Location) (*Handlers, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{searcher: s, content: store, rd: rd, zone: zone, tmpl: tmpl["search"]}, nil
}

// Routes declares the search page. Its answers depend on the query, so
// the page cache stays out; the page sets its own short browser caching.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Page("GET /search", h.page, web.OwnCache, web.Compress)
}

// option is one choice of a filter.
type option struct {
	Value, Label string
	Lang         string // lang attribute of a language's own name
	Selected     bool
}

// searchPage is the data of the search page.
type searchPage struct {
	web.Page
	Q, Kind, Section, In, Year string // as the reader sent them
	Kinds, Sections, Langs     []option
	Errors                     map[string]string // field → message key
	Notice                     string            // message key shown instead of results
	Searched                   bool
	Results                    Results
	LangNames                  map[string]string
	Pager                      web.Pager
	Zone                       *time.Location
	// MirrorSearch: the page is the static mirror's, searching its own
	// index in the reader's browser (static/mirrorsearch.js).
	MirrorSearch bool
}

// page answers one search. A bad value gets the form back with the
// message next to its field and a 400; an empty query gets the form.
func (h *Handlers) page(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	ctx := r.Context()
	// Results change with every query: they stay out of the page cache
	// (it would fill with one-off variants and push out entry pages),
	// and the reader's browser may keep them for a minute.
	w.Header().Set("Cache-Control", "private, max-age=60")
	p := h.rd.PublicPage(r, lang)
	p.Title = p.L.T("search.title")
	p.NoIndex = true
	// The same search from another language's page: its interface, the
	// same results.
	for _, l := range h.rd.I18n().Enabled() {
		u := "/" + l.Code + "/search"
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		p.Alternates = append(p.Alternates, web.Alternate{Lang: l, URL: u, Current: l.Code == lang})
	}
	v := r.URL.Query()
	data := searchPage{Page: p, Q: strings.TrimSpace(v.Get("q")), Kind: v.Get("kind"), Section: v.Get("section"),
		In: v.Get("lang"), Year: strings.TrimSpace(v.Get("year")), Errors: map[string]string{}, Zone: h.zone,
		LangNames: map[string]string{}}
	if web.MirrorOf(r) != nil {
		// The mirror's copy is the same for every reader: the
		// search happens in their browser.
		w.Header().Set("Cache-Control", "public, max-age=300")
		data.Q, data.MirrorSearch = "", true
		return h.rd.Render(w, http.StatusOK, h.tmpl, data)
	}
	sections, err := h.content.Sections(ctx)
	if err != nil {
		return err
	}
	q := Query{Text: data.Q, ReaderLang: lang, Zone: h.zone}
	h.options(&data, lang, sections)

	switch n := utf8.RuneCountInString(data.Q); {
	case n > MaxQueryRunes:
		data.Errors["q"] = "search.error.too_long"
	case len(strings.Fields(data.Q)) > MaxQueryWords:
		data.Errors["q"] = "search.error.too_many_words"
	}
	if data.Kind != "" {
		if k := content.Kind(data.Kind); k.Valid() {
			q.Kind = k
		} else {
			data.Errors["kind"] = "search.error.kind"
		}
	}
	if data.Section != "" {
		for _, s := range sections {
			if s.Slug == data.Section {
				q.SectionID = s.ID
			}
		}
		if q.SectionID == 0 {
			data.Errors["section"] = "search.error.section"
		}
	}
	for _, l := range h.rd.I18n().Enabled() {
		if data.In == "" || data.In == l.Code {
			q.Langs = append(q.Langs, l.Code)
		}
	}
	if len(q.Langs) == 0 {
		data.Errors["lang"] = "search.error.lang"
	}
	if data.Year != "" {
		y, err := strconv.Atoi(data.Year)
		if err != nil || y < 1900 || y > 2200 {
			data.Errors["year"] = "search.error.year"
		}
		q.Year = y
	}
	page := 1
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxResults/PerPage {
			data.Errors["page"] = "search.error.page"
		}
		page = n
	}
	if len(data.Errors) > 0 {
		return h.rd.Render(w, http.StatusBadRequest, h.tmpl, data)
	}
	if data.Q == "" {
		data.Notice = "search.empty"
		return h.rd.Render(w, http.StatusOK, h.tmpl, data)
	}

	res, err := h.searcher.Search(ctx, q, page, PerPage)
	if errors.Is(err, ErrNoWords) {
		data.Notice = "search.no_words"
		return h.rd.Render(w, http.StatusOK, h.tmpl, data)
	}
	if err != nil {
		return err
	}
	pages := (res.Total + PerPage - 1) / PerPage
	if page > 1 && page > pages {
		return web.NotFound()
	}
	data.Searched, data.Results = true, res
	data.Pager = web.Pager{Page: page, Pages: pages, URL: func(n int) string {
		u := url.Values{}
		for _, f := range []struct{ k, v string }{{"q", data.Q}, {"kind", data.Kind}, {"section", data.Section}, {"lang", data.In}, {"year", data.Year}} {
			if f.v != "" {
				u.Set(f.k, f.v)
			}
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return "/" + lang + "/search?" + u.Encode()
	}}
	if page > 1 {
		data.Title = p.L.T("pager.title", "Title", data.Title, "Page", p.L.Number(page))
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl, data)
}

// options fills the filters' choices in the page's language.
func (h *Handlers) options(data *searchPage, lang string, sections []content.Section) {
	loc := data.L
	data.Kinds = []option{{Value: "", Label: loc.T("search.any_kind"), Selected: data.Kind == ""}}
	for _, k := range content.Kinds() {
		data.Kinds = append(data.Kinds, option{Value: string(k), Label: loc.T("kind." + string(k)), Selected: data.Kind == string(k)})
	}
	data.Sections = []option{{Value: "", Label: loc.T("search.any_section"), Selected: data.Section == ""}}
	for _, s := range sections {
		data.Sections = append(data.Sections, option{Value: s.Slug, Label: s.Name(lang), Selected: data.Section == s.Slug})
	}
	data.Langs = []option{{Value: "", Label: loc.T("search.any_language"), Selected: data.In == ""}}
	for _, l := range h.rd.I18n().Enabled() {
		data.Langs = append(data.Langs, option{Value: l.Code, Label: l.Name, Lang: l.Code, Selected: data.In == l.Code})
		data.LangNames[l.Code] = l.Name
	}
}
