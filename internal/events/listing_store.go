package events

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Listed is an event as the listings and calendar feeds show it.
type Listed struct {
	EntryID   int64
	Lang      string
	Title     string
	Slug      string
	Summary   string
	UpdatedAt time.Time
	Info      Info
}

// URL is the event's page.
func (l Listed) URL() string { return content.URL(content.Event, l.Lang, l.Slug) }

// Local is the start in the event's zone.
func (l Listed) Local() time.Time { return l.Info.Local() }

const listedCols = `SELECT e.id, t.lang, t.title, t.slug, t.summary, t.updated_at, ev.starts_at, ev.time_zone, ev.duration_minutes, ev.mode, ev.venue
	FROM events ev JOIN entries e ON e.id = ev.entry_id JOIN translations t ON t.entry_id = e.id
	WHERE e.kind = 'event' AND t.status <> 'draft' AND t.publish_at <= ? AND `

// inLang keeps the translations in the listing's language; orSource
// also the source of an event not yet visible in it, as the archives do
// with the setting (content.ListFilter.IncludeUntranslated). orSource
// names the one language to read for each event, so that both engines
// find its translation by the (entry_id, lang) key: written as
// "t.lang = ? OR (t.lang = e.source_lang AND …)", PostgreSQL, custom or
// generic plan, ANDed a bitmap of every translation in the language up
// to now for each event (45 ms an event at 100,000 entries while its
// statistics were stale).
const (
	inLang   = `t.lang = ?`
	orSource = `t.lang = CASE WHEN EXISTS (
		SELECT 1 FROM translations x WHERE x.entry_id = e.id AND x.lang = ? AND x.status <> 'draft' AND x.publish_at <= ?) THEN ? ELSE e.source_lang END`
)

// listedQuery is cols (listedCols or keyCols) with the language's
// condition, more conditions and the rest of the query; args are the
// placeholders' values, starting with now and the language.
func listedQuery(cols string, untranslated bool, where, rest string, args []any) (string, []any) {
	lang := inLang
	if untranslated {
		lang = orSource
		args = append([]any{args[0], args[1], args[0], args[1]}, args[2:]...)
	}
	return cols + lang + ` AND ` + where + ` ` + rest, args
}

// listed runs listedCols with more conditions and the rest of the query
// (order, limit); args are the placeholders' values in order, starting
// with now and the language. With untranslated, an event not yet
// translated into the language is listed in its own.
func (s *Store) listed(ctx context.Context, untranslated bool, where, rest string, args ...any) ([]Listed, error) {
	query, args := listedQuery(listedCols, untranslated, where, rest, args)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("events: list: %w", err)
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		var updated, starts int64
		if err := rows.Scan(&l.EntryID, &l.Lang, &l.Title, &l.Slug, &l.Summary, &updated, &starts, &l.Info.TimeZone, &l.Info.DurationMinutes,
			&l.Info.Mode, &l.Info.Venue); err != nil {
			return nil, fmt.Errorf("events: list: %w", err)
		}
		l.UpdatedAt, l.Info.StartsAt = time.Unix(updated, 0), time.Unix(starts, 0)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Upcoming lists the events visible in lang that have not ended, soonest
// first.
func (s *Store) Upcoming(ctx context.Context, lang string, limit int) ([]Listed, error) {
	now := s.Now().Unix()
	// The bound on the start lets the index of start times begin at
	// events that can still be running, not at the first event ever.
	// Lowered to the day's start it still does, and on PostgreSQL it is
	// written into the query: a generic plan of the prepared statement
	// then knows how few events it keeps and PostgreSQL uses one
	// (planning it each time was 0.7–1.4 ms, more than running it);
	// with a parameter it guessed a third of all events and hashed every
	// event entry, 40 ms at 100,000 entries, so it never did. The text
	// changes once a day. SQLite keeps its prepared statements by text,
	// so it keeps the parameter.
	bound := now - MaxDays*24*3600
	bound -= bound % (24 * 3600)
	starts, args := `ev.starts_at >= ?`, []any{now, lang, bound, now, limit}
	if s.db.Engine == db.Postgres {
		starts, args = `ev.starts_at >= `+strconv.FormatInt(bound, 10), []any{now, lang, now, limit}
	}
	return s.listed(ctx, s.untranslated(), starts+` AND ev.starts_at + ev.duration_minutes * 60 >= ?`, `ORDER BY ev.starts_at, e.id LIMIT ?`, args...)
}

// keyCols reads a listing's keys only, from the same rows as listedCols.
const keyCols = `SELECT ev.starts_at, ev.entry_id
	FROM events ev JOIN entries e ON e.id = ev.entry_id JOIN translations t ON t.entry_id = e.id
	WHERE e.kind = 'event' AND t.status <> 'draft' AND t.publish_at <= ? AND `

// pastKey is where a page of past events ends, in the listing's order
// (start time, then entry id, latest first).
type pastKey struct{ startsAt, entryID int64 }

// The order and the seek name ev.entry_id, not e.id (the same value):
// SQLite's events_starts holds the row's key, entry_id, after the start,
// so it walks the index in the listing's order and sorts nothing; on
// e.id it sorted each start time's events in a temporary B-tree.
const (
	pastWhere = `ev.starts_at + ev.duration_minutes * 60 < ?`
	pastOrder = `ORDER BY ev.starts_at DESC, ev.entry_id DESC`
	// pastAfter seeks past the previous page's last key: the walk of
	// events_starts begins there, not at the newest event.
	pastAfter = ` AND (ev.starts_at < ? OR (ev.starts_at = ? AND ev.entry_id < ?))`
)

// Past lists page (from 1) of the events visible in lang that have
// ended, latest first, perPage a page; more reports whether others
// follow. A page is found by seeking after the key of the last event of
// the page before it, never by OFFSET: the static mirror renders every
// page, and OFFSET read every page before each (the square of the
// events; 2.1 s of an export at 20,000 entries).
func (s *Store) Past(ctx context.Context, lang string, page, perPage int) (items []Listed, more bool, err error) {
	now := s.Now().Unix()
	untranslated := s.untranslated()
	where, args := pastWhere, []any{now, lang, now}
	if page > 1 {
		after, ok, err := s.pastBound(ctx, lang, untranslated, now, page, perPage)
		if err != nil || !ok {
			return nil, false, err
		}
		where += pastAfter
		args = append(args, after.startsAt, after.startsAt, after.entryID)
	}
	items, err = s.listed(ctx, untranslated, where, pastOrder+` LIMIT ?`, append(args, perPage+1)...)
	if len(items) > perPage {
		return items[:perPage], true, err
	}
	return items, false, err
}

// pastBound is the key of the last event on page-1; ok is false when
// the listing has no such page. An export, which renders every page,
// reads the whole listing's keys once (content.Memo); the live site
// reads the keys up to the page asked.
func (s *Store) pastBound(ctx context.Context, lang string, untranslated bool, now int64, page, perPage int) (k pastKey, ok bool, err error) {
	ends, err := content.Memo(ctx, fmt.Sprintf("events.Past/%s/%t/%d", lang, untranslated, perPage), func() ([]pastKey, error) {
		if content.Exporting(ctx) {
			return s.pastEnds(ctx, lang, untranslated, now, perPage, -1)
		}
		return s.pastEnds(ctx, lang, untranslated, now, perPage, (page-1)*perPage)
	})
	if err != nil || page-2 >= len(ends) {
		return k, false, err
	}
	return ends[page-2], true, nil
}

// pastEnds walks the keys of the past events' listing, limit of them
// (-1: all), and returns the last key of each full page.
func (s *Store) pastEnds(ctx context.Context, lang string, untranslated bool, now int64, perPage, limit int) ([]pastKey, error) {
	rest := pastOrder
	args := []any{now, lang, now}
	if limit >= 0 {
		rest += ` LIMIT ?`
		args = append(args, limit)
	}
	query, args := listedQuery(keyCols, untranslated, pastWhere, rest, args)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("events: past pages: %w", err)
	}
	defer rows.Close()
	var ends []pastKey
	n := 0
	for rows.Next() {
		var k pastKey
		if err := rows.Scan(&k.startsAt, &k.entryID); err != nil {
			return nil, fmt.Errorf("events: past pages: %w", err)
		}
		if n++; n%perPage == 0 {
			ends = append(ends, k)
		}
	}
	return ends, rows.Err()
}

