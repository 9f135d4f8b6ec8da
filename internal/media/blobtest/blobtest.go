// Package blobtest checks that an implementation of media.Blobs keeps the
// interface's contract, so that every backend (a local folder, an S3
// bucket) behaves the same for the media store. A backend's test calls Run
// with a fresh, empty store:
//
//	func TestDir(t *testing.T) { blobtest.Run(t, media.Dir(t.TempDir())) }
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"peerpress/internal/media"
)

// Run checks b, which must be empty and used by nothing else meanwhile.
// Each aspect is a subtest.
func Run(t *testing.T, b media.Blobs) {
	t.Helper()
	// Subtests run in order, each cleaning up after itself, so that List
	// sees only what the running one stored.
	for _, c := range []struct {
		name string
		f    func(*testing.T, media.Blobs)
	}{
		{"PutOpen", testPutOpen},
		{"Seek", testSeek},
		{"Replace", testReplace},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"Copy", testCopy},
		{"List", testList},
		{"Atomic", testAtomic},
		{"FailedPut", testFailedPut},
		{"Concurrent", testConcurrent},
		{"BadKeys", testBadKeys},
		{"Canceled", testCanceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f(t, b)
			if keys := list(t, b, ""); len(keys) != 0 {
				t.Errorf("left behind %q", keys)
			}
		})
	}
}

// content is n bytes that differ from those of another seed.
func content(seed byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = seed + byte(i*7+i/251)
	}
	return out
}

func put(t *testing.T, b media.Blobs, key string, data []byte) {
	t.Helper()
	if err := b.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

// read returns the bytes stored under key, checking Size against them.
func read(t *testing.T, b media.Blobs, key string) []byte {
	t.Helper()
	r, err := b.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open %s: %v", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if r.Size() != int64(len(data)) {
		t.Errorf("%s: Size() = %d, read %d bytes", key, r.Size(), len(data))
	}
	return data
}

// missing fails unless key is absent.
func missing(t *testing.T, b media.Blobs, key string) {
	t.Helper()
	r, err := b.Open(context.Background(), key)
	if err == nil {
		r.Close()
		t.Fatalf("Open %s: found, want missing", key)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open %s: %v, want fs.ErrNotExist", key, err)
	}
}

// list returns the keys under prefix, sorted.
func list(t *testing.T, b media.Blobs, prefix string) []string {
	t.Helper()
	var keys []string
	for k, err := range b.List(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("List %q: %v", prefix, err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func del(t *testing.T, b media.Blobs, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := b.Delete(context.Background(), k); err != nil {
			t.Fatalf("Delete %s: %v", k, err)
		}
	}
}

func testPutOpen(t *testing.T, b media.Blobs) {
	const key = "2026/11/AbCdEfGhIjKlMnOpQrStUv.jpg"
	want := content(1, 70_000)
	before := time.Now().Add(-2 * time.Second)
	put(t, b, key, want)
	after := time.Now().Add(2 * time.Second)
	if got := read(t, b, key); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes that differ from the %d put", len(got), len(want))
	}
	r, err := b.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if mt := r.ModTime(); mt.Before(before) || mt.After(after) {
		t.Errorf("ModTime %v, not between %v and %v", mt, before, after)
	}
	r.Close()

	// An empty blob, and a size not told in advance.
	put(t, b, "empty", nil)
	if got := read(t, b, "empty"); len(got) != 0 {
		t.Errorf("empty blob read as %d bytes", len(got))
	}
	if err := b.Put(context.Background(), "unsized", bytes.NewReader(want[:100]), -1, ""); err != nil {
		t.Fatalf("Put with size -1: %v", err)
	}
	if got := read(t, b, "unsized"); !bytes.Equal(got, want[:100]) {
		t.Errorf("size -1: read %d bytes", len(got))
	}
	// Keys are case-sensitive, and a key may be one element deep or many.
	put(t, b, "a/b/c/d/e/f.png", []byte("deep"))
	put(t, b, "2026/11/abcdefghijklmnopqrstuv.jpg", []byte("lower"))
	if got := read(t, b, key); !bytes.Equal(got, want) {
		t.Error("a key differing only in case replaced another")
	}
	del(t, b, key, "empty", "unsized", "a/b/c/d/e/f.png", "2026/11/abcdefghijklmnopqrstuv.jpg")
}

func testSeek(t *testing.T, b media.Blobs) {
	const key = "seek/file.pdf"
	data := content(2, 10_000)
	put(t, b, key, data)
	defer del(t, b, key)
	r, err := b.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	check := func(what string, off int64, whence int, wantPos int64, n int) {
		t.Helper()
		pos, err := r.Seek(off, whence)
		if err != nil || pos != wantPos {
			t.Fatalf("%s: Seek = %d, %v; want %d", what, pos, err, wantPos)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatalf("%s: read: %v", what, err)
		}
		if !bytes.Equal(buf, data[wantPos:wantPos+int64(n)]) {
			t.Fatalf("%s: read wrong bytes", what)
		}
	}
	check("start", 5000, io.SeekStart, 5000, 100)
	check("current", 900, io.SeekCurrent, 6000, 10)
	check("end", -10, io.SeekEnd, 9990, 10)
	check("back to start", 0, io.SeekStart, 0, 1)
	if end, err := r.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Fatalf("Seek to end = %d, %v", end, err)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("read at end: %d, %v; want 0, io.EOF", n, err)
	}
}

