package content

import (
	"context"
	"fmt"
	"html/template"
	"net/url"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// An Extension adds fields of its own to entries of some kinds, kept in
// a feature area's tables: an event's time and place. The editor shows
// its fields with the entry's own and checks them together; SaveEntry
// saves them in the entry's transaction whoever calls it (the editor, the
// API, an import), so an entry and its fields are saved together or not
// at all. The area's rows go with the entry through their foreign key.
//
// A value is the extension's own type; content only carries it, in
// EntryInput.Ext, Entry.Ext and Item.Ext, under the extension's name.
type Extension interface {
	// ExtensionName keys the extension's values; no two extensions
	// share one.
	ExtensionName() string
	// ExtendsKind reports whether entries of kind k have the fields.
	ExtendsKind(k Kind) bool
	// EditorFields describes the fields in the entry editor.
	EditorFields() FieldSet
	// FormValues is v as the editor's fields show it; v nil gives a new
	// entry's defaults.
	FormValues(v any) url.Values
	// ParseForm reads the fields as typed into a value; what cannot be
	// read goes into errs as message keys by field. CheckExtension
	// checks the rest.
	ParseForm(form url.Values, errs FieldErrors) any
	// CheckExtension checks a value, nil when none was given, wherever
	// it came from; problems go into errs as message keys by field name,
	// and a field already in errs keeps its key.
	CheckExtension(v any, errs FieldErrors)
	// SaveExtension stores v for the entry in the entry's transaction;
	// v nil removes what the extension keeps for it (it changed kind).
	SaveExtension(ctx context.Context, tx *db.Tx, entryID int64, v any) error
	// LoadExtension reads the values of entries in one query: for an
	// entry, and for a page of a listing. Entries with none are left out.
	LoadExtension(ctx context.Context, q db.Querier, entryIDs []int64) (map[int64]any, error)
}

// An ItemNoter is an Extension that adds a line of its own under listed
// entries' titles, in the listing's language: when an event starts.
type ItemNoter interface {
	ItemNote(l *i18n.Localizer, v any) template.HTML
}

// An EntryPageOnly Extension's values are shown on the entry's own page
// and nowhere in a listing (an event's programme, its questions for
// registrants): listings, the home page and feeds do not load them. Each
// extension loaded for a listing is a query on every listing page that
// shows an entry of its kind, and a round trip on PostgreSQL (issue 23).
// An extension that does not say so is loaded everywhere.
type EntryPageOnly interface {
	EntryPageOnly()
}

// A Warner is an Extension with advice for the editor that does not stop
// a save: an event set in the past. The editor shows it above the
// extension's fields, as typed or as saved.
type Warner interface {
	Warnings(v any) []i18n.Msg
}

// SetExtensions names the extensions entries have: SaveEntry saves their
// values, Entry and the listings load them, the editor shows their fields.
// It panics when two share a name, which is a mistake in the build.
func (s *Store) SetExtensions(xs ...Extension) {
	seen := map[string]bool{}
	for _, x := range xs {
		if seen[x.ExtensionName()] {
			panic("content: two extensions named " + x.ExtensionName())
		}
		seen[x.ExtensionName()] = true
	}
	s.exts.Store(&xs)
}

// Extensions lists the extensions entries have (SetExtensions).
func (s *Store) Extensions() []Extension {
	if xs := s.exts.Load(); xs != nil {
		return *xs
	}
	return nil
}

// CheckExtensions checks the values of the extensions of in's kind; an
// extension's problems go into errs as message keys by field. SaveEntry
// checks them too, so no path saves what the editor would refuse.
func (s *Store) CheckExtensions(in EntryInput, errs FieldErrors) {
	for _, x := range s.Extensions() {
		if x.ExtendsKind(in.Kind) {
			x.CheckExtension(in.Ext[x.ExtensionName()], errs)
		}
	}
}

// saveExtensions saves each extension's value for the entry, or removes
// what extensions of other kinds keep for it.
func (s *Store) saveExtensions(ctx context.Context, tx *db.Tx, entryID int64, in EntryInput) error {
	for _, x := range s.Extensions() {
		var v any
		if x.ExtendsKind(in.Kind) {
			v = in.Ext[x.ExtensionName()]
		}
		if err := x.SaveExtension(ctx, tx, entryID, v); err != nil {
			return fmt.Errorf("%s: %w", x.ExtensionName(), err)
		}
	}
	return nil
}

// loadExtensions fills e.Ext.
func (s *Store) loadExtensions(ctx context.Context, e *Entry) error {
	for _, x := range s.Extensions() {
		if !x.ExtendsKind(e.Kind) {
			continue
		}
		vs, err := x.LoadExtension(ctx, s.db, []int64{e.ID})
		if err != nil {
			return fmt.Errorf("content: entry %d: %s: %w", e.ID, x.ExtensionName(), err)
		}
		if v, ok := vs[e.ID]; ok {
			if e.Ext == nil {
				e.Ext = map[string]any{}
			}
			e.Ext[x.ExtensionName()] = v
		}
	}
	return nil
}

// annotate fills the items' Ext: one query per extension for the whole
// list, not one per item, and none for an EntryPageOnly extension.
func (s *Store) annotate(ctx context.Context, items []Item) error {
	for _, x := range s.Extensions() {
		if _, ok := x.(EntryPageOnly); ok {
			continue
		}
		// Values no write has changed since a page read them are kept
		// (fragments.go); only the others are read.
		name, kept := x.ExtensionName(), s.fragments.exts
		at := kept.Version()
		var ids []int64
		vs := map[int64]any{}
		for _, it := range items {
			if !x.ExtendsKind(it.Kind) {
				continue
			}
			if v, ok := kept.Get(extKey{name, it.EntryID}); ok {
				if _, none := v.(noExt); !none {
					vs[it.EntryID] = v
				}
				continue
			}
			ids = append(ids, it.EntryID)
		}
		if len(ids) > 0 {
			read, err := x.LoadExtension(ctx, s.db, ids)
			if err != nil {
				return fmt.Errorf("content: list: %s: %w", name, err)
			}
			for _, id := range ids {
				v, ok := read[id]
				if !ok {
					kept.Put(at, extKey{name, id}, noExt{})
					continue
				}
				vs[id] = v
				kept.Put(at, extKey{name, id}, v)
			}
		}
		for i := range items {
			if v, ok := vs[items[i].EntryID]; ok {
				if items[i].Ext == nil {
					items[i].Ext = map[string]any{}
				}
				items[i].Ext[name] = v
			}
		}
	}
	return nil
}

// noteItems adds the extensions' lines to listed items, in l's language.
func (s *Store) noteItems(items []Item, l *i18n.Localizer) {
	for _, x := range s.Extensions() {
		n, ok := x.(ItemNoter)
		if !ok {
			continue
		}
		for i := range items {
			if v, ok := items[i].Ext[x.ExtensionName()]; ok {
				if html := n.ItemNote(l, v); html != "" {
					items[i].Notes = append(items[i].Notes, html)
				}
			}
		}
	}
}
