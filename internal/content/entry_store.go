package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"peerpress/internal/db"
)

// EntryInput is what an editor saves about an entry as a whole.
type EntryInput struct {
	Kind      Kind
	SectionID int64
	Featured  bool
	TagIDs    []int64
	OrgIDs    []int64
	// CoauthorRole is what the co-authors did (CoauthorRoles); "" keeps
	// the role saved, or on a new entry the kind's default.
	CoauthorRole string
	// NewOrgs are organisations to create, with the entry, as its last
	// co-authors: the editor names them when they are not yet known.
	NewOrgs []Organisation
	// Ext holds the values of the extensions of Kind, by their names
	// (Extension); SaveEntry checks and saves them with the entry.
	Ext map[string]any
	// Stage is the editor form's token under which files added before
	// the entry's first save wait (AddUpload); creating the entry claims
	// those of the saving user.
	Stage string
}

// TranslationInput is what an editor saves for one language.
type TranslationInput struct {
	Lang      string
	Title     string
	Slug      string
	Summary   string
	Body      string
	Status    Status
	PublishAt time.Time
}

// normalise keeps status and publish time consistent: a published
// translation with a future time is scheduled, and the reverse.
func (in *TranslationInput) normalise(now time.Time) {
	in.PublishAt = in.PublishAt.Truncate(time.Second)
	if in.PublishAt.IsZero() {
		in.PublishAt = now
	}
	switch {
	case in.Status == Published && in.PublishAt.After(now):
		in.Status = Scheduled
	case in.Status == Scheduled && !in.PublishAt.After(now):
		in.Status = Published
	}
}

// SaveEntry creates (id 0) or updates an entry together with its source
// translation and its extensions' values, in one transaction, and returns
// the entry's id. Extension values that fail their checks are refused
// with the FieldErrors, and nothing is saved.
func (s *Store) SaveEntry(ctx context.Context, id int64, in EntryInput, source TranslationInput, userID int64) (int64, error) {
	errs := FieldErrors{}
	s.CheckExtensions(in, errs)
	if errs.Any() {
		return 0, errs
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *db.Tx) (err error) {
		id, err = s.saveEntry(ctx, tx, id, in, source, userID, now)
		return err
	})
	if err != nil {
		return 0, wrapSaveErr(err)
	}
	return id, nil
}

