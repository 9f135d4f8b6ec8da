package updates

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
)

// Update is an update entry's own fields: the entries it lists, in the
// editor's order, and the period they were first chosen from.
type Update struct {
	Picks    []int64
	From, To time.Time // zero: no period
}

// maxPicks is the most entries an update lists: a mail, not an archive.
const maxPicks = 40

// extName keys an update's fields in an entry's Ext.
const extName = "update"

// Of is the update's fields of e, if it has any.
func Of(e *content.Entry) (Update, bool) {
	u, ok := e.Ext[extName].(Update)
	return u, ok
}

// Fields give update entries their list of chosen entries in the
// entry's editor and transaction (content.Extension). Setting a period
// on an update with no entries chosen fills the list with what was
// published in it; the editor then reorders and trims it.
type Fields struct {
	db *db.DB
}

// ExtensionName names the fields.
func (Fields) ExtensionName() string { return extName }

// ExtendsKind is true for updates.
func (Fields) ExtendsKind(k content.Kind) bool { return k == Kind }

// EditorFields are the period and the list of entries.
func (f Fields) EditorFields() content.FieldSet {
	return content.FieldSet{Legend: "updates.editor.legend",
		Rows: [][]content.Field{{
			{Name: "update_from", Label: "updates.editor.from", Type: "date", Hint: "updates.editor.period_hint"},
			{Name: "update_to", Label: "updates.editor.to", Type: "date"},
		}},
		Lists: []content.FieldList{{Name: "update_pick", Legend: "updates.editor.picks", Hint: "updates.editor.picks_hint", Fields: []content.Field{
			{Name: "update_pick_entry", Label: "updates.editor.pick", Suggest: f.suggest, Max: 20},
		}}}}
}

// suggest offers the latest visible entries in the editor's language,
// by number and title.
func (f Fields) suggest(lang string) []content.Suggestion {
	if f.db == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := f.db.QueryContext(ctx, `SELECT t.entry_id, t.title FROM translations t JOIN entries e ON e.id = t.entry_id
		WHERE t.lang = ? AND t.status <> 'draft' AND t.publish_at <= ? AND e.kind NOT IN ('update', 'page')
		ORDER BY t.publish_at DESC, t.id DESC LIMIT 100`, lang, time.Now().Unix())
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []content.Suggestion
	for rows.Next() {
		var id int64
		var title string
		if rows.Scan(&id, &title) == nil {
			out = append(out, content.Suggestion{Value: strconv.FormatInt(id, 10), Label: title})
		}
	}
	return out
}

const dateForm = "2006-01-02"

// FormValues shows an update's fields as typed.
func (Fields) FormValues(v any) url.Values {
	out := url.Values{}
	u, ok := v.(Update)
	if !ok {
		return out
	}
	if !u.From.IsZero() {
		out.Set("update_from", u.From.UTC().Format(dateForm))
	}
	if !u.To.IsZero() {
		out.Set("update_to", u.To.UTC().AddDate(0, 0, -1).Format(dateForm))
	}
	for _, id := range u.Picks {
		out.Add("update_pick_entry", strconv.FormatInt(id, 10))
	}
	return out
}

// ParseForm reads the period (days, the end included) and the entries'
// numbers.
func (Fields) ParseForm(form url.Values, errs content.FieldErrors) any {
	var u Update
	if s := strings.TrimSpace(form.Get("update_from")); s != "" {
		t, err := time.Parse(dateForm, s)
		if err != nil {
			errs["update_from"] = "updates.error.date"
		}
		u.From = t
	}
	if s := strings.TrimSpace(form.Get("update_to")); s != "" {
		t, err := time.Parse(dateForm, s)
		if err != nil {
			errs["update_to"] = "updates.error.date"
		}
		u.To = t.AddDate(0, 0, 1) // the whole last day
	}
	for i, s := range form["update_pick_entry"] {
		s = strings.TrimSpace(s)
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			errs["update_pick_entry-"+strconv.Itoa(i+1)] = "updates.error.pick"
			continue
		}
		u.Picks = append(u.Picks, id)
	}
	return u
}

// CheckExtension checks an Update wherever it came from.
func (Fields) CheckExtension(v any, errs content.FieldErrors) {
	u, ok := v.(Update)
	if !ok {
		return
	}
	if !u.From.IsZero() && !u.To.IsZero() && !u.From.Before(u.To) && errs["update_to"] == "" {
		errs["update_to"] = "updates.error.period"
	}
	if len(u.Picks) > maxPicks && errs["update_pick_entry-1"] == "" {
		errs["update_pick_entry-1"] = "updates.error.too_many"
	}
}

// SaveExtension stores the update's fields in the entry's transaction.
// With a period and no entries chosen, the list is filled with the
// entries published in the period, oldest first.
func (Fields) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	u, ok := v.(Update)
	if !ok {
		_, err := tx.ExecContext(ctx, `DELETE FROM updates WHERE entry_id = ?`, entryID)
		return err
	}
	if len(u.Picks) == 0 && !u.From.IsZero() && !u.To.IsZero() {
		picks, err := publishedIn(ctx, tx, entryID, u.From, u.To)
		if err != nil {
			return err
		}
		u.Picks = picks
	}
	ids := make([]string, 0, len(u.Picks))
	seen := map[int64]bool{}
	for _, id := range u.Picks {
		if !seen[id] && id != entryID {
			seen[id] = true
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO updates (entry_id, picks, period_from, period_to) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET picks = excluded.picks, period_from = excluded.period_from, period_to = excluded.period_to`,
		entryID, strings.Join(ids, ","), unix(u.From), unix(u.To))
	return err
}

// publishedIn lists the entries (not updates, not pages) whose source
// translation was published in [from, to), oldest first.
func publishedIn(ctx context.Context, q db.Querier, self int64, from, to time.Time) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id FROM entries e JOIN translations t ON t.entry_id = e.id AND t.lang = e.source_lang
		WHERE t.status <> 'draft' AND t.publish_at >= ? AND t.publish_at < ? AND e.kind NOT IN ('update', 'page') AND e.id <> ?
		ORDER BY t.publish_at, e.id LIMIT ?`, from.Unix(), to.Unix(), self, maxPicks)
	if err != nil {
		return nil, fmt.Errorf("updates: entries of the period: %w", err)
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

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// LoadExtension reads the updates' fields in one query.
func (Fields) LoadExtension(ctx context.Context, q db.Querier, ids []int64) (map[int64]any, error) {
	out := map[int64]any{}
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := db.InList(ids)
	rows, err := q.QueryContext(ctx, `SELECT entry_id, picks, period_from, period_to FROM updates WHERE entry_id IN (`+marks+`)`, args...) // #nosec G202 -- placeholders only
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, from, to int64
		var picks string
		if err := rows.Scan(&id, &picks, &from, &to); err != nil {
			return nil, err
		}
		u := Update{From: fromUnix(from), To: fromUnix(to)}
		for _, s := range strings.Split(picks, ",") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				u.Picks = append(u.Picks, n)
			}
		}
		out[id] = u
	}
	return out, rows.Err()
}

// loadUpdate reads one update's fields (an update saved with none has
// an empty list).
func loadUpdate(ctx context.Context, q db.Querier, entryID int64) (Update, error) {
	vs, err := Fields{}.LoadExtension(ctx, q, []int64{entryID})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Update{}, err
	}
	u, _ := vs[entryID].(Update)
	return u, nil
}

// Ext is an update's fields as content.EntryInput carries them.
func Ext(u Update) map[string]any { return map[string]any{extName: u} }
