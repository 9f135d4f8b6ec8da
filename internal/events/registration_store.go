package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Links: a confirmation link and a manage link are participant links
// (random tokens, only their hash stored). The manage link is mailed
// again and again (the confirmation, each reminder, the organisers'
// messages), so its token is also kept sealed (manage_sealed); a
// registrant who registers again and confirms gets a new one, and the old
// one stops working.

// legacyManageToken is the manage link a registration confirmed before
// migration 0013 has: derived from the registration with the site key,
// so it could never change (audit F7). Mails to such a registration keep
// carrying it until the registrant confirms again or the registration is
// purged; nothing makes new ones. Its stored hash is hex SHA-256.
func (s *Store) legacyManageToken(r Registration) string {
	return s.vault.Hash(hashManage, strconv.FormatInt(r.ID, 10)+"\x00"+strconv.FormatInt(r.CreatedAt.Unix(), 10)+"\x00"+r.Email)
}

// newManageLink gives r a new manage link inside tx, replacing any other,
// and returns its token.
func (s *Store) newManageLink(ctx context.Context, tx *db.Tx, r Registration) (string, error) {
	token, hash := participant.NewLink()
	if _, err := tx.ExecContext(ctx, `UPDATE registrations SET manage_hash = ?, manage_sealed = ? WHERE id = ?`,
		hash, s.vault.Seal(token, sealManage), r.ID); err != nil {
		return "", fmt.Errorf("events: manage link of %d: %w", r.ID, err)
	}
	return token, nil
}

// manageLink returns r's manage token for a mail about to be queued in tx:
// the one it has, or a new one when it has none that can be mailed (a
// registration confirmed while links were random and not kept; the link
// in its earlier mail then stops working, this one works).
func (s *Store) manageLink(ctx context.Context, tx *db.Tx, r Registration) (string, error) {
	var hash, sealed string
	if err := tx.QueryRowContext(ctx, `SELECT manage_hash, manage_sealed FROM registrations WHERE id = ?`, r.ID).Scan(&hash, &sealed); err != nil {
		return "", fmt.Errorf("events: manage link of %d: %w", r.ID, err)
	}
	if sealed != "" {
		token, err := s.vault.Open(sealed, sealManage)
		if err != nil {
			return "", fmt.Errorf("events: manage link of %d: %w", r.ID, err)
		}
		if participant.LinkHash(token) == hash {
			return token, nil
		}
	}
	// The derived link's hash is stored hex-encoded, the second lookup hash.
	if legacy := s.legacyManageToken(r); hash != "" && hash == participant.LookupHashes(legacy)[1] {
		return legacy, nil
	}
	return s.newManageLink(ctx, tx, r)
}

// sealedAnswers is a registration's answers as stored: like the name,
// for the staff (the organisation's key when the site has one), since the
// server never needs them.
func (s *Store) sealedAnswers(answers map[string]string) string {
	raw, _ := json.Marshal(answers)
	return s.vault.SealForStaff(string(raw), sealAnswers)
}

// sealedName is a registrant's name as stored.
func (s *Store) sealedName(name string) string { return s.vault.SealForStaff(name, sealName) }

// RegisterInput is what the registration form sends.
type RegisterInput struct {
	EntryID int64
	Lang    string
	Origin  string // scheme://host of the site, for the links in mail
	Email   string
	Name    string
	Answers map[string]string
	// Flagged: the form came without the proof of work. It marks a new
	// registration, or one taken up again after it was cancelled or never
	// confirmed; a change to a confirmed one keeps its mark.
	Flagged bool

	retried bool
}

// update is a change a registrant asked for by registering again: applied
// once they follow the link mailed to the address. The name and answers
// are sealed for the staff already, so that applying it needs no key the
// server lacks; Name and Answers are what updates stored before that.
type update struct {
	Name          string            `json:",omitempty"`
	Answers       map[string]string `json:",omitempty"`
	SealedName    string            `json:",omitempty"`
	SealedAnswers string            `json:",omitempty"`
	Lang          string
}

// sealed is the update's name and answers as stored.
func (s *Store) sealedUpdate(up update) (name, answers string) {
	if up.SealedName != "" {
		return up.SealedName, up.SealedAnswers
	}
	return s.sealedName(up.Name), s.sealedAnswers(up.Answers)
}

