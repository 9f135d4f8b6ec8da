package content

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// TodoItem is an entry whose translation into a language is missing or
// behind its source.
type TodoItem struct {
	EntryID   int64
	Kind      Kind
	Title     string // in the source language
	Source    string // source language code
	Missing   bool
	UpdatedAt time.Time // when the source last changed
}

// TodoCount is how much translation a language is waiting for.
type TodoCount struct {
	Lang     i18n.Language
	Missing  int
	Outdated int
}

// todoFrom joins each entry's source (a draft's text is not settled, so
// nobody is asked to translate it yet) to its translation into the
// language asked for, if any; its arguments are that language twice.
const todoFrom = ` FROM entries e JOIN translations src ON src.entry_id = e.id AND src.lang = e.source_lang
	LEFT JOIN translations t ON t.entry_id = e.id AND t.lang = ?
	WHERE e.source_lang <> ? AND src.status <> 'draft'`

// TranslationTodo lists what lang is waiting for: missing translations
// and outdated ones, most recently changed sources first.
func (s *Store) TranslationTodo(ctx context.Context, lang string, limit int) ([]TodoItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.kind, src.title, e.source_lang, src.updated_at,
		CASE WHEN t.id IS NULL THEN 1 ELSE 0 END`+
		todoFrom+` AND (t.id IS NULL OR t.source_revision < src.revision)
		ORDER BY src.updated_at DESC, e.id DESC LIMIT ?`, lang, lang, limit)
	if err != nil {
		return nil, fmt.Errorf("content: translation todo: %w", err)
	}
	defer rows.Close()
	var out []TodoItem
	for rows.Next() {
		var it TodoItem
		var updated int64
		var missing int
		if err := rows.Scan(&it.EntryID, &it.Kind, &it.Title, &it.Source, &updated, &missing); err != nil {
			return nil, err
		}
		it.UpdatedAt, it.Missing = unix(updated), missing == 1
		out = append(out, it)
	}
	return out, rows.Err()
}

// TranslationCounts counts missing and outdated translations per language.
func (s *Store) TranslationCounts(ctx context.Context, langs []i18n.Language) ([]TodoCount, error) {
	out := make([]TodoCount, 0, len(langs))
	for _, l := range langs {
		c := TodoCount{Lang: l}
		err := s.db.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN t.id IS NOT NULL AND t.source_revision < src.revision THEN 1 ELSE 0 END), 0)`+
			todoFrom, l.Code, l.Code).Scan(&c.Missing, &c.Outdated)
		if err != nil {
			return nil, fmt.Errorf("content: translation counts: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// todoPage is the data of the "translations to do" page.
type todoPage struct {
	web.Page
	Counts []TodoCount
	Target *i18n.Language // the language whose list is shown
	Items  []TodoItem
}

// TranslationsTodo serves GET /admin/translations[?lang=xx]: counts per
// language the user may translate into, and the list for one of them.
func (a *Admin) TranslationsTodo(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	var langs []i18n.Language
	for _, l := range a.rd.I18n().Enabled() {
		if u.CanTranslate(l.Code) {
			langs = append(langs, l)
		}
	}
	counts, err := a.store.TranslationCounts(r.Context(), langs)
	if err != nil {
		return err
	}
	p := todoPage{Page: a.page(r, "admin.translations_todo"), Counts: counts}
	if code := r.URL.Query().Get("lang"); code != "" {
		l, ok := a.rd.I18n().Get(code)
		if !ok || !u.CanTranslate(code) {
			return web.NotFound()
		}
		p.Target = &l
		if p.Items, err = a.store.TranslationTodo(r.Context(), code, 500); err != nil {
			return err
		}
	}
	return a.rd.Render(w, http.StatusOK, a.tmpl["admin_todo"], p)
}

// sourceChanges shows what changed in the source text between two of its
// revisions, as HTML with <del> and <ins>, or "" when nothing did.
func sourceChanges(before, after string) template.HTML {
	if before == after {
		return ""
	}
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(before, after, false))
	var b strings.Builder
	for _, d := range diffs {
		text := template.HTMLEscapeString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			b.WriteString("<del>" + text + "</del>")
		case diffmatchpatch.DiffInsert:
			b.WriteString("<ins>" + text + "</ins>")
		default:
			b.WriteString(text)
		}
	}
	return template.HTML(b.String()) // #nosec G203 -- every piece of text was escaped above; only our <del> and <ins> are not
}
