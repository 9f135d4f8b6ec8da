// Package campaign owns what a campaign entry has beyond its text: dates,
// objectives, asks, ways to take part and linked entries; and its tribute
// wall, where the public remembers people with a photo and a few words
// that a moderator approves before anyone else sees them.
package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/mail"
	"peerpress/internal/participant"
)

// Details are a campaign's facts. Dates are days (00:00 UTC); zero when
// unset.
type Details struct {
	EntryID  int64
	StartsOn time.Time
	EndsOn   time.Time
	WallOpen bool
	// Texts are the campaign's words per language.
	Texts map[string]Texts
	// Links are the ids of linked entries, in order.
	Links []int64
}

// Texts are a campaign's objectives, asks and ways to take part in one
// language; the lists hold one item per line.
type Texts struct {
	PrimaryObjective    string
	SecondaryObjectives string
	Asks                string
	Ways                string
}

// Empty reports whether nothing is written.
func (t Texts) Empty() bool {
	return strings.TrimSpace(t.PrimaryObjective+t.SecondaryObjectives+t.Asks+t.Ways) == ""
}

// lines splits a list written one item per line, without blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Status is where a tribute stands in moderation.
type Status string

// The statuses of a tribute. A withdrawn tribute is deleted, not marked.
const (
	Waiting  Status = "waiting"
	Approved Status = "approved"
	Rejected Status = "rejected"
)

// Tribute is one submission to a wall. The submitter's email is never
// loaded with it: only the withdrawal mail uses it.
type Tribute struct {
	ID         int64
	CampaignID int64
	Status     Status
	Lang       string // the language it was written in
	Remembered string // name or pseudonym of the person remembered
	Body       string
	MediaID    int64 // 0: no photo
	Flagged    bool  // sent without proof of work: look closer
	CreatedAt  time.Time
	DecidedAt  time.Time
	// RejectReason is the moderator's note on a rejection, for staff only.
	RejectReason string
}

// Errors the store returns for submissions it refuses.
var (
	// ErrDuplicate means the same email already remembered the same name
	// on this wall.
	ErrDuplicate = errors.New("campaign: duplicate tribute")
)

// Mailer enqueues mail in a transaction (mail.Mailer).
type Mailer interface {
	Send(ctx context.Context, tx *db.Tx, msg mail.Message) error
}

// Store keeps campaign details and tributes.
type Store struct {
	db *db.DB // campaign details and moderators' decisions show on pages
	// quiet writes tributes waiting for moderators, and what goes with
	// rejected ones: no page shows them.
	quiet  db.Quiet
	vault  *participant.Vault
	mailer Mailer
	now    func() time.Time
}

// NewStore returns a store over d; vault seals submitters' emails and
// hashes them; mailer sends the withdrawal links.
func NewStore(d *db.DB, vault *participant.Vault, mailer Mailer) *Store {
	return &Store{db: d, quiet: d.Quiet(), vault: vault, mailer: mailer, now: time.Now}
}

// Seal contexts and hash purposes bind each value to its column.
const (
	emailContext = "tributes.email_sealed"
	dupContext   = "tributes.dup_hash"
	hashEmail    = "tributes.email"
	// tokenContext is the purpose of the keyed hash withdrawal tokens were
	// stored as before they became participant links (SHA-256); links
	// already mailed are looked up under it too.
	tokenContext = "tributes.token_hash"
)

// Submission is a tribute as submitted, before it is stored.
type Submission struct {
	CampaignID int64
	Lang       string
	Remembered string
	Body       string
	Email      string
	MediaID    int64
	Flagged    bool
}

// dupHash identifies "this email remembering this name on this wall";
// email is normalised.
func (s *Store) dupHash(email, remembered string) string {
	return s.vault.Hash(dupContext, email+"\x00"+strings.ToLower(strings.Join(strings.Fields(remembered), " ")))
}