// Register records a pending registration and mails the link that confirms
// it. Registering again with the same address updates the registration,
// never duplicates it; the change to a confirmed registration waits for
// the link, so nobody can change another person's registration.
func (s *Store) Register(ctx context.Context, in RegisterInput) error {
	ev, err := s.load(ctx, in.EntryID)
	if err != nil {
		return err
	}
	now := s.Now()
	if !ev.accepting(now) {
		return ErrClosed
	}
	email, err := participant.Normalize(in.Email)
	if err != nil {
		return fmt.Errorf("events: register: %w", err)
	}
	hash := s.vault.Hash(hashEmail, email)
	token, tokHash := participant.NewLink()
	answers := s.sealedAnswers(in.Answers)
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var id, expires int64
		var status, confirmHash string
		err := tx.QueryRowContext(ctx, `SELECT id, status, confirm_hash, confirm_expires FROM registrations WHERE entry_id = ? AND email_hash = ?`,
			in.EntryID, hash).Scan(&id, &status, &confirmHash, &expires)
		// A link mailed minutes ago still works: keep it rather than mail
		// the address again, so that the form cannot flood an inbox.
		send := errors.Is(err, sql.ErrNoRows) || confirmHash == "" || expires-int64(confirmValidity/time.Second) <= now.Add(-resendAfter).Unix()
		if !send {
			tokHash = confirmHash
		} else {
			expires = now.Add(confirmValidity).Unix()
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO registrations (entry_id, email_hash, email, name, answers, lang, origin, status,
				confirm_hash, confirm_expires, created_at, status_at, flagged) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
				in.EntryID, hash, s.vault.Seal(email, sealEmail), s.sealedName(in.Name), answers,
				in.Lang, in.Origin, tokHash, expires, now.Unix(), now.Unix(), in.Flagged)
		case err != nil:
		case status == Pending || status == Cancelled:
			_, err = tx.ExecContext(ctx, `UPDATE registrations SET name = ?, answers = ?, lang = ?, origin = ?, status = 'pending',
				pending_update = '', confirm_hash = ?, confirm_expires = ?, status_at = ?, flagged = ? WHERE id = ?`,
				s.sealedName(in.Name), answers, in.Lang, in.Origin,
				tokHash, expires, now.Unix(), in.Flagged, id)
		default:
			up, _ := json.Marshal(update{SealedName: s.sealedName(in.Name), SealedAnswers: answers, Lang: in.Lang})
			_, err = tx.ExecContext(ctx, `UPDATE registrations SET pending_update = ?, origin = ?, confirm_hash = ?, confirm_expires = ? WHERE id = ?`,
				s.vault.Seal(string(up), sealUpdate), in.Origin, tokHash, expires, id)
		}
		if err != nil {
			return fmt.Errorf("events: register: %w", err)
		}
		if !send {
			return nil
		}
		reg := Registration{EntryID: in.EntryID, Email: email, Name: in.Name, Lang: in.Lang, Origin: in.Origin, Status: Pending}
		return s.send(ctx, tx, ev, s.confirmMail(ev, reg, token))
	})
	if db.IsUniqueViolation(err) && !in.retried {
		// The same address registered at the same moment from elsewhere:
		// this attempt now finds that row and updates it.
		in.retried = true
		return s.Register(ctx, in)
	}
	if err == nil {
		s.queue.Wake()
	}
	return err
}

const regCols = `id, entry_id, email, name, answers, lang, origin, status, attended, created_at, status_at, flagged`