// Between lists the events visible in lang that start in [from, to).
func (s *Store) Between(ctx context.Context, lang string, from, to time.Time) ([]Listed, error) {
	return s.listed(ctx, s.untranslated(), `ev.starts_at >= ? AND ev.starts_at < ?`, `ORDER BY ev.starts_at, e.id LIMIT 500`, s.Now().Unix(), lang, from.Unix(), to.Unix())
}

// untranslated reports whether listings include events not yet in the
// reader's language (the setting, through Store.IncludeUntranslated).
func (s *Store) untranslated() bool {
	return s.IncludeUntranslated != nil && s.IncludeUntranslated()
}

// MonthSpan is the first and last month, in zone, that a month page can
// show an event in: from the earliest visible event's, or this month if
// earlier, to the latest's, or this month if later. The static mirror
// holds these months, not the endless calendar around them.
// An export asks it once (content.Memo), not once a language and sitemap
// part: it reads every visible event.
func (s *Store) MonthSpan(ctx context.Context, zone *time.Location) (first, last time.Time, err error) {
	span, err := content.Memo(ctx, "events.MonthSpan/"+zone.String(), func() ([2]time.Time, error) {
		first, last, err := s.monthSpan(ctx, zone)
		return [2]time.Time{first, last}, err
	})
	return span[0], span[1], err
}

func (s *Store) monthSpan(ctx context.Context, zone *time.Location) (first, last time.Time, err error) {
	var lo, hi sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT MIN(ev.starts_at), MAX(ev.starts_at) FROM events ev JOIN entries e ON e.id = ev.entry_id
		WHERE e.kind = 'event' AND EXISTS (SELECT 1 FROM translations t WHERE t.entry_id = e.id AND t.status <> 'draft' AND t.publish_at <= ?)`,
		s.Now().Unix()).Scan(&lo, &hi)
	if err != nil {
		return first, last, fmt.Errorf("events: month span: %w", err)
	}
	month := func(t time.Time) time.Time {
		t = t.In(zone)
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, zone)
	}
	first, last = month(s.Now()), month(s.Now())
	if lo.Valid && time.Unix(lo.Int64, 0).Before(first) {
		first = month(time.Unix(lo.Int64, 0))
	}
	if hi.Valid && month(time.Unix(hi.Int64, 0)).After(last) {
		last = month(time.Unix(hi.Int64, 0))
	}
	return first, last, nil
}
