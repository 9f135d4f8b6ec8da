package content

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"peerpress/internal/db"
)

// rowsExt is an extension with one list of two fields, for the editor's
// handling of rows.
type rowsExt struct{}

func (rowsExt) ExtensionName() string                                   { return "rows" }
func (rowsExt) ExtendsKind(k Kind) bool                                 { return k == Event }
func (rowsExt) FormValues(any) url.Values                               { return url.Values{} }
func (rowsExt) CheckExtension(any, FieldErrors)                         {}
func (rowsExt) ParseForm(url.Values, FieldErrors) any                   { return nil }
func (rowsExt) SaveExtension(context.Context, *db.Tx, int64, any) error { return nil }
func (rowsExt) LoadExtension(context.Context, db.Querier, []int64) (map[int64]any, error) {
	return nil, nil
}
func (rowsExt) EditorFields() FieldSet {
	return FieldSet{Legend: "x", Lists: []FieldList{{Name: "item", Legend: "x", Fields: []Field{
		{Name: "item_name", Label: "x"}, {Name: "item_kind", Label: "x", Type: "select"}}}}}
}

// Rows come to the extension in the order their positions give, without
// the removed ones and those where nothing was typed (a select always
// has a value, so it does not count).
func TestListRowsOrdered(t *testing.T) {
	form := url.Values{
		"item_name":   {"first", "second", "", "third", "removed"},
		"item_kind":   {"a", "b", "a", "c", "a"},
		"item_pos":    {"3", "1", "2", "x", "1"},
		"item_remove": {"4"},
	}
	got := extValues([]Extension{rowsExt{}}, form)
	// An unreadable position keeps the row's place (4th).
	want := url.Values{"item_name": {"second", "first", "third"}, "item_kind": {"b", "a", "c"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := extValues([]Extension{rowsExt{}}, url.Values{"item_kind": {"a", "a"}, "item_pos": {"1", "2"}}); len(got) != 0 {
		t.Fatalf("rows with nothing typed: %v", got)
	}

	// The editor shows the rows, then spare ones, then those "more rows"
	// asked for, each field numbered by row.
	views := extensionViews([]Extension{rowsExt{}}, Event, want, "en", nil, moreRows)
	rows := views[0].Lists[0].Rows
	if len(rows) != 3+spareRows+moreRows || rows[1][0].ID != "item_name-2" || rows[1][0].Value != "first" || rows[4][0].Value != "" {
		t.Fatalf("rows: %d, %+v", len(rows), rows[1][0])
	}
	if hidden := extensionViews([]Extension{rowsExt{}}, Article, want, "en", nil, 0)[0]; !hidden.Hidden || hidden.Kinds != "event" {
		t.Fatalf("for an article: %+v", hidden)
	}
}