// scanRegistration reads a registration for the request in ctx: its name
// and answers stay locked (Registration.Locked) unless ctx unlocked the
// organisation's key.
func (s *Store) scanRegistration(ctx context.Context, row interface{ Scan(...any) error }) (Registration, error) {
	var r Registration
	var email, name, answers string
	var created, statusAt int64
	if err := row.Scan(&r.ID, &r.EntryID, &email, &name, &answers, &r.Lang, &r.Origin, &r.Status, &r.Attended, &created, &statusAt, &r.Flagged); err != nil {
		return r, err
	}
	var err error
	if r.Email, err = s.vault.Open(email, sealEmail); err != nil {
		return r, fmt.Errorf("events: open registration %d: %w", r.ID, err)
	}
	r.CreatedAt, r.StatusAt = time.Unix(created, 0), time.Unix(statusAt, 0)
	r.Name, err = s.vault.OpenFor(ctx, name, sealName)
	if errors.Is(err, participant.ErrLocked) {
		r.Locked = true
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("events: open registration %d: %w", r.ID, err)
	}
	raw, err := s.vault.OpenFor(ctx, answers, sealAnswers)
	if errors.Is(err, participant.ErrLocked) {
		r.Name, r.Locked = "", true
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("events: open registration %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(raw), &r.Answers); err != nil {
		return r, fmt.Errorf("events: registration %d answers: %w", r.ID, err)
	}
	return r, nil
}

// ByConfirmToken finds the registration a confirmation link is for, while
// the link works.
func (s *Store) ByConfirmToken(ctx context.Context, token string) (Registration, error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return Registration{}, ErrBadToken
	}
	r, err := s.scanRegistration(ctx, s.db.QueryRowContext(ctx, `SELECT `+regCols+` FROM registrations WHERE confirm_hash IN (?, ?) AND confirm_expires > ?`,
		hashes[0], hashes[1], s.Now().Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrBadToken
	}
	return r, err
}

// ByManageToken finds the registration a manage link is for.
func (s *Store) ByManageToken(ctx context.Context, token string) (Registration, error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return Registration{}, ErrBadToken
	}
	r, err := s.scanRegistration(ctx, s.db.QueryRowContext(ctx, `SELECT `+regCols+` FROM registrations WHERE manage_hash IN (?, ?)`, hashes[0], hashes[1]))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrBadToken
	}
	return r, err
}

