package directory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// option is a value of a filter's list, named in the reader's language.
type option struct {
	Value, Name string
	Selected    bool
	Sub         bool // a sub-region, under its region
}

// listPage is the data of /{lang}/directory.
type listPage struct {
	web.Page
	Filter                                        Filter
	Filtered                                      bool
	Regions, Countries, Types, Memberships, Langs []option
	Rows                                          []orgRow
	Total                                         int
	Pager                                         web.Pager
	Map                                           mapView
}

// orgRow is an organisation as a list shows it.
type orgRow struct {
	Organisation
	URL, TypeKey, MembershipKey, CountryName, RegionKey, Description string
	LogoURL                                                          string // "" without a logo
}

func (h *Handlers) row(o Organisation, lang string) orgRow {
	r := orgRow{Organisation: o, URL: "/" + lang + "/directory/" + o.Slug, TypeKey: keyOf(Types, o.Type),
		MembershipKey: keyOf(Memberships, o.Membership), Description: o.Texts[lang].Description}
	if o.Country != "" {
		r.CountryName = i18n.CountryName(o.Country, lang)
	}
	if reg := o.Region(); reg != nil {
		r.RegionKey = reg.Key
	}
	return r
}

// readFilter reads the directory's filters from the query string. An
// empty value is "any"; a value that is not one of the filter's is a 400
// that says which, never an empty page that looks like no results.
func readFilter(q url.Values) (Filter, error) {
	var f Filter
	get := func(name string) (string, error) {
		if len(q[name]) > 1 {
			return "", web.BadRequest("directory.err_filter")
		}
		return strings.TrimSpace(q.Get(name)), nil
	}
	var err error
	if f.Region, err = get("region"); err != nil {
		return f, err
	}
	if _, ok := RegionByCode(f.Region); f.Region != "" && !ok {
		return f, web.BadRequest("directory.err_region")
	}
	if f.Country, err = get("country"); err != nil {
		return f, err
	}
	f.Country = strings.ToUpper(f.Country)
	if f.Country != "" && !i18n.ValidCountry(f.Country) {
		return f, web.BadRequest("directory.err_country")
	}
	if f.Type, err = get("type"); err != nil {
		return f, err
	}
	if f.Type != "" && !validChoice(Types, f.Type) {
		return f, web.BadRequest("directory.err_type")
	}
	if f.Membership, err = get("membership"); err != nil {
		return f, err
	}
	if f.Membership != "" && !validChoice(Memberships, f.Membership) {
		return f, web.BadRequest("directory.err_membership")
	}
	if f.Language, err = get("language"); err != nil {
		return f, err
	}
	if f.Language != "" && !validWorkLanguage(f.Language) {
		return f, web.BadRequest("directory.err_language")
	}
	return f, nil
}

// query is the filter as a query string, without the page.
func (f Filter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"region": f.Region, "country": f.Country, "type": f.Type, "membership": f.Membership, "language": f.Language} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// pageNumber reads the page: /directory/page/{n} (the unfiltered list's
// pages, which the static mirror can hold) or ?page=n (a filtered list's):
// 1 when there is none, a 404 for a number that is no page, a 400 for
// what is not a number.
func pageNumber(r *http.Request, q url.Values) (int, error) {
	if s := r.PathValue("n"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || strconv.Itoa(n) != s || q.Has("page") {
			return 0, web.NotFound()
		}
		return n, nil
	}
	if !q.Has("page") {
		return 1, nil
	}
	s := q.Get("page")
	if s == "" || len(q["page"]) > 1 || strings.Trim(s, "0123456789") != "" {
		return 0, web.BadRequest("directory.err_page")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, web.NotFound()
	}
	return n, nil
}

