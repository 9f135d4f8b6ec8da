package letter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/participant"
)

// Errors of signing and of the private links.
var (
	// ErrDuplicateOrg: the organisation has signed from this country.
	ErrDuplicateOrg = errors.New("letter: this organisation has already signed")
	// ErrExpired: a confirmation link older than VerifyWithin.
	ErrExpired = errors.New("letter: the link has expired")
)

// VerifyWithin is how long a confirmation link works; unconfirmed
// signatures are purged after it.
const VerifyWithin = 48 * time.Hour

// Contexts the sealed fields are bound to, and the purposes of the keyed
// hashes that find duplicates.
const (
	sealName    = "signature.name"
	sealWebsite = "signature.website"
	sealEmail   = "signature.email"
	hashEmail   = "signature.email"
	hashOrg     = "signature.organisation"
)

// Store keeps letters and signatures.
type Store struct {
	db *db.DB // verified and decided signatures show on pages
	// quiet writes signatures not yet verified, which no page shows.
	quiet  db.Quiet
	vault  *participant.Vault
	audit  *participant.Audit // staff opening signatories' data
	now    func() time.Time
	orders listOrders // the public lists' orders, until the next write
}

// NewStore returns a store sealing personal fields with vault.
func NewStore(d *db.DB, vault *participant.Vault) *Store {
	return &Store{db: d, quiet: d.Quiet(), vault: vault, audit: participant.NewAudit(d), now: time.Now}
}

func unix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Letter returns a statement's signing settings; a statement never opened
// has closed defaults.
func (s *Store) Letter(ctx context.Context, entryID int64) (Letter, error) {
	l := Letter{EntryID: entryID}
	var closes int64
	err := s.db.QueryRowContext(ctx, `SELECT open, organisations, individuals, goal, closes_at, moderated FROM letters WHERE entry_id = ?`, entryID).
		Scan(&l.Open, &l.Organisations, &l.Individuals, &l.Goal, &closes, &l.Moderated)
	if errors.Is(err, sql.ErrNoRows) {
		return Letter{EntryID: entryID, Organisations: true}, nil
	}
	if err != nil {
		return l, fmt.Errorf("letter: settings: %w", err)
	}
	l.ClosesAt = unix(closes)
	return l, nil
}

// SaveLetter stores a statement's signing settings.
func (s *Store) SaveLetter(ctx context.Context, l Letter) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO letters (entry_id, open, organisations, individuals, goal, closes_at, moderated, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET open = excluded.open, organisations = excluded.organisations,
			individuals = excluded.individuals, goal = excluded.goal, closes_at = excluded.closes_at,
			moderated = excluded.moderated, updated_at = excluded.updated_at`,
		l.EntryID, l.Open, l.Organisations, l.Individuals, l.Goal, unixOrZero(l.ClosesAt), l.Moderated, s.now().Unix())
	if err != nil {
		return fmt.Errorf("letter: save settings: %w", err)
	}
	return nil
}

// Links are the private links of one signature, in clear, to mail.
type Links struct {
	Verify   string // "" once verified
	Withdraw string
}

// Mailer sends the mail of a signature inside the transaction that
// stores it, so that mail goes out exactly when the write commits.
type Mailer func(ctx context.Context, tx *db.Tx, sig Signature, links Links, again bool) error

// Sign stores an unverified signature and, in the same transaction, mails
// its links. A signature already made with the same email is not stored
// twice: its links are made anew and mailed instead (again is true), so
// that the page shows nothing about who has signed. It returns
// ErrDuplicateOrg when the organisation has signed from that country.
func (s *Store) Sign(ctx context.Context, sig Signature, send Mailer) error {
	email, err := participant.Normalize(sig.Email)
	if err != nil {
		return fmt.Errorf("letter: sign: %w", err)
	}
	emailHash := s.vault.Hash(hashEmail, email)
	orgHash := ""
	if sig.Kind == Organisation {
		orgHash = s.orgHash(sig.Name, sig.Country)
	}
	now := s.now()
	// Pending signatures show on no page: a quiet write.
	err = s.quiet.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM signatures WHERE entry_id = ? AND email_hash = ?`, sig.EntryID, emailHash).Scan(&id, &status)
		if err == nil {
			return s.renewLinks(ctx, tx, id, status, now, sig, send)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Only an approved signature, which the signatories page shows
		// anyway, refuses the organisation: refusing for one that waits
		// would tell whoever tries that someone had tried to sign for it.
		// A second one waits beside the first, for a moderator to merge.
		if orgHash != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signatures WHERE entry_id = ? AND org_hash = ? AND status = 'approved'`,
				sig.EntryID, orgHash).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrDuplicateOrg
			}
		}
		verify, verifyHash := participant.NewLink()
		withdraw, withdrawHash := participant.NewLink()
		// Not published yet: the name and website are sealed for staff,
		// and held for publication under the confirmation link.
		_, err = tx.ExecContext(ctx, `INSERT INTO signatures (entry_id, kind, name, org_type, country, website, email, email_hash, org_hash,
				lang, status, flagged, verify_hash, withdraw_hash, created_at, held)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sig.EntryID, sig.Kind, s.sealPending(sig.Name, sealName), sig.OrgType, sig.Country,
			s.sealPending(sig.Website, sealWebsite), s.vault.Seal(sig.Email, sealEmail), emailHash, orgHash,
			sig.Lang, Unverified, sig.Flagged, verifyHash, withdrawHash, now.Unix(), sealHeld(verify, heldDetails{Name: sig.Name, Website: sig.Website}))
		if err != nil {
			return err
		}
		sig.Status, sig.CreatedAt = Unverified, now
		return send(ctx, tx, sig, Links{Verify: verify, Withdraw: withdraw}, false)
	})
	if err != nil && !errors.Is(err, ErrDuplicateOrg) {
		return fmt.Errorf("letter: sign: %w", err)
	}
	return err
}

