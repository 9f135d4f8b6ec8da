package calls

import (
	"context"
	"errors"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// Config is what the calls area needs from the platform.
type Config struct {
	DB      *db.DB
	Vault   *participant.Vault
	Mailer  *mail.Mailer
	Entries *content.Store
	// Blobs keeps applications' files, never at a public address.
	Blobs media.Blobs
	// Staging is a folder of the data folder where uploads wait to be
	// checked and cleaned before they go into Blobs.
	Staging string
	// Languages gives the enabled languages, read for every check.
	Languages func() []string
}

// Module is the calls area as the composition root holds it: built once,
// it registers the call kind, gives call entries their settings, makes its
// pages for each renderer and declares the personal data it holds.
type Module struct {
	// Settings gives call entries their settings in the entry's editor
	// and transaction (content.Extension).
	Settings
	Store *Store
	// Users seats reviewers on boards, inviting those who have no
	// account yet; set by the composition root.
	Users *auth.Store
	cfg   Config
}

// Register adds the call kind to the kinds of entry (content.RegisterKind):
// done by NewModule, and by code that saves calls without the site (the
// demo).
func Register() error {
	return content.RegisterKind(content.KindSpec{Kind: Kind, Segment: "calls"})
}

// NewModule registers the call kind and builds the area's store.
func NewModule(cfg Config) (*Module, error) {
	if err := Register(); err != nil {
		return nil, err
	}
	s, err := NewStore(cfg.DB, cfg.Vault, cfg.Mailer, cfg.Blobs)
	if err != nil {
		return nil, err
	}
	s.Staging = cfg.Staging
	return &Module{Settings: Settings{Languages: cfg.Languages}, Store: s, cfg: cfg}, nil
}

// Pages makes the area's handlers; g guards the application form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	h, err := NewHandlers(m.Store, m.cfg.Entries, rd, g)
	if err != nil {
		return nil, err
	}
	h.users = m.Users
	return h, nil
}

// PublicPages lists the awards pages of the calls whose awards were told
// (content.Publisher), for the sitemap and the static mirror, in every
// language the call can be read in. The page shows decisions, which are
// not its entry's: not Tracked.
func (m *Module) PublicPages(ctx context.Context, lang string) ([]content.PublicPage, error) {
	ids, err := m.Store.AwardedCalls(ctx)
	if err != nil {
		return nil, err
	}
	now := m.Store.Now()
	var pages []content.PublicPage
	for _, id := range ids {
		e, err := m.cfg.Entries.Entry(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t, ok := e.Translation(lang); !ok || !t.Visible(now) {
			continue
		}
		pages = append(pages, content.PublicPage{Path: func(l string) string {
			t, ok := e.Translation(l)
			if !ok || !t.Visible(now) {
				return ""
			}
			return "/" + l + "/calls/awards/" + t.Slug
		}})
	}
	return pages, nil
}

// PersonalData is the applications (participant.Holder).
func (m *Module) PersonalData() participant.Holder { return m.Store.PersonalData() }

// Tasks is the area's periodic work: applications never confirmed are
// dropped once their link has expired, uploads abandoned for a day are
// removed from the staging folder, and kept files no application records
// (a call deleted with its applications) are deleted; closed calls'
// answers are sealed to the organisation's key and their applicants'
// identities purged on the board's schedule (SealClosed,
// PurgeIdentities).
func (m *Module) Tasks() []jobs.Task {
	return []jobs.Task{{Name: "calls/unconfirmed", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := m.Store.DropUnconfirmed(ctx)
		return err
	}}, {Name: "calls/staged", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := m.Store.SweepStaged(ctx)
		if err == nil {
			_, err = m.Store.SweepOrphans(ctx)
		}
		return err
	}}, {Name: "calls/closed", Every: time.Hour, Run: m.Store.closeTask}}
}