// IsDuplicate reports whether this email already remembered this name on
// the campaign's wall, so a second upload is refused before its photo is
// processed.
func (s *Store) IsDuplicate(ctx context.Context, campaignID int64, email, remembered string) (bool, error) {
	email, err := participant.Normalize(email)
	if err != nil {
		return false, nil // refused by the form's checks, not as a duplicate
	}
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ? AND dup_hash = ?`,
		campaignID, s.dupHash(email, remembered)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("campaign: duplicate check: %w", err)
	}
	return n > 0, nil
}

// Submit stores a tribute waiting for moderation and, in the same
// transaction, enqueues the mail that message builds from the withdrawal
// token. The write is quiet: no public page changes until a moderator
// approves. It returns ErrDuplicate for the same email and name twice.
func (s *Store) Submit(ctx context.Context, in Submission, message func(token string) mail.Message) (int64, error) {
	email, err := participant.Normalize(in.Email)
	if err != nil {
		return 0, fmt.Errorf("campaign: submit tribute: %w", err)
	}
	token, tokenHash := participant.NewLink()
	var mediaID any
	if in.MediaID != 0 {
		mediaID = in.MediaID
	}
	var id int64
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO tributes (campaign_id, status, lang, remembered, body, media_id, email_sealed, email_hash, dup_hash, token_hash, flagged, created_at)
			VALUES (?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.CampaignID, in.Lang, in.Remembered, in.Body, mediaID, s.vault.SealForStaff(in.Email, emailContext), s.vault.Hash(hashEmail, email),
			s.dupHash(email, in.Remembered), tokenHash, in.Flagged, s.now().Unix()).Scan(&id); err != nil {
			return err
		}
		return s.mailer.Send(ctx, tx, message(token))
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrDuplicate
	}
	if err != nil {
		return 0, fmt.Errorf("campaign: submit tribute: %w", err)
	}
	return id, nil
}

// Resend answers a second tribute from the same email for the same name:
// the first is kept, the second is not stored, and the address gets a
// fresh withdrawal link for the first (the old one stops working) in the
// mail message builds. The form answers as for a first tribute, so the
// page tells nobody that this address had remembered this name; only
// the address's owner reads the mail. It reports false when there is no
// such tribute any more (withdrawn meanwhile).
func (s *Store) Resend(ctx context.Context, campaignID int64, email, remembered string, message func(token string) mail.Message) (bool, error) {
	email, err := participant.Normalize(email)
	if err != nil {
		return false, fmt.Errorf("campaign: resend: %w", err)
	}
	token, tokenHash := participant.NewLink()
	found := false
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tributes SET token_hash = ? WHERE campaign_id = ? AND dup_hash = ?`,
			tokenHash, campaignID, s.dupHash(email, remembered))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		found = true
		return s.mailer.Send(ctx, tx, message(token))
	})
	if err != nil {
		return false, fmt.Errorf("campaign: resend: %w", err)
	}
	return found, nil
}

const tributeCols = `id, campaign_id, status, lang, remembered, body, COALESCE(media_id, 0), flagged, created_at, decided_at, reject_reason`

func scanTribute(sc interface{ Scan(...any) error }) (Tribute, error) {
	var t Tribute
	var created, decided int64
	var status string
	if err := sc.Scan(&t.ID, &t.CampaignID, &status, &t.Lang, &t.Remembered, &t.Body, &t.MediaID, &t.Flagged, &created, &decided, &t.RejectReason); err != nil {
		return t, err
	}
	t.Status = Status(status)
	t.CreatedAt, t.DecidedAt = time.Unix(created, 0).UTC(), day(decided)
	return t, nil
}

func (s *Store) tributes(ctx context.Context, query string, args ...any) ([]Tribute, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tributeCols+` FROM tributes `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("campaign: tributes: %w", err)
	}
	defer rows.Close()
	var out []Tribute
	for rows.Next() {
		t, err := scanTribute(rows)
		if err != nil {
			return nil, fmt.Errorf("campaign: tributes: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign: tributes: %w", err)
	}
	return out, nil
}

// Approved lists limit of the campaign's approved tributes from offset,
// in the order they were approved: the gallery's pages, and the
// slideshow's numbering.
func (s *Store) Approved(ctx context.Context, campaignID int64, offset, limit int) ([]Tribute, error) {
	return s.tributes(ctx, `WHERE campaign_id = ? AND status = 'approved' ORDER BY decided_at, id LIMIT ? OFFSET ?`, campaignID, limit, offset)
}

// WallsChanged gives, by campaign, when a tribute on its wall last
// changed, for the walls where one ever did.
func (s *Store) WallsChanged(ctx context.Context) (map[int64]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id, wall_changed_at FROM campaigns WHERE wall_changed_at > 0`)
	if err != nil {
		return nil, fmt.Errorf("campaign: walls changed: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("campaign: walls changed: %w", err)
		}
		out[id] = time.Unix(at, 0).UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign: walls changed: %w", err)
	}
	return out, nil
}

// CountApproved counts the campaign's approved tributes.
func (s *Store) CountApproved(ctx context.Context, campaignID int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE campaign_id = ? AND status = 'approved'`, campaignID).Scan(&n); err != nil {
		return 0, fmt.Errorf("campaign: count approved: %w", err)
	}
	return n, nil
}

// ByStatus lists tributes of every campaign (or of one, when campaignID
// is not 0) in a status, oldest first, for moderation.
func (s *Store) ByStatus(ctx context.Context, status Status, campaignID int64, limit int) ([]Tribute, error) {
	if campaignID != 0 {
		return s.tributes(ctx, `WHERE status = ? AND campaign_id = ? ORDER BY created_at, id LIMIT ?`, string(status), campaignID, limit)
	}
	return s.tributes(ctx, `WHERE status = ? ORDER BY created_at, id LIMIT ?`, string(status), limit)
}