// Confirm follows a confirmation link: a pending registration takes a
// place, or joins the waiting list when the event is full; a change asked
// for by registering again is applied. The registrant is mailed their
// manage link, returned too so the page can lead there.
func (s *Store) Confirm(ctx context.Context, token string) (Registration, string, error) {
	reg, err := s.ByConfirmToken(ctx, token)
	if err != nil {
		return reg, "", err
	}
	ev, err := s.load(ctx, reg.EntryID)
	if err != nil {
		return reg, "", err
	}
	hashes := participant.LookupHashes(token)
	var manage string
	now := s.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := lockEvent(ctx, tx, reg.EntryID); err != nil {
			return err
		}
		var status, pendingUpdate string
		err := tx.QueryRowContext(ctx, `SELECT status, pending_update FROM registrations WHERE id = ? AND confirm_hash IN (?, ?)`, reg.ID, hashes[0], hashes[1]).
			Scan(&status, &pendingUpdate)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrBadToken // confirmed a moment ago by another request
		}
		if err != nil {
			return fmt.Errorf("events: confirm: %w", err)
		}
		if status == Pending {
			c, err := s.counts(ctx, tx, reg.EntryID)
			if err != nil {
				return err
			}
			reg.Status = Registered
			if full(ev.Details, c) {
				reg.Status = Waitlisted
			}
			_, err = tx.ExecContext(ctx, `UPDATE registrations SET status = ?, status_at = ?, confirm_hash = '', confirm_expires = 0 WHERE id = ?`,
				reg.Status, now.Unix(), reg.ID)
			if err != nil {
				return fmt.Errorf("events: confirm: %w", err)
			}
		} else {
			if pendingUpdate != "" {
				raw, err := s.vault.Open(pendingUpdate, sealUpdate)
				if err != nil {
					return fmt.Errorf("events: confirm update: %w", err)
				}
				var up update
				if err := json.Unmarshal([]byte(raw), &up); err != nil {
					return fmt.Errorf("events: confirm update: %w", err)
				}
				reg.Lang = up.Lang
				name, answers := s.sealedUpdate(up)
				if _, err := tx.ExecContext(ctx, `UPDATE registrations SET name = ?, answers = ?, lang = ? WHERE id = ?`,
					name, answers, up.Lang, reg.ID); err != nil {
					return fmt.Errorf("events: confirm update: %w", err)
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE registrations SET pending_update = '', confirm_hash = '', confirm_expires = 0 WHERE id = ?`, reg.ID)
			if err != nil {
				return fmt.Errorf("events: confirm: %w", err)
			}
		}
		// Each confirmation makes a new manage link: one that leaked is
		// replaced by registering again.
		if manage, err = s.newManageLink(ctx, tx, reg); err != nil {
			return err
		}
		return s.send(ctx, tx, ev, s.placeMail(ev, reg, manage))
	})
	if err != nil {
		return reg, "", err
	}
	s.queue.Wake()
	return reg, manage, nil
}

// lockEvent serialises the changes to an event's places: an update of
// its details row takes the row's lock on PostgreSQL, and SQLite has a
// single writer anyway.
func lockEvent(ctx context.Context, tx *db.Tx, entryID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_details (entry_id) VALUES (?) ON CONFLICT (entry_id) DO UPDATE SET capacity = event_details.capacity`, entryID)
	if err != nil {
		return fmt.Errorf("events: lock event %d: %w", entryID, err)
	}
	return nil
}

// UpdateAnswers changes a registration's name and answers through its
// manage link.
func (s *Store) UpdateAnswers(ctx context.Context, token, name string, answers map[string]string) error {
	reg, err := s.ByManageToken(ctx, token)
	if err != nil {
		return err
	}
	_, err = s.quiet.ExecContext(ctx, `UPDATE registrations SET name = ?, answers = ? WHERE id = ?`,
		s.sealedName(name), s.sealedAnswers(answers), reg.ID)
	if err != nil {
		return fmt.Errorf("events: update answers: %w", err)
	}
	return nil
}

// Cancel gives up a registration through its manage link. A place it
// frees goes to the first person on the waiting list, who is told.
func (s *Store) Cancel(ctx context.Context, token string) error {
	reg, err := s.ByManageToken(ctx, token)
	if err != nil {
		return err
	}
	if reg.Status == Cancelled {
		return nil
	}
	ev, err := s.load(ctx, reg.EntryID)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := lockEvent(ctx, tx, reg.EntryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registrations SET status = 'cancelled', status_at = ?, pending_update = '', confirm_hash = '' WHERE id = ?`,
			s.Now().Unix(), reg.ID); err != nil {
			return fmt.Errorf("events: cancel: %w", err)
		}
		reg.Status = Cancelled
		if err := s.send(ctx, tx, ev, s.cancelMail(ev, reg)); err != nil {
			return err
		}
		_, err := s.promote(ctx, tx, ev)
		return err
	})
	if err == nil {
		s.queue.Wake()
	}
	return err
}

// promote gives free places to the waiting list, first come first served,
// and mails each person promoted their place and their manage link. It
// runs inside the transaction that freed the places.
func (s *Store) promote(ctx context.Context, tx *db.Tx, ev *event) (int, error) {
	if !ev.Info.StartsAt.After(s.Now()) {
		return 0, nil // nobody is moved in once the event started
	}
	n := 0
	for {
		c, err := s.counts(ctx, tx, ev.Entry.ID)
		if err != nil {
			return n, err
		}
		if c.Waitlisted == 0 || full(ev.Details, c) {
			return n, nil
		}
		reg, err := s.scanRegistration(ctx, tx.QueryRowContext(ctx, `SELECT `+regCols+` FROM registrations WHERE entry_id = ? AND status = 'waitlisted'
			ORDER BY status_at, id LIMIT 1`, ev.Entry.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return n, nil // the waiting list is among the kept counts only
		}
		if err != nil {
			return n, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE registrations SET status = 'confirmed', status_at = ? WHERE id = ?`,
			s.Now().Unix(), reg.ID); err != nil {
			return n, fmt.Errorf("events: promote: %w", err)
		}
		manage, err := s.manageLink(ctx, tx, reg)
		if err != nil {
			return n, err
		}
		reg.Status = Registered
		if err := s.send(ctx, tx, ev, s.promotedMail(ev, reg, manage)); err != nil {
			return n, err
		}
		n++
	}
}

