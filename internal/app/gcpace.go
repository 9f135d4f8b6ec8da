package app

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// heapFloor is the heap the garbage collector lets the server reach
// before it collects, however little of it is live. With GOGC's default
// (100) a cycle starts each time the heap doubles its live part: at
// 100,000 entries about 20 MB are live, and cached pages, 4 KB allocated
// each (mostly by net/http), started 20 cycles per 100,000 pages. A
// request the network woke during a cycle's marking waited several times
// as long (in the runtime's trace), and marking was under way a quarter
// of the time: the cached pages' tail latency (issue 23). Above half the
// floor live, GOGC's default applies, and the memory limit
// (softMemoryLimit) bounds both.
const heapFloor = 64 << 20

// paceCollector sets GOGC after every cycle from the live heap it found,
// so that the next cycle starts at heapFloor or at twice the live heap,
// whichever is more, until ctx ends; an operator's GOGC is left alone.
// After each cycle, not on a clock: a GOGC worked out for a smaller live
// heap would let a larger one grow past the floor.
func paceCollector(ctx context.Context) {
	if os.Getenv("GOGC") != "" {
		return
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := 100
	var after func()
	after = func() {
		if ctx.Err() != nil {
			debug.SetGCPercent(100)
			return
		}
		metrics.Read(live)
		if p := gcPercent(live[0].Value.Uint64()); p != set {
			debug.SetGCPercent(p)
			set = p
		}
		afterNextCycle(after)
	}
	after()
}

// afterNextCycle runs f once the collector has found an object unreachable,
// that is after the next cycle.
func afterNextCycle(f func()) {
	sentinel := new([16]byte) // not a tiny allocation, which a cleanup may outlive
	runtime.AddCleanup(sentinel, func(func()) { f() }, f)
}

// gcPercent is the GOGC that starts a cycle at heapFloor when live bytes
// are live, and never less than the default; rounded down to a multiple
// of ten, so that a steady heap keeps its setting.
func gcPercent(live uint64) int {
	if live == 0 || live >= heapFloor/2 {
		return 100
	}
	live = max(live, heapFloor>>10)           // a GOGC of at most 102,300
	p := int((heapFloor - live) * 100 / live) // #nosec G115 -- at most 102,300 (live is at least heapFloor/1024)
	return p - p%10
}
