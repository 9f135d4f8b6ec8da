package media_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/jobs"
	"peerpress/internal/media"
)

// hookedBlobs is a Dir whose Copy and Delete can fail or look around
// first, and which records the calls made to them.
type hookedBlobs struct {
	media.Blobs
	mu        sync.Mutex
	calls     []string          // "copy FROM TO", "delete KEY"
	onCopy    func(n int) error // before the nth call; an error fails the copy
	afterCopy func(n int)       // after the nth call, a successful copy
	onDelete  func(key string) error
}

func (h *hookedBlobs) Copy(ctx context.Context, from, to string) error {
	h.mu.Lock()
	h.calls = append(h.calls, "copy "+from+" "+to)
	n := len(h.calls)
	before, after := h.onCopy, h.afterCopy
	h.mu.Unlock()
	if before != nil {
		if err := before(n); err != nil {
			return err
		}
	}
	if err := h.Blobs.Copy(ctx, from, to); err != nil {
		return err
	}
	if after != nil {
		after(n)
	}
	return nil
}

func (h *hookedBlobs) Delete(ctx context.Context, key string) error {
	h.mu.Lock()
	h.calls = append(h.calls, "delete "+key)
	hook := h.onDelete
	h.mu.Unlock()
	if hook != nil {
		if err := hook(key); err != nil {
			return err
		}
	}
	return h.Blobs.Delete(ctx, key)
}

// rekeyFixture is a stored photo with its three sizes, in a store over a
// hookedBlobs.
type rekeyFixture struct {
	s     *media.Store
	blobs *hookedBlobs
	q     *jobs.Queue
	root  string
	m     media.Media // before any rekey
	urls  []string    // its addresses
	files []string    // the files under root
}

func newRekeyFixture(t *testing.T, d *db.DB) *rekeyFixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), "media")
	f := &rekeyFixture{blobs: &hookedBlobs{Blobs: media.Dir(root)}, q: jobs.New(d), root: root}
	f.s = media.NewStore(d, f.blobs)
	f.s.Register(f.q)
	m, err := f.s.SaveImage(context.Background(), bytes.NewReader(encodeJPEG(t, quadrants(2000, 1000))), "A crowd", "en", media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	runJobs(t, f.q)
	if f.m, err = f.s.ByID(context.Background(), m.ID); err != nil || len(f.m.Variants) != len(media.VariantWidths) {
		t.Fatalf("photo: %+v, %v", f.m, err)
	}
	f.urls = []string{f.m.URL()}
	for _, v := range f.m.Variants {
		f.urls = append(f.urls, v.URL())
	}
	f.files = filesUnder(t, root)
	f.blobs.calls = nil
	return f
}

// status returns the status each address answers with.
func (f *rekeyFixture) status(t *testing.T, urls []string) []int {
	t.Helper()
	var out []int
	for _, u := range urls {
		out = append(out, get(t, f.s.Handler(), "GET", u).Code)
	}
	return out
}