// list serves GET /{lang}/directory.
func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	q := r.URL.Query()
	f, err := readFilter(q)
	if err != nil {
		return err
	}
	n, err := pageNumber(r, q)
	if err != nil {
		return err
	}
	list, err := h.store.List(r.Context(), f, lang, n)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	facets, err := h.store.Facets(r.Context())
	if err != nil {
		return err
	}
	p := listPage{Page: h.rd.PublicPage(r, lang), Filter: f, Filtered: len(f.query()) > 0, Total: list.Total}
	base := "/" + lang + "/directory"
	p.Pager = web.Pager{Page: n, Pages: list.Pages, URL: func(k int) string {
		v := f.query()
		switch {
		case k > 1 && len(v) == 0:
			return base + "/page/" + strconv.Itoa(k)
		case k > 1:
			v.Set("page", strconv.Itoa(k))
		case len(v) == 0:
			return base
		}
		return base + "?" + v.Encode()
	}}
	p.Title = p.L.T("directory.title")
	if n > 1 {
		p.Title = p.L.T("pager.title", "Title", p.Title, "Page", p.L.Number(n))
	}
	p.Canonical = p.Pager.URL(n)
	p.NoIndex = p.Filtered // the filtered lists are the same organisations again
	for _, alt := range h.rd.I18n().Enabled() {
		u := "/" + alt.Code + "/directory"
		if v := f.query(); len(v) > 0 {
			u += "?" + v.Encode()
		}
		p.Alternates = append(p.Alternates, web.Alternate{Lang: alt, URL: u, Current: alt.Code == lang})
	}
	h.options(&p, facets, lang)
	if p.Map, err = h.worldMapView(r.Context(), p.L, lang, f, p.Mirror == nil); err != nil {
		return err
	}
	logos, err := h.logos(r.Context(), list.Organisations...)
	if err != nil {
		return err
	}
	for _, o := range list.Organisations {
		row := h.row(o, lang)
		if m, ok := logos[o.LogoID]; ok {
			row.LogoURL = m.URL()
		}
		p.Rows = append(p.Rows, row)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_list"], p)
}

// options fills the filters' lists: every region, and the countries and
// languages organisations have (with the chosen one, should none have it).
func (h *Handlers) options(p *listPage, facets Facets, lang string) {
	f := p.Filter
	for _, r := range Regions {
		p.Regions = append(p.Regions, option{Value: r.Code, Name: p.L.T(r.Key), Selected: r.Code == f.Region, Sub: r.Parent != ""})
	}
	if f.Country != "" && !slices.Contains(facets.Countries, f.Country) {
		facets.Countries = append(facets.Countries, f.Country)
	}
	for _, c := range i18n.Countries(lang) {
		if slices.Contains(facets.Countries, c.Code) {
			p.Countries = append(p.Countries, option{Value: c.Code, Name: c.Name, Selected: c.Code == f.Country})
		}
	}
	for _, t := range Types {
		p.Types = append(p.Types, option{Value: t.Value, Name: p.L.T(t.Key), Selected: t.Value == f.Type})
	}
	for _, m := range Memberships {
		p.Memberships = append(p.Memberships, option{Value: m.Value, Name: p.L.T(m.Key), Selected: m.Value == f.Membership})
	}
	if f.Language != "" && !slices.Contains(facets.Languages, f.Language) {
		facets.Languages = append(facets.Languages, f.Language)
	}
	for _, l := range facets.Languages {
		p.Langs = append(p.Langs, option{Value: l, Name: LanguageName(l, lang), Selected: l == f.Language})
	}
}

// showPage is the data of an organisation's page.
type showPage struct {
	web.Page
	Org       orgRow
	Roles     []string
	Languages []string
	Entries   []coauthored
	Spoke     []coauthored // events where its people spoke
	Signed    []coauthored // open letters it signed
	Campaigns []coauthored // campaigns it joined
}