// renewLinks replaces a signature's links with new ones and mails them:
// the signatory asked again, perhaps having lost the first mail. An
// unverified signature gets a new confirmation link and two more days,
// and takes the details just given: what it held for publication opens
// only with the old link, which nobody can give the server again.
func (s *Store) renewLinks(ctx context.Context, tx *db.Tx, id int64, status string, now time.Time, given Signature, send Mailer) error {
	withdraw, withdrawHash := participant.NewLink()
	links := Links{Withdraw: withdraw}
	if status == Unverified {
		var verifyHash string
		links.Verify, verifyHash = participant.NewLink()
		orgHash := ""
		if given.Kind == Organisation {
			orgHash = s.orgHash(given.Name, given.Country)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signatures SET verify_hash = ?, withdraw_hash = ?, created_at = ?,
				kind = ?, name = ?, org_type = ?, country = ?, website = ?, org_hash = ?, held = ? WHERE id = ?`,
			verifyHash, withdrawHash, now.Unix(), given.Kind, s.sealPending(given.Name, sealName), given.OrgType, given.Country,
			s.sealPending(given.Website, sealWebsite), orgHash, sealHeld(links.Verify, heldDetails{Name: given.Name, Website: given.Website}), id); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE signatures SET withdraw_hash = ? WHERE id = ?`, withdrawHash, id); err != nil {
		return err
	}
	sig, err := s.signature(ctx, tx, `s.id = ?`, id)
	if err != nil {
		return err
	}
	return send(ctx, tx, sig, links, true)
}

// orgHash identifies an organisation signing from a country, whatever
// the case, accents and spacing of its name.
func (s *Store) orgHash(name, country string) string {
	return s.vault.Hash(hashOrg, normalName(name)+"\x00"+country)
}

const signatureColumns = `s.id, s.entry_id, s.kind, s.name, s.org_type, s.country, s.website, s.email, s.lang, s.status, s.flagged, s.created_at, s.verified_at`

type scanner interface{ Scan(...any) error }

// sealPending seals a detail of a signature not yet published: for
// staff (the organisation's key, when the site has one); nothing stays
// nothing.
func (s *Store) sealPending(value, context string) string {
	if value == "" {
		return ""
	}
	return s.vault.SealForStaff(value, context)
}

// scan reads a signature for the request in ctx: one not yet published
// stays Locked unless ctx unlocked the organisation's key.
func (s *Store) scan(ctx context.Context, row scanner) (Signature, error) {
	var sig Signature
	var name, website, email string
	var created, verified int64
	if err := row.Scan(&sig.ID, &sig.EntryID, &sig.Kind, &name, &sig.OrgType, &sig.Country, &website, &email, &sig.Lang,
		&sig.Status, &sig.Flagged, &created, &verified); err != nil {
		return sig, err
	}
	var err error
	sig.sealed.name, sig.sealed.website = name, website
	sig.Name, err = s.vault.OpenFor(ctx, name, sealName)
	if err == nil && website != "" {
		sig.Website, err = s.vault.OpenFor(ctx, website, sealWebsite)
	}
	if errors.Is(err, participant.ErrLocked) {
		sig.Name, sig.Website, sig.Locked = "", "", true
	} else if err != nil {
		return sig, err
	}
	if sig.Email, err = s.vault.Open(email, sealEmail); err != nil {
		return sig, err
	}
	sig.CreatedAt, sig.VerifiedAt = unix(created), unix(verified)
	return sig, nil
}

func (s *Store) signature(ctx context.Context, q db.Querier, where string, args ...any) (Signature, error) {
	sig, err := s.scan(ctx, q.QueryRowContext(ctx, `SELECT `+signatureColumns+` FROM signatures s WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return sig, db.ErrNotFound
	}
	if err != nil {
		return sig, fmt.Errorf("letter: signature: %w", err)
	}
	return sig, nil
}

// ByVerifyToken finds the unverified signature a confirmation link is
// for; ErrExpired when the link is too old.
func (s *Store) ByVerifyToken(ctx context.Context, token string) (Signature, error) {
	if !participant.ValidToken(token) {
		return Signature{}, db.ErrNotFound
	}
	sig, err := s.signature(ctx, s.db, `s.verify_hash = ? AND s.status = ?`, participant.LinkHash(token), Unverified)
	if err != nil {
		return sig, err
	}
	if s.now().Sub(sig.CreatedAt) > VerifyWithin {
		return sig, ErrExpired
	}
	// The link opens what the signature holds for its publication.
	var held string
	if err := s.db.QueryRowContext(ctx, `SELECT held FROM signatures WHERE id = ?`, sig.ID).Scan(&held); err != nil {
		return sig, fmt.Errorf("letter: signature: %w", err)
	}
	if held != "" {
		d, err := openHeld(token, held)
		if err != nil {
			return sig, fmt.Errorf("letter: signature %d: %w", sig.ID, err)
		}
		sig.Name, sig.Website, sig.Locked = d.Name, d.Website, false
	}
	return sig, nil
}

// Verify confirms the signature of a confirmation link: it becomes public,
// or waits for a moderator when the letter is moderated or the signature
// came without proof of work. A visible change: a normal write.
func (s *Store) Verify(ctx context.Context, token string) (Signature, error) {
	sig, err := s.ByVerifyToken(ctx, token)
	if err != nil {
		return sig, err
	}
	l, err := s.Letter(ctx, sig.EntryID)
	if err != nil {
		return sig, err
	}
	status := Approved
	if l.Moderated || sig.Flagged || sig.Locked { // locked: nothing to publish it with; a moderator will
		status = Waiting
	}
	now := s.now()
	// Published: the name and website as the site shows them, sealed
	// with the site key. Waiting: they stay sealed for staff, and the
	// moderator's approval publishes them. Either way the held copy goes.
	verify := func(status string) (sql.Result, error) {
		if status == Approved && !sig.Locked {
			return s.db.ExecContext(ctx, `UPDATE signatures SET status = ?, verify_hash = '', verified_at = ?, held = '', name = ?, website = ?
				WHERE id = ? AND status = ?`, status, now.Unix(), s.vault.Seal(sig.Name, sealName), s.vault.SealOptional(sig.Website, sealWebsite),
				sig.ID, Unverified)
		}
		return s.db.ExecContext(ctx, `UPDATE signatures SET status = ?, verify_hash = '', verified_at = ?, held = '' WHERE id = ? AND status = ?`,
			status, now.Unix(), sig.ID, Unverified)
	}
	res, err := verify(status)
	if db.IsUniqueViolation(err) {
		// The organisation was approved since this one signed: this one
		// waits for a moderator to merge the two.
		status = Waiting
		res, err = verify(status)
	}
	if err != nil {
		return sig, fmt.Errorf("letter: verify: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sig, db.ErrNotFound // confirmed a moment ago, by another click
	}
	sig.Status, sig.VerifiedAt = status, now
	return sig, nil
}

// ByWithdrawToken finds the signature a withdrawal link is for.
func (s *Store) ByWithdrawToken(ctx context.Context, token string) (Signature, error) {
	if !participant.ValidToken(token) {
		return Signature{}, db.ErrNotFound
	}
	return s.signature(ctx, s.db, `s.withdraw_hash = ?`, participant.LinkHash(token))
}

// Withdraw deletes the signature of a withdrawal link, with everything
// the signatory gave; public pages change at once.
func (s *Store) Withdraw(ctx context.Context, token string) error {
	if !participant.ValidToken(token) {
		return db.ErrNotFound
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM signatures WHERE withdraw_hash = ?`, participant.LinkHash(token))
	if err != nil {
		return fmt.Errorf("letter: withdraw: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// Counts is how many approved signatures a letter has.
type Counts struct {
	Organisations, Individuals int
}

// Total is all approved signatures.
func (c Counts) Total() int { return c.Organisations + c.Individuals }

// Count counts a letter's approved signatures.
func (s *Store) Count(ctx context.Context, entryID int64) (Counts, error) {
	var c Counts
	rows, err := s.db.QueryContext(ctx, `SELECT kind, COUNT(*) FROM signatures WHERE entry_id = ? AND status = ? GROUP BY kind`, entryID, Approved)
	if err != nil {
		return c, fmt.Errorf("letter: count: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return c, fmt.Errorf("letter: count: %w", err)
		}
		if kind == Organisation {
			c.Organisations = n
		} else {
			c.Individuals = n
		}
	}
	return c, rows.Err()
}

// List returns a letter's signatures with one of the statuses (all when
// none is given), oldest first.
func (s *Store) List(ctx context.Context, entryID int64, statuses ...string) ([]Signature, error) {
	q := `SELECT ` + signatureColumns + ` FROM signatures s WHERE s.entry_id = ?`
	args := []any{entryID}
	if len(statuses) > 0 {
		marks, statusArgs := db.InList(statuses)
		q += ` AND s.status IN (` + marks + `)`
		args = append(args, statusArgs...)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("letter: list: %w", err)
	}
	defer rows.Close()
	var out []Signature
	for rows.Next() {
		sig, err := s.scan(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("letter: list: %w", err)
		}
		out = append(out, sig)
	}
	return out, rows.Err()
}

// StatusCounts counts a letter's signatures per status.
func (s *Store) StatusCounts(ctx context.Context, entryID int64) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM signatures WHERE entry_id = ? GROUP BY status`, entryID)
	if err != nil {
		return nil, fmt.Errorf("letter: status counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Waiting counts verified signatures waiting for a moderator, over every
// letter.
func (s *Store) Waiting(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM signatures WHERE status = ?`, Waiting).Scan(&n); err != nil {
		return 0, fmt.Errorf("letter: waiting: %w", err)
	}
	return n, nil
}

// WaitingLetter is a letter with signatures waiting for a moderator.
type WaitingLetter struct {
	EntryID int64
	Count   int
}

// WaitingByLetter lists the letters with signatures waiting, most first.
func (s *Store) WaitingByLetter(ctx context.Context) ([]WaitingLetter, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id, COUNT(*) FROM signatures WHERE status = ? GROUP BY entry_id ORDER BY COUNT(*) DESC, entry_id`, Waiting)
	if err != nil {
		return nil, fmt.Errorf("letter: waiting: %w", err)
	}
	defer rows.Close()
	var out []WaitingLetter
	for rows.Next() {
		var w WaitingLetter
		if err := rows.Scan(&w.EntryID, &w.Count); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Decide sets the status of a letter's verified signatures: approve or
// reject in bulk. Unverified ones are left alone: nobody confirmed them.
// Approving a second signature of an approved organisation changes
// nothing and returns ErrDuplicateOrg.
func (s *Store) Decide(ctx context.Context, entryID int64, ids []int64, status string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if status != Approved && status != Rejected && status != Waiting {
		return 0, fmt.Errorf("letter: decide: status %q", status)
	}
	var n int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, id := range ids {
			var name, website string
			err := tx.QueryRowContext(ctx, `SELECT name, website FROM signatures WHERE id = ? AND entry_id = ? AND status <> 'unverified'`, id, entryID).
				Scan(&name, &website)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if name, website, err = s.resealFor(ctx, status, name, website); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE signatures SET status = ?, name = ?, website = ? WHERE id = ?`, status, name, website, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if db.IsUniqueViolation(err) {
		return 0, ErrDuplicateOrg // an organisation approved twice: merge them instead
	}
	if errors.Is(err, participant.ErrLocked) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("letter: decide: %w", err)
	}
	return n, nil
}

// resealFor seals a signature's name and website as its new status
// wants them: with the site key when approved (the site shows them),
// for staff otherwise. Publishing what is sealed to the organisation's
// key needs it unlocked in ctx (participant.ErrLocked).
func (s *Store) resealFor(ctx context.Context, status, name, website string) (string, string, error) {
	if status == Approved {
		if !participant.IsSealedForStaff(name) && !participant.IsSealedForStaff(website) {
			return name, website, nil
		}
		plainName, err := s.vault.OpenFor(ctx, name, sealName)
		if err != nil {
			return "", "", err
		}
		plainSite := ""
		if website != "" {
			if plainSite, err = s.vault.OpenFor(ctx, website, sealWebsite); err != nil {
				return "", "", err
			}
		}
		return s.vault.Seal(plainName, sealName), s.vault.SealOptional(plainSite, sealWebsite), nil
	}
	if s.vault.OrgRecipient() == "" || participant.IsSealedForStaff(name) {
		return name, website, nil
	}
	plainName, err := s.vault.Open(name, sealName)
	if err != nil {
		return "", "", err
	}
	plainSite, err := s.vault.Open(website, sealWebsite)
	if err != nil {
		return "", "", err
	}
	return s.sealPending(plainName, sealName), s.sealPending(plainSite, sealWebsite), nil
}

// Merge keeps one of two duplicate signatures and drops the other: the
// kept one takes the dropped one's website and organisation type when it
// has none, and the better of their statuses.
func (s *Store) Merge(ctx context.Context, entryID, keep, drop int64) error {
	if keep == drop {
		return db.ErrNotFound
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		k, err := s.signature(ctx, tx, `s.id = ? AND s.entry_id = ?`, keep, entryID)
		if err != nil {
			return err
		}
		d, err := s.signature(ctx, tx, `s.id = ? AND s.entry_id = ?`, drop, entryID)
		if err != nil {
			return err
		}
		if k.Locked || d.Locked {
			return participant.ErrLocked // the website to keep cannot be read
		}
		if k.Website == "" {
			k.Website = d.Website
		}
		if k.OrgType == "" {
			k.OrgType = d.OrgType
		}
		if rank(d.Status) > rank(k.Status) {
			k.Status = d.Status
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signatures WHERE id = ?`, d.ID); err != nil {
			return fmt.Errorf("letter: merge: %w", err)
		}
		// Sealed as the status wants: the site shows an approved one.
		name, website := s.vault.Seal(k.Name, sealName), s.vault.SealOptional(k.Website, sealWebsite)
		if k.Status != Approved {
			name, website = s.sealPending(k.Name, sealName), s.sealPending(k.Website, sealWebsite)
		}
		_, err = tx.ExecContext(ctx, `UPDATE signatures SET name = ?, website = ?, org_type = ?, status = ? WHERE id = ?`,
			name, website, k.OrgType, k.Status, k.ID)
		if err != nil {
			return fmt.Errorf("letter: merge: %w", err)
		}
		return nil
	})
}

func rank(status string) int {
	switch status {
	case Approved:
		return 3
	case Waiting:
		return 2
	case Unverified:
		return 1
	}
	return 0
}

// Delete removes signatures for good (spam, at a signatory's request).
func (s *Store) Delete(ctx context.Context, entryID int64, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	marks, idArgs := db.InList(ids)
	args := append([]any{entryID}, idArgs...)
	res, err := s.db.ExecContext(ctx, `DELETE FROM signatures WHERE entry_id = ? AND id IN (`+marks+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("letter: delete: %w", err)
	}
	return res.RowsAffected()
}

// PurgeUnverified deletes signatures whose confirmation link expired, so
// that no unconfirmed personal data stays; no page showed them.
func (s *Store) PurgeUnverified(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.quiet.ExecContext(ctx, `DELETE FROM signatures WHERE status = ? AND created_at < ?`, Unverified, now.Add(-VerifyWithin).Unix())
	if err != nil {
		return 0, fmt.Errorf("letter: purge: %w", err)
	}
	return res.RowsAffected()
}
