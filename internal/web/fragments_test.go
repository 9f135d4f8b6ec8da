package web

import (
	"testing"
	"time"
)

// A value is served only while the change count it was read at is the
// database's; a value read before a write is not kept; a full cache
// starts again, so it never holds more than its bound.
func TestFragments(t *testing.T) {
	changes := int64(7)
	f := NewFragments[string, int](func() int64 { return changes }, 3)
	if _, ok := f.Get("a"); ok {
		t.Fatal("an empty cache has a value")
	}
	at := f.Version()
	f.Put(at, "a", 1)
	if v, ok := f.Get("a"); !ok || v != 1 {
		t.Fatalf("kept a: %d %v", v, ok)
	}
	changes++ // a write
	if _, ok := f.Get("a"); ok {
		t.Error("a value read before a write is served after it")
	}
	// Read before the write, put after it: not kept.
	f.Put(at, "b", 2)
	if _, ok := f.Get("b"); ok {
		t.Error("a value read before a write was kept")
	}
	at = f.Version()
	for i, k := range []string{"c", "d", "e"} {
		f.Put(at, k, i)
	}
	if len(f.m) > 3 {
		t.Errorf("%d values kept, at most 3", len(f.m))
	}
	f.Put(at, "g", 9)
	if len(f.m) > 3 {
		t.Errorf("%d values kept after a fourth, at most 3", len(f.m))
	}
	if v, ok := f.Get("g"); !ok || v != 9 {
		t.Errorf("the newest value was not kept: %d %v", v, ok)
	}
	// No value outlives maxFragmentAge, written or not.
	clock := time.Now()
	f.now = func() time.Time { return clock }
	f.Put(f.Version(), "h", 1)
	clock = clock.Add(maxFragmentAge + time.Second)
	if _, ok := f.Get("h"); ok {
		t.Error("a value was served after maxFragmentAge")
	}
	f.Put(f.Version(), "i", 2)
	if v, ok := f.Get("i"); !ok || v != 2 {
		t.Errorf("a value kept after the age ran out: %d %v", v, ok)
	}
}
