package content

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/i18n"
)

// places is an extension as a feature area writes one: events' place, a
// string, in a table of its own that goes with the entry. It cannot be
// the events package's, which imports content.
type places struct {
	loads   int   // LoadExtension calls
	failing error // SaveExtension fails with it when set
}

// withPlaces makes places' table and gives s the extension.
func withPlaces(t *testing.T, d *db.DB, s *Store) *places {
	t.Helper()
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE test_places (entry_id BIGINT PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE, place TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &places{}
	s.SetExtensions(p)
	return p
}

func (p *places) ExtensionName() string   { return "place" }
func (p *places) ExtendsKind(k Kind) bool { return k == Event }
func (p *places) EditorFields() FieldSet {
	return FieldSet{Legend: "entry.tags", Rows: [][]Field{{{Name: "place_name", Label: "entry.title", Max: 20}}}}
}

func (p *places) FormValues(v any) url.Values {
	s, _ := v.(string)
	return url.Values{"place_name": {s}}
}

func (p *places) ParseForm(form url.Values, errs FieldErrors) any {
	return strings.TrimSpace(form.Get("place_name"))
}

func (p *places) CheckExtension(v any, errs FieldErrors) {
	switch s, _ := v.(string); {
	case s == "":
		errs["place_name"] = "form.required"
	case utf8.RuneCountInString(s) > 20:
		errs["place_name"] = "form.too_long"
	}
}

func (p *places) SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error {
	if p.failing != nil {
		return p.failing
	}
	if v == nil {
		_, err := tx.ExecContext(ctx, `DELETE FROM test_places WHERE entry_id = ?`, entryID)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO test_places (entry_id, place) VALUES (?, ?)
		ON CONFLICT (entry_id) DO UPDATE SET place = excluded.place`, entryID, v.(string))
	return err
}

func (p *places) LoadExtension(ctx context.Context, q db.Querier, ids []int64) (map[int64]any, error) {
	p.loads++
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT entry_id, place FROM test_places WHERE entry_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]any{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, rows.Err()
}

func (p *places) ItemNote(l *i18n.Localizer, v any) template.HTML {
	return template.HTML(`<p class="meta">` + template.HTMLEscapeString(v.(string)) + `</p>`)
}

// An extension's value is saved with the entry, loaded with it and with
// listings (one query for a page), refused with the entry when its check
// fails, and removed when the entry changes kind or goes.
func TestExtensionSavedWithEntry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		p := withPlaces(t, d, s)
		rows := func() [3]int {
			return [3]int{countRows(t, d, "entries"), countRows(t, d, "translations"), countRows(t, d, "test_places")}
		}

		// Refused by its check: nothing is saved.
		_, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Event, Ext: map[string]any{"place": strings.Repeat("x", 21)}}, pub("en", "Long", "long"), 0)
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["place_name"] != "form.too_long" {
			t.Fatalf("SaveEntry with a value its check refuses: %v, want FieldErrors with place_name", err)
		}
		if _, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Event}, pub("en", "None", "none"), 0); !errors.As(err, &fe) || fe["place_name"] != "form.required" {
			t.Fatalf("SaveEntry without the value: %v, want form.required", err)
		}
		if r := rows(); r != [3]int{} {
			t.Fatalf("rows (entries, translations, places) %v after refused saves, want none", r)
		}

		// The extension's save fails: neither the entry nor its value stays.
		p.failing = errors.New("disk full")
		if _, err := s.SaveEntry(ctx, 0, EntryInput{Kind: Event, Ext: map[string]any{"place": "Lyon"}}, pub("en", "Fails", "fails"), 0); !errors.Is(err, p.failing) {
			t.Fatalf("SaveEntry with a failing extension: %v", err)
		}
		if r := rows(); r != [3]int{} {
			t.Fatalf("rows %v after a failed save, want none", r)
		}
		p.failing = nil

		var ids []int64
		for i, place := range []string{"Lyon", "Nairobi", "Quito"} {
			ids = append(ids, mustSave(t, s, 0, EntryInput{Kind: Event, Ext: map[string]any{"place": place}}, pub("en", "Event "+place, fmt.Sprintf("event-%d", i)), 0))
		}
		mustSave(t, s, 0, article, pub("en", "Article", "article"), 0)
		if e := mustEntry(t, s, ids[0]); e.Ext["place"] != "Lyon" {
			t.Errorf("Entry's Ext = %v, want Lyon", e.Ext)
		}
		p.loads = 0
		items, _, err := s.List(ctx, ListFilter{Lang: "en"}, 1, 10)
		if err != nil || len(items) != 4 {
			t.Fatalf("List = %v, %v", items, err)
		}
		if p.loads != 1 {
			t.Errorf("%d loads for a page of a listing, want 1", p.loads)
		}
		for _, it := range items {
			_, has := it.Ext["place"]
			if has != (it.Kind == Event) {
				t.Errorf("item %q: Ext %v", it.Title, it.Ext)
			}
		}
		s.noteItems(items, nil)
		for _, it := range items {
			if it.Kind == Event && (len(it.Notes) != 1 || !strings.Contains(string(it.Notes[0]), it.Ext["place"].(string))) {
				t.Errorf("item %q: notes %v", it.Title, it.Notes)
			}
		}

		// A change of kind removes the value; deleting the entry, the rows.
		mustSave(t, s, ids[0], EntryInput{Kind: Article}, pub("en", "Event Lyon", "event-0"), 0)
		if e := mustEntry(t, s, ids[0]); e.Ext != nil {
			t.Errorf("after becoming an article: Ext %v", e.Ext)
		}
		if _, err := s.DeleteEntry(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, d, "test_places"); n != 1 {
			t.Errorf("%d places left, want 1 (Quito's)", n)
		}
	})
}

// programme is places as an extension only the entry's page shows.
type programme struct{ *places }

func (programme) EntryPageOnly() {}

// An extension whose values only the entry's page shows costs listings
// no query, and its value is still on the entry.
func TestEntryPageOnlyExtensionNotLoadedForListings(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(d)
		p := withPlaces(t, d, s)
		s.SetExtensions(programme{p})
		id := mustSave(t, s, 0, EntryInput{Kind: Event, Ext: map[string]any{"place": "Lyon"}}, pub("en", "Event Lyon", "event-lyon"), 0)
		p.loads = 0
		items, _, err := s.List(ctx, ListFilter{Lang: "en"}, 1, 10)
		if err != nil || len(items) != 1 {
			t.Fatalf("List = %v, %v", items, err)
		}
		if p.loads != 0 || items[0].Ext["place"] != nil {
			t.Errorf("a listing loaded the entry-page-only extension: %d loads, Ext %v", p.loads, items[0].Ext)
		}
		if e := mustEntry(t, s, id); e.Ext["place"] != "Lyon" || p.loads != 1 {
			t.Errorf("the entry's own page: Ext %v after %d loads, want Lyon after 1", e.Ext, p.loads)
		}
	})
}
