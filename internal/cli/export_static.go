package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"peerpress/internal/mirror"
)

const exportHelp = `Writes the public site, every enabled language, as static files in DIR:
every entry, archive page, event listing and calendar, tribute wall and
slideshow, signatories' list, feed, sitemap, sharing image, the stylesheet
and scripts, and the media sizes the pages use. Links are relative and
folders hold index.html, so DIR works from any static host, from a USB
stick opened as files, and from an onion service. Forms (registration,
tributes, signing, search) are replaced by a notice in the page's language
with the live address (--base-url, required) and the onion address
(--onion-url), and nothing private or personal is exported.

DIR must be empty, missing, or a mirror written before. Run again, only
what changed since is rendered and only changed files are written
(DIR/.peerpress-mirror.json records the last export; --full renders
everything). Unchanged files keep their bytes and times, so
"rsync -a --delete --exclude .peerpress-mirror.json DIR/ host:site/"
sends only real changes. peerpress serve --mirror DIR keeps DIR up to
date after every change.`

// exportMemoryLimit is the Go runtime's soft memory limit during an export
// (debug.SetMemoryLimit), unless GOMEMLIMIT sets another. An export's live
// heap is small (125 MB at 20,000 entries in three languages: what the
// crawler knows of each page, the search index of one language) but it
// allocates fast, and with the default GOGC the heap grew to twice that
// before each collection, and the process kept the freed memory: 460 to
// 550 MB resident against the mirror's budget of 300 MB. Under the limit
// the collector runs when the heap nears it and returns what is freed.
// A site whose live heap nears the limit makes the collector run often
// (the runtime caps it at half the CPU); GOMEMLIMIT raises it.
const exportMemoryLimit = 200 << 20

// exportCmd runs `peerpress export static`.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "static" {
		fmt.Fprintln(stderr, "Usage: peerpress export static --out DIR [flags]   (peerpress export static --help says more)")
		return errUsage
	}
	fs := newFlagSet("export static --out DIR", stderr, exportHelp)
	config := configFlags(fs, false)
	out := fs.String("out", envDefault("PEERPRESS_MIRROR", ""), "the mirror's `folder` (PEERPRESS_MIRROR)")
	full := fs.Bool("full", false, "render every page, even when DIR holds a recent export")
	workers := fs.Int("workers", 0, "pages rendered at once; 0: two per CPU")
	cpuProfile := fs.String("cpu-profile", "", "write a CPU profile of the export to `file` (go tool pprof), for measuring it")
	memProfile := fs.String("mem-profile", "", "write a heap profile at the export's peak heap to `file` (go tool pprof), and the peak to stderr")
	cards := fs.Bool("entry-cards", false, "draw each entry's own sharing image (its title on the site's card) instead of sharing the site's; each costs the CPU of dozens of pages")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "peerpress: export static needs --out DIR")
		return errUsage
	}
	if *workers < 0 || *workers > 256 {
		fmt.Fprintln(stderr, "peerpress: --workers must be between 0 and 256")
		return errUsage
	}
	cfg := config()
	if cfg.BaseURL == "" {
		return errors.New("set --base-url (PEERPRESS_BASE_URL) to the live site's address: the mirror's notices lead to it")
	}
	a, closeDB, err := openSite(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *memProfile != "" {
		defer peakHeapProfile(*memProfile, stderr)()
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(exportMemoryLimit)
	}
	rep, err := mirror.Export(ctx, a.Mirror(), mirror.Options{Out: *out, Incremental: !*full, Workers: *workers, EntryCards: *cards})
	if err != nil {
		return err
	}
	how := "full"
	if rep.Incremental {
		how = "incremental"
	}
	fmt.Fprintf(stdout, "exported %s (%s): %d addresses rendered, %d files written, %d removed, in %s (%.0f pages/s)\n",
		*out, how, rep.Rendered, rep.Written, rep.Removed, rep.Took.Round(1e6), float64(rep.Rendered)/rep.Took.Seconds())
	if len(rep.Missing) > 0 {
		fmt.Fprintf(stdout, "%d links lead to no page (they are broken on the live site too), such as %s\n", len(rep.Missing), rep.Missing[0])
	}
	return nil
}

// startCPUProfile profiles the process into file until stop.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file) // #nosec G304 -- a file the operator named on the command line
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// peakHeapProfile writes a heap profile to file whenever the heap in use
// reaches a new high, until stop, which reports the peak on w: what
// holds the export's memory at its most.
func peakHeapProfile(file string, w io.Writer) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var peak runtime.MemStats
		for {
			select {
			case <-done:
				fmt.Fprintf(w, "peak heap in use %d MB (heap from the OS %d MB, returned %d MB, all from the OS %d MB); profile in %s\n",
					peak.HeapInuse>>20, peak.HeapSys>>20, peak.HeapReleased>>20, peak.Sys>>20, file)
				return
			case <-time.After(100 * time.Millisecond):
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.HeapInuse+peak.HeapInuse/20 {
				peak = m
				if f, err := os.Create(file); err == nil { // #nosec G304 -- a file the operator named on the command line
					pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}
