package search

import (
	"context"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/jobs"
	"peerpress/internal/web"
)

// Module is the search area as the composition root holds it: the search
// page, and the upkeep of the index's partitions.
type Module struct {
	DB      *db.DB
	Entries *content.Store
	Zone    *time.Location // the site's zone: years in the filters
}

// Pages makes the search page's handlers.
func (m *Module) Pages(rd *web.Renderer, _ *guard.Guard) (web.Pages, error) {
	return NewHandlers(NewSearcher(m.DB), m.Entries, rd, m.Zone)
}

// Tasks adds the index's next partition before a save needs it.
func (m *Module) Tasks() []jobs.Task {
	return []jobs.Task{{Name: "search/next_partition", Every: time.Minute, Run: func(ctx context.Context) error {
		return AddNextPartition(ctx, m.DB)
	}}}
}
