package app

import "testing"

// The collector's pace: a small live heap waits for heapFloor, a large one
// keeps GOGC's default, and a nearly empty one gets a bounded GOGC.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{20 << 20, 220},      // 64 MB is 3.2 × 20 MB: +220 %
		{heapFloor / 2, 100}, // half the floor and more: the default
		{200 << 20, 100},     // far above: the default
		{1, 102300},          // a live heap of a byte: bounded
		{heapFloor >> 10, 102300},
	} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("gcPercent(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
