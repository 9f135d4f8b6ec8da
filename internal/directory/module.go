package directory

import (
	"context"
	"embed"
	"html/template"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the directory as the composition root holds it.
type Module struct {
	Store *Store
	// Applications are the applications to join; nil without a vault
	// and a mailer.
	Applications *Applications
	cfg          Config
}

// Speakers finds the events where people of an organisation spoke
// (events.Store).
type Speakers interface {
	// SpokeFrom lists the entry ids of the events with a speaker from an
	// organisation of one of names.
	SpokeFrom(ctx context.Context, names ...string) ([]int64, error)
}

// Signatures finds the open letters an organisation signed
// (letter.Store).
type Signatures interface {
	// SignedBy lists the entry ids of the letters signed by the
	// organisation orgID, or under one of names from country.
	SignedBy(ctx context.Context, orgID int64, country string, names ...string) ([]int64, error)
}

// Campaigns finds the campaigns an organisation joined (campaign.Store).
type Campaigns interface {
	// Joined lists the entry ids of the campaigns linking to one of ids.
	Joined(ctx context.Context, ids []int64) ([]int64, error)
}

// Config is what the directory is built from.
type Config struct {
	DB *db.DB
	// Entries are the entries organisations co-authored.
	Entries *content.Store
	// Speakers, Signatures and Campaigns find the rest of what an
	// organisation did with the network; nil: none.
	Speakers   Speakers
	Signatures Signatures
	Campaigns  Campaigns
	// Media keeps the logos.
	Media *media.Store
	// DefaultLang reads the site's default language.
	DefaultLang func() string
	// Vault seals the applicants' contacts, Mailer mails them.
	Vault  *participant.Vault
	Mailer Mailer
}

// NewModule builds the directory's store.
func NewModule(cfg Config) *Module {
	m := &Module{Store: NewStore(cfg.DB, cfg.DefaultLang), cfg: cfg}
	if cfg.Vault != nil && cfg.Mailer != nil {
		m.Applications = &Applications{db: cfg.DB, vault: cfg.Vault, mailer: cfg.Mailer, store: m.Store, now: time.Now}
	}
	return m
}

// PersonalData is what the applications to join hold about applicants
// (participant.Holder).
func (m *Module) PersonalData() participant.Holder {
	if m.Applications == nil {
		return nil
	}
	return m.Applications.PersonalData()
}

// Pages makes the directory's handlers.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	tmpl, err := rd.Templates(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{store: m.Store, entries: m.cfg.Entries, speakers: m.cfg.Speakers, signatures: m.cfg.Signatures, campaigns: m.cfg.Campaigns,
		media: m.cfg.Media, rd: rd, tmpl: tmpl, audit: participant.NewAudit(m.cfg.DB), apps: m.Applications, guard: g}, nil
}

// PublicPages lists the directory and every organisation's page
// (content.Publisher), for the sitemap and the static mirror.
func (m *Module) PublicPages(ctx context.Context, lang string) ([]content.PublicPage, error) {
	orgs, err := m.Store.All(ctx)
	if err != nil {
		return nil, err
	}
	// The pages show entries too (an organisation's co-authored ones):
	// not Tracked, so an incremental export renders them every time.
	pages := []content.PublicPage{{Path: func(l string) string { return "/" + l + "/directory" }}}
	for _, o := range orgs {
		slug := o.Slug
		pages = append(pages, content.PublicPage{Modified: o.Updated, Path: func(l string) string { return "/" + l + "/directory/" + slug }})
		if o.Updated.After(pages[0].Modified) {
			pages[0].Modified = o.Updated
		}
	}
	return pages, nil
}

// Tasks puts in search, every ten minutes, the organisations named in the
// entry editor since.
func (m *Module) Tasks() []jobs.Task {
	return []jobs.Task{{Name: "directory/index", Every: 10 * time.Minute, Run: m.Store.IndexMissing}}
}

// ApplyLimit is the largest application form a visitor may send.
const ApplyLimit = 64 << 10

// Handlers serve the public directory and the staff's pages.
type Handlers struct {
	store      *Store
	entries    *content.Store
	speakers   Speakers
	signatures Signatures
	campaigns  Campaigns
	media      *media.Store
	rd         *web.Renderer
	tmpl       map[string]*template.Template
	maps       mapCache
	audit      *participant.Audit
	apps       *Applications
	guard      *guard.Guard
}

// Routes declares the directory's pages. The public ones are the same for
// every visitor: the page cache keeps them until the next write.
func (h *Handlers) Routes(rs *web.Routes) {
	rs.Page("GET /directory", h.list, web.Cache)
	rs.Page("GET /directory/page/{n}", h.list, web.Cache)
	rs.Page("GET /directory/{slug}", h.show, web.Cache)
	rs.Page("GET /directory/apply", h.apply)
	rs.Page("POST /directory/apply", h.submitApplication, web.Body(ApplyLimit))
	rs.Page("GET /directory/apply/sent", h.applySent)
	rs.Page("GET /directory/apply/verify/{token}", h.confirmVerify, web.Private)
	rs.Page("POST /directory/apply/verify/{token}", h.verify, web.Private)
	rs.Admin("GET /admin/organisation-applications", h.applications, web.Need(auth.Moderate))
	rs.Admin("GET /admin/organisation-applications/{id}", h.application, web.Need(auth.Moderate))
	rs.Admin("POST /admin/organisation-applications/{id}", h.decideApplication, web.Need(auth.Moderate))
	rs.Admin("GET /admin/organisations", h.adminList, web.Need(auth.ManageTaxonomy))
	rs.Admin("GET /admin/organisations.csv", h.exportCSV, web.Need(auth.ManageTaxonomy))
	rs.Admin("GET /admin/organisations/new", h.adminNew, web.Need(auth.ManageTaxonomy))
	rs.Admin("POST /admin/organisations", h.adminSave, web.Need(auth.ManageTaxonomy))
	rs.Admin("GET /admin/organisations/{id}", h.adminEdit, web.Need(auth.ManageTaxonomy))
	rs.Admin("POST /admin/organisations/{id}/logo", h.adminLogo, web.Need(auth.ManageTaxonomy), web.Body(LogoUploadLimit))
	rs.Admin("GET /admin/organisations/{id}/delete", h.adminConfirmDelete, web.Need(auth.ManageTaxonomy))
	rs.Admin("POST /admin/organisations/{id}/delete", h.adminDelete, web.Need(auth.ManageTaxonomy))
}

// NavLinks puts the directory in the main navigation (content.NavLinker).
func (h *Handlers) NavLinks(lang string) []web.NavLink {
	return []web.NavLink{{Name: h.rd.I18n().Localizer(lang).T("directory.title"), URL: "/" + lang + "/directory"}}
}
