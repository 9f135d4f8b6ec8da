package content

import (
	"slices"
	"testing"
)

// A feature area brings its kind of entry by registering it; the registry
// refuses clashes and kinds the database would not store.
func TestRegisterKind(t *testing.T) {
	kinds.Lock()
	saved := slices.Clone(kinds.specs)
	kinds.Unlock()
	t.Cleanup(func() {
		kinds.Lock()
		kinds.specs = saved
		kinds.Unlock()
	})

	if Kind("call").Valid() {
		t.Fatal("call is a kind before any area registered it")
	}
	if err := RegisterKind(KindSpec{Kind: "call", Segment: "calls"}); err != nil {
		t.Fatal(err)
	}
	if err := RegisterKind(KindSpec{Kind: "call", Segment: "calls"}); err != nil {
		t.Fatalf("registering the same kind again: %v", err)
	}
	if !Kind("call").Valid() || Kind("call").Segment() != "calls" || Kinds()[len(Kinds())-1] != "call" {
		t.Fatalf("call after registering: valid %v, segment %q, kinds %v", Kind("call").Valid(), Kind("call").Segment(), Kinds())
	}
	for _, bad := range []KindSpec{
		{Kind: "call", Segment: "open-calls"},   // the kind again, elsewhere
		{Kind: "update", Segment: "articles"},   // another kind's address
		{Kind: "podcast", Segment: "podcasts"},  // the entries table refuses it
		{Kind: "Update", Segment: "updates"},    // not a name
		{Kind: "update", Segment: "../updates"}, // not a segment
	} {
		if err := RegisterKind(bad); err == nil {
			t.Errorf("RegisterKind(%+v) succeeded", bad)
		}
	}
	if Kind("podcast").Valid() || Kind("update").Valid() {
		t.Error("a refused kind was registered")
	}
}
