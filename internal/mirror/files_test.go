package mirror

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
)

// A mirror's files are readable by the static host whatever the umask,
// hold what was written, and leave no temporary file behind, written in
// place (a fresh folder) or renamed over an older copy.
func TestWriteFileIsWholeAndReadableByAll(t *testing.T) {
	for _, umask := range []int{0o022, 0o077} {
		old := syscall.Umask(umask)
		dir := t.TempDir()
		name := filepath.Join(dir, "index.html")
		for _, w := range []struct {
			body  string
			fresh bool
		}{{"first", true}, {"second, over the first", false}} {
			mtime, err := writeFile(name, []byte(w.body), w.fresh)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(name)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(name)
			if string(b) != w.body || fi.Mode().Perm() != 0o644 || fi.ModTime().UnixNano() != mtime {
				t.Errorf("umask %o, fresh %v: %q, mode %v, time %d (reported %d)", umask, w.fresh, b, fi.Mode(), fi.ModTime().UnixNano(), mtime)
			}
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("umask %o: %d files in the folder, want 1", umask, len(ents))
		}
		syscall.Umask(old)
	}
}

// BenchmarkWriteFile writes a 10 KB page into a folder of its own, as an
// export does for each: in place in a fresh folder, or through a
// temporary file renamed over an older copy.
func BenchmarkWriteFile(b *testing.B) {
	body := make([]byte, 10<<10)
	for _, fresh := range []bool{true, false} {
		name := map[bool]string{true: "fresh", false: "rename"}[fresh]
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			i := 0
			for b.Loop() {
				sub := filepath.Join(dir, strconv.Itoa(i))
				if err := os.Mkdir(sub, 0o755); err != nil {
					b.Fatal(err)
				}
				if _, err := writeFile(filepath.Join(sub, "index.html"), body, fresh); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// The state file, its sums streamed, reads back as written: the sums of
// the files this export wrote (but the zero ones, kept without a sum),
// over those the last export recorded, and the rest, in the JSON an
// export wrote before (base64 in a string). The sums read back are found
// by their key, and a table out of order is none.
func TestStateFileKeepsTheSums(t *testing.T) {
	dir := t.TempDir()
	want := map[uint64]written{}
	last := map[uint64]written{}
	for i := range uint64(1000) {
		k := i * 0x9e3779b97f4a7c15
		last[k] = written{sum: i + 1, time: int64(i) * 1e9}
		want[k] = last[k]
	}
	if err := writeState(dir, state{Format: stateFormat}, last, nil); err != nil {
		t.Fatal(err)
	}
	first, err := readState(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := decodeSums(first.Sums)
	if old.len() != len(last) {
		t.Fatalf("%d sums read back, %d written", old.len(), len(last))
	}
	// This export: one file changed, one new, one kept without a sum.
	five := uint64(5)
	changed := five * 0x9e3779b97f4a7c15
	sums := map[uint64]written{changed: {sum: 99, time: 7}, 12345: {sum: 1, time: 2}, 42: {}}
	want[changed], want[12345] = sums[changed], sums[12345]
	s := state{Format: stateFormat, Generation: 7, Fingerprint: "f", Since: 1, Declared: 2, ETags: map[string]string{"a.png": `"x"`}, Listings: "AAAA"}
	if err := writeState(dir, s, sums, old); err != nil {
		t.Fatal(err)
	}
	got, err := readState(dir)
	if err != nil {
		t.Fatal(err)
	}
	back := decodeSums(got.Sums)
	if back.len() != len(want) {
		t.Fatalf("%d sums read back, %d written", back.len(), len(want))
	}
	for k, w := range want {
		if b, ok := back.get(k); !ok || b != w {
			t.Fatalf("sum %x read back as %+v (%v), written %+v", k, b, ok, w)
		}
	}
	if _, ok := back.get(42); ok {
		t.Errorf("a zero sum was recorded")
	}
	got.Sums = ""
	if !reflect.DeepEqual(*got, s) {
		t.Errorf("state read back as %+v, written %+v", *got, s)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want the state file alone", len(ents))
	}
	// A file an incremental export removed is not carried on.
	seven := uint64(7)
	removed := seven * 0x9e3779b97f4a7c15
	if err := writeState(dir, s, map[uint64]written{}, back.without(map[uint64]bool{removed: true})); err != nil {
		t.Fatal(err)
	}
	again, err := readState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if left := decodeSums(again.Sums); left.len() != back.len()-1 {
		t.Errorf("%d sums after one file removed, want %d", left.len(), back.len()-1)
	} else if _, ok := left.get(removed); ok {
		t.Errorf("a removed file's sum was carried on")
	} else if w, ok := left.get(changed); !ok || w != want[changed] {
		t.Errorf("a file kept lost its sum: %+v %v", w, ok)
	}
	swapped := append([]byte(nil), back[24:48]...)
	swapped = append(swapped, back[:24]...)
	if decodeSums(base64.StdEncoding.EncodeToString(swapped)) != nil {
		t.Errorf("sums out of order were read")
	}
}