func testReplace(t *testing.T, b media.Blobs) {
	const key = "replace/x.jpg"
	put(t, b, key, content(3, 5000))
	put(t, b, key, []byte("shorter"))
	if got := read(t, b, key); string(got) != "shorter" {
		t.Errorf("after a second Put: %q", got)
	}
	if keys := list(t, b, ""); !slices.Equal(keys, []string{key}) {
		t.Errorf("after a second Put, List = %q", keys)
	}
	del(t, b, key)
}

func testMissing(t *testing.T, b media.Blobs) {
	missing(t, b, "never/put.jpg")
	// A key's folder is not a blob.
	put(t, b, "folder/inside/x.jpg", []byte("x"))
	missing(t, b, "folder/inside")
	missing(t, b, "folder")
	// Deleting a folder's name deletes nothing.
	del(t, b, "folder/inside")
	if got := read(t, b, "folder/inside/x.jpg"); string(got) != "x" {
		t.Errorf("after Delete of its folder's name: %q", got)
	}
	del(t, b, "folder/inside/x.jpg")
}

func testDelete(t *testing.T, b media.Blobs) {
	put(t, b, "del/a.jpg", []byte("a"))
	put(t, b, "del/b.jpg", []byte("b"))
	del(t, b, "del/a.jpg")
	missing(t, b, "del/a.jpg")
	if got := read(t, b, "del/b.jpg"); string(got) != "b" {
		t.Errorf("neighbour of a deleted blob: %q", got)
	}
	// Missing is not an error, twice over.
	del(t, b, "del/a.jpg", "del/a.jpg", "nowhere/at/all.jpg")
	del(t, b, "del/b.jpg")
	missing(t, b, "del/b.jpg")
}

func testCopy(t *testing.T, b media.Blobs) {
	data := content(4, 3000)
	put(t, b, "copy/from.jpg", data)
	if err := b.Copy(context.Background(), "copy/from.jpg", "elsewhere/to.jpg"); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if got := read(t, b, "elsewhere/to.jpg"); !bytes.Equal(got, data) {
		t.Error("the copy differs")
	}
	// The copy is independent: it outlives its source, and replacing one
	// leaves the other.
	del(t, b, "copy/from.jpg")
	if got := read(t, b, "elsewhere/to.jpg"); !bytes.Equal(got, data) {
		t.Error("the copy changed when its source was deleted")
	}
	put(t, b, "copy/from.jpg", []byte("new"))
	if err := b.Copy(context.Background(), "copy/from.jpg", "elsewhere/to.jpg"); err != nil {
		t.Fatalf("Copy over an existing key: %v", err)
	}
	if got := read(t, b, "elsewhere/to.jpg"); string(got) != "new" {
		t.Errorf("Copy over an existing key: %q", got)
	}
	put(t, b, "copy/from.jpg", []byte("newer"))
	if got := read(t, b, "elsewhere/to.jpg"); string(got) != "new" {
		t.Errorf("the copy followed its source: %q", got)
	}
	if err := b.Copy(context.Background(), "copy/missing.jpg", "copy/to2.jpg"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Copy of a missing key: %v, want fs.ErrNotExist", err)
	}
	missing(t, b, "copy/to2.jpg")
	del(t, b, "copy/from.jpg", "elsewhere/to.jpg")
}

