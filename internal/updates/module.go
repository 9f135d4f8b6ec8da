package updates

import (
	"context"
	"math"
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
	// Audit records staff's exports of the list.
	Audit *participant.Audit
	// Rate is the most update mails sent per second, across instances;
	// 0: no limit.
	Rate float64
	// SiteName names the site in every edition; DefaultLang reads the
	// site's default language, the edition of last resort.
	SiteName    string
	DefaultLang func() string
	// Zone is the site's zone, in which staff give a sending time; nil:
	// UTC.
	Zone *time.Location
}

// Module is the updates area as the composition root holds it: built
// once, it registers the update kind, makes its pages for each renderer
// and declares the personal data it holds.
type Module struct {
	// Fields give update entries their list of chosen entries
	// (content.Extension).
	Fields
	Store  *Store
	Sender *Sender
	cfg    Config
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
	s, err := NewStore(cfg.DB, cfg.Vault, cfg.Mailer, cfg.Audit)
	if err != nil {
		return nil, err
	}
	if cfg.DefaultLang == nil {
		cfg.DefaultLang = func() string { return "en" }
	}
	ed := &editions{db: cfg.DB, entries: cfg.Entries, langs: s.langs, md: content.NewMarkdown(), site: func() string { return cfg.SiteName }}
	snd := &Sender{store: s, entries: cfg.Entries, editions: ed, defLang: cfg.DefaultLang, batch: batchFor(cfg.Rate), Now: time.Now}
	return &Module{Fields: Fields{db: cfg.DB}, Store: s, Sender: snd, cfg: cfg}, nil
}

// Pages makes the area's handlers; g guards the subscribe form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	h, err := NewHandlers(m.Store, m.Sender, m.cfg.Entries, rd, g)
	if err != nil {
		return nil, err
	}
	if m.cfg.Zone != nil {
		h.zone = m.cfg.Zone
	}
	return h, nil
}

// Register declares the sending's job kinds: the fan-out, one at a
// time, and the deliveries, at the operator's rate. The queue tries a
// delivery a little more often than the sender does, so that the
// sender decides when one has failed.
func (m *Module) Register(q *jobs.Queue) {
	q.HandleWith(SeedKind, m.Store.runSeed, jobs.Options{MaxAttempts: 3, Concurrency: 1})
	q.HandleWith(queueKind, m.Sender.queue, jobs.Options{MaxAttempts: 5, Concurrency: 1})
	q.HandleWith(deliverKind, m.Sender.deliver, jobs.Options{MaxAttempts: maxTries + 2, Concurrency: 4, Rate: m.cfg.Rate / float64(m.Sender.batch)})
}

// maxBatch is the most subscribers one delivery job sends to.
const maxBatch = 50

// batchFor is the batch of a rate: about a second's worth of mail (so
// that the queue's rate of jobs is the rate of messages), at most
// maxBatch; maxBatch with no limit.
func batchFor(rate float64) int {
	if rate <= 0 {
		return maxBatch
	}
	return min(maxBatch, max(1, int(math.Ceil(rate))))
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
