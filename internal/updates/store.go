package updates

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Errors of the store.
var (
	// ErrBadToken: no subscriber has this link (tampered, expired, used,
	// or made before they subscribed again: all look the same).
	ErrBadToken = errors.New("updates: no subscriber has this link")
	// ErrNotFound: no such subscriber or update.
	ErrNotFound = db.ErrNotFound

	errNoRows = sql.ErrNoRows
)

// Store keeps subscribers and the sending of updates. Every write is
// quiet: no public page shows a subscriber or a delivery.
type Store struct {
	db     *db.DB
	quiet  db.Quiet
	vault  *participant.Vault
	mailer *mail.Mailer
	langs  *i18n.Bundle // every catalog: mail goes in the subscriber's language
	audit  *participant.Audit
	// Now is the store's clock; tests move it.
	Now func() time.Time
}

// NewStore returns a store. The vault must be the site key's.
func NewStore(d *db.DB, vault *participant.Vault, mailer *mail.Mailer, audit *participant.Audit) (*Store, error) {
	if vault == nil {
		return nil, errors.New("updates: no site key")
	}
	var codes []string
	for _, l := range i18n.Available() {
		codes = append(codes, l.Code)
	}
	langs, err := i18n.New(codes)
	if err != nil {
		return nil, err
	}
	return &Store{db: d, quiet: d.Quiet(), vault: vault, mailer: mailer, langs: langs, audit: audit, Now: time.Now}, nil
}

// subCols are the columns scanSubscriber reads.
const subCols = `id, email, lang, lang2, topics, text_only, status, link_salt, consent_at, consent_source, bounces, created_at`

func (s *Store) scanSubscriber(row interface{ Scan(...any) error }) (Subscriber, error) {
	var sub Subscriber
	var email, topics string
	var textOnly int
	var consent, created int64
	if err := row.Scan(&sub.ID, &email, &sub.Lang, &sub.Lang2, &topics, &textOnly, &sub.Status, &sub.linkSalt, &consent, &sub.ConsentSource,
		&sub.Bounces, &created); err != nil {
		return sub, err
	}
	var err error
	if sub.Email, err = s.vault.Open(email, sealEmail); err != nil {
		return sub, fmt.Errorf("updates: open subscriber %d: %w", sub.ID, err)
	}
	sub.Topics, sub.TextOnly = splitTopics(topics), textOnly != 0
	if consent != 0 {
		sub.ConsentAt = time.Unix(consent, 0).UTC()
	}
	sub.CreatedAt = time.Unix(created, 0).UTC()
	return sub, nil
}

// Subscriber loads one subscriber.
func (s *Store) Subscriber(ctx context.Context, q db.Querier, id int64) (Subscriber, error) {
	sub, err := s.scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscribers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, ErrNotFound
	}
	if err != nil {
		return sub, fmt.Errorf("updates: subscriber %d: %w", id, err)
	}
	return sub, nil
}

// Prefs are what a subscriber chooses.
type Prefs struct {
	Lang, Lang2 string
	Topics      []string
	TextOnly    bool
}

// SubscribeInput is what the subscribe form sends, checked.
type SubscribeInput struct {
	Email  string
	Origin string // scheme://host of the site, for the links in mail
	Prefs
}

// Subscribe records a subscription waiting for its confirmation and
// mails the link that confirms it. An address already subscribed gets a
// mail with its private link instead, and the form says "check your
// mail" either way, so it tells nobody who is on the list. An address
// that unsubscribed or was erased may subscribe again: the person
// confirms anew; until they do, it stays as it was.
func (s *Store) Subscribe(ctx context.Context, in SubscribeInput) error {
	email, err := participant.Normalize(in.Email)
	if err != nil {
		return fmt.Errorf("updates: subscribe: %w", err)
	}
	hash := s.vault.Hash(hashEmail, email)
	now := s.Now()
	l := s.langs.Localizer(in.Lang)
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM subscribers WHERE email_hash = ?`, hash).Scan(&id, &status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("updates: subscribe: %w", err)
		}
		if err == nil && (status == Active || status == Paused) {
			sub, err := s.Subscriber(ctx, tx, id)
			if err != nil {
				return err
			}
			ml := s.langs.Localizer(sub.Lang)
			return s.mailer.Send(ctx, tx, mail.Message{To: email, Subject: ml.T("updates.mail.already_subject"),
				Text: ml.T("updates.mail.already_body", "Link", s.ManageURL(in.Origin, sub))})
		}
		token, tokHash := participant.NewLink()
		sealed := s.vault.Seal(email, sealEmail)
		textOnly := 0
		if in.TextOnly {
			textOnly = 1
		}
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `INSERT INTO subscribers (email_hash, email, lang, lang2, topics, text_only, status,
				confirm_hash, confirm_expires, prior, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
				hash, sealed, in.Lang, in.Lang2, joinTopics(in.Topics), textOnly, Pending, tokHash, now.Add(confirmWithin).Unix(), now.Unix(), now.Unix())
		} else {
			// prior keeps what the row goes back to if the link is never
			// used (a second pending request keeps the first's).
			_, err = tx.ExecContext(ctx, `UPDATE subscribers SET email = ?, lang = ?, lang2 = ?, topics = ?, text_only = ?,
				prior = CASE WHEN status = ? THEN prior ELSE status END, status = ?, confirm_hash = ?, confirm_expires = ?, updated_at = ?
				WHERE id = ?`, sealed, in.Lang, in.Lang2, joinTopics(in.Topics), textOnly, Pending, Pending, tokHash,
				now.Add(confirmWithin).Unix(), now.Unix(), id)
		}
		if err != nil {
			return fmt.Errorf("updates: subscribe: %w", err)
		}
		return s.mailer.Send(ctx, tx, mail.Message{To: email, Subject: l.T("updates.mail.confirm_subject"),
			Text:  l.T("updates.mail.confirm_body", "Link", in.Origin+"/"+in.Lang+"/updates/confirm/"+token, "Hours", int(confirmWithin/time.Hour)),
			Until: now.Add(confirmWithin)})
	})
}

