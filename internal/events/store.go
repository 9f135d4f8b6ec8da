package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Store keeps event details and registrations. Personal fields are sealed
// with the site key; an email is found by its keyed hash.
type Store struct {
	db *db.DB // event details and confirmed registrations (places left) show on pages
	// quiet writes what no page shows: registrations not yet confirmed,
	// changes to a registrant's name or answers, attendance, reminders.
	quiet   db.Quiet
	vault   *participant.Vault
	audit   *participant.Audit // staff opening registrants' data
	mailer  *mail.Mailer
	queue   *jobs.Queue
	content *content.Store
	langs   *i18n.Bundle // every catalog: mail goes in the registrant's language
	// Now is the store's clock; tests move it.
	Now func() time.Time
	// IncludeUntranslated lists, in a language's event listings, events
	// not yet translated into it, in their own (the settings'); nil: no.
	IncludeUntranslated func() bool
	// RetentionDays is how many days after an event its registrations
	// are kept (the settings'); nil or 0: DefaultRetentionDays. A mail
	// that fails for good goes with them.
	RetentionDays func(context.Context) (int, error)
}

// NewStore returns a store. The vault must be the site key's.
func NewStore(d *db.DB, vault *participant.Vault, mailer *mail.Mailer, queue *jobs.Queue, entries *content.Store) (*Store, error) {
	if vault == nil {
		return nil, errors.New("events: no site key")
	}
	var codes []string
	for _, l := range i18n.Available() {
		codes = append(codes, l.Code)
	}
	langs, err := i18n.New(codes)
	if err != nil {
		return nil, err
	}
	return &Store{db: d, quiet: d.Quiet(), vault: vault, audit: participant.NewAudit(d), mailer: mailer, queue: queue, content: entries, langs: langs, Now: time.Now}, nil
}

// Sealing contexts: a value sealed for one field cannot be passed off as
// another.
const (
	sealEmail   = "events:registration-email"
	sealName    = "events:registration-name"
	sealAnswers = "events:registration-answers"
	sealUpdate  = "events:registration-update"
	sealManage  = "events:manage-link"
	hashEmail   = "events:registration-email"
	hashManage  = "events:manage-link"
)

const detailCols = `entry_id, join_url, recording_url, languages, speakers, agenda, registration_open, closes_at, capacity,
	questions, consent, reminders, purged_at, kept_confirmed, kept_waitlisted, kept_attended`

// Details returns an event's details; an event nobody described yet has
// empty ones with the default reminders.
func (s *Store) Details(ctx context.Context, entryID int64) (Details, error) {
	return s.details(ctx, s.db, entryID)
}

func (s *Store) details(ctx context.Context, q db.Querier, entryID int64) (Details, error) {
	d := Details{EntryID: entryID, ReminderMinutes: DefaultReminders}
	var langs, speakers, agenda, questions, reminders string
	var closes, purged int64
	err := q.QueryRowContext(ctx, `SELECT `+detailCols+` FROM event_details WHERE entry_id = ?`, entryID).Scan(
		&d.EntryID, &d.JoinURL, &d.RecordingURL, &langs, &speakers, &agenda, &d.Open, &closes, &d.Capacity,
		&questions, &d.Consent, &reminders, &purged, &d.KeptConfirmed, &d.KeptWaitlisted, &d.KeptAttended)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("events: details of %d: %w", entryID, err)
	}
	for _, f := range []struct {
		raw string
		v   any
	}{{langs, &d.Languages}, {speakers, &d.Speakers}, {agenda, &d.Agenda}, {questions, &d.Questions}} {
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return d, fmt.Errorf("events: details of %d: %w", entryID, err)
		}
	}
	d.ReminderMinutes = parseMinutes(reminders)
	if closes != 0 {
		d.ClosesAt = time.Unix(closes, 0)
	}
	if purged != 0 {
		d.PurgedAt = time.Unix(purged, 0)
	}
	return d, nil
}

func parseMinutes(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return slices.Compact(out)
}

func formatMinutes(ms []int) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.Itoa(m)
	}
	return strings.Join(parts, ",")
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// SaveDetails stores an event's details. A larger capacity moves people
// from the waiting list into the places it opens, and tells them. The
// event's page shows them (whether places are left, how to register):
// the entry counts as changed.
func (s *Store) SaveDetails(ctx context.Context, d Details) error {
	ev, err := s.load(ctx, d.EntryID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := upsertDetails(ctx, tx, d); err != nil {
			return err
		}
		if err := s.content.Touch(ctx, tx, d.EntryID); err != nil {
			return err
		}
		ev.Details = d
		_, err = s.promote(ctx, tx, ev)
		return err
	})
}