// Registrants lists an event's registrations, oldest first, opened.
func (s *Store) Registrants(ctx context.Context, entryID int64) ([]Registration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+regCols+` FROM registrations WHERE entry_id = ? ORDER BY created_at, id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("events: registrants: %w", err)
	}
	defer rows.Close()
	var out []Registration
	for rows.Next() {
		r, err := s.scanRegistration(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetAttended marks whether a registrant came.
func (s *Store) SetAttended(ctx context.Context, entryID, regID int64, attended bool) error {
	// A cancelled registration did not come; it can only be unmarked.
	query, args := `UPDATE registrations SET attended = ? WHERE id = ? AND entry_id = ?`, []any{attended, regID, entryID}
	if attended {
		query, args = query+` AND status <> ?`, append(args, Cancelled)
	}
	res, err := s.quiet.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("events: attendance: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		if err := s.db.QueryRowContext(ctx, `SELECT status FROM registrations WHERE id = ? AND entry_id = ?`, regID, entryID).Scan(&status); err == nil && status == Cancelled {
			return ErrCancelledRegistration
		}
		return ErrNotFound
	}
	return nil
}

// ErrCancelledRegistration refuses to mark a cancelled registrant as
// having come.
var ErrCancelledRegistration = errors.New("events: the registration is cancelled")

// MessageConfirmed mails a message from the organisers to every confirmed
// registrant, with the join link and their own manage link; it returns
// how many it queued.
func (s *Store) MessageConfirmed(ctx context.Context, entryID int64, subject, text string) (int, error) {
	ev, err := s.load(ctx, entryID)
	if err != nil {
		return 0, err
	}
	regs, err := s.Registrants(ctx, entryID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range regs {
			if r.Status != Registered {
				continue
			}
			manage, err := s.manageLink(ctx, tx, r)
			if err != nil {
				return err
			}
			if err := s.send(ctx, tx, ev, s.organiserMail(ev, r, manage, subject, text)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.queue.Wake()
	return n, nil
}

// maxReminder bounds the reminders an editor may set: a week.
const maxReminder = 7 * 24 * 60

// SendDueReminders mails the reminders whose time has come to confirmed
// registrants, each with the join link and the registrant's own manage
// link. It looks at the event as it is now, so a moved event gets
// reminders for its new time and a cancelled registration none; each
// reminder is recorded with the mail in one transaction, so it goes once.
// It returns how many it queued.
func (s *Store) SendDueReminders(ctx context.Context) (int, error) {
	now := s.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.entry_id, ev.starts_at FROM registrations r JOIN events ev ON ev.entry_id = r.entry_id
		WHERE r.status = 'confirmed' AND ev.starts_at > ? AND ev.starts_at <= ? ORDER BY ev.starts_at, r.id`,
		now.Unix(), now.Unix()+maxReminder*60)
	if err != nil {
		return 0, fmt.Errorf("events: reminders: %w", err)
	}
	type due struct{ reg, entry, starts int64 }
	var candidates []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.reg, &d.entry, &d.starts); err != nil {
			rows.Close()
			return 0, err
		}
		candidates = append(candidates, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	loaded := map[int64]*event{}
	sent := 0
	for _, c := range candidates {
		ev, ok := loaded[c.entry]
		if !ok {
			if ev, err = s.load(ctx, c.entry); err != nil {
				return sent, err
			}
			loaded[c.entry] = ev
		}
		// The smallest offset whose time has come is the reminder due; one
		// already sent at that offset or a smaller one makes it needless.
		offset := 0
		for _, m := range ev.Details.ReminderMinutes {
			if c.starts-int64(m)*60 <= now.Unix() {
				offset = m // largest first, so this ends at the smallest due
			}
		}
		if offset == 0 {
			continue
		}
		err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM registration_reminders WHERE registration_id = ? AND starts_at = ? AND offset_minutes <= ?`,
				c.reg, c.starts, offset).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errSkip
			}
			reg, err := s.scanRegistration(ctx, tx.QueryRowContext(ctx, `SELECT `+regCols+` FROM registrations WHERE id = ? AND status = 'confirmed'`, c.reg))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO registration_reminders (registration_id, starts_at, offset_minutes, sent_at) VALUES (?, ?, ?, ?)`,
				c.reg, c.starts, offset, now.Unix()); err != nil {
				return err
			}
			manage, err := s.manageLink(ctx, tx, reg)
			if err != nil {
				return err
			}
			return s.send(ctx, tx, ev, s.reminderMail(ev, reg, manage, now))
		})
		switch {
		case errors.Is(err, errSkip), errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return sent, fmt.Errorf("events: reminder for %d: %w", c.reg, err)
		default:
			sent++
		}
	}
	if sent > 0 {
		s.queue.Wake()
	}
	return sent, nil
}

var errSkip = errors.New("skip")