// unchanged fails unless the photo is as it was: same rows, same files,
// served at the same addresses.
func (f *rekeyFixture) unchanged(t *testing.T) {
	t.Helper()
	got, err := f.s.ByID(context.Background(), f.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != f.m.Path || !slices.Equal(got.Variants, f.m.Variants) {
		t.Errorf("rows changed: %+v", got)
	}
	if files := filesUnder(t, f.root); !slices.Equal(files, f.files) {
		t.Errorf("files %q, want %q", files, f.files)
	}
	if st := f.status(t, f.urls); slices.ContainsFunc(st, func(c int) bool { return c != 200 }) {
		t.Errorf("addresses answer %v, want 200s", st)
	}
}

func allAre(codes []int, want int) bool {
	return !slices.ContainsFunc(codes, func(c int) bool { return c != want })
}

// Rekey copies every file before it deletes any, and deletes an old file
// only once the database names the new one: a crash at any moment leaves
// every row with its file.
func TestRekeyDeletesOldFilesOnlyAfterCommit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newRekeyFixture(t, d)
		old := map[string]bool{f.m.Path: true}
		for _, v := range f.m.Variants {
			old[v.Path] = true
		}
		f.blobs.onDelete = func(key string) error {
			if !old[key] {
				t.Errorf("deleted %s, which is not an old file", key)
			}
			var n int
			if err := d.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM media WHERE path = ?) + (SELECT COUNT(*) FROM media_variants WHERE path = ?)`, key, key).Scan(&n); err != nil || n != 0 {
				t.Errorf("deleted %s while a row still names it (%d, %v)", key, n, err)
			}
			return nil
		}
		if err := f.s.Rekey(ctx, f.m.ID); err != nil {
			t.Fatal(err)
		}
		var copies, deletes int
		for i, c := range f.blobs.calls {
			switch {
			case strings.HasPrefix(c, "copy "):
				copies++
				if deletes > 0 {
					t.Errorf("call %d, %q, came after a delete: %q", i, c, f.blobs.calls)
				}
			case strings.HasPrefix(c, "delete "):
				deletes++
			}
		}
		if copies != 4 || deletes != 4 {
			t.Errorf("%d copies and %d deletes, want 4 and 4: %q", copies, deletes, f.blobs.calls)
		}
		if st := f.status(t, f.urls); !allAre(st, 404) {
			t.Errorf("old addresses answer %v, want 404s", st)
		}
		after, err := f.s.ByID(ctx, f.m.ID)
		if err != nil {
			t.Fatal(err)
		}
		urls := []string{after.URL()}
		for _, v := range after.Variants {
			urls = append(urls, v.URL())
		}
		if st := f.status(t, urls); !allAre(st, 200) {
			t.Errorf("new addresses answer %v, want 200s", st)
		}
		if files := filesUnder(t, f.root); len(files) != 4 {
			t.Errorf("files after rekey: %q, want the photo and its 3 sizes", files)
		}
		// The job enqueued with the rows' change finds nothing left to do.
		f.blobs.onDelete = nil
		runJobs(t, f.q)
		if st := f.status(t, urls); !allAre(st, 200) {
			t.Errorf("after the job, new addresses answer %v", st)
		}
	})
}

// A copy that fails leaves the photo as it was, without stray copies.
func TestRekeyFailedCopyChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		f := newRekeyFixture(t, d)
		f.blobs.onCopy = func(n int) error {
			if n == 3 {
				return errors.New("bucket unreachable")
			}
			return nil
		}
		if err := f.s.Rekey(context.Background(), f.m.ID); err == nil || !strings.Contains(err.Error(), "bucket unreachable") {
			t.Fatalf("Rekey: %v, want the copy's failure", err)
		}
		f.unchanged(t)
	})
}

// A database change that fails leaves the photo as it was, without stray
// copies.
func TestRekeyFailedUpdateChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := newRekeyFixture(t, d)
		// The request goes away after the last copy: the transaction
		// cannot start.
		f.blobs.afterCopy = func(n int) {
			if n == 4 {
				cancel()
			}
		}
		if err := f.s.Rekey(ctx, f.m.ID); !errors.Is(err, context.Canceled) {
			t.Fatalf("Rekey: %v, want context.Canceled", err)
		}
		f.unchanged(t)
	})
}

// When old files cannot be deleted at once, Rekey says so, and the job
// enqueued with the rows' change deletes them later: the old addresses
// do not stay alive.
func TestRekeyOldFilesLeftAreDeletedByTheJob(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newRekeyFixture(t, d)
		f.blobs.onDelete = func(string) error { return errors.New("bucket unreachable") }
		if err := f.s.Rekey(ctx, f.m.ID); err == nil {
			t.Fatal("Rekey succeeded though no old file could be deleted")
		}
		after, err := f.s.ByID(ctx, f.m.ID)
		if err != nil || after.Path == f.m.Path {
			t.Fatalf("after: %+v, %v; want the rows moved", after, err)
		}
		if st := f.get(t, after.URL()); st != 200 {
			t.Errorf("new address: %d", st)
		}
		runJobs(t, f.q) // still failing: the job is kept for a retry
		if st := f.get(t, f.m.URL()); st != 200 {
			t.Fatalf("old address while deletes fail: %d, want still 200", st)
		}
		f.blobs.onDelete = nil
		retryJobs(t, d, f.q)
		if st := f.status(t, f.urls); !allAre(st, 404) {
			t.Errorf("after the job, old addresses answer %v, want 404s", st)
		}
		if st := f.get(t, after.URL()); st != 200 {
			t.Errorf("after the job, new address: %d", st)
		}
		if files := filesUnder(t, f.root); len(files) != 4 {
			t.Errorf("files: %q, want the photo and its 3 sizes", files)
		}

		// Delete is covered the same way.
		f.blobs.onDelete = func(string) error { return errors.New("bucket unreachable") }
		if err := f.s.Delete(ctx, f.m.ID); err == nil {
			t.Fatal("Delete succeeded though no file could be deleted")
		}
		if _, err := f.s.ByID(ctx, f.m.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("row after Delete: %v", err)
		}
		f.blobs.onDelete = nil
		retryJobs(t, d, f.q)
		if files := filesUnder(t, f.root); len(files) != 0 {
			t.Errorf("files after the job: %q", files)
		}
	})
}

// A photo deleted while it is being rekeyed leaves no file behind: the
// copies its rows never named are deleted too.
func TestRekeyRacingDeleteLeavesNoFile(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newRekeyFixture(t, d)
		f.blobs.afterCopy = func(n int) {
			if n == 4 {
				if err := f.s.Delete(ctx, f.m.ID); err != nil {
					t.Errorf("Delete: %v", err)
				}
			}
		}
		if err := f.s.Rekey(ctx, f.m.ID); err != nil {
			t.Fatal(err)
		}
		if files := filesUnder(t, f.root); len(files) != 0 {
			t.Errorf("files left: %q", files)
		}
	})
}

func (f *rekeyFixture) get(t *testing.T, u string) int {
	t.Helper()
	return get(t, f.s.Handler(), "GET", u).Code
}

// retryJobs makes every pending job due now and runs them.
func retryJobs(t *testing.T, d *db.DB, q *jobs.Queue) {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), `UPDATE jobs SET run_at = 0 WHERE state = 'pending'`); err != nil {
		t.Fatal(err)
	}
	runJobs(t, q)
}
