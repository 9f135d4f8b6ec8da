package content

import (
	"context"
	"fmt"
	"peerpress/internal/db"
	"strings"
	"time"
)

// AdminFilter narrows the editor's list of entries.
type AdminFilter struct {
	Kind      Kind
	Status    Status // of the source translation
	Lang      string // has a translation in this language
	SectionID int64
	Query     string // in the source title
	AuthorID  int64  // 0: anyone's
}

// AdminRow is an entry as the editor's list shows it.
type AdminRow struct {
	EntryID     int64
	Kind        Kind
	SourceLang  string
	Title       string
	Status      Status
	PublishAt   time.Time
	UpdatedAt   time.Time
	AuthorEmail string
	Langs       []LangState
}

// LangState says whether an entry has a language and whether it is behind
// its source.
type LangState struct {
	Lang     string
	Outdated bool
}

// likePattern escapes LIKE wildcards in user input.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(q)) + "%"
}

// AdminList returns one page of entries for the editor, most recently
// changed first, and the total.
func (s *Store) AdminList(ctx context.Context, f AdminFilter, page, perPage int) ([]AdminRow, int, error) {
	conds := []string{"1 = 1"}
	var args []any
	if f.Kind != "" {
		conds = append(conds, "e.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		conds = append(conds, "t.status = ?")
		args = append(args, f.Status)
	}
	if f.Lang != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM translations x WHERE x.entry_id = e.id AND x.lang = ?)")
		args = append(args, f.Lang)
	}
	if f.SectionID != 0 {
		conds = append(conds, "e.section_id = ?")
		args = append(args, f.SectionID)
	}
	if f.AuthorID != 0 {
		conds = append(conds, "e.author_id = ?")
		args = append(args, f.AuthorID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `t.title_lower LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q))
	}
	from := ` FROM entries e JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang
		LEFT JOIN users u ON u.id = e.author_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("content: admin count: %w", err)
	}
	if page < 1 {
		page = 1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.kind, e.source_lang, t.title, t.status, t.publish_at, e.updated_at, COALESCE(u.email, '')`+
		from+` ORDER BY e.updated_at DESC, e.id DESC LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("content: admin list: %w", err)
	}
	defer rows.Close()
	var out []AdminRow
	index := map[int64]int{}
	for rows.Next() {
		var r AdminRow
		var publish, updated int64
		if err := rows.Scan(&r.EntryID, &r.Kind, &r.SourceLang, &r.Title, &r.Status, &publish, &updated, &r.AuthorEmail); err != nil {
			return nil, 0, err
		}
		r.PublishAt, r.UpdatedAt = unix(publish), unix(updated)
		index[r.EntryID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 {
		return out, total, nil
	}
	// One more query for the languages of the entries on this page.
	ids := make([]any, 0, len(out))
	for _, r := range out {
		ids = append(ids, r.EntryID)
	}
	lrows, err := s.db.QueryContext(ctx, `SELECT t.entry_id, t.lang, t.source_revision, src.revision
		FROM translations t JOIN entries e ON e.id = t.entry_id
		JOIN translations src ON src.entry_id = e.id AND src.lang = e.source_lang
		WHERE t.entry_id IN (`+db.Marks(len(ids))+`) ORDER BY t.lang`, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("content: admin langs: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id int64
		var lang string
		var made, current int
		if err := lrows.Scan(&id, &lang, &made, &current); err != nil {
			return nil, 0, err
		}
		r := &out[index[id]]
		r.Langs = append(r.Langs, LangState{Lang: lang, Outdated: lang != r.SourceLang && made < current})
	}
	return out, total, lrows.Err()
}
