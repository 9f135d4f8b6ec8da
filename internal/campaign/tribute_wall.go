package campaign

import (
	"net/http"
	"strconv"

	"peerpress/internal/content"
	"peerpress/internal/web"
)

// wallPage is the gallery of a campaign's approved tributes, or one of
// them in the slideshow.
type wallPage struct {
	web.Page
	Campaign string // the campaign's title
	EntryURL string
	WallURL  string
	FormURL  string // "" when the wall is closed
	// FormNotice replaces the way to the form in the static mirror.
	FormNotice *web.MirrorNotice
	Total      int
	Tributes   []tributeView // the gallery's page
	Pager      web.Pager
	// The slideshow: one tribute, and its neighbours' addresses.
	Slide          *tributeView
	Prev, Next     string
	First, Last    string
	SlideshowStart string
}

// perPage is how many tributes a gallery page shows.
const perPage = 24

// loadWall loads a campaign readers may see and counts its approved
// tributes; without an open wall or any tribute there is no wall page.
func (h *Handlers) loadWall(r *http.Request, lang string) (wallPage, int64, error) {
	e, t, err := h.campaignIn(r, lang)
	if err != nil {
		return wallPage{}, 0, err
	}
	ctx := r.Context()
	d, err := h.store.Details(ctx, e.ID)
	if err != nil {
		return wallPage{}, 0, err
	}
	total, err := h.store.CountApproved(ctx, e.ID)
	if err != nil {
		return wallPage{}, 0, err
	}
	if !d.WallOpen && total == 0 {
		return wallPage{}, 0, web.NotFound()
	}
	p := wallPage{Page: h.rd.PublicPage(r, lang), Campaign: t.Title, EntryURL: content.URL(content.Campaign, lang, t.Slug),
		WallURL: wallURL(lang, t.Slug), Total: total}
	if d.WallOpen {
		p.FormURL = p.WallURL + "new"
		p.FormNotice = web.MirrorOf(r).Notice(p.L, p.FormURL)
	}
	p.Crumbs = []web.Crumb{
		{Name: p.L.T("nav.home"), URL: "/" + lang + "/"},
		{Name: p.L.T("kind.campaign.plural"), URL: "/" + lang + "/" + content.Campaign.Segment()},
		{Name: t.Title, URL: p.EntryURL},
	}
	// The same wall in the campaign's other languages.
	now := h.store.now()
	for _, l := range h.rd.I18n().Enabled() {
		if tr, ok := e.Translation(l.Code); ok && tr.Visible(now) {
			p.Alternates = append(p.Alternates, web.Alternate{Lang: l, URL: wallURL(l.Code, tr.Slug), Current: l.Code == lang})
		}
	}
	return p, e.ID, nil
}

// wall serves GET /{lang}/campaigns/{slug}/tributes?page=n: the gallery.
func (h *Handlers) wall(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	p, campaignID, err := h.loadWall(r, lang)
	if err != nil {
		return err
	}
	n := 1
	if q := r.URL.Query().Get("page"); q != "" {
		if n, err = strconv.Atoi(q); err != nil || n < 1 {
			return web.NotFound()
		}
	}
	pages := max(1, (p.Total+perPage-1)/perPage)
	if n > pages {
		return web.NotFound()
	}
	from := (n - 1) * perPage
	ts, err := h.store.Approved(r.Context(), campaignID, from, perPage)
	if err != nil {
		return err
	}
	if p.Tributes, err = h.withPhotos(r.Context(), ts, from+1); err != nil {
		return err
	}
	base := p.WallURL
	p.Pager = web.Pager{Page: n, Pages: pages, URL: func(k int) string {
		if k == 1 {
			return base
		}
		return base + "?page=" + strconv.Itoa(k)
	}}
	p.Title = p.L.T("campaign.wall_of", "Title", p.Campaign)
	p.Canonical = p.Pager.URL(n)
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: p.L.T("campaign.wall")})
	if p.Total > 0 {
		p.SlideshowStart = base + "1"
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["wall"], p)
}

// slide serves GET /{lang}/campaigns/{slug}/tributes/{n}: one tribute of
// the slideshow, with links to the previous and next, so it works by
// keyboard and without JavaScript (slideshow.js only saves the reloads).
func (h *Handlers) slide(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || strconv.Itoa(n) != r.PathValue("n") {
		return web.NotFound()
	}
	p, campaignID, err := h.loadWall(r, lang)
	if err != nil {
		return err
	}
	if n > p.Total {
		return web.NotFound()
	}
	ts, err := h.store.Approved(r.Context(), campaignID, n-1, 1)
	if err != nil {
		return err
	}
	if len(ts) == 0 { // withdrawn a moment ago
		return web.NotFound()
	}
	views, err := h.withPhotos(r.Context(), ts, n)
	if err != nil {
		return err
	}
	p.Slide = &views[0]
	slideURL := func(k int) string { return p.WallURL + strconv.Itoa(k) }
	if n > 1 {
		p.Prev = slideURL(n - 1)
	}
	if n < p.Total {
		p.Next = slideURL(n + 1)
	}
	p.First, p.Last = slideURL(1), slideURL(p.Total)
	p.Title = p.Slide.Remembered + " · " + p.L.T("campaign.wall_of", "Title", p.Campaign)
	p.Canonical = slideURL(n)
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: p.L.T("campaign.wall"), URL: p.WallURL}, web.Crumb{Name: p.Slide.Remembered})
	// Every language's wall numbers the same tributes alike.
	for i := range p.Alternates {
		p.Alternates[i].URL += strconv.Itoa(n)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["slide"], p)
}
