package app

import (
	"context"
	"path/filepath"

	"peerpress/internal/calls"

	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/directory"
	"peerpress/internal/events"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/letter"
	"peerpress/internal/moderation"
	"peerpress/internal/participant"
	"peerpress/internal/people"
	"peerpress/internal/search"
	"peerpress/internal/updates"
	"peerpress/internal/web"
)

// A module is a feature area: a package that the composition root builds
// once (its store, from the platform's services) and that makes its pages
// for a renderer and the abuse guard of public forms.
//
// Besides its routes, a module may declare, through small interfaces:
//
//   - Register(*jobs.Queue): the kinds of background job it handles,
//     each with its own concurrency and rate;
//   - Tasks() []jobs.Task: periodic work, run once per slot across
//     instances;
//   - PersonalData() participant.Holder: what it holds about people, for
//     look-ups, export, erasure, purges and key rotation;
//   - content.MediaHolder: media it keeps for entries, deleted with them;
//   - content.Extension: fields of entries of some kinds, in the editor
//     and saved in the entry's transaction by every path;
//   - content.Publisher: public pages that are not entries,
//     for the sitemap and the static mirror;
//   - search.Source: documents in the search index (words joined to
//     its entries, or things of its own), kept in step by its writes and
//     given whole to `peerpress search reindex`;
//
// and its pages may be a content.Panel, content.HomeBlock,
// content.NavLinker, content.EditorLinker or moderation.Queue (what waits
// for moderators; a moderation.Panel is decided on the dashboard).
//
// Adding an area means writing its package and adding it to the list in
// newModules; nothing else here changes.
type module interface {
	Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error)
}

// What a module may declare besides its pages; see module.
type (
	jobKinds     interface{ Register(q *jobs.Queue) }
	tasker       interface{ Tasks() []jobs.Task }
	personalData interface {
		PersonalData() participant.Holder
	}
	// extensions is a module with more than one content.Extension (an
	// event's time and place, and its programme); one with a single
	// extension may be the content.Extension itself.
	extensions interface{ Extensions() []content.Extension }
)

// namedModule is a module and the name its routes are listed under.
type namedModule struct {
	name string
	module
}

// newModules builds the feature areas, in the order their panels and
// links appear. It sets a.Events, a.Campaigns, a.Letters, a.Calls and
// a.Directory, which tests and the API read.
func (a *App) newModules() ([]namedModule, error) {
	ev, err := events.NewModule(events.Config{DB: a.DB, Vault: a.People.Vault, Mailer: a.Mailer, Queue: a.Jobs, Entries: a.Content,
		Zones: func() []string { return a.Live.Site().EventZones }, Site: a.zone,
		RetentionDays: func(context.Context) (int, error) { return a.Live.Site().EventRetentionDays, nil },
		Untranslated:  func() bool { return a.Live.Site().IncludeUntranslated }})
	if err != nil {
		return nil, err
	}
	cp := campaign.NewModule(campaign.ModuleConfig{DB: a.DB, Vault: a.People.Vault, Mailer: a.Mailer, Entries: a.Content, Media: a.Media})
	lt := letter.NewModule(letter.ModuleConfig{DB: a.DB, Vault: a.People.Vault, Mailer: a.Mailer, Entries: a.Content, Zone: a.zone})
	cl, err := calls.NewModule(calls.Config{DB: a.DB, Vault: a.People.Vault, Mailer: a.Mailer, Entries: a.Content,
		Blobs:     a.appBlobs,
		Staging:   filepath.Join(a.Config.DataDir, "uploads"),
		Languages: func() []string { return a.Live.Site().Languages }})
	if err != nil {
		return nil, err
	}
	cl.Users = a.Users
	up, err := updates.NewModule(updates.Config{DB: a.DB, Vault: a.People.Vault, Mailer: a.Mailer, Entries: a.Content, Audit: a.People.Audit,
		Rate: a.Config.UpdatesRate, SiteName: a.Config.SiteName, DefaultLang: func() string { return a.Live.Languages().Default().Code }, Zone: a.zone})
	if err != nil {
		return nil, err
	}
	dir := directory.NewModule(directory.Config{DB: a.DB, Entries: a.Content, Speakers: ev.Store, Signatures: lt.Store, Campaigns: cp.Store,
		Media: a.Media, DefaultLang: func() string { return a.Live.Languages().Default().Code }, Vault: a.People.Vault, Mailer: a.Mailer})
	a.Events, a.Campaigns, a.Letters, a.Calls, a.Directory, a.Updates = ev.Store, cp.Store, lt.Store, cl.Store, dir.Store, up
	return []namedModule{
		{"events", ev},
		{"campaign", cp},
		{"letter", lt},
		{"calls", cl},
		// The network's organisations: profiles, the public directory.
		{"directory", dir},
		// Members' updates by email: subscribers, editions, sending.
		{"updates", up},
		{"search", &search.Module{DB: a.DB, Entries: a.Content, Zone: a.zone}},
		// Staff look-ups, exports and erasure of a person's data; the audit log.
		{"people", &people.Module{Registry: a.People, Users: a.Users}},
	}, nil
}