// saveEntry is SaveEntry inside tx (for SaveEntry and Batch).
func (s *Store) saveEntry(ctx context.Context, tx *db.Tx, id int64, in EntryInput, source TranslationInput, userID int64, now time.Time) (int64, error) {
	err := func() error {
		if id == 0 {
			err := tx.QueryRowContext(ctx, `INSERT INTO entries (kind, source_lang, section_id, author_id, featured, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				in.Kind, source.Lang, nullID(in.SectionID), nullID(userID), in.Featured, now.Unix(), now.Unix()).Scan(&id)
			if err != nil {
				return err
			}
			if err := s.claimUploads(ctx, tx, id, in.Stage, userID, now); err != nil {
				return err
			}
		} else {
			// Lock the entry's row before reading anything of it (see SaveTranslation).
			res, err := tx.ExecContext(ctx, `UPDATE entries SET updated_at = ? WHERE id = ?`, now.Unix(), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return db.ErrNotFound
			}
			var oldKind Kind
			var sourceLang string
			if err := tx.QueryRowContext(ctx, `SELECT kind, source_lang FROM entries WHERE id = ?`, id).Scan(&oldKind, &sourceLang); err != nil {
				return err
			}
			source.Lang = sourceLang // the source language is fixed at creation
			if oldKind != in.Kind {
				if err := s.keepOldURLs(ctx, tx, id, oldKind, now); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET kind = ?, section_id = ?, featured = ?, updated_at = ? WHERE id = ?`,
				in.Kind, nullID(in.SectionID), in.Featured, now.Unix(), id); err != nil {
				return err
			}
		}
		if err := replaceLinks(ctx, tx, "entry_tags", "tag_id", id, in.TagIDs); err != nil {
			return err
		}
		if in.CoauthorRole != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET coauthor_role = ? WHERE id = ?`, in.CoauthorRole, id); err != nil {
				return err
			}
		}
		orgIDs := slices.Clone(in.OrgIDs)
		for _, o := range in.NewOrgs {
			oid, err := createOrganisation(ctx, tx, o)
			if err != nil {
				return err
			}
			if !slices.Contains(orgIDs, oid) {
				orgIDs = append(orgIDs, oid)
			}
		}
		if err := replaceLinks(ctx, tx, "entry_organisations", "organisation_id", id, orgIDs); err != nil {
			return err
		}
		if err := s.saveExtensions(ctx, tx, id, in); err != nil {
			return err
		}
		var oldAt int64 // the source's publication time before this save
		err := tx.QueryRowContext(ctx, `SELECT publish_at FROM translations WHERE entry_id = ? AND lang = ?`, id, source.Lang).Scan(&oldAt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		saved, err := s.saveTranslation(ctx, tx, id, in.Kind, source, userID, now)
		if err != nil || oldAt <= now.Unix() || saved.PublishAt.Unix() == oldAt {
			return err
		}
		// The source was waiting for its time and moved: translations made
		// ready to go out with it (the translation editor proposes the
		// source's time) follow it, instead of waiting for the old one.
		_, err = tx.ExecContext(ctx, `UPDATE translations SET publish_at = ? WHERE entry_id = ? AND lang <> ? AND publish_at = ? AND status <> ?`,
			saved.PublishAt.Unix(), id, source.Lang, oldAt, Draft)
		return err
	}()
	return id, err
}

// Touch records, inside tx, that the entry changed in what a feature
// area keeps of it outside the entry's form (an event's registration
// settings, which its page shows): the entry is then among those changed
// since (ChangedSince), and the static mirror renders its pages again.
func (s *Store) Touch(ctx context.Context, tx *db.Tx, entryID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE entries SET updated_at = ? WHERE id = ?`, s.now().Unix(), entryID); err != nil {
		return fmt.Errorf("content: touch %d: %w", entryID, err)
	}
	return nil
}

// SaveTranslation creates or updates the entry's translation in tr.Lang,
// keeping a revision.
func (s *Store) SaveTranslation(ctx context.Context, entryID int64, tr TranslationInput, userID int64) (Translation, error) {
	now := s.now()
	var saved Translation
	err := s.db.InTx(ctx, func(tx *db.Tx) (err error) {
		saved, err = s.saveOneTranslation(ctx, tx, entryID, tr, userID, now)
		return err
	})
	if err != nil {
		return Translation{}, wrapSaveErr(err)
	}
	return saved, nil
}

