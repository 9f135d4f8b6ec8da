package updates

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
)

// Job kinds of the sending. Queuing an update is one job that writes
// every delivery row and its job in one transaction; each delivery is a
// job of its own kind, held to the operator's rate, so that the mail of
// other kinds (confirmations, reminders) never waits behind an update.
const (
	queueKind   = "updates:queue"
	deliverKind = "updates:deliver"
)

// Delivery limits.
const (
	// maxTries is how often a delivery is tried when the server answers
	// "later" (4xx) or does not answer, with the queue's backoff between.
	maxTries = 6
	// MaxBounces is how many permanent refusals (5xx) stop the mail to a
	// subscriber: they become bouncing.
	MaxBounces = 3
)

// Errors of sending.
var (
	ErrAlreadySent = errors.New("updates: this update is sent or scheduled already")
	ErrNoEdition   = errors.New("updates: the update has no edition ready to send (every translation is a draft)")
)

// Sender queues and delivers updates.
type Sender struct {
	store    *Store
	entries  *content.Store
	editions *editions
	defLang  func() string
	// Now is the sender's clock; tests move it.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedEdition // by entry and language, while a send runs
}

type cachedEdition struct {
	ed    *Edition
	entry *content.Entry
	at    time.Time
}

// editionTTL is how long a built edition serves deliveries before it is
// built again (an editor's fix reaches the rest of the list).
const editionTTL = time.Minute

// Schedule sends the update at at (now or later) to every active
// subscriber; origin is the site's address for the links. An update is
// sent once.
func (s *Sender) Schedule(ctx context.Context, entryID int64, at time.Time, origin string) error {
	e, err := s.entries.Entry(ctx, entryID)
	if err != nil {
		return err
	}
	if e.Kind != Kind {
		return ErrNotFound
	}
	ready := false
	for _, t := range e.Translations {
		ready = ready || t.Status != content.Draft
	}
	if !ready {
		return ErrNoEdition
	}
	return s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO update_sends (entry_id, state, send_at, origin, created_at) VALUES (?, 'scheduled', ?, ?, ?)
			ON CONFLICT (entry_id) DO NOTHING`, entryID, at.Unix(), origin, s.Now().Unix())
		if err != nil {
			return fmt.Errorf("updates: schedule %d: %w", entryID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadySent
		}
		return jobs.Enqueue(ctx, tx, queueKind, []byte(strconv.FormatInt(entryID, 10)), at)
	})
}

// queue is the job that fans an update out: one delivery row per active
// subscriber (unique per update and subscriber) and one delivery job
// each, in one transaction with the send's state, so that it happens
// whole or not at all, and a second run finds it done.
func (s *Sender) queue(ctx context.Context, payload []byte) error {
	entryID, err := strconv.ParseInt(string(payload), 10, 64)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("updates: queue payload %q", payload))
	}
	_, err = s.QueueNow(ctx, entryID)
	return err
}

// QueueNow fans the update out at once and returns how many deliveries
// it queued (0 when it was queued before).
func (s *Sender) QueueNow(ctx context.Context, entryID int64) (int64, error) {
	var n int64
	err := s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM update_sends WHERE entry_id = ?`, entryID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) || err == nil && state != "scheduled" {
			return nil // deleted meanwhile, or queued already
		}
		if err != nil {
			return fmt.Errorf("updates: queue %d: %w", entryID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO update_deliveries (entry_id, subscriber_id, state)
			SELECT ?, id, 'waiting' FROM subscribers WHERE status = ? ON CONFLICT DO NOTHING`, entryID, Active); err != nil {
			return fmt.Errorf("updates: queue %d: %w", entryID, err)
		}
		n, err = jobs.EnqueueFrom(ctx, tx, deliverKind, s.Now(), `SELECT CAST(entry_id AS TEXT) || ':' || CAST(subscriber_id AS TEXT) AS payload
			FROM update_deliveries WHERE entry_id = ? AND state = 'waiting'`, entryID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE update_sends SET state = 'queued', queued = ? WHERE entry_id = ?`, n, entryID)
		return err
	})
	return n, err
}

// deliver is the job that sends one subscriber their edition. The
// delivery row is taken ('sending') before the mail goes and marked
// 'sent' after, so a second run of the job (its worker died after the
// mail went) sends nothing: a delivery cut off mid-send is left as
// 'sending', counted apart, rather than risk sending it twice.
func (s *Sender) deliver(ctx context.Context, payload []byte) error {
	a, b, ok := strings.Cut(string(payload), ":")
	entryID, err1 := strconv.ParseInt(a, 10, 64)
	subID, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return jobs.Permanent(fmt.Errorf("updates: delivery payload %q", payload))
	}
	var sub Subscriber
	var origin string
	var attempts int
	take := false
	err := s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'sending', attempts = attempts + 1
			WHERE entry_id = ? AND subscriber_id = ? AND state = 'waiting'`, entryID, subID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // done already
		}
		if err := tx.QueryRowContext(ctx, `SELECT d.attempts, s.origin FROM update_deliveries d JOIN update_sends s ON s.entry_id = d.entry_id
			WHERE d.entry_id = ? AND d.subscriber_id = ?`, entryID, subID).Scan(&attempts, &origin); err != nil {
			return err
		}
		sub, err = s.store.Subscriber(ctx, tx, subID)
		if err != nil {
			return err
		}
		if sub.Status != Active {
			// Paused, unsubscribed or erased since the update was queued.
			_, err = tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'skipped' WHERE entry_id = ? AND subscriber_id = ?`, entryID, subID)
			return err
		}
		take = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("updates: delivery %d/%d: %w", entryID, subID, err)
	}
	if !take {
		return nil
	}
	msg, err := s.message(ctx, entryID, sub, origin)
	if err == nil {
		err = s.store.mailer.SendNow(ctx, msg)
	}
	return s.record(ctx, entryID, sub.ID, attempts, err)
}

