package events

import (
	"context"
	"slices"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// Config is what the events area needs from the platform.
type Config struct {
	DB      *db.DB
	Vault   *participant.Vault
	Mailer  *mail.Mailer
	Queue   *jobs.Queue
	Entries *content.Store
	// Zones gives the reference zones in service (settings), read for
	// every page; Site is the site's own zone.
	Zones func() []string
	Site  *time.Location
	// RetentionDays is how many days after an event its registrations are
	// kept, read at each purge since staff change it in the settings.
	RetentionDays func(context.Context) (int, error)
	// Untranslated says whether listings include events not yet in the
	// reader's language (the settings', read at each listing).
	Untranslated func() bool
}

// Module is the events area as the composition root holds it: built
// once, it makes its pages for each renderer and declares its periodic
// work and the personal data it holds.
type Module struct {
	// EntryFields gives event entries their time and place in the
	// entry's editor and transaction (content.Extension).
	EntryFields
	Store *Store
	cfg   Config
}

// NewModule builds the area's store.
func NewModule(cfg Config) (*Module, error) {
	s, err := NewStore(cfg.DB, cfg.Vault, cfg.Mailer, cfg.Queue, cfg.Entries)
	if err != nil {
		return nil, err
	}
	s.IncludeUntranslated = cfg.Untranslated
	s.RetentionDays = cfg.RetentionDays
	return &Module{Store: s, cfg: cfg}, nil
}

// Extensions are the fields the area adds to event entries, in the
// entry's editor and transaction: time and place, the programme, then
// the registration questions.
func (m *Module) Extensions() []content.Extension {
	return []content.Extension{m.EntryFields, ProgrammeFields{}, QuestionFields{}}
}

// Pages makes the area's handlers; g guards the registration form.
func (m *Module) Pages(rd *web.Renderer, g *guard.Guard) (web.Pages, error) {
	return NewHandlers(m.Store, m.cfg.Entries, rd, g, m.cfg.Zones, m.cfg.Site)
}

// Tasks is the area's periodic work: the reminders that are due.
func (m *Module) Tasks() []jobs.Task {
	return []jobs.Task{{Name: "events/reminders", Every: time.Minute, Run: func(ctx context.Context) error {
		_, err := m.Store.SendDueReminders(ctx)
		return err
	}}}
}

// PersonalData is the registrations (participant.Holder).
func (m *Module) PersonalData() participant.Holder {
	return m.Store.PersonalData(m.cfg.RetentionDays)
}

// PublicPages lists the upcoming and past events' pages and the months
// that hold events, in a language that has events (content.Publisher).
func (m *Module) PublicPages(ctx context.Context, lang string) ([]content.PublicPage, error) {
	mod, err := m.cfg.Entries.ArchivesModified(ctx, lang)
	if err != nil {
		return nil, err
	}
	at, ok := mod.Kinds[content.Event]
	if !ok {
		return nil, nil
	}
	out := []content.PublicPage{
		{Path: func(l string) string { return "/" + l + "/events/upcoming" }, Modified: at, Tracked: true},
		{Path: func(l string) string { return "/" + l + "/events/past" }, Modified: at, Tracked: true},
	}
	// The months from the first event to the last (and this month).
	first, last, err := m.Store.MonthSpan(ctx, m.cfg.Site)
	if err != nil {
		return nil, err
	}
	for mo := first; !mo.After(last); mo = mo.AddDate(0, 1, 0) {
		month := mo.Format("2006-01")
		out = append(out, content.PublicPage{Path: func(l string) string { return "/" + l + "/events/month/" + month }, Modified: at, Tracked: true})
	}
	return out, nil
}

// entryPagesBatch bounds the entries asked about at once: each is a
// query parameter, and the engines bound those.
const entryPagesBatch = 500

// EntryPages lists the calendar files of the events among ids, and the
// events' calendar, in each of langs they can be read in: what an
// event's edit changes beside its own page (content.EntryPager).
func (m *Module) EntryPages(ctx context.Context, langs []string, ids []int64) ([]string, error) {
	var out []string
	calendars := map[string]bool{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), entryPagesBatch)]
		ids = ids[len(batch):]
		marks, args := db.InList(batch)
		reaches, err := m.cfg.Entries.Reaches(ctx, `SELECT entry_id FROM events WHERE entry_id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range reaches {
			if r.Kind != content.Event {
				continue
			}
			for _, l := range langs {
				if slug, ok := r.Slugs[l]; ok {
					out = append(out, "/"+l+"/events/calendar/"+slug+".ics")
					calendars[l] = true
				}
			}
		}
	}
	for _, l := range langs {
		if calendars[l] {
			out = append(out, "/"+l+"/events/calendar.ics")
		}
	}
	slices.Sort(out)
	return out, nil
}

// ChangedPages lists the pages, in each of langs they can be read in, of
// the events where a place was taken or given up after since (kept by
// the database's triggers in event_details.places_changed_at): whether
// places are left shows there, while no entry was saved
// (content.ChangedPager). Only that time is read, nothing of who
// registered.
func (m *Module) ChangedPages(ctx context.Context, langs []string, since time.Time) ([]string, error) {
	reaches, err := m.cfg.Entries.Reaches(ctx, `SELECT entry_id FROM event_details WHERE places_changed_at > ?`, since.Unix())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range reaches {
		for _, l := range langs {
			if u := r.URL(l); u != "" {
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
