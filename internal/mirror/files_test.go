package mirror

import (
	"os"
	"path/filepath"
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
