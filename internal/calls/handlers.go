package calls

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// formName names the application form to the abuse guard.
const formName = "call-application"

// Handlers serves a call's panel on its entry page, the application
// form, and the applicants' private pages.
type Handlers struct {
	store   *Store
	content *content.Store
	guard   *guard.Guard // holds off automated applications
	rd      *web.Renderer
	tmpl    map[string]*template.Template
	tus     *tusServer
	users   *auth.Store // the board's invitations
}

// NewHandlers parses the templates; g guards the application form, as
// it does the site's other public forms.
func NewHandlers(store *Store, cs *content.Store, rd *web.Renderer, g *guard.Guard) (*Handlers, error) {
	if g == nil {
		return nil, errors.New("calls: no abuse guard for the application form")
	}
	tmpl, err := rd.Templates(templates, "templates/[^_]*.html")
	if err != nil {
		return nil, err
	}
	tus, err := newTusServer(store)
	if err != nil {
		return nil, err
	}
	return &Handlers{store: store, content: cs, guard: g, rd: rd, tmpl: tmpl, tus: tus}, nil
}

// Routes declares the application form (its challenge is single-use, so
// never cached), the applicants' private links, and the tus endpoint of
// resumable uploads.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Page("GET /calls/apply/{slug}", h.ApplyForm)
	rs.Page("POST /calls/apply/{slug}", h.Apply, web.Body(maxPlainUpload+1<<20))
	rs.Page("GET /application/confirm/{token}", h.ConfirmPage, web.Private)
	rs.Page("POST /application/confirm/{token}", h.Confirm, web.Private)
	rs.Page("GET /application/manage/{token}", h.Manage, web.Private)
	rs.Page("POST /application/manage/{token}", h.Update, web.Private, web.Body(maxPlainUpload+1<<20))
	rs.Page("POST /application/manage/{token}/withdraw", h.Withdraw, web.Private)
	h.tus.routes(rs)
	h.boardRoutes(rs)
}

// callView is what the pages show of a call, in one language.
type callView struct {
	L           *i18n.Localizer
	Lang        string
	Title       string
	URL         string
	ApplyURL    string
	State       string
	Opens       time.Time // for <time datetime>, in UTC
	Closes      time.Time
	OpensText   string // in the call's zone
	ClosesText  string
	ZoneID      string
	Eligibility string
	Consent     string
	FileTypes   []string
	// FileTypesText lists them for reading: ".mp4, .mov".
	FileTypesText string
	MaxFileMB     int
	MaxMinutes    int
	Fields        []fieldView
	WorkLangs     []optionView
}

type fieldView struct {
	Key      string
	Name     string // the input's
	LinkName string // a file field's link input
	Type     string
	Label    string
	Required bool
	Options  []optionView
}

type optionView struct {
	Value string
	Label string
}

// view is c, the call of entry e, as shown in lang at now.
func (h *Handlers) view(e *content.Entry, c Call, lang string, now time.Time) callView {
	l := h.rd.I18n().Localizer(lang)
	t, _ := e.Translation(lang)
	zone := c.Zone()
	texts := c.TextsIn(lang)
	v := callView{L: l, Lang: lang, Title: t.Title, URL: content.URL(Kind, t.Lang, t.Slug), ApplyURL: "/" + lang + "/calls/apply/" + t.Slug,
		State: c.State(now), Opens: c.OpensAt.UTC(), Closes: c.ClosesAt.UTC(),
		OpensText: l.DateTime(c.OpensAt.In(zone)), ClosesText: l.DateTime(c.ClosesAt.In(zone)), ZoneID: zone.String(),
		Eligibility: texts.Eligibility, Consent: texts.Consent, FileTypes: c.FileTypes, MaxFileMB: c.MaxFileMB, MaxMinutes: c.MaxVideoMinutes}
	for i, t := range c.FileTypes {
		if i > 0 {
			v.FileTypesText += ", "
		}
		v.FileTypesText += "." + t
	}
	for _, f := range c.Form {
		w := f.Wording(lang)
		fv := fieldView{Key: f.Key, Name: fieldName(f.Key), LinkName: linkName(f.Key), Type: f.Type, Label: w.Label, Required: f.Required}
		for i, o := range w.Options {
			fv.Options = append(fv.Options, optionView{Value: strconv.Itoa(i), Label: o})
		}
		if f.Type == Country {
			for _, ct := range i18n.Countries(lang) {
				fv.Options = append(fv.Options, optionView{Value: ct.Code, Label: ct.Name})
			}
		}
		v.Fields = append(v.Fields, fv)
	}
	for _, code := range c.WorkLanguages {
		v.WorkLangs = append(v.WorkLangs, optionView{Value: code, Label: languageLabel(code, lang)})
	}
	return v
}

// EntryAction shows a call's dates and the Apply button before the body
// (content.ActionPanel).
func (h *Handlers) EntryAction(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, "panel_action")
}

// EntryPanel shows a call's eligibility rules after the body
// (content.Panel).
func (h *Handlers) EntryPanel(r *http.Request, e *content.Entry, lang string) (template.HTML, error) {
	return h.renderPanel(r, e, lang, "panel")
}

type panelData struct {
	callView
	Mirror *web.MirrorNotice
	// AwardsURL leads to the call's awards page once it has some.
	AwardsURL string
}

func (h *Handlers) renderPanel(r *http.Request, e *content.Entry, lang, name string) (template.HTML, error) {
	c, ok := Of(e)
	if e.Kind != Kind || !ok {
		return "", nil
	}
	if _, ok := e.Translation(lang); !ok {
		return "", nil
	}
	v := h.view(e, c, lang, h.store.Now())
	var buf bytes.Buffer
	data := panelData{callView: v, Mirror: web.MirrorOf(r).Notice(v.L, v.ApplyURL)}
	if name == "panel_action" && v.State == StateClosed {
		if awards, err := h.store.Awards(r.Context(), e.ID); err != nil {
			return "", err
		} else if len(awards) > 0 {
			t, _ := e.Translation(lang)
			data.AwardsURL = "/" + lang + "/calls/awards/" + t.Slug
		}
	}
	if err := h.tmpl[name].Execute(&buf, data); err != nil {
		return "", fmt.Errorf("calls: %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- output of html/template, escaped by it
}

// callBySlug finds the visible call with this slug in lang.
func (h *Handlers) callBySlug(ctx context.Context, lang, slug string) (*content.Entry, Call, error) {
	e, err := h.content.BySlug(ctx, lang, slug)
	if errors.Is(err, db.ErrNotFound) {
		return nil, Call{}, web.NotFound()
	}
	if err != nil {
		return nil, Call{}, err
	}
	t, _ := e.Translation(lang)
	c, ok := Of(e)
	if e.Kind != Kind || !ok || !t.Visible(h.store.Now()) {
		return nil, Call{}, web.NotFound()
	}
	return e, c, nil
}

// entryByID loads the call entry an application belongs to.
func (h *Handlers) entryByID(ctx context.Context, id int64) (*content.Entry, Call, error) {
	e, err := h.content.Entry(ctx, id)
	if err != nil {
		return nil, Call{}, err
	}
	c, ok := Of(e)
	if !ok {
		return nil, Call{}, ErrNoCall
	}
	return e, c, nil
}
