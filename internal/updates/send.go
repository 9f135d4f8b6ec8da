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
	// batch is how many subscribers one delivery job sends to.
	batch int
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
		// One job per batch of subscribers, named by the range of their
		// ids: a batch goes over one SMTP connection, in two writes.
		if _, err := jobs.EnqueueFrom(ctx, tx, deliverKind, s.Now(), `SELECT CAST(MIN(entry_id) AS TEXT) || ':' || CAST(MIN(subscriber_id) AS TEXT) || ':' || CAST(MAX(subscriber_id) AS TEXT) AS payload
			FROM (SELECT entry_id, subscriber_id, (ROW_NUMBER() OVER (ORDER BY subscriber_id) - 1) / ? AS batch
				FROM update_deliveries WHERE entry_id = ? AND state = 'waiting') AS b GROUP BY batch`, s.batch, entryID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM update_deliveries WHERE entry_id = ?`, entryID).Scan(&n); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE update_sends SET state = 'queued', queued = ? WHERE entry_id = ?`, n, entryID)
		return err
	})
	return n, err
}

// deliver is the job that sends a batch of subscribers their edition,
// over one SMTP connection. The batch's rows are taken ('sending') in
// one write before the mail goes and marked in one write after, so a
// second run of the job (its worker died after the mail went) sends
// nothing again: a delivery cut off mid-batch is left as 'sending',
// rather than risk sending it twice. Rows still waiting after a
// temporary failure make the job fail, and the queue runs it again after
// its backoff for those rows only.
func (s *Sender) deliver(ctx context.Context, payload []byte) error {
	parts := strings.Split(string(payload), ":")
	if len(parts) != 3 {
		return jobs.Permanent(fmt.Errorf("updates: delivery payload %q", payload))
	}
	var ids [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return jobs.Permanent(fmt.Errorf("updates: delivery payload %q", payload))
		}
		ids[i] = n
	}
	entryID, from, to := ids[0], ids[1], ids[2]
	var subs []Subscriber
	attempts := map[int64]int{}
	var origin string
	err := s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE update_deliveries SET state = 'sending', attempts = attempts + 1
			WHERE entry_id = ? AND subscriber_id BETWEEN ? AND ? AND state = 'waiting' RETURNING subscriber_id, attempts`, entryID, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			attempts[id] = n
		}
		rows.Close()
		if len(attempts) == 0 {
			return nil // done already
		}
		if err := tx.QueryRowContext(ctx, `SELECT origin FROM update_sends WHERE entry_id = ?`, entryID).Scan(&origin); err != nil {
			return err
		}
		srows, err := tx.QueryContext(ctx, `SELECT `+subCols+` FROM subscribers WHERE id BETWEEN ? AND ?`, from, to)
		if err != nil {
			return err
		}
		var gone []int64
		for srows.Next() {
			sub, err := s.store.scanSubscriber(srows)
			if err != nil {
				srows.Close()
				return err
			}
			if _, ok := attempts[sub.ID]; !ok {
				continue
			}
			if sub.Status != Active {
				gone = append(gone, sub.ID) // paused, unsubscribed or erased since it was queued
				continue
			}
			subs = append(subs, sub)
		}
		srows.Close()
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'skipped' WHERE entry_id = ? AND subscriber_id = ?`, entryID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("updates: deliveries %s: %w", payload, err)
	}
	if len(subs) == 0 {
		return nil
	}
	msgs := make([]mail.Message, len(subs))
	errs := make([]error, len(subs))
	var send []mail.Message
	var at []int
	for i, sub := range subs {
		if msgs[i], errs[i] = s.message(ctx, entryID, sub, origin); errs[i] == nil {
			send, at = append(send, msgs[i]), append(at, i)
		}
	}
	for j, err := range s.store.mailer.SendEach(ctx, send) {
		errs[at[j]] = err
	}
	return s.record(ctx, entryID, subs, attempts, errs)
}

// record writes how a batch went, in one transaction. A refusal for
// good counts against the subscriber; anything else is tried again
// later, up to maxTries.
func (s *Sender) record(ctx context.Context, entryID int64, subs []Subscriber, attempts map[int64]int, errs []error) error {
	var retry error
	err := s.store.quiet.InTx(ctx, func(tx *db.Tx) error {
		retry = nil
		now := s.Now().Unix()
		for i, sub := range subs {
			sendErr := errs[i]
			var err error
			switch {
			case sendErr == nil:
				if _, err = tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'sent', sent_at = ?, last_error = '' WHERE entry_id = ? AND subscriber_id = ?`,
					now, entryID, sub.ID); err == nil && sub.Bounces > 0 {
					_, err = tx.ExecContext(ctx, `UPDATE subscribers SET bounces = 0 WHERE id = ?`, sub.ID)
				}
			case mail.Refused(sendErr):
				if _, err = tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'failed', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
					short(sendErr), entryID, sub.ID); err == nil {
					_, err = tx.ExecContext(ctx, `UPDATE subscribers SET bounces = bounces + 1,
						status = CASE WHEN bounces + 1 >= ? AND status = ? THEN ? ELSE status END, updated_at = ? WHERE id = ?`,
						MaxBounces, Active, Bouncing, now, sub.ID)
				}
			case attempts[sub.ID] >= maxTries || errors.Is(sendErr, errNoEditionFor):
				_, err = tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'failed', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
					short(sendErr), entryID, sub.ID)
			default:
				retry = sendErr
				_, err = tx.ExecContext(ctx, `UPDATE update_deliveries SET state = 'waiting', last_error = ? WHERE entry_id = ? AND subscriber_id = ?`,
					short(sendErr), entryID, sub.ID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("updates: record deliveries: %w", err)
	}
	return retry // the queue runs the job again after its backoff, for those still waiting
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

// SetBatch sets how many subscribers one delivery job sends to, for the
// updates queued from now (tests and benchmarks; the module derives it
// from the rate).
func (s *Sender) SetBatch(n int) { s.batch = max(1, n) }