// saveOneTranslation is SaveTranslation inside tx (for SaveTranslation and Batch).
func (s *Store) saveOneTranslation(ctx context.Context, tx *db.Tx, entryID int64, tr TranslationInput, userID int64, now time.Time) (Translation, error) {
	// Touching the entry first locks its row, so two saves of the same
	// entry take turns instead of both claiming the next revision number.
	res, err := tx.ExecContext(ctx, `UPDATE entries SET updated_at = ? WHERE id = ?`, now.Unix(), entryID)
	if err != nil {
		return Translation{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Translation{}, db.ErrNotFound
	}
	var kind Kind
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM entries WHERE id = ?`, entryID).Scan(&kind); err != nil {
		return Translation{}, err
	}
	return s.saveTranslation(ctx, tx, entryID, kind, tr, userID, now)
}

func wrapSaveErr(err error) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return err
	case isSlugClash(err):
		return ErrSlugTaken
	}
	return fmt.Errorf("content: save: %w", err)
}

// isSlugClash reports whether err is the (lang, slug) uniqueness of
// translations, and not some other constraint.
func isSlugClash(err error) bool {
	if !db.IsUniqueViolation(err) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "translations.lang, translations.slug") || // SQLite
		strings.Contains(msg, "translations_lang_slug_key") // PostgreSQL's name for UNIQUE (lang, slug)
}

func (s *Store) saveTranslation(ctx context.Context, tx *db.Tx, entryID int64, kind Kind, in TranslationInput, userID int64, now time.Time) (Translation, error) {
	in.normalise(now)
	var sourceLang string
	if err := tx.QueryRowContext(ctx, `SELECT source_lang FROM entries WHERE id = ?`, entryID).Scan(&sourceLang); err != nil {
		return Translation{}, err
	}
	var t Translation
	err := scanTranslation(tx.QueryRowContext(ctx, `SELECT `+translationCols+` FROM translations t WHERE t.entry_id = ? AND t.lang = ?`, entryID, in.Lang), &t)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Translation{}, err
	}

	// A translation records which revision of the source it was made from;
	// the source records its own revision.
	sourceRev := 0
	if in.Lang != sourceLang {
		err := tx.QueryRowContext(ctx, `SELECT revision FROM translations WHERE entry_id = ? AND lang = ?`, entryID, sourceLang).Scan(&sourceRev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Translation{}, err
		}
	}

	reworded := true
	if exists {
		if t.Slug != in.Slug {
			// The old address keeps working as a redirect to the new one.
			if _, err := tx.ExecContext(ctx, `INSERT INTO old_paths (path, translation_id, created_at) VALUES (?, ?, ?)
				ON CONFLICT (path) DO UPDATE SET translation_id = excluded.translation_id`,
				URL(kind, t.Lang, t.Slug), t.ID, now.Unix()); err != nil {
				return Translation{}, err
			}
		}
		// A revision is a change of the words (title, summary, body): only
		// that makes translations of the source outdated, and a save that
		// publishes, reschedules or renames keeps the number.
		reworded = t.Title != in.Title || t.Summary != in.Summary || t.Body != in.Body
		if reworded {
			t.Revision++
		}
		if in.Lang == sourceLang {
			sourceRev = t.Revision
		}
		if _, err := tx.ExecContext(ctx, `UPDATE translations SET title = ?, title_lower = ?, slug = ?, summary = ?, body = ?, status = ?, publish_at = ?,
			revision = ?, source_revision = ?, updated_at = ? WHERE id = ?`,
			in.Title, strings.ToLower(in.Title), in.Slug, in.Summary, in.Body, in.Status, in.PublishAt.Unix(), t.Revision, sourceRev, now.Unix(), t.ID); err != nil {
			return Translation{}, err
		}
	} else {
		t = Translation{EntryID: entryID, Lang: in.Lang, Revision: 1, CreatedAt: now}
		if in.Lang == sourceLang {
			sourceRev = 1
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO translations (entry_id, lang, title, title_lower, slug, summary, body, status, publish_at,
			revision, source_revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
			entryID, in.Lang, in.Title, strings.ToLower(in.Title), in.Slug, in.Summary, in.Body, in.Status, in.PublishAt.Unix(), sourceRev, now.Unix(), now.Unix()).Scan(&t.ID); err != nil {
			return Translation{}, err
		}
	}
	// The live address must not also redirect elsewhere.
	if _, err := tx.ExecContext(ctx, `DELETE FROM old_paths WHERE path = ?`, URL(kind, in.Lang, in.Slug)); err != nil {
		return Translation{}, err
	}
	if reworded {
		if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (translation_id, number, title, slug, summary, body, status, publish_at, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Revision, in.Title, in.Slug, in.Summary, in.Body, in.Status, in.PublishAt.Unix(), nullID(userID), now.Unix()); err != nil {
			return Translation{}, err
		}
	}
	t.Title, t.Slug, t.Summary, t.Body, t.Status, t.PublishAt = in.Title, in.Slug, in.Summary, in.Body, in.Status, in.PublishAt
	t.SourceRevision, t.UpdatedAt = sourceRev, now
	if err := s.indexer.IndexTranslation(ctx, tx, t); err != nil {
		return Translation{}, err
	}
	return t, nil
}

// keepOldURLs records the current address of every translation, before a
// change of kind moves them.
func (s *Store) keepOldURLs(ctx context.Context, tx *db.Tx, entryID int64, kind Kind, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, lang, slug FROM translations WHERE entry_id = ?`, entryID)
	if err != nil {
		return err
	}
	type old struct {
		id         int64
		lang, slug string
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.lang, &o.slug); err != nil {
			rows.Close()
			return err
		}
		olds = append(olds, o)
	}
	rows.Close()
	for _, o := range olds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO old_paths (path, translation_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (path) DO UPDATE SET translation_id = excluded.translation_id`, URL(kind, o.lang, o.slug), o.id, now.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// replaceLinks makes the entry's links in table (tags or organisations,
// in this order) exactly ids. Links kept are left alone, not deleted and
// inserted again: a tag taken off and put back would count as a change
// to the listings (migration 0012), and an editor saving a post must not
// make every listing read its index again.
func replaceLinks(ctx context.Context, tx *db.Tx, table, col string, entryID int64, ids []int64) error {
	var keep []int64
	for _, id := range ids {
		if !slices.Contains(keep, id) {
			keep = append(keep, id)
		}
	}
	del := `DELETE FROM ` + table + ` WHERE entry_id = ?`
	args := []any{entryID}
	if len(keep) > 0 {
		marks, keepArgs := db.InList(keep)
		del += ` AND ` + col + ` NOT IN (` + marks + `)`
		args = append(args, keepArgs...)
	}
	if _, err := tx.ExecContext(ctx, del, args...); err != nil {
		return err
	}
	for i, id := range keep {
		var err error
		if table == "entry_organisations" {
			_, err = tx.ExecContext(ctx, `INSERT INTO entry_organisations (entry_id, organisation_id, position) VALUES (?, ?, ?)
				ON CONFLICT (entry_id, organisation_id) DO UPDATE SET position = excluded.position`, entryID, id, i)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (entry_id, `+col+`) VALUES (?, ?) ON CONFLICT DO NOTHING`, entryID, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// SetFeaturedMedia sets or clears (0) the entry's featured image. It
// returns the image it replaced when nothing uses that any more, for the
// caller to delete with its file.
func (s *Store) SetFeaturedMedia(ctx context.Context, entryID, mediaID int64) (orphan int64, err error) {
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var old sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT featured_media_id FROM entries WHERE id = ?`, entryID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET featured_media_id = ?, updated_at = ? WHERE id = ?`, nullID(mediaID), s.now().Unix(), entryID); err != nil {
			return err
		}
		if !old.Valid || old.Int64 == mediaID {
			return nil
		}
		unused, err := unusedMedia(ctx, tx, []int64{old.Int64})
		if len(unused) == 1 {
			orphan = unused[0]
		}
		return err
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		err = fmt.Errorf("content: featured image: %w", err)
	}
	return orphan, err
}

