package content

import (
	"context"
	"time"
)

// ScanBounds scans a listing's bounds as List does after a write, without
// the cache, and returns the listing's size.
func ScanBounds(ctx context.Context, s *Store, f ListFilter, perPage int) (int, error) {
	b, err := s.scanBounds(ctx, f, perPage, s.now(), false)
	if err != nil {
		return 0, err
	}
	return b.total, nil
}

// PageQuery is the query List and Latest run for up to limit items of f's
// listing at now, after the item published at afterPublish of the entry
// afterEntry (afterEntry 0: the first page).
func PageQuery(f ListFilter, now time.Time, afterPublish, afterEntry int64, limit int) (string, []any) {
	var after *pageKey
	if afterEntry != 0 {
		after = &pageKey{publishAt: afterPublish, entryID: afterEntry}
	}
	return f.pageQuery(now, after, limit)
}

// LatestKeysQuery is the query LatestKeys runs at now.
func LatestKeysQuery(f ListFilter, now time.Time, limit int) (string, []any) {
	return latestKeysQuery(f, now, limit)
}

// TextsByIDQuery is the query TextsByID runs.
func TextsByIDQuery(ids []int64) (string, []any) { return textsByIDQuery(ids) }

// BoundsQuery is the query the scan of f's bounds runs at now.
func BoundsQuery(f ListFilter, now time.Time) (string, []any) { return f.boundsQuery(now) }

// ChangedSinceQuery is the query ChangedSince runs at now.
func ChangedSinceQuery(since, now time.Time) (string, []any) { return changedSinceQuery(since, now) }

// ArchivesModifiedQuery is the query ArchivesModified runs at now.
func ArchivesModifiedQuery(lang string, now time.Time) (string, []any) {
	return archivesModifiedQuery(lang, now)
}

// SitemapQuery is the query SitemapURLs runs at now.
func SitemapQuery(lang string, now time.Time, after int64, limit int) (string, []any) {
	return sitemapQuery(lang, now.Unix(), after, limit)
}

// SitemapAfterQuery is the query SitemapAfter runs at now.
func SitemapAfterQuery(lang string, now time.Time, place int) (string, []any) {
	return sitemapAfterQuery(lang, now.Unix(), place)
}

// KnowsBounds reports whether s holds f's bounds, perPage a page, read or
// given (AddBounds).
func KnowsBounds(s *Store, f ListFilter, perPage int) bool {
	s.bounds.mu.Lock()
	defer s.bounds.mu.Unlock()
	_, ok := s.bounds.m[boundsKey(f, perPage)]
	return ok
}