// ByConfirmToken finds the pending subscriber a confirmation link names,
// while the link works.
func (s *Store) ByConfirmToken(ctx context.Context, token string) (Subscriber, error) {
	return s.byConfirm(ctx, s.db, token)
}

func (s *Store) byConfirm(ctx context.Context, q db.Querier, token string) (Subscriber, error) {
	hashes := participant.LookupHashes(token)
	if hashes == nil {
		return Subscriber{}, ErrBadToken
	}
	var id, expires int64
	err := q.QueryRowContext(ctx, `SELECT id, confirm_expires FROM subscribers WHERE confirm_hash = ? AND status = ?`, hashes[0], Pending).Scan(&id, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.Now().Unix() > expires {
		return Subscriber{}, ErrBadToken
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("updates: confirm: %w", err)
	}
	return s.Subscriber(ctx, q, id)
}

// Confirm makes the subscription a confirmation link names active, mails
// the welcome with the private link, and returns the subscriber.
func (s *Store) Confirm(ctx context.Context, token, origin string) (Subscriber, error) {
	var sub Subscriber
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if sub, err = s.byConfirm(ctx, tx, token); err != nil {
			return err
		}
		now := s.Now()
		// Each confirmation gives new private links: those of an
		// earlier subscription stop working.
		salt, _ := participant.NewLink()
		consent := now.Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = ?, prior = '', confirm_hash = '', confirm_expires = 0,
			link_salt = ?, consent_at = ?, consent_source = ?, bounces = 0, updated_at = ? WHERE id = ?`,
			Active, salt, consent, SourceForm, now.Unix(), sub.ID); err != nil {
			return fmt.Errorf("updates: confirm %d: %w", sub.ID, err)
		}
		sub.Status, sub.linkSalt, sub.ConsentAt, sub.ConsentSource, sub.Bounces = Active, salt, time.Unix(consent, 0).UTC(), SourceForm, 0
		l := s.langs.Localizer(sub.Lang)
		return s.mailer.Send(ctx, tx, mail.Message{To: sub.Email, Subject: l.T("updates.mail.welcome_subject"),
			Text: l.T("updates.mail.welcome_body", "Link", s.ManageURL(origin, sub))})
	})
	return sub, err
}

// SourceForm is the consent source of a subscription confirmed through
// the site's own form.
const SourceForm = "form"

// Private links of a confirmed subscriber are not stored: each is the
// subscriber's id and a keyed hash of it with a random salt drawn at
// each confirmation, so a copy of the database holds no working link
// (the hashing key is not in it), a link works until they subscribe
// again, and every mail can carry one without a write.
func (s *Store) linkToken(purpose string, sub Subscriber) string {
	id := strconv.FormatInt(sub.ID, 10)
	return id + "." + s.vault.Hash(purpose, id+"."+sub.linkSalt)
}

// ManageURL is the subscriber's private page.
func (s *Store) ManageURL(origin string, sub Subscriber) string {
	return origin + "/" + sub.Lang + "/updates/manage/" + s.linkToken(hashManage, sub)
}

// UnsubscribeURL is the subscriber's one-click unsubscription (RFC 8058).
func (s *Store) UnsubscribeURL(origin string, sub Subscriber) string {
	return origin + "/updates/unsubscribe/" + s.linkToken(hashUnsubscribe, sub)
}

// byLink finds the confirmed subscriber a private link of purpose names.
func (s *Store) byLink(ctx context.Context, q db.Querier, purpose, token string) (Subscriber, error) {
	idText, mac, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText || len(mac) != 43 {
		return Subscriber{}, ErrBadToken
	}
	sub, err := s.Subscriber(ctx, q, id)
	if errors.Is(err, ErrNotFound) {
		return sub, ErrBadToken
	}
	if err != nil {
		return sub, err
	}
	if sub.linkSalt == "" || sub.Status == Pending || sub.Status == Erased ||
		subtle.ConstantTimeCompare([]byte(s.linkToken(purpose, sub)), []byte(token)) != 1 {
		return Subscriber{}, ErrBadToken
	}
	return sub, nil
}

// ByManageToken finds the subscriber a private page's link names.
func (s *Store) ByManageToken(ctx context.Context, token string) (Subscriber, error) {
	return s.byLink(ctx, s.db, hashManage, token)
}

// SetPrefs changes a subscriber's choices; paused stops their mail
// until they resume. An unsubscribed subscriber cannot be changed.
func (s *Store) SetPrefs(ctx context.Context, id int64, p Prefs, paused bool) error {
	textOnly := 0
	if p.TextOnly {
		textOnly = 1
	}
	status := Active
	if paused {
		status = Paused
	}
	res, err := s.quiet.ExecContext(ctx, `UPDATE subscribers SET lang = ?, lang2 = ?, topics = ?, text_only = ?, status = ?, updated_at = ?
		WHERE id = ? AND status IN (?, ?, ?)`, p.Lang, p.Lang2, joinTopics(p.Topics), textOnly, status, s.Now().Unix(), id, Active, Paused, Bouncing)
	if err != nil {
		return fmt.Errorf("updates: preferences of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrBadToken
	}
	return nil
}

// Unsubscribe takes a subscriber off the list. Their address goes at
// once (least data): what stays is the keyed hash, their language and
// the instant they consented, so that their links still open the page
// that says they left, and an import cannot add them back.
func (s *Store) Unsubscribe(ctx context.Context, id int64) error {
	_, err := s.quiet.ExecContext(ctx, `UPDATE subscribers SET status = ?, email = '', confirm_hash = '', updated_at = ?
		WHERE id = ? AND status <> ?`, Unsubscribed, s.Now().Unix(), id, Erased)
	if err != nil {
		return fmt.Errorf("updates: unsubscribe %d: %w", id, err)
	}
	return nil
}

// UnsubscribeByLink is the one-click unsubscription: the token names one
// subscriber, and only them. A token that names nobody is ErrBadToken;
// one used already unsubscribes nobody more.
func (s *Store) UnsubscribeByLink(ctx context.Context, token string) (Subscriber, error) {
	sub, err := s.byLink(ctx, s.db, hashUnsubscribe, token)
	if err != nil {
		return sub, err
	}
	return sub, s.Unsubscribe(ctx, sub.ID)
}

// Erase leaves nothing of a subscriber but the keyed hash of their
// address (so that an import cannot add it back): no address, no
// choices, no consent, no deliveries.
func (s *Store) Erase(ctx context.Context, id int64) error {
	return s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM update_deliveries WHERE subscriber_id = ?`, id); err != nil {
			return fmt.Errorf("updates: erase %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = ?, email = '', lang = '', lang2 = '', topics = '', text_only = 0,
			confirm_hash = '', confirm_expires = 0, prior = '', link_salt = '', consent_at = 0, consent_source = '', bounces = 0, updated_at = ?
			WHERE id = ?`, Erased, s.Now().Unix(), id); err != nil {
			return fmt.Errorf("updates: erase %d: %w", id, err)
		}
		return nil
	})
}

// DropUnconfirmed undoes subscriptions whose link expired: a new address
// is deleted, one that was on the list before goes back to its status,
// without the address it was given again.
func (s *Store) DropUnconfirmed(ctx context.Context) (int, error) {
	now := s.Now().Unix()
	var n int64
	err := s.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE status = ? AND prior = '' AND confirm_expires < ?`, Pending, now)
		if err != nil {
			return fmt.Errorf("updates: drop unconfirmed: %w", err)
		}
		n, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE subscribers SET status = prior, prior = '', confirm_hash = '', confirm_expires = 0,
			email = CASE WHEN prior = ? THEN email ELSE '' END, updated_at = ?
			WHERE status = ? AND prior <> '' AND confirm_expires < ?`, Bouncing, now, Pending, now)
		if err != nil {
			return fmt.Errorf("updates: drop unconfirmed: %w", err)
		}
		m, _ := res.RowsAffected()
		n += m
		return nil
	})
	return int(n), err
}

// Counts counts subscribers by status.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM subscribers GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("updates: counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}