// DeleteEntry removes an entry; its addresses answer 410 Gone from then on.
// It returns the media that nothing uses any more — its featured image,
// its attachments and what the holders keep for it — for the caller to
// delete with their files.
func (s *Store) DeleteEntry(ctx context.Context, id int64) (orphans []int64, err error) {
	holders := s.mediaHolders()
	now := s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var kind Kind
		err := tx.QueryRowContext(ctx, `SELECT kind FROM entries WHERE id = ?`, id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.keepOldURLs(ctx, tx, id, kind, now); err != nil {
			return err
		}
		used, err := entryMedia(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, h := range holders {
			held, err := h.EntryMedia(ctx, tx, id)
			if err != nil {
				return err
			}
			used = append(used, held...)
		}
		slices.Sort(used)
		used = slices.Compact(used)
		// Deleting the translations sets every old path that led to them,
		// including the ones just recorded, to NULL: gone.
		if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id); err != nil {
			return fmt.Errorf("content: delete entry: %w", err)
		}
		orphans, err = unusedMedia(ctx, tx, used)
		return err
	})
	return orphans, err
}

// entryMedia lists the media an entry uses: its featured image and its
// attachments.
func entryMedia(ctx context.Context, tx *db.Tx, entryID int64) ([]int64, error) {
	return queryIDs(ctx, tx, `SELECT featured_media_id FROM entries WHERE id = ? AND featured_media_id IS NOT NULL
		UNION SELECT media_id FROM entry_attachments WHERE entry_id = ?
		UNION SELECT media_id FROM editor_uploads WHERE entry_id = ?`, entryID, entryID, entryID)
}