// Seed stores an event's details as they are, with no mail and nobody
// moved from the waiting list: for the demo, before anyone registered.
func Seed(ctx context.Context, d *db.DB, det Details) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return upsertDetails(ctx, tx, det) })
}

func upsertDetails(ctx context.Context, tx *db.Tx, d Details) error {
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	_, err := tx.ExecContext(ctx, `INSERT INTO event_details (entry_id, join_url, recording_url, languages, speakers, agenda,
		registration_open, closes_at, capacity, questions, consent, reminders) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET join_url = excluded.join_url, recording_url = excluded.recording_url,
		languages = excluded.languages, speakers = excluded.speakers, agenda = excluded.agenda,
		registration_open = excluded.registration_open, closes_at = excluded.closes_at, capacity = excluded.capacity,
		questions = excluded.questions, consent = excluded.consent, reminders = excluded.reminders`,
		d.EntryID, d.JoinURL, d.RecordingURL, enc(orEmpty(d.Languages)), enc(orEmpty(d.Speakers)), enc(orEmpty(d.Agenda)),
		d.Open, unixOrZero(d.ClosesAt), d.Capacity, enc(orEmpty(d.Questions)), d.Consent, formatMinutes(d.ReminderMinutes))
	if err != nil {
		return fmt.Errorf("events: save details of %d: %w", d.EntryID, err)
	}
	return indexEvent(ctx, tx, d.EntryID) // the speakers
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// event is an event entry with everything mail and pages need.
type event struct {
	Entry   *content.Entry
	Info    Info
	Details Details
}

// load finds an event entry and its details.
func (s *Store) load(ctx context.Context, entryID int64) (*event, error) {
	e, err := s.content.Entry(ctx, entryID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	info, ok := InfoOf(e)
	if e.Kind != content.Event || !ok {
		return nil, ErrNoEvent
	}
	d, err := s.Details(ctx, entryID)
	if err != nil {
		return nil, err
	}
	return &event{Entry: e, Info: info, Details: d}, nil
}

// translation is the event's text in lang, or in its source language.
func (ev *event) translation(lang string) content.Translation {
	if t, ok := ev.Entry.Translation(lang); ok {
		return t
	}
	return ev.Entry.Source()
}

// ends is when the event ends.
func (ev *event) ends() time.Time {
	return ev.Info.StartsAt.Add(time.Duration(ev.Info.DurationMinutes) * time.Minute)
}

// closes is when registration closes: the editor's time, or the start.
func (ev *event) closes() time.Time {
	if !ev.Details.ClosesAt.IsZero() && ev.Details.ClosesAt.Before(ev.Info.StartsAt) {
		return ev.Details.ClosesAt
	}
	return ev.Info.StartsAt
}

// accepting reports whether registration is open at now.
func (ev *event) accepting(now time.Time) bool {
	return ev.Details.Open && now.Before(ev.closes())
}

// Counts are how many registrations an event has in each status.
type Counts struct {
	Pending, Confirmed, Waitlisted, Cancelled, Attended int
}

// Counts counts an event's registrations, with those kept after a purge.
func (s *Store) Counts(ctx context.Context, entryID int64) (Counts, error) {
	return s.counts(ctx, s.db, entryID)
}

func (s *Store) counts(ctx context.Context, q db.Querier, entryID int64) (Counts, error) {
	var c Counts
	rows, err := q.QueryContext(ctx, `SELECT status, attended, COUNT(*) FROM registrations WHERE entry_id = ? GROUP BY status, attended`, entryID)
	if err != nil {
		return c, fmt.Errorf("events: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var attended bool
		var n int
		if err := rows.Scan(&status, &attended, &n); err != nil {
			return c, err
		}
		switch status {
		case Pending:
			c.Pending += n
		case Registered:
			c.Confirmed += n
		case Waitlisted:
			c.Waitlisted += n
		case Cancelled:
			c.Cancelled += n
		}
		if attended {
			c.Attended += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	var kc, kw, ka int
	err = q.QueryRowContext(ctx, `SELECT kept_confirmed, kept_waitlisted, kept_attended FROM event_details WHERE entry_id = ?`, entryID).Scan(&kc, &kw, &ka)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("events: counts: %w", err)
	}
	c.Confirmed, c.Waitlisted, c.Attended = c.Confirmed+kc, c.Waitlisted+kw, c.Attended+ka
	return c, nil
}

// full reports whether the confirmed places are all taken.
func full(d Details, c Counts) bool { return d.Capacity > 0 && c.Confirmed >= d.Capacity }
