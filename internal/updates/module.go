package updates

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

// Config is what the updates area needs from the platform.
type Config struct {
	DB      *db.DB
	Vault   *participant.Vault
	Mailer  *mail.Mailer
	Entries *content.Store
}

// Module is the updates area as the composition root holds it: built
// once, it registers the update kind, makes its pages for each renderer
// and declares the personal data it holds.
type Module struct {
	Store *Store
	cfg   Config
}

// Register adds the update kind to the kinds of entry
// (content.RegisterKind): done by NewModule, and by code that saves
// updates without the site (the demo).
func Register() error {
	return content.RegisterKind(content.KindSpec{Kind: Kind, Segment: "updates"})
}

// NewModule registers the update kind and builds the area's store.
func NewModule(cfg Config) (*Module, error) {
	if err := Register(); err != nil {
		return nil, err
	}
	s, err := NewStore(cfg.DB, cfg.Vault, cfg.Mailer)
	if err != nil {
		return nil, err
	}
	return &Module{Store: s, cfg: cfg}, nil
}

// Pages makes the area's handlers; g guards the subscribe form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	return NewHandlers(m.Store, m.cfg.Entries, rd, g)
}

// PersonalData is the subscribers (participant.Holder).
func (m *Module) PersonalData() participant.Holder { return m.Store.PersonalData() }

// Tasks is the area's periodic work: subscriptions never confirmed are
// undone once their link has expired.
func (m *Module) Tasks() []jobs.Task {
	return []jobs.Task{{Name: "updates/unconfirmed", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := m.Store.DropUnconfirmed(ctx)
		return err
	}}}
}
