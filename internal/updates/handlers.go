package updates

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/guard"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// formName names the subscribe form to the abuse guard.
const formName = "updates-subscribe"

// Handlers serves the subscribe form, the subscribers' private pages and
// one-click unsubscription.
type Handlers struct {
	store   *Store
	sender  *Sender
	content *content.Store
	guard   *guard.Guard // holds off automated subscriptions
	rd      *web.Renderer
	tmpl    map[string]*template.Template
	zone    *time.Location // the site's, for sending times
	footers sync.Map       // language → FooterBlock's HTML, which depends on nothing else
}

// NewHandlers parses the templates; g guards the subscribe form, as it
// does the site's other public forms.
func NewHandlers(store *Store, sender *Sender, cs *content.Store, rd *web.Renderer, g *guard.Guard) (*Handlers, error) {
	if g == nil {
		return nil, errors.New("updates: no abuse guard for the subscribe form")
	}
	tmpl, err := rd.Templates(templates, "templates/[^_]*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{store: store, sender: sender, content: cs, guard: g, rd: rd, tmpl: tmpl, zone: time.UTC}, nil
}

// Routes declares the subscribe form (its challenge is single-use, so
// never cached), the private links, and the one-click unsubscription,
// outside the languages: a mail client POSTs to it without a session or
// a form token (RFC 8058), and it unsubscribes only the address its
// token was made for.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Page("GET /updates/subscribe", h.subscribeForm)
	rs.Page("POST /updates/subscribe", h.subscribe)
	rs.Page("GET /updates/confirm/{token}", h.confirmPage, web.Private)
	rs.Page("POST /updates/confirm/{token}", h.confirm, web.Private)
	rs.Page("GET /updates/manage/{token}", h.manage, web.Private)
	rs.Page("POST /updates/manage/{token}", h.savePrefs, web.Private)
	rs.Page("POST /updates/manage/{token}/unsubscribe", h.unsubscribe, web.Private)
	rs.Page("POST /updates/manage/{token}/erase", h.erase, web.Private)
	rs.Site("GET /updates/unsubscribe/{token}", h.oneClickPage, web.Private)
	rs.Site("POST /updates/unsubscribe/{token}", h.oneClick, web.Private)
	h.adminRoutes(rs)
	h.subscribersRoutes(rs)
}

// messagePage says something short: a link that does not work, an
// unsubscription done.
type messagePage struct {
	web.Page
	Text string
	Back string
}

func (h *Handlers) message(w http.ResponseWriter, r *http.Request, lang string, status int, title, text string) error {
	p := h.rd.PublicPage(r, lang)
	p.Title, p.NoIndex = p.L.T(title), true
	return h.rd.Render(w, status, h.tmpl["message"], messagePage{Page: p, Text: p.L.T(text), Back: "/" + lang + "/"})
}

// badLink explains a link that does not work: tampered, expired, used
// or made before a new subscription look the same.
func (h *Handlers) badLink(w http.ResponseWriter, r *http.Request, lang string) error {
	return h.message(w, r, lang, http.StatusNotFound, "updates.link.bad_title", "updates.link.bad_text")
}

// option is a value of a form's list.
type option struct {
	Value, Label string
	Selected     bool
}

// languageOptions are the site's languages, chosen marked.
func (h *Handlers) languageOptions(chosen string) []option {
	var out []option
	for _, l := range h.rd.I18n().Enabled() {
		out = append(out, option{Value: l.Code, Label: l.Name, Selected: l.Code == chosen})
	}
	return out
}

// topicOptions are the topics in lang, the chosen ones marked.
func topicOptions(l *i18n.Localizer, chosen []string) []option {
	var out []option
	for _, k := range Topics() {
		o := option{Value: string(k), Label: l.T("kind." + string(k) + ".plural")}
		for _, c := range chosen {
			o.Selected = o.Selected || c == o.Value
		}
		out = append(out, o)
	}
	return out
}

// langOf is lang when the site publishes in it, else the default.
func (h *Handlers) langOf(lang string) string {
	if _, ok := h.rd.I18n().Get(lang); ok {
		return lang
	}
	return h.rd.I18n().Default().Code
}

// footerData is the footer form's.
type footerData struct {
	Lang string
	L    *i18n.Localizer
}

// FooterBlock is a small subscribe form in every public page's footer
// (content.FooterBlock): it leads to the subscribe page with the address
// filled in, where the guarded form is; it holds no token, so cached
// pages may carry it.
func (h *Handlers) FooterBlock(lang string) template.HTML {
	// Written once per language: executing it on every page rendered
	// without the page cache was a thirtieth of the page (issue 23).
	if html, ok := h.footers.Load(lang); ok {
		return html.(template.HTML)
	}
	var b strings.Builder
	if err := h.tmpl["footer"].Execute(&b, footerData{Lang: lang, L: h.rd.I18n().Localizer(lang)}); err != nil {
		return ""
	}
	html := template.HTML(b.String()) // #nosec G203 -- output of html/template, escaped by it
	if _, ok := h.rd.I18n().Get(lang); ok {
		h.footers.Store(lang, html) // bounded by the enabled languages
	}
	return html
}
