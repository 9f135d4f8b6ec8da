package events

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"peerpress/internal/api"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// Info is when and where an event happens, asked for in its entry's
// editor and saved with the entry, in the events table.
type Info struct {
	StartsAt        time.Time
	TimeZone        string // IANA: the event's own
	DurationMinutes int
	Mode            string // online, in-person, hybrid
	Venue           string
}

// Local is the start in the event's own zone.
func (i Info) Local() time.Time {
	loc, err := i18n.LoadZone(i.TimeZone)
	if err != nil {
		return i.StartsAt.UTC()
	}
	return i.StartsAt.In(loc)
}

// Ended reports whether the event was over at now, as the past events'
// page counts it: its start plus its duration.
func (i Info) Ended(now time.Time) bool {
	return !i.StartsAt.IsZero() && i.StartsAt.Add(time.Duration(i.DurationMinutes)*time.Minute).Before(now)
}

// MaxDays bounds an event's length, so that the events still running can
// be found from the index of start times.
const MaxDays = 14

// Limits of the fields.
const (
	maxDuration = MaxDays * 24 * 60 // minutes
	maxVenue    = 300
)

// modes are an event's formats, in the editor's order.
var modes = []string{"online", "in-person", "hybrid"}

// extName keys an event's Info among an entry's extension values.
const extName = "event"

// Ext is info as an entry's extension values, for code that saves events
// itself (the demo, tests): content.EntryInput{Kind: content.Event, Ext: Ext(info)}.
func Ext(info Info) map[string]any { return map[string]any{extName: info} }

// InfoOf is the event's time and place, which content loads with the
// entry; ok is false when it has none.
func InfoOf(e *content.Entry) (info Info, ok bool) {
	info, ok = e.Ext[extName].(Info)
	return info, ok
}

// EntryFields adds an event's time and place to event entries
// (content.Extension): the editor's fields, their checks, and the events
// table's row, saved in the entry's transaction by whatever saves the
// entry. It needs nothing but the transaction it is given, so the demo
// and tests use it as it is; Handlers carry it into the site.
type EntryFields struct{}

// ExtensionName keys an event's Info (content.Extension).
func (EntryFields) ExtensionName() string { return extName }

// ExtendsKind reports whether k is the event kind.
func (EntryFields) ExtendsKind(k content.Kind) bool { return k == content.Event }

// EditorFields are the start, zone and duration, then the format and
// venue.
func (EntryFields) EditorFields() content.FieldSet {
	var mode []content.Option
	for _, m := range modes {
		mode = append(mode, content.Option{Value: m, Label: "event.mode." + m})
	}
	return content.FieldSet{Legend: "event.details", Rows: [][]content.Field{
		{
			{Name: "event_start", Label: "event.starts", Type: "datetime-local"},
			{Name: "event_zone", Label: "event.zone", Hint: "event.zone_hint", Suggest: content.ZoneSuggestions, ShowLabel: true, Max: 64},
			{Name: "event_duration", Label: "event.duration_minutes", Type: "number", Min: 1, Max: maxDuration},
		},
		{
			{Name: "event_mode", Label: "event.mode", Type: "select", Options: mode},
			{Name: "event_venue", Label: "event.venue", Max: maxVenue},
		},
	}}
}

// formTimeLayout is what <input type="datetime-local"> sends.
const formTimeLayout = "2006-01-02T15:04"

// FormValues shows an Info in the editor; a new event is online, an hour
// long, in UTC.
func (EntryFields) FormValues(v any) url.Values {
	info, ok := v.(Info)
	if !ok {
		return url.Values{"event_mode": {"online"}, "event_duration": {"60"}, "event_zone": {"UTC"}}
	}
	return url.Values{
		"event_start": {info.Local().Format(formTimeLayout)}, "event_zone": {info.TimeZone},
		"event_duration": {strconv.Itoa(info.DurationMinutes)}, "event_mode": {info.Mode}, "event_venue": {info.Venue},
	}
}