func testList(t *testing.T, b media.Blobs) {
	if keys := list(t, b, ""); len(keys) != 0 {
		t.Fatalf("empty store lists %q", keys)
	}
	all := []string{
		"2026/01/a.jpg", "2026/01/b.png", "2026/10/c.jpg", "2026/11/d.jpg",
		"2026/1x.jpg", "2027/01/e.jpg", "2026-notes.txt", "top.pdf",
	}
	for _, k := range all {
		put(t, b, k, []byte(k))
	}
	if got, want := list(t, b, ""), slices.Sorted(slices.Values(all)); !slices.Equal(got, want) {
		t.Errorf("List(\"\") = %q, want %q", got, want)
	}
	for prefix, want := range map[string][]string{
		"2026/":           {"2026/01/a.jpg", "2026/01/b.png", "2026/10/c.jpg", "2026/11/d.jpg", "2026/1x.jpg"},
		"2026/1":          {"2026/10/c.jpg", "2026/11/d.jpg", "2026/1x.jpg"},
		"2026/01/":        {"2026/01/a.jpg", "2026/01/b.png"},
		"2026/01/a":       {"2026/01/a.jpg"},
		"2026/01/a.jpg":   {"2026/01/a.jpg"},
		"2026":            {"2026-notes.txt", "2026/01/a.jpg", "2026/01/b.png", "2026/10/c.jpg", "2026/11/d.jpg", "2026/1x.jpg"},
		"2028/":           nil,
		"2026/01/a.jpg/":  nil,
		"2026/01/zzz":     nil,
		"t":               {"top.pdf"},
		"nowhere/at/all/": nil,
	} {
		if got := list(t, b, prefix); !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
	// Stopping early is allowed.
	n := 0
	for _, err := range b.List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("stopped after %d keys, want 2", n)
	}
	del(t, b, all...)
}

// blockingReader yields half its bytes, then waits for release before the
// rest, so a test can look at the store while a Put is under way.
type blockingReader struct {
	data    []byte
	off     int
	half    chan struct{} // closed when half was read
	release chan struct{}
	fail    error // returned instead of the rest, when set
}

