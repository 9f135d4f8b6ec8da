package campaign

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/media"
	"peerpress/internal/participant/relink"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Config is what the handlers need.
type Config struct {
	Store   *Store
	Entries *content.Store
	Media   *media.Store
	Guard   *guard.Guard
	Render  *web.Renderer
	// Limits bound a tribute's photo; zero fields take media's defaults.
	Limits media.Limits
}

// Handlers serve the campaign pages, the tribute wall and moderation. They
// are a content.Panel (a campaign's details on its page), a
// content.EditorLinker (links from the entry editor), a
// content.MediaHolder (tribute photos go with their campaign) and an app
// module.
type Handlers struct {
	store   *Store
	entries *content.Store
	media   *media.Store
	guard   *guard.Guard
	rd      *web.Renderer
	limits  media.Limits
	tmpl    map[string]*template.Template
	relink  *relink.Form // the form for a fresh withdrawal link
	// homes are the home page's featured campaign blocks by language
	// (HomeBlock), kept until the next write or publication.
	homes *web.Fragments[string, homeBlock]
}

// New parses the templates (a broken one fails here, at start).
func New(cfg Config) (*Handlers, error) {
	tmpl, err := cfg.Render.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h := &Handlers{store: cfg.Store, entries: cfg.Entries, media: cfg.Media, guard: cfg.Guard,
		rd: cfg.Render, limits: cfg.Limits, tmpl: tmpl, homes: web.NewFragments[string, homeBlock](cfg.Entries.Changes, 64)}
	h.relink, err = relink.New(cfg.Render, cfg.Guard, relink.Form{Name: newLinkForm, Path: NewLinkPath,
		Words: newLinkWords, Send: h.sendFreshLinks})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Routes declares the tribute walls, the tribute form and its private
// withdrawal link, and the staff pages.
func (h *Handlers) Routes(rs *web.Routes) {
	base := "/campaigns/{slug}/tributes"
	rs.Page("GET "+base+"/{$}", h.wall, web.Cache)
	rs.Page("GET "+base+"/{n}", h.slide, web.Cache)
	rs.Page("GET "+base+"/new", h.tributeForm)
	rs.Page("POST "+base, h.submitTribute, web.Body(uploadLimit))
	rs.Page("GET "+base+"/sent", h.tributeSent)
	rs.Page("GET /tributes/withdraw/{token}", h.withdrawForm, web.Private)
	rs.Page("POST /tributes/withdraw/{token}", h.withdraw, web.Private)
	h.relink.Routes(rs)
	rs.Admin("GET /admin/entries/{id}/campaign", h.editDetails, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/campaign", h.saveDetails, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/campaign/linkable", h.linkableJSON, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/campaign/tributes/new", h.gatheredNew, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/campaign/tributes", h.gatheredCreate, web.Need(auth.Write), web.Body(uploadLimit))
	rs.Admin("POST /admin/moderation/tributes", h.decideTributes, web.Need(auth.Moderate))
}

// uploadLimit bounds the tribute form: one photo and a few lines.
const uploadLimit = 32 << 20

// campaignIn loads the published campaign whose translation in lang has
// {slug}: what readers may see, or a 404.
func (h *Handlers) campaignIn(r *http.Request, lang string) (*content.Entry, content.Translation, error) {
	e, err := h.entries.BySlug(r.Context(), lang, r.PathValue("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return nil, content.Translation{}, web.NotFound()
	}
	if err != nil {
		return nil, content.Translation{}, err
	}
	t, ok := e.Translation(lang)
	if e.Kind != content.Campaign || !ok || !t.Visible(h.store.now()) {
		return nil, content.Translation{}, web.NotFound()
	}
	return e, t, nil
}

// wallURL is the address of a campaign's tribute gallery in lang; the
// slides, the form and its thank-you page are under it. The slash at the
// end keeps the gallery clear of the campaigns archive's /page/{n}.
func wallURL(lang, slug string) string {
	return content.URL(content.Campaign, lang, slug) + "/tributes/"
}

// tributeView is a tribute with its photo, for templates.
type tributeView struct {
	Tribute
	N     int          // place in the slideshow, from 1
	Photo *media.Media // nil: no photo
}

// thumbWidth is the width of photos in the moderation list.
const thumbWidth = 96

// ThumbHeight is the photo's height at thumbWidth, keeping its shape.
func (t tributeView) ThumbHeight() int {
	if t.Photo == nil || t.Photo.Width == 0 {
		return thumbWidth
	}
	return max(1, t.Photo.Height*thumbWidth/t.Photo.Width)
}

// ThumbURL is the smallest copy of the photo there is, for lists.
func (t tributeView) ThumbURL() string {
	if t.Photo == nil {
		return ""
	}
	if len(t.Photo.Variants) > 0 {
		return t.Photo.Variants[0].URL()
	}
	return t.Photo.URL()
}

// withPhotos pairs tributes with their photos, numbering them from first.
func (h *Handlers) withPhotos(ctx context.Context, ts []Tribute, first int) ([]tributeView, error) {
	var ids []int64
	for _, t := range ts {
		if t.MediaID != 0 {
			ids = append(ids, t.MediaID)
		}
	}
	photos, err := h.media.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]tributeView, len(ts))
	for i, t := range ts {
		out[i] = tributeView{Tribute: t, N: first + i}
		if m, ok := photos[t.MediaID]; ok {
			out[i].Photo = &m
		}
	}
	return out, nil
}

// currentUser is the signed-in user; admin routes always have one.
func currentUser(r *http.Request) auth.User {
	u, _ := auth.UserFrom(r.Context())
	return u
}

// adminPage is the data every admin page of the area carries.
func (h *Handlers) adminPage(r *http.Request, title string) web.Page {
	p := h.rd.AdminPage(r)
	p.Title = p.L.T(title)
	p.NoIndex = true
	return p
}

// entryID reads {id} from the path.
func entryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, web.NotFound()
	}
	return id, nil
}

// dateValue formats a day for an <input type="date">.
func dateValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