// record writes how a delivery went. A refusal for good counts against
// the subscriber; anything else is tried again later, up to maxTries.
func (s *Sender) record(ctx context.Context, entryID, subID int64, attempts int, sendErr error) error {
	var retry error
	err := s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		now := s.Now().Unix()
		switch {
		case sendErr == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'sent', sent_at = ?, last_error = '' WHERE entry_id = ? AND subscriber_id = ?`,
				now, entryID, subID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE subscribers SET bounces = 0 WHERE id = ? AND bounces > 0`, subID)
			return err
		case mail.Refused(sendErr):
			if _, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'failed', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
				short(sendErr), entryID, subID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE subscribers SET bounces = bounces + 1,
				status = CASE WHEN bounces + 1 >= ? AND status = ? THEN ? ELSE status END, updated_at = ? WHERE id = ?`,
				MaxBounces, Active, Bouncing, now, subID)
			return err
		case attempts >= maxTries || errors.Is(sendErr, errNoEditionFor):
			_, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'failed', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
				short(sendErr), entryID, subID)
			return err
		default:
			retry = sendErr
			_, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'waiting', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
				short(sendErr), entryID, subID)
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("updates: record delivery %d/%d: %w", entryID, subID, err)
	}
	return retry // the queue tries the job again after its backoff
}

// short is an error as a delivery row keeps it: without the addresses a
// mail server's answer may quote.
func short(err error) string {
	msg := jobs.Scrub(err.Error())
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return msg
}

var errNoEditionFor = errors.New("updates: no edition to send")

// message is the mail of update entryID for sub.
func (s *Sender) message(ctx context.Context, entryID int64, sub Subscriber, origin string) (mail.Message, error) {
	e, err := s.entry(ctx, entryID)
	if err != nil {
		return mail.Message{}, err
	}
	lang := EditionLang(e, sub, s.defLang())
	if !hasEdition(e, lang) {
		return mail.Message{}, errNoEditionFor
	}
	ed, err := s.edition(ctx, e, lang, origin)
	if err != nil {
		return mail.Message{}, err
	}
	return s.compose(ed, sub, origin)
}

// compose is the mail of an edition for one subscriber, with the
// headers of RFC 8058's one-click unsubscription.
func (s *Sender) compose(ed *Edition, sub Subscriber, origin string) (mail.Message, error) {
	links := Links{Manage: s.store.ManageURL(origin, sub), Unsubscribe: s.store.UnsubscribeURL(origin, sub)}
	text, html, err := ed.Render(sub, links)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: sub.Email, Subject: ed.Title, Text: text, HTML: html, Headers: map[string]string{
		"List-Unsubscribe":      "<" + links.Unsubscribe + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}}, nil
}

// entry and edition keep what a send builds once for many deliveries.
func (s *Sender) entry(ctx context.Context, id int64) (*content.Entry, error) {
	key := strconv.FormatInt(id, 10)
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && s.Now().Sub(c.at) < editionTTL {
		return c.entry, nil
	}
	e, err := s.entries.Entry(ctx, id)
	if err != nil {
		return nil, err
	}
	s.put(key, cachedEdition{entry: e, at: s.Now()})
	return e, nil
}

func (s *Sender) edition(ctx context.Context, e *content.Entry, lang, origin string) (*Edition, error) {
	key := strconv.FormatInt(e.ID, 10) + "/" + lang + "/" + origin
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && s.Now().Sub(c.at) < editionTTL {
		return c.ed, nil
	}
	ed, err := s.editions.build(ctx, e, lang, origin, false)
	if err != nil {
		return nil, err
	}
	s.put(key, cachedEdition{ed: ed, at: s.Now()})
	return ed, nil
}

func (s *Sender) put(key string, c cachedEdition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil || len(s.cache) > 500 {
		s.cache = map[string]cachedEdition{}
	}
	s.cache[key] = c
}

// Progress is how far the sending of an update is.
type Progress struct {
	State   string // "" (not sent), scheduled, queued
	SendAt  time.Time
	Queued  int
	Waiting int // includes those being sent
	Sent    int
	Failed  int
	Skipped int // paused or gone before their turn
}

// Done reports whether nothing is left to send.
func (p Progress) Done() bool { return p.State == "queued" && p.Waiting == 0 }

// Progress counts an update's deliveries by state.
func (s *Sender) Progress(ctx context.Context, entryID int64) (Progress, error) {
	var p Progress
	var at int64
	err := s.store.db.QueryRowContext(ctx, `SELECT state, send_at, queued FROM update_sends WHERE entry_id = ?`, entryID).Scan(&p.State, &at, &p.Queued)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("updates: progress of %d: %w", entryID, err)
	}
	p.SendAt = time.Unix(at, 0).UTC()
	rows, err := s.store.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM update_deliveries WHERE entry_id = ? GROUP BY state`, entryID)
	if err != nil {
		return p, fmt.Errorf("updates: progress of %d: %w", entryID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return p, err
		}
		switch state {
		case "waiting", "sending":
			p.Waiting += n
		case "sent":
			p.Sent = n
		case "failed":
			p.Failed = n
		case "skipped":
			p.Skipped = n
		}
	}
	return p, rows.Err()
}