func (r *blockingReader) Read(p []byte) (int, error) {
	mid := len(r.data) / 2
	if r.off == mid {
		close(r.half)
		<-r.release
		if r.fail != nil {
			return 0, r.fail
		}
	}
	end := len(r.data)
	if r.off < mid {
		end = mid
	}
	n := copy(p, r.data[r.off:end])
	r.off += n
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// putBlocked starts a Put of data from a blockingReader, waits until it
// is half done and calls during, then lets it finish (or fail with fail)
// and returns Put's error.
func putBlocked(t *testing.T, b media.Blobs, key string, data []byte, fail error, during func()) error {
	t.Helper()
	r := &blockingReader{data: data, half: make(chan struct{}), release: make(chan struct{}), fail: fail}
	done := make(chan error, 1)
	go func() { done <- b.Put(context.Background(), key, r, int64(len(data)), "image/jpeg") }()
	select {
	case <-r.half:
	case err := <-done:
		t.Fatalf("Put returned before reading half its bytes: %v", err)
	}
	during()
	close(r.release)
	return <-done
}

func testAtomic(t *testing.T, b media.Blobs) {
	const key = "atomic/x.jpg"
	data := content(5, 200_000)
	err := putBlocked(t, b, key, data, nil, func() {
		missing(t, b, key)
		if keys := list(t, b, ""); len(keys) != 0 {
			t.Errorf("while a Put is under way, List = %q", keys)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, b, key); !bytes.Equal(got, data) {
		t.Error("after the Put, the bytes differ")
	}
	// Replacing: readers see the old bytes whole until the new are.
	old := data
	data = content(6, 150_000)
	err = putBlocked(t, b, key, data, nil, func() {
		if got := read(t, b, key); !bytes.Equal(got, old) {
			t.Errorf("while a Put replaces a blob, it reads %d bytes that are not the old ones", len(got))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, b, key); !bytes.Equal(got, data) {
		t.Error("after the replacing Put, the bytes differ")
	}
	del(t, b, key)
}

func testFailedPut(t *testing.T, b media.Blobs) {
	ctx := context.Background()
	const key = "failed/x.jpg"
	boom := errors.New("the upload broke off")
	if err := putBlocked(t, b, key, content(7, 100_000), boom, func() {}); err == nil {
		t.Fatal("Put of a reader that failed succeeded")
	}
	missing(t, b, key)

	// A failed replacement keeps the old bytes.
	put(t, b, key, []byte("old"))
	if err := putBlocked(t, b, key, content(7, 100_000), boom, func() {}); err == nil {
		t.Fatal("Put of a reader that failed succeeded")
	}
	if got := read(t, b, key); string(got) != "old" {
		t.Errorf("after a failed replacement: %q", got)
	}

	// A size that is not the number of bytes is a failure too.
	for _, size := range []int64{5, 50} {
		if err := b.Put(ctx, "failed/size.jpg", strings.NewReader("0123456789"), size, ""); err == nil {
			t.Errorf("Put of 10 bytes said to be %d succeeded", size)
		}
		missing(t, b, "failed/size.jpg")
	}
	del(t, b, key)
}

func testConcurrent(t *testing.T, b media.Blobs) {
	const key = "concurrent/x.jpg"
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			data := content(byte(i), 50_000+i) // #nosec G115 -- a test writer's number, below 8
			errs <- b.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), "")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Put: %v", err)
		}
	}
	got := read(t, b, key)
	i := len(got) - 50_000
	if i < 0 || i >= writers || !bytes.Equal(got, content(byte(i), 50_000+i)) {
		t.Fatalf("after concurrent Puts, %d bytes that are no one writer's", len(got))
	}
	if keys := list(t, b, ""); !slices.Equal(keys, []string{key}) {
		t.Errorf("after concurrent Puts, List = %q", keys)
	}
	del(t, b, key)
}

// BadKeys are keys every Blobs must refuse: each could mean another
// place than the store, or different places on different systems.
var BadKeys = []string{
	"",
	"/",
	"/etc/passwd",
	"../secret.txt",
	"a/../../secret.txt",
	"a/../b",
	"..",
	".",
	"./a",
	"a/./b",
	"a//b",
	"a/",
	"a\\b",
	"..\\secret.txt",
	"C:\\Windows\\win.ini",
	".hidden",
	"a/.put-123",
	"a\x00b",
	"a\nb",
	"\xff\xfe",
	strings.Repeat("a", 1025),
}

func testBadKeys(t *testing.T, b media.Blobs) {
	ctx := context.Background()
	put(t, b, "good/x.jpg", []byte("good"))
	defer del(t, b, "good/x.jpg")
	bad := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, media.ErrBadKey) {
			t.Errorf("%s: %v, want media.ErrBadKey", what, err)
		}
	}
	for _, key := range BadKeys {
		if media.ValidKey(key) {
			t.Errorf("ValidKey(%q) = true", key)
		}
		bad(fmt.Sprintf("Put(%q)", key), b.Put(ctx, key, strings.NewReader("x"), 1, ""))
		r, err := b.Open(ctx, key)
		if err == nil {
			r.Close()
		}
		bad(fmt.Sprintf("Open(%q)", key), err)
		bad(fmt.Sprintf("Delete(%q)", key), b.Delete(ctx, key))
		bad(fmt.Sprintf("Copy(good, %q)", key), b.Copy(ctx, "good/x.jpg", key))
		bad(fmt.Sprintf("Copy(%q, good)", key), b.Copy(ctx, key, "good/y.jpg"))
	}
	for _, prefix := range []string{"/", "../", "a/../", "..", "a\\", "a//", "./"} {
		var err error
		for _, e := range b.List(ctx, prefix) {
			err = e
		}
		bad(fmt.Sprintf("List(%q)", prefix), err)
	}
	if keys := list(t, b, ""); !slices.Equal(keys, []string{"good/x.jpg"}) {
		t.Errorf("after the bad keys, List = %q", keys)
	}
	if got := read(t, b, "good/x.jpg"); string(got) != "good" {
		t.Errorf("after the bad keys, good/x.jpg holds %q", got)
	}
	// Long but allowed.
	long := strings.Repeat("a", 200) + "/" + strings.Repeat("b", 200) + ".jpg"
	if !media.ValidKey(long) {
		t.Errorf("ValidKey refuses a %d-byte key", len(long))
	}
}

func testCanceled(t *testing.T, b media.Blobs) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Put(ctx, "canceled/x.jpg", strings.NewReader("x"), 1, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a canceled context: %v", err)
	}
	missing(t, b, "canceled/x.jpg")
}
