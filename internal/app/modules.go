package app

import (
	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/events"
	"peerpress/internal/letter"
	"peerpress/internal/people"
	"peerpress/internal/search"
	"peerpress/internal/web"
)

// A module is a feature area: a package that declares its routes, and
// may add to the site through the optional interfaces below, each owned
// by the package that consumes it (the way http.Flusher is):
//
//   - content.Panel: a part of its own on entries' public pages;
//   - content.HomeBlock: a block of the home page;
//   - content.NavLinker: links in the main navigation;
//   - content.EditorLinker: links from the entry editor to its pages;
//   - content.MediaHolder: media it keeps for entries, deleted with them;
//   - content.Extension: fields of entries of some kinds, in the editor
//     and saved in the entry's transaction by every path;
//   - campaign.Queue: what waits for moderators, on /admin/moderation.
//
// Adding an area means writing its package and adding it to the list in
// modules; nothing else here changes.
type module interface {
	Routes(rs *web.Routes)
}

// namedModule is a module and the name its routes are listed under.
type namedModule struct {
	name string
	module
}

// modules builds the feature areas' handlers, in the order their panels
// and links appear.
func (a *App) modules(rd *web.Renderer) ([]namedModule, error) {
	eventPages, err := events.NewHandlers(a.Events, a.Content, rd, a.Guard,
		func() []string { return a.Live.Site().EventZones }, a.zone)
	if err != nil {
		return nil, err
	}
	campaignPages, err := campaign.New(campaign.Config{Store: a.Campaigns, Entries: a.Content,
		Media: a.Media, Guard: a.Guard, Render: rd})
	if err != nil {
		return nil, err
	}
	letterPages, err := letter.New(letter.Config{Store: a.Letters, Entries: a.Content, Guard: a.Guard, Mailer: a.Mailer, Render: rd, Zone: a.zone})
	if err != nil {
		return nil, err
	}
	searchPages, err := search.NewHandlers(search.NewSearcher(a.DB), a.Content, rd, a.zone)
	if err != nil {
		return nil, err
	}
	// Staff look-ups, exports and erasure of a person's data; the audit log.
	peoplePages, err := people.New(a.People, a.Users, rd)
	if err != nil {
		return nil, err
	}
	return []namedModule{
		{"events", eventPages},
		{"campaign", campaignPages},
		{"letter", letterPages},
		{"search", searchPages},
		{"people", peoplePages},
	}, nil
}

// plugIn gives each module's optional parts to the packages that use
// them.
func plugIn(mods []namedModule, entries *content.Store, public *content.Public, admin *content.Admin) {
	var dashboard *campaign.Handlers
	for _, m := range mods {
		if d, ok := m.module.(*campaign.Handlers); ok {
			dashboard = d
		}
	}
	var exts []content.Extension
	for _, m := range mods {
		if x, ok := m.module.(content.Extension); ok {
			exts = append(exts, x)
		}
		if p, ok := m.module.(content.Panel); ok {
			public.Panels = append(public.Panels, p)
		}
		if b, ok := m.module.(content.HomeBlock); ok {
			public.HomeBlocks = append(public.HomeBlocks, b)
		}
		if n, ok := m.module.(content.NavLinker); ok {
			public.NavLinkers = append(public.NavLinkers, n)
		}
		if l, ok := m.module.(content.EditorLinker); ok {
			admin.Linkers = append(admin.Linkers, l)
		}
		if q, ok := m.module.(campaign.Queue); ok && dashboard != nil {
			dashboard.Queues = append(dashboard.Queues, q)
		}
	}
	entries.SetExtensions(exts...)
}
