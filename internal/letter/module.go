package letter

import (
	"context"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// ModuleConfig is what the letters area needs from the platform.
type ModuleConfig struct {
	DB      *db.DB
	Vault   *participant.Vault
	Mailer  *mail.Mailer
	Entries *content.Store
	Zone    *time.Location // the zone closing times are given in
}

// Module is the letters area as the composition root holds it: built
// once, it makes its pages for each renderer, handles its job kind (bulk
// loads of signatures) and declares the personal data signatures hold.
type Module struct {
	Store *Store
	cfg   ModuleConfig
}

// NewModule builds the area's store.
func NewModule(cfg ModuleConfig) *Module {
	return &Module{Store: NewStore(cfg.DB, cfg.Vault), cfg: cfg}
}

// Pages makes the area's handlers; g guards the signing form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	return New(Config{Store: m.Store, Entries: m.cfg.Entries, Guard: g, Mailer: m.cfg.Mailer, Render: rd, Zone: m.cfg.Zone})
}

// Register gives the queue the area's job kinds.
func (m *Module) Register(q *jobs.Queue) { m.Store.Register(q) }

// PersonalData is the signatories (participant.Holder).
func (m *Module) PersonalData() participant.Holder { return m.Store.PersonalData(m.cfg.Entries) }

// PublicPages lists the signatories' page of every statement open for
// signatures or signed (content.Publisher).
func (m *Module) PublicPages(ctx context.Context, lang string) ([]content.PublicPage, error) {
	reaches, err := m.cfg.Entries.Reaches(ctx, `SELECT l.entry_id FROM letters l WHERE l.open
		OR EXISTS (SELECT 1 FROM signatures s WHERE s.entry_id = l.entry_id AND s.status = ?)`, Approved)
	if err != nil {
		return nil, err
	}
	for id, r := range reaches {
		if r.Kind != content.Statement {
			delete(reaches, id)
		}
	}
	return content.Under(reaches, lang, "/signatures"), nil
}
