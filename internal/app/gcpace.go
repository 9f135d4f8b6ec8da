package app

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// heapFloor is the heap the garbage collector lets the server reach
// before it collects, however little of it is live. With GOGC's default
// (100) a cycle starts each time the heap doubles its live part: at
// 100,000 entries about 20 MB are live, and cached pages, 4 KB allocated
// each (mostly by net/http), started 13 cycles a second at 60,000 pages a
// second. A request the network woke during a cycle's marking waited
// about eight times as long (p50, in the runtime's trace), and marking
// was under way a quarter of the time: the cached pages' tail latency
// (issue 23). Above twice the floor's live heap, GOGC's default applies,
// and the memory limit (softMemoryLimit) bounds both.
const heapFloor = 80 << 20

// paceCollector sets GOGC every second from the live heap so that a cycle
// starts at heapFloor or at twice the live heap, whichever is more,
// until ctx ends; an operator's GOGC is left alone.
func paceCollector(ctx context.Context) {
	if os.Getenv("GOGC") != "" {
		return
	}
	defer debug.SetGCPercent(100)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	set := 100
	for {
		metrics.Read(live)
		if p := gcPercent(live[0].Value.Uint64()); p != set {
			debug.SetGCPercent(p)
			set = p
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// gcPercent is the GOGC that starts a cycle at heapFloor when live bytes
// are live, and never less than the default; rounded down to a multiple
// of ten, so that a steady heap keeps its setting.
func gcPercent(live uint64) int {
	if live == 0 || live >= heapFloor/2 {
		return 100
	}
	p := int((heapFloor - live) * 100 / live)
	return p - p%10
}