// activity fills what the organisation did with the network: the entries
// it co-authored, the events where its people spoke, the letters it
// signed, and the campaigns that link to any of these.
func (h *Handlers) activity(ctx context.Context, p *showPage, o Organisation, lang string) error {
	ids, err := h.store.coauthoredIDs(ctx, o.ID)
	if err != nil {
		return err
	}
	if p.Entries, err = h.readable(ctx, ids, lang, true); err != nil {
		return err
	}
	all := slices.Clone(ids)
	if h.speakers != nil {
		spoke, err := h.speakers.SpokeFrom(ctx, o.Name, o.ShortName)
		if err != nil {
			return err
		}
		if p.Spoke, err = h.readable(ctx, spoke, lang, false); err != nil {
			return err
		}
		all = append(all, spoke...)
	}
	if h.signatures != nil {
		signed, err := h.signatures.SignedBy(ctx, o.ID, o.Country, o.Name, o.ShortName)
		if err != nil {
			return err
		}
		if p.Signed, err = h.readable(ctx, signed, lang, false); err != nil {
			return err
		}
		all = append(all, signed...)
	}
	if h.campaigns != nil {
		joined, err := h.campaigns.Joined(ctx, all)
		if err != nil {
			return err
		}
		// A campaign it co-authored is in its entries already.
		joined = slices.DeleteFunc(joined, func(id int64) bool { return slices.Contains(ids, id) })
		if p.Campaigns, err = h.readable(ctx, joined, lang, false); err != nil {
			return err
		}
	}
	return nil
}

// coauthored is an entry an organisation co-authored, as its page lists it.
type coauthored struct {
	Title, URL, KindKey, RoleKey string
}

// show serves GET /{lang}/directory/{slug}.
func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	o, err := h.store.BySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	p := showPage{Page: h.rd.PublicPage(r, lang), Org: h.row(o, lang), Roles: o.Roles(lang)}
	logos, err := h.logos(r.Context(), o)
	if err != nil {
		return err
	}
	if m, ok := logos[o.LogoID]; ok {
		p.Org.LogoURL = m.URL()
	}
	p.Title = o.Name
	p.Description = p.Org.Description
	p.Canonical = p.Org.URL
	p.Crumbs = []web.Crumb{{Name: p.L.T("directory.title"), URL: "/" + lang + "/directory"}, {Name: o.Name}}
	for _, alt := range h.rd.I18n().Enabled() {
		p.Alternates = append(p.Alternates, web.Alternate{Lang: alt, URL: "/" + alt.Code + "/directory/" + o.Slug, Current: alt.Code == lang})
	}
	for _, l := range o.Languages {
		p.Languages = append(p.Languages, LanguageName(l, lang))
	}
	if err := h.activity(r.Context(), &p, o, lang); err != nil {
		return err
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["public_org"], p)
}

// readable lists the entries of ids that can be read in lang, newest
// first; withRole adds what the co-authors did.
func (h *Handlers) readable(ctx context.Context, ids []int64, lang string, withRole bool) ([]coauthored, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = strconv.FormatInt(id, 10)
	}
	// ids are numbers this package read: safe in the query.
	reaches, err := h.entries.Reaches(ctx, strings.Join(in, ", "))
	if err != nil {
		return nil, err
	}
	type item struct {
		coauthored
		id int64
	}
	var items []item
	for id, reach := range reaches {
		if reach.URL(lang) == "" {
			continue
		}
		e, err := h.entries.Entry(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("directory: co-authored entry %d: %w", id, err)
		}
		t, _ := e.Translation(lang)
		c := coauthored{Title: t.Title, URL: reach.URL(lang), KindKey: "kind." + string(e.Kind)}
		if withRole {
			c.RoleKey = "entry.coauthor_role." + e.Coauthors()
		}
		items = append(items, item{id: id, coauthored: c})
	}
	slices.SortFunc(items, func(a, b item) int { return int(b.id - a.id) })
	out := make([]coauthored, len(items))
	for i, it := range items {
		out[i] = it.coauthored
	}
	return out, nil
}
