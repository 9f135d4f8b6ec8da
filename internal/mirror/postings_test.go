package mirror

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPruningAsPostingsGrow: a word's postings pruned to their best
// whenever they reach pruneAt, as the build does, keep the same entries
// as all of them pruned once at the end: a word in most entries lists the
// same results in the mirror's search either way.
func TestPruningAsPostingsGrow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{maxPostings, maxPostings + 1, pruneAt, 3*pruneAt + 17} {
		var all, grown []posting
		for id := int64(1); len(all) < n; id += 1 + r.Int64N(3) {
			p := newPosting(id, r.IntN(7) == 0)
			all = append(all, p)
			if grown = append(grown, p); len(grown) >= pruneAt {
				grown = bestPostings(grown)
			}
		}
		once := bestPostings(slices.Clone(all))
		grown = bestPostings(grown)
		if !slices.Equal(once, grown) {
			t.Errorf("%d postings: pruned as they grow, %d kept, differ from %d pruned once", n, len(grown), len(once))
		}
		if len(once) != min(n, maxPostings) || !slices.IsSortedFunc(once, byID) {
			t.Errorf("%d postings: %d kept, sorted %v", n, len(once), slices.IsSortedFunc(once, byID))
		}
		titles := 0
		for _, p := range all {
			if p.title() {
				titles++
			}
		}
		kept := 0
		for _, p := range once {
			if p.title() {
				kept++
			}
		}
		if kept != min(titles, maxPostings) {
			t.Errorf("%d postings: %d of %d in titles kept", n, kept, titles)
		}
	}
}

func byID(a, b posting) int { return cmp.Compare(a.id(), b.id()) }
