package events

import (
	"context"
	"time"

	"peerpress/internal/api"
	"peerpress/internal/content"
)

// APIEvents lists, for the JSON API (api.Events), up to limit events
// visible in lang that have not ended by from, soonest first, after the
// cursor, with their interpretation languages and speakers. Nothing
// private (the join link, registrations) goes out.
func (s *Store) APIEvents(ctx context.Context, lang string, from time.Time, after *content.Cursor, limit int) ([]api.EventItem, error) {
	where := `ev.starts_at + ev.duration_minutes * 60 >= ?`
	args := []any{s.Now().Unix(), lang, from.Unix()}
	if after != nil {
		where += ` AND (ev.starts_at > ? OR (ev.starts_at = ? AND e.id > ?))`
		args = append(args, after.At.Unix(), after.At.Unix(), after.EntryID)
	}
	// The API answers in the language asked for, nothing else.
	listed, err := s.listed(ctx, false, where, `ORDER BY ev.starts_at, e.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	out := make([]api.EventItem, 0, len(listed))
	for _, l := range listed {
		d, err := s.apiDetails(ctx, l.EntryID)
		if err != nil {
			return nil, err
		}
		out = append(out, api.EventItem{ID: l.EntryID, Lang: l.Lang, Title: l.Title, Slug: l.Slug, Summary: l.Summary, URL: l.URL(),
			EventTime: *apiTime(l.Info), EventDetails: d, Start: l.Info.StartsAt})
	}
	return out, nil
}

// apiDetails is an event's interpretation languages and speakers.
func (s *Store) apiDetails(ctx context.Context, entryID int64) (api.EventDetails, error) {
	d, err := s.Details(ctx, entryID)
	if err != nil {
		return api.EventDetails{}, err
	}
	out := api.EventDetails{Interpretation: []api.EventLanguage{}, Speakers: []api.EventSpeaker{}}
	for _, l := range d.Languages {
		out.Interpretation = append(out.Interpretation, api.EventLanguage{Lang: l.Lang, Confirmed: l.Status == Confirmed})
	}
	for _, sp := range d.Speakers {
		out.Speakers = append(out.Speakers, api.EventSpeaker{Name: sp.Name, Role: sp.Role, Organisation: sp.Organisation})
	}
	return out, nil
}
