package api

import (
	"context"
	"net/http"
	"time"

	"peerpress/internal/content"
)

// Events lists events for /api/v1/events: the events package, which keeps
// their time and place.
type Events interface {
	// APIEvents lists up to limit events visible in lang that have not
	// ended by from, soonest first, after the cursor (nil: from the
	// first), with their public details.
	APIEvents(ctx context.Context, lang string, from time.Time, after *content.Cursor, limit int) ([]EventItem, error)
}

// EventItem is an event in one language, with when and where, and its
// interpretation and speakers.
type EventItem struct {
	ID      int64  `json:"id"`
	Lang    string `json:"lang"`
	Title   string `json:"title"`
	Slug    string `json:"slug"`
	Summary string `json:"summary"`
	URL     string `json:"url"` // the page's path; the API adds the origin
	EventTime
	EventDetails
	// Start orders the listing: the cursor is made from it.
	Start time.Time `json:"-"`
}

// EventDetails are an event's public details beyond when and where. The
// join link is never among them.
type EventDetails struct {
	Interpretation []EventLanguage `json:"interpretation"`
	Speakers       []EventSpeaker  `json:"speakers"`
}

// EventLanguage is a language an event is offered in.
type EventLanguage struct {
	Lang      string `json:"lang"`
	Confirmed bool   `json:"confirmed"` // false: to be confirmed
}

// EventSpeaker is one speaker, in the organisers' order.
type EventSpeaker struct {
	Name         string `json:"name"`
	Role         string `json:"role,omitempty"`
	Organisation string `json:"organisation,omitempty"`
}

// listEvents serves GET /api/v1/events?lang=&from=&cursor=&limit=: visible
// events in one language that have not ended by from (RFC 3339; now when
// absent), soonest first.
func (a *API) listEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := a.listingParams(r, "v")
	if err != nil {
		return err
	}
	from := time.Now()
	if s := q.Get("from"); s != "" {
		if from, err = time.Parse(time.RFC3339, s); err != nil {
			return badRequest("invalid_from", "from must be a time in RFC 3339, such as 2026-05-01T00:00:00Z.")
		}
	}
	items := []EventItem{}
	if a.events != nil {
		if items, err = a.events.APIEvents(r.Context(), p.lang, from, p.after, p.limit+1); err != nil {
			return err
		}
	}
	items, next := nextPage(p, items, func(it EventItem) content.Cursor { return content.Cursor{At: it.Start, EntryID: it.ID} })
	origin := a.origin(r)
	for i := range items {
		items[i].URL = origin + items[i].URL
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": items, "next_cursor": next})
}
