package backup_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"peerpress/internal/backup"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/media"
)

// heapPeak samples the live heap every millisecond until stop, and
// returns the highest it saw above where it started.
func heapPeak(stop <-chan struct{}) func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { wg.Wait(); return peak.Load() }
}

// BenchmarkBackupMemory backs up a PostgreSQL database of 8 and of 32 MB
// of rows and reports the heap the backup took at its peak: flat with
// the data's size, since the dump goes out in pieces of 1 MiB.
func BenchmarkBackupMemory(b *testing.B) {
	for _, mb := range []int{8, 32} {
		b.Run(fmt.Sprintf("postgres-%dMB", mb), func(b *testing.B) {
			d := dbtest.NewPostgres(b)
			ctx := context.Background()
			value := strings.Repeat("x", 1000)
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				for i := range mb * 1000 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprintf("bench.%07d", i), value); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			id, _ := age.GenerateX25519Identity()
			site := backup.Site{DB: d, Blobs: media.Dir(b.TempDir()), SiteKey: "k"}
			var peak uint64
			b.ResetTimer()
			for range b.N {
				stop := make(chan struct{})
				measured := heapPeak(stop)
				if _, err := backup.Write(ctx, site, id.Recipient().String(), io.Discard); err != nil {
					b.Fatal(err)
				}
				close(stop)
				peak = max(peak, measured())
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