// unusedMedia keeps, of ids, those no entry uses any more.
func unusedMedia(ctx context.Context, tx *db.Tx, ids []int64) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		var uses int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM entry_attachments WHERE media_id = ?) +
			(SELECT COUNT(*) FROM entries WHERE featured_media_id = ?) +
			(SELECT COUNT(*) FROM editor_uploads WHERE media_id = ?)`, id, id, id).Scan(&uses); err != nil {
			return nil, err
		}
		if uses == 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// Revisions lists a translation's revisions, newest first.
func (s *Store) Revisions(ctx context.Context, translationID int64) ([]Revision, error) {
	return s.revisions(ctx, `WHERE r.translation_id = ? ORDER BY r.number DESC`, translationID)
}

// RevisionByNumber loads a translation's revision by its number.
func (s *Store) RevisionByNumber(ctx context.Context, translationID int64, number int) (Revision, error) {
	revs, err := s.revisions(ctx, `WHERE r.translation_id = ? AND r.number = ?`, translationID, number)
	if err != nil {
		return Revision{}, err
	}
	if len(revs) == 0 {
		return Revision{}, db.ErrNotFound
	}
	return revs[0], nil
}

// RevisionByID loads one revision.
func (s *Store) RevisionByID(ctx context.Context, id int64) (Revision, error) {
	revs, err := s.revisions(ctx, `WHERE r.id = ?`, id)
	if err != nil {
		return Revision{}, err
	}
	if len(revs) == 0 {
		return Revision{}, db.ErrNotFound
	}
	return revs[0], nil
}

func (s *Store) revisions(ctx context.Context, where string, args ...any) ([]Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.translation_id, r.number, r.title, r.slug, r.summary, r.body, r.status, r.publish_at,
		COALESCE(r.author_id, 0), COALESCE(u.email, ''), r.created_at
		FROM revisions r LEFT JOIN users u ON u.id = r.author_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("content: revisions: %w", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var publish, created int64
		if err := rows.Scan(&r.ID, &r.TranslationID, &r.Number, &r.Title, &r.Slug, &r.Summary, &r.Body, &r.Status, &publish,
			&r.AuthorID, &r.AuthorEmail, &created); err != nil {
			return nil, err
		}
		r.PublishAt, r.CreatedAt = unix(publish), unix(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// NextScheduled is the earliest publish time of a scheduled translation,
// so that the housekeeping can wake then; ok is false when none waits.
func (s *Store) NextScheduled(ctx context.Context) (next time.Time, ok bool, err error) {
	var at sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(publish_at) FROM translations WHERE status = 'scheduled'`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("content: next scheduled: %w", err)
	}
	return unix(at.Int64), at.Valid, nil
}

// PromoteScheduled marks scheduled translations whose time has come as
// published, so the editor's lists say what readers see. Readers do not
// depend on it: visibility is decided by the publish time.
func (s *Store) PromoteScheduled(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE translations SET status = 'published' WHERE status = 'scheduled' AND publish_at <= ?`, s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("content: promote scheduled: %w", err)
	}
	return res.RowsAffected()
}