// CountWaiting counts the tributes waiting for a moderator, on every wall
// or on one campaign's when campaignID is not 0.
func (s *Store) CountWaiting(ctx context.Context, campaignID int64) (int, error) {
	var n int
	var err error
	if campaignID != 0 {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE status = 'waiting' AND campaign_id = ?`, campaignID).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tributes WHERE status = 'waiting'`).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("campaign: count waiting: %w", err)
	}
	return n, nil
}

// Decide sets the status of the tributes with the given ids (approve or
// reject, in bulk) and returns how many changed. reason is kept with a
// rejection, for staff. A normal write: approved
// tributes appear on public pages, and rejected ones leave them, at once.
func (s *Store) Decide(ctx context.Context, ids []int64, status Status, reason string) (int, error) {
	if status != Approved && status != Rejected {
		return 0, fmt.Errorf("campaign: decide: status %q", status)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if status != Rejected {
		reason = ""
	}
	marks, idArgs := db.InList(ids)
	args := append([]any{string(status), s.now().Unix(), reason, string(status)}, idArgs...)
	res, err := s.db.ExecContext(ctx, `UPDATE tributes SET status = ?, decided_at = ?, reject_reason = ? WHERE status <> ? AND id IN (`+marks+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("campaign: decide: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("campaign: decide: %w", err)
	}
	return int(n), nil
}

// ShownPhotos lists the photos of those of ids that are on a wall now
// (approved, with a photo): taking them off, the caller gives the photos
// new addresses, since the old ones were published.
func (s *Store) ShownPhotos(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, idArgs := db.InList(ids)
	args := append([]any{string(Approved)}, idArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT media_id FROM tributes WHERE status = ? AND media_id IS NOT NULL AND id IN (`+marks+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("campaign: shown photos: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("campaign: shown photos: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ByToken finds the tribute a withdrawal link leads to, or db.ErrNotFound.
func (s *Store) ByToken(ctx context.Context, token string) (Tribute, error) {
	if !participant.ValidToken(token) {
		return Tribute{}, db.ErrNotFound
	}
	t, err := scanTribute(s.db.QueryRowContext(ctx, `SELECT `+tributeCols+` FROM tributes WHERE token_hash IN (?, ?)`,
		participant.LinkHash(token), s.vault.Hash(tokenContext, token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Tribute{}, db.ErrNotFound
	}
	if err != nil {
		return Tribute{}, fmt.Errorf("campaign: tribute by token: %w", err)
	}
	return t, nil
}

// Withdraw deletes the tribute the token leads to and returns it, so the
// caller can delete its photo; db.ErrNotFound when the link is used up or
// was never valid. A normal write: the wall's cached pages go at once.
func (s *Store) Withdraw(ctx context.Context, token string) (Tribute, error) {
	t, err := s.ByToken(ctx, token)
	if err != nil {
		return t, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM tributes WHERE id = ?`, t.ID)
	if err != nil {
		return t, fmt.Errorf("campaign: withdraw: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t, db.ErrNotFound
	}
	return t, nil
}

// AddTribute stores a tribute that has no submitter to write back to —
// imported from another site, or demo content — in the given status: it
// has no email and no withdrawal link. mediaID 0 is no photo.
func (s *Store) AddTribute(ctx context.Context, campaignID int64, lang, remembered, body string, status Status, mediaID int64) (int64, error) {
	nobody, _ := participant.NewLink()
	var photo any
	if mediaID != 0 {
		photo = mediaID
	}
	decided := int64(0)
	if status != Waiting {
		decided = s.now().Unix()
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// The hashes are random and match no email or token.
		return tx.QueryRowContext(ctx, `INSERT INTO tributes (campaign_id, status, lang, remembered, body, media_id, email_sealed, dup_hash, token_hash, flagged, created_at, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?) RETURNING id`,
			campaignID, string(status), lang, remembered, body, photo, "none:"+nobody, "none:"+nobody, false, s.now().Unix(), decided).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("campaign: add tribute: %w", err)
	}
	return id, nil
}

// SetPhoto gives a tribute its photo (a tribute added without one).
func (s *Store) SetPhoto(ctx context.Context, tributeID, mediaID int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE tributes SET media_id = ? WHERE id = ?`, mediaID, tributeID); err != nil {
		return fmt.Errorf("campaign: set photo: %w", err)
	}
	return nil
}

// EntryMedia lists the photos of every tribute on a campaign's wall,
// inside tx: content.MediaHolder. The database deletes the tributes with
// their campaign, and nothing else refers to their photos, so the entry's
// deletion asks for them first and deletes them with their files once it
// is committed.
func (s *Store) EntryMedia(ctx context.Context, tx *db.Tx, campaignID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT media_id FROM tributes WHERE campaign_id = ? AND media_id IS NOT NULL ORDER BY id`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("campaign: wall photos: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("campaign: wall photos: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("campaign: wall photos: %w", err)
	}
	return ids, nil
}

// PhotoDeleter deletes a stored photo (media.Store).
type PhotoDeleter interface {
	Delete(ctx context.Context, id int64) error
}

// RejectedKeep is how long a rejected tribute is kept, so a moderator can
// change their mind, before it and its photo are deleted.
const RejectedKeep = 30 * 24 * time.Hour

// PurgeRejected deletes the tributes rejected before the given instant,
// and their photos, and returns how many went. Nothing public changes, so
// the write is quiet.
func (s *Store) PurgeRejected(ctx context.Context, before time.Time, photos PhotoDeleter) (int, error) {
	return s.deleteTributes(ctx, "purge rejected", photos, s.quiet.ExecContext, `DELETE FROM tributes WHERE id = ? AND status = 'rejected'`,
		`SELECT id, COALESCE(media_id, 0) FROM tributes WHERE status = 'rejected' AND decided_at < ? ORDER BY id LIMIT 500`, before.Unix())
}

// deleteTributes deletes, one by one with its photo, each tribute that
// query (selecting id and photo) finds, with del run by exec, and returns
// how many went. what names the work in errors.
func (s *Store) deleteTributes(ctx context.Context, what string, photos PhotoDeleter,
	exec func(ctx context.Context, query string, args ...any) (sql.Result, error), del, query string, args ...any) (int, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("campaign: %s: %w", what, err)
	}
	type gone struct{ id, media int64 }
	var list []gone
	for rows.Next() {
		var g gone
		if err := rows.Scan(&g.id, &g.media); err != nil {
			rows.Close()
			return 0, fmt.Errorf("campaign: %s: %w", what, err)
		}
		list = append(list, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("campaign: %s: %w", what, err)
	}
	n := 0
	for _, g := range list {
		if _, err := exec(ctx, del, g.id); err != nil {
			return n, fmt.Errorf("campaign: %s: %w", what, err)
		}
		n++
		if g.media != 0 {
			// The tribute is gone: its photo goes too, even when ctx ends
			// now (a server shutting down), or nothing would find it again.
			if err := photos.Delete(context.WithoutCancel(ctx), g.media); err != nil && !errors.Is(err, db.ErrNotFound) {
				return n, fmt.Errorf("campaign: %s photo %d: %w", what, g.media, err)
			}
		}
	}
	return n, nil
}

// Gathered is a tribute staff add from what was collected elsewhere (on
// social media, on paper, by word of mouth), with how consent to publish
// it was given and by whom.
type Gathered struct {
	CampaignID int64
	Lang       string
	Remembered string
	Body       string
	MediaID    int64  // 0: no photo
	Status     Status // Approved to publish now, Waiting to queue it
	Evidence   string // how consent was given
	ConsentBy  string // who gave it
	AddedBy    int64  // the staff member
}

// Seal contexts of a gathered tribute's consent.
const (
	evidenceContext  = "tributes.consent_evidence"
	consentByContext = "tributes.consent_by"
)

// AddGathered stores a tribute staff add, with its consent sealed (it may
// name the person who gave it). Like AddTribute, it has no email and no
// withdrawal link: the person asks staff. Published, it is a loud write;
// queued, it waits like any tribute and no page changes.
func (s *Store) AddGathered(ctx context.Context, g Gathered) (int64, error) {
	nobody, _ := participant.NewLink()
	var photo, by any
	if g.MediaID != 0 {
		photo = g.MediaID
	}
	if g.AddedBy != 0 {
		by = g.AddedBy
	}
	now := s.now().Unix()
	decided := int64(0)
	if g.Status != Waiting {
		decided = now
	}
	var id int64
	insert := func(tx *db.Tx) error {
		// The hashes are random and match no email or token.
		return tx.QueryRowContext(ctx, `INSERT INTO tributes (campaign_id, status, lang, remembered, body, media_id, email_sealed, dup_hash, token_hash,
				flagged, created_at, decided_at, consent_evidence, consent_by, added_by)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			g.CampaignID, string(g.Status), g.Lang, g.Remembered, g.Body, photo, "none:"+nobody, "none:"+nobody, false, now, decided,
			s.vault.Seal(g.Evidence, evidenceContext), s.vault.Seal(g.ConsentBy, consentByContext), by).Scan(&id)
	}
	var err error
	if g.Status == Waiting {
		err = s.quiet.InTx(ctx, insert)
	} else {
		err = s.db.InTx(ctx, insert)
	}
	if err != nil {
		return 0, fmt.Errorf("campaign: add gathered tribute: %w", err)
	}
	return id, nil
}