// ParseForm reads the fields as typed: the zone by its identifier, a
// city or a country with one zone ("London", "Delhi"), and the start in
// that zone (UTC while it is not a zone; the check says so).
func (EntryFields) ParseForm(form url.Values, errs content.FieldErrors) any {
	zone := strings.TrimSpace(form.Get("event_zone"))
	if id, ok := i18n.ResolveZone(zone, ""); ok {
		zone = id
	}
	info := Info{TimeZone: zone, Mode: form.Get("event_mode"), Venue: strings.TrimSpace(form.Get("event_venue")), DurationMinutes: 60}
	loc := time.UTC
	if ValidZone(zone) {
		loc, _ = time.LoadLocation(zone)
	}
	if s := strings.TrimSpace(form.Get("event_start")); s != "" {
		if t, err := time.ParseInLocation(formTimeLayout, s, loc); err != nil {
			errs["event_start"] = "form.invalid_time"
		} else {
			info.StartsAt = t
		}
	}
	if s := strings.TrimSpace(form.Get("event_duration")); s != "" {
		d, err := strconv.Atoi(s)
		if err != nil {
			d = 0 // the check refuses it
		}
		info.DurationMinutes = d
	}
	return info
}

// CheckExtension checks an Info from the editor, the API or an import: a
// zone, a start, a duration of up to MaxDays, a known format, a venue of
// reasonable length.
func (EntryFields) CheckExtension(v any, errs content.FieldErrors) {
	info, ok := v.(Info)
	if !ok {
		if errs["event_start"] == "" {
			errs["event_start"] = "form.required"
		}
		return
	}
	if !ValidZone(info.TimeZone) {
		errs["event_zone"] = "event.zone_invalid"
	}
	if info.StartsAt.IsZero() && errs["event_start"] == "" {
		errs["event_start"] = "form.required"
	}
	if info.DurationMinutes < 1 || info.DurationMinutes > maxDuration {
		errs["event_duration"] = "event.duration_invalid"
	}
	if !slices.Contains(modes, info.Mode) {
		errs["event_mode"] = "form.invalid_choice"
	}
	switch {
	case !content.StorableText(info.Venue) || !content.StorableText(info.TimeZone):
		errs["event_venue"] = "form.invalid_text"
	case utf8.RuneCountInString(info.Venue) > maxVenue:
		errs["event_venue"] = "form.too_long"
	}
}

// Warnings tells the editor when the event starts in the past
// (content.Warner): readers will find it among past events.
func (EntryFields) Warnings(v any) []i18n.Msg {
	info, ok := v.(Info)
	if !ok || info.StartsAt.IsZero() || !info.StartsAt.Before(time.Now()) {
		return nil
	}
	return []i18n.Msg{i18n.M("event.warn_past")}
}

// SaveExtension writes the event's row in the entry's transaction, or
// removes it (nil: the entry is no longer an event), and its venue into
// the search index.
func (EntryFields) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	info, ok := v.(Info)
	if !ok {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE entry_id = ?`, entryID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 { // never an event (every other entry's save): nothing to take out
			return nil
		}
		return indexEvent(ctx, tx, entryID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (entry_id, starts_at, time_zone, duration_minutes, mode, venue) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET starts_at = excluded.starts_at, time_zone = excluded.time_zone,
		duration_minutes = excluded.duration_minutes, mode = excluded.mode, venue = excluded.venue`,
		entryID, info.StartsAt.Unix(), info.TimeZone, info.DurationMinutes, info.Mode, info.Venue)
	if err != nil {
		return err
	}
	return indexEvent(ctx, tx, entryID)
}