// declare gives what the modules declare to the platform: job kinds to
// the queue, personal data to the registry, media holders and entry
// fields to the entries. It returns their periodic tasks.
func (a *App) declare(mods []namedModule) []jobs.Task {
	var tasks []jobs.Task
	var holders []content.MediaHolder
	var exts []content.Extension
	for _, m := range mods {
		if k, ok := m.module.(jobKinds); ok {
			k.Register(a.Jobs)
		}
		if t, ok := m.module.(tasker); ok {
			tasks = append(tasks, t.Tasks()...)
		}
		if p, ok := m.module.(personalData); ok {
			a.People.Add(p.PersonalData())
		}
		if h, ok := m.module.(content.MediaHolder); ok {
			holders = append(holders, h)
		}
		if s, ok := m.module.(search.Source); ok {
			a.searchSources = append(a.searchSources, s)
		}
		if xs, ok := m.module.(extensions); ok {
			exts = append(exts, xs.Extensions()...)
		} else if x, ok := m.module.(content.Extension); ok {
			exts = append(exts, x)
		}
	}
	a.Content.SetMediaHolders(holders...)
	a.Content.SetExtensions(exts...)
	return tasks
}

// ReindexSearch rebuilds the search index: every module's documents, then
// every entry's translations with their words. It returns how many of
// each it indexed.
func (a *App) ReindexSearch(ctx context.Context) (documents, translations int, err error) {
	return search.Reindex(ctx, a.DB, a.searchSources)
}

// pages makes every module's pages for this renderer.
func (a *App) pages(rd *web.Renderer) ([]namedPages, error) {
	out := make([]namedPages, 0, len(a.mods))
	for _, m := range a.mods {
		p, err := m.Pages(rd, a.Guard)
		if err != nil {
			return nil, err
		}
		out = append(out, namedPages{m.name, p})
	}
	return out, nil
}

// namedPages is a module's pages and the name its routes are listed under.
type namedPages struct {
	name string
	web.Pages
}

// plugIn gives each module's optional parts to the packages that use
// them.
func plugIn(mods []namedPages, public *content.Public, admin *content.Admin, dashboard *moderation.Handlers) {
	for _, m := range mods {
		if p, ok := m.Pages.(content.Panel); ok {
			public.Panels = append(public.Panels, p)
		}
		if b, ok := m.Pages.(content.HomeBlock); ok {
			public.HomeBlocks = append(public.HomeBlocks, b)
		}
		if n, ok := m.Pages.(content.NavLinker); ok {
			public.NavLinkers = append(public.NavLinkers, n)
		}
		if b, ok := m.Pages.(content.FooterBlock); ok {
			public.Footers = append(public.Footers, b)
		}
		if l, ok := m.Pages.(content.EditorLinker); ok {
			admin.Linkers = append(admin.Linkers, l)
		}
		if q, ok := m.Pages.(moderation.Queue); ok {
			dashboard.Queues = append(dashboard.Queues, q)
		}
	}
}