// DefaultRetentionDays is how long after an event its registrants'
// personal data is kept when the settings say nothing else.
const DefaultRetentionDays = 30

// Purge deletes the registrations of events that ended more than days
// ago, keeping only their counts. It returns how many it deleted.
func (s *Store) Purge(ctx context.Context, days int) (int, error) {
	return s.purge(ctx, s.Now(), days)
}

func (s *Store) purge(ctx context.Context, now time.Time, days int) (int, error) {
	if days <= 0 {
		days = DefaultRetentionDays
	}
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour).Unix()
	ids, err := queryInt64s(ctx, s.db, `SELECT DISTINCT r.entry_id FROM registrations r JOIN events ev ON ev.entry_id = r.entry_id
		WHERE ev.starts_at + ev.duration_minutes * 60 < ?`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("events: purge: %w", err)
	}
	total := 0
	for _, id := range ids {
		err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
			n, err := keepCounts(ctx, tx, id, `entry_id = ?`, id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE event_details SET purged_at = ? WHERE entry_id = ?`, now.Unix(), id); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM registrations WHERE entry_id = ?`, id)
			total += n
			return err
		})
		if err != nil {
			return total, fmt.Errorf("events: purge %d: %w", id, err)
		}
	}
	return total, nil
}

// keepCounts adds what the registrations of entryID matching where count
// to the event's kept counts, before they are deleted, and returns how
// many they are.
func keepCounts(ctx context.Context, tx *db.Tx, entryID int64, where string, args ...any) (int, error) {
	var c Counts
	var rows int
	if err := tx.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN attended THEN 1 ELSE 0 END), 0), COUNT(*) FROM registrations WHERE `+where, args...).
		Scan(&c.Confirmed, &c.Waitlisted, &c.Attended, &rows); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO event_details (entry_id, kept_confirmed, kept_waitlisted, kept_attended)
		VALUES (?, ?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET
		kept_confirmed = event_details.kept_confirmed + excluded.kept_confirmed,
		kept_waitlisted = event_details.kept_waitlisted + excluded.kept_waitlisted,
		kept_attended = event_details.kept_attended + excluded.kept_attended`,
		entryID, c.Confirmed, c.Waitlisted, c.Attended)
	return rows, err
}

func queryInt64s(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// NewManageLink mails a registrant who asks for it (by giving their
// address on the event's page) a new manage link, and the old one stops
// working: a link that leaked, or sat in a mailbox someone else reads, is
// replaced by its owner. An address with no registration for the event
// gets nothing, and the caller answers the same either way, so the form
// tells nobody who registered.
func (s *Store) NewManageLink(ctx context.Context, entryID int64, email, origin string) error {
	ev, err := s.load(ctx, entryID)
	if err != nil {
		return err
	}
	email, err = participant.Normalize(email)
	if err != nil {
		return fmt.Errorf("events: new manage link: %w", err)
	}
	sent := false
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		reg, err := s.scanRegistration(ctx, tx.QueryRowContext(ctx, `SELECT `+regCols+` FROM registrations WHERE entry_id = ? AND email_hash = ?
			AND status IN ('confirmed', 'waitlisted')`, entryID, s.vault.Hash(hashEmail, email)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		reg.Origin = origin
		token, err := s.newManageLink(ctx, tx, reg)
		if err != nil {
			return err
		}
		sent = true
		return s.send(ctx, tx, ev, s.newLinkMail(ev, reg, token))
	})
	if err == nil && sent {
		s.queue.Wake()
	}
	return err
}

// send mails msg, which carries a registrant's address and links, to be
// purged with the event's registrations if it fails for good (its
// holder's retention), not kept for a fixed time.
func (s *Store) send(ctx context.Context, tx *db.Tx, ev *event, msg mail.Message) error {
	if !ev.Info.StartsAt.IsZero() {
		days := 0
		if s.RetentionDays != nil {
			d, err := s.RetentionDays(ctx)
			if err != nil {
				return err
			}
			days = d
		}
		if days <= 0 {
			days = DefaultRetentionDays
		}
		msg.Until = ev.Info.StartsAt.Add(time.Duration(ev.Info.DurationMinutes)*time.Minute + time.Duration(days)*24*time.Hour)
	}
	return s.mailer.Send(ctx, tx, msg)
}
