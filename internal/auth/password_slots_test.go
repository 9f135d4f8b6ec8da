package auth

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// However many sign-ins arrive at once, at most one Argon2 hash per core
// runs: the memory they take is bounded (19 MiB each).
func TestHashesBounded(t *testing.T) {
	hash, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var peak atomic.Int32
	stop := make(chan struct{})
	go func() { // watch the slots in use while the checks run
		for {
			select {
			case <-stop:
				return
			default:
				if n := int32(len(hashSlots)); n > peak.Load() {
					peak.Store(n)
				}
			}
		}
	}()
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
				t.Errorf("check: %v %v", ok, err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if p := int(peak.Load()); p > runtime.NumCPU() || p == 0 {
		t.Fatalf("%d hashes at once on %d cores", p, runtime.NumCPU())
	}
}
