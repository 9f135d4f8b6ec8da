package content

import (
	"fmt"
	"regexp"
	"slices"
	"sync"
)

// KindSpec describes a kind of entry.
type KindSpec struct {
	Kind Kind
	// Segment is the URL segment of the kind's archive and entries,
	// /{lang}/{segment}/{slug}; "" only for pages, at /{lang}/{slug}.
	Segment string
}

// kinds is the registry of kinds: the spine's, in menu order, then those
// feature areas register. Kinds are read on every request and registered
// only while the site is built, hence the lock.
var kinds = struct {
	sync.RWMutex
	specs []KindSpec
}{specs: []KindSpec{
	{Article, "articles"},
	{Event, "events"},
	{Publication, "publications"},
	{Statement, "statements"},
	{Campaign, "campaigns"},
	{Page, ""},
}}

var kindName = regexp.MustCompile(`^[a-z][a-z_]{1,30}$`)

// RegisterKind adds a kind of entry, after those already known: a feature
// area that brings one (a call, a members' update) registers it when it
// is built, with its messages kind.<kind>, kind.<kind>.plural in its
// catalog. Registering the same kind again is allowed (sites are built
// more than once in tests); a kind or a segment another kind has is an
// error, as is a kind the database does not accept.
func RegisterKind(spec KindSpec) error {
	if !kindName.MatchString(string(spec.Kind)) || !kindName.MatchString(spec.Segment) {
		return fmt.Errorf("content: kind %q with segment %q: want lowercase names", spec.Kind, spec.Segment)
	}
	if !slices.Contains(storableKinds, spec.Kind) {
		return fmt.Errorf("content: kind %q: the entries table does not accept it; add it in a migration", spec.Kind)
	}
	kinds.Lock()
	defer kinds.Unlock()
	for _, s := range kinds.specs {
		switch {
		case s == spec:
			return nil
		case s.Kind == spec.Kind || s.Segment == spec.Segment:
			return fmt.Errorf("content: kind %q with segment %q clashes with %q at %q", spec.Kind, spec.Segment, s.Kind, s.Segment)
		}
	}
	kinds.specs = append(kinds.specs, spec)
	return nil
}

// storableKinds are the kinds the entries table's CHECK constraint
// accepts (migration 0001).
var storableKinds = []Kind{Article, Event, Publication, Statement, Campaign, "call", "update", Page}

// Kinds lists the kinds an editor can create, in menu order.
func Kinds() []Kind {
	kinds.RLock()
	defer kinds.RUnlock()
	out := make([]Kind, len(kinds.specs))
	for i, s := range kinds.specs {
		out[i] = s.Kind
	}
	return out
}

// Segment is the kind's URL segment, "" for pages (and unknown kinds).
func (k Kind) Segment() string {
	kinds.RLock()
	defer kinds.RUnlock()
	for _, s := range kinds.specs {
		if s.Kind == k {
			return s.Segment
		}
	}
	return ""
}

// Valid reports whether k is a kind an editor can create.
func (k Kind) Valid() bool {
	kinds.RLock()
	defer kinds.RUnlock()
	return slices.ContainsFunc(kinds.specs, func(s KindSpec) bool { return s.Kind == k })
}
