package campaign

import (
	"context"
	"slices"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/media"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// ModuleConfig is what the campaigns area needs from the platform.
type ModuleConfig struct {
	DB      *db.DB
	Vault   *participant.Vault
	Mailer  Mailer
	Entries *content.Store
	Media   *media.Store
}

// Module is the campaigns area as the composition root holds it: built
// once, it makes its pages for each renderer, keeps tribute photos (a
// content.MediaHolder, so they go with their campaign whoever deletes
// it) and declares the personal data tributes hold.
type Module struct {
	Store *Store
	cfg   ModuleConfig
}

// NewModule builds the area's store.
func NewModule(cfg ModuleConfig) *Module {
	return &Module{Store: NewStore(cfg.DB, cfg.Vault, cfg.Mailer), cfg: cfg}
}

// Pages makes the area's handlers; g guards the tribute form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	return New(Config{Store: m.Store, Entries: m.cfg.Entries, Media: m.cfg.Media, Guard: g, Render: rd})
}

// PersonalData is the tributes' senders (participant.Holder).
func (m *Module) PersonalData() participant.Holder {
	return m.Store.PersonalData(m.cfg.Media, m.cfg.Entries)
}

// EntryMedia is the tribute photos of a campaign (content.MediaHolder).
func (m *Module) EntryMedia(ctx context.Context, tx *db.Tx, entryID int64) ([]int64, error) {
	return m.Store.EntryMedia(ctx, tx, entryID)
}

// PublicPages lists the tribute wall of every campaign that has one open
// or shows tributes, with its slideshow beneath it (content.Publisher).
// A wall is modified when its campaign's words are, or when a tribute
// on it last changed (wall_changed_at, kept by the database's triggers):
// an incremental static export then renders every slide again.
func (m *Module) PublicPages(ctx context.Context, lang string) ([]content.PublicPage, error) {
	reaches, err := m.cfg.Entries.Reaches(ctx, `SELECT c.entry_id FROM campaigns c WHERE c.wall_open
		OR EXISTS (SELECT 1 FROM tributes t WHERE t.campaign_id = c.entry_id AND t.status = ?)`, Approved)
	if err != nil {
		return nil, err
	}
	if len(reaches) > 0 {
		changed, err := m.Store.WallsChanged(ctx)
		if err != nil {
			return nil, err
		}
		for id, at := range changed {
			if r, ok := reaches[id]; ok {
				for l, mod := range r.Modified {
					if at.After(mod) {
						r.Modified[l] = at
					}
				}
			}
		}
	}
	pages := content.Under(reaches, lang, "/tributes/")
	for i := range pages {
		// The slideshow, /tributes/1 onwards: every slide counts the
		// tributes and the last leads to the next one approved.
		pages[i].Beneath = true
	}
	return pages, nil
}

// entryPagesBatch bounds the entries asked about at once: each is a
// query parameter, and the engines bound those.
const entryPagesBatch = 500

// EntryPages lists the pages, in each of langs they can be read in, of
// the campaigns that link any of the entries ids: a campaign's page
// shows the titles of the entries it links (content.EntryPager), so a
// linked event retitled changes it though the campaign was not saved.
func (m *Module) EntryPages(ctx context.Context, langs []string, ids []int64) ([]string, error) {
	var out []string
	for len(ids) > 0 {
		batch := ids[:min(len(ids), entryPagesBatch)]
		ids = ids[len(batch):]
		marks, args := db.InList(batch)
		reaches, err := m.cfg.Entries.Reaches(ctx, `SELECT campaign_id FROM campaign_links WHERE entry_id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range reaches {
			for _, l := range langs {
				if u := r.URL(l); u != "" {
					out = append(out, u)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