// LoadExtension reads the events' rows of the given entries in one query.
func (EntryFields) LoadExtension(ctx context.Context, q db.Querier, entryIDs []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(entryIDs) == 0 {
		return out, nil
	}
	marks, args := db.InList(entryIDs)
	rows, err := q.QueryContext(ctx, `SELECT entry_id, starts_at, time_zone, duration_minutes, mode, venue FROM events
		WHERE entry_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("events: times: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, starts int64
		var info Info
		if err := rows.Scan(&id, &starts, &info.TimeZone, &info.DurationMinutes, &info.Mode, &info.Venue); err != nil {
			return nil, fmt.Errorf("events: times: %w", err)
		}
		info.StartsAt = time.Unix(starts, 0).UTC()
		out[id] = info
	}
	return out, rows.Err()
}

// itemNote is the line under a listed event's title. A literal, so
// parsing it cannot fail.
var itemNote = template.Must(template.New("item_note").Parse(
	`{{if .Past}}<p class="meta past">{{.L.T "event.took_place"}}{{else}}<p class="meta">{{.L.T "event.starts"}}{{end}}: <time datetime="{{.Start.Format "2006-01-02T15:04:05Z07:00"}}">{{.L.DateTime .Local}}</time></p>`))

// ItemNote says when a listed event starts (content.ItemNoter).
func (EntryFields) ItemNote(l *i18n.Localizer, v any) template.HTML {
	info, ok := v.(Info)
	if !ok {
		return ""
	}
	// The note is a function of these alone, and every listing of
	// events shows the same few: executing the template for each row was
	// a twentieth of a cold listing page's CPU (issue 23).
	key := noteKey{l, info.StartsAt.Unix(), info.TimeZone, info.Ended(time.Now())}
	if html, ok := itemNotes.get(key); ok {
		return html
	}
	var b strings.Builder
	data := struct {
		L     *i18n.Localizer
		Start time.Time
		Local time.Time
		Past  bool
	}{l, info.StartsAt, info.Local(), key.past}
	if err := itemNote.Execute(&b, data); err != nil {
		return "" // a localizer's methods do not fail; nothing to show otherwise
	}
	html := template.HTML(b.String()) // #nosec G203 -- output of html/template, escaped by it
	itemNotes.put(key, html)
	return html
}

// noteKey is everything a listed event's note shows: the reader's
// language (its localizer), the start, the zone it is shown in, and
// whether the event is over.
type noteKey struct {
	l     *i18n.Localizer
	start int64
	zone  string
	past  bool
}

// itemNotes keeps the notes written, at most maxNotes of them (a full
// memo starts again empty).
var itemNotes = noteMemo{m: map[noteKey]template.HTML{}}

const maxNotes = 4096

type noteMemo struct {
	mu sync.RWMutex
	m  map[noteKey]template.HTML
}

func (n *noteMemo) get(k noteKey) (template.HTML, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	html, ok := n.m[k]
	return html, ok
}

func (n *noteMemo) put(k noteKey, html template.HTML) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= maxNotes {
		n.m = map[noteKey]template.HTML{}
	}
	n.m[k] = html
}

// EventTime is an Info as the API shows it (api.EventField).
func (EntryFields) EventTime(v any) *api.EventTime {
	info, ok := v.(Info)
	if !ok {
		return nil
	}
	return apiTime(info)
}

func apiTime(info Info) *api.EventTime {
	start := info.Local()
	return &api.EventTime{StartsAt: start.Format(time.RFC3339), EndsAt: start.Add(time.Duration(info.DurationMinutes) * time.Minute).Format(time.RFC3339),
		TimeZone: info.TimeZone, DurationMinutes: info.DurationMinutes, Mode: info.Mode, Venue: info.Venue}
}

// EventValue reads an API body's event (api.EventField): an hour long
// unless it says otherwise.
func (EntryFields) EventValue(b api.EventBody, errs content.FieldErrors) any {
	info := Info{TimeZone: b.TimeZone, DurationMinutes: b.DurationMinutes, Mode: b.Mode, Venue: strings.TrimSpace(b.Venue)}
	if info.DurationMinutes == 0 {
		info.DurationMinutes = 60
	}
	if b.StartsAt != "" {
		at, err := time.Parse(time.RFC3339, b.StartsAt)
		if err != nil {
			errs["event_start"] = "form.invalid_time"
		}
		info.StartsAt = at
	}
	return info
}
