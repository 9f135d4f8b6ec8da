package events

import (
	"context"

	"peerpress/internal/api"
)

// APIDetails gives the JSON API an event's interpretation languages and
// speakers. Nothing private (the join link, registrations) goes out.
func (s *Store) APIDetails(ctx context.Context, entryID int64) (api.EventDetails, error) {
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
