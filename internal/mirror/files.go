package mirror

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// routeIndex finds the route of a path as the table's handler would:
// localized routes when the first segment is an enabled language.
type routeIndex struct {
	langs         func() *i18n.Bundle
	global, local *http.ServeMux
	byPattern     map[string]web.Route
}

func newRouteIndex(rs *web.Routes, langs func() *i18n.Bundle) *routeIndex {
	ix := &routeIndex{langs: langs, global: http.NewServeMux(), local: http.NewServeMux(), byPattern: map[string]web.Route{}}
	for _, rt := range rs.Table() {
		if rt.Method != http.MethodGet {
			continue
		}
		mux := ix.global
		if rt.Localized {
			mux = ix.local
		}
		mux.Handle(rt.Pattern(), http.NotFoundHandler())
		ix.byPattern[rt.Pattern()] = rt
	}
	return ix
}

// mirrored says whether the route that answers path may be copied.
func (ix *routeIndex) mirrored(p string) bool {
	mux := ix.global
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if _, ok := ix.langs().Get(first); ok && first != "" {
		mux = ix.local
	}
	_, pattern := mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: p}})
	rt, ok := ix.byPattern[pattern]
	return ok && rt.Mirrored()
}

// cleanPath accepts the site paths a file may be written for: absolute,
// already clean, with no hidden or parent segment and no byte a file
// name should not hold.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00:") {
		return false
	}
	trimmed := strings.TrimSuffix(p, "/")
	if trimmed != "" && path.Clean(trimmed) != trimmed {
		return false
	}
	for seg := range strings.SplitSeq(strings.Trim(p, "/"), "/") {
		if strings.HasPrefix(seg, ".") {
			return false
		}
	}
	return true
}

// fileFor is the file, relative to the mirror's folder, that holds the
// answer at site path p: p itself when its last segment names a file
// (style.css, feed.xml, a .png), else p/index.html, so that folder
// addresses work on any static host and opened as files.
func fileFor(p string) string {
	p = strings.TrimPrefix(p, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	if strings.Contains(p[strings.LastIndexByte(p, '/')+1:], ".") {
		return p
	}
	return p + "/index.html"
}

// relative is the address of file to, linked from file from (both
// relative to the mirror's folder), escaped for an attribute.
func relative(from, to string) string {
	dir := from[:strings.LastIndexByte(from, '/')+1] // "" or "a/b/"
	// The folders both are in: whole segments of from's folder that
	// to's folders begin with.
	common := 0
	for {
		i := strings.IndexByte(dir[common:], '/')
		if i < 0 || !strings.HasPrefix(to[common:], dir[common:common+i+1]) {
			break
		}
		common += i + 1
	}
	rel := strings.Repeat("../", strings.Count(dir[common:], "/")) + to[common:]
	for i := 0; i < len(rel); i++ {
		if b := rel[i]; !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '.' || b == '_' || b == '~' || b == '/') {
			return (&url.URL{Path: rel}).EscapedPath()
		}
	}
	return rel // nothing to escape: most addresses
}

// redirectPage leads from an address that moved to where it moved.
func redirectPage(to string) []byte {
	esc := template.HTMLEscapeString(to)
	return []byte(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=` + esc + `"><link rel="canonical" href="` + esc + `"><title>→</title></head>
<body><p><a href="` + esc + `">` + esc + `</a></p></body></html>
`)
}

// frontDoor is the mirror's index.html: it leads to the default
// language, and lists them all for whoever stays.
func frontDoor(langs []i18n.Language) []byte {
	if len(langs) == 0 {
		return redirectPage("./")
	}
	var b strings.Builder
	def := template.HTMLEscapeString(langs[0].Code) + "/index.html"
	b.WriteString(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="0; url=` + def + `"><title>`)
	b.WriteString(template.HTMLEscapeString(langs[0].Name))
	b.WriteString("</title></head>\n<body><ul>\n")
	for _, l := range langs {
		code := template.HTMLEscapeString(l.Code)
		fmt.Fprintf(&b, `<li><a href="%s/index.html" lang="%s" hreflang="%s">%s</a></li>`+"\n", code, code, code, template.HTMLEscapeString(l.Name))
	}
	b.WriteString("</ul></body></html>\n")
	return []byte(b.String())
}

// writeFile writes name whole: a temporary file beside it, renamed into
// place, so that a server or rsync reading the folder never sees half of
// it. It returns the file's modification time (Unix nanoseconds).
//
// In a folder that was empty when the export began (fresh), the file is
// written in place instead, which spares a rename, the costliest of the
// calls: the folder is no mirror until the export's last step writes the
// state file, and a first export cut short leaves a folder without one,
// which the next export refuses (ErrNotMirror) rather than trusts.
//
// The file is created readable by all, as a static host needs; only
// when the process's umask took that away is it given back (a chmod),
// so a page costs four calls (open, write, fstat, close), five with the
// rename.
func writeFile(name string, body []byte, fresh bool) (int64, error) {
	tmp := name
	var f *os.File
	var err error
	if fresh {
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644) // #nosec G302 G304 -- a public page of a static mirror, in the folder the operator named
	} else {
		f, tmp, err = createTemp(name)
	}
	if err != nil {
		return 0, fmt.Errorf("mirror: %w", err)
	}
	_, err = f.Write(body)
	var mtime int64
	if err == nil {
		var fi os.FileInfo
		if fi, err = f.Stat(); err == nil {
			mtime = fi.ModTime().UnixNano()
			if fi.Mode().Perm() != 0o644 {
				err = f.Chmod(0o644) // #nosec G302 -- a public page of a static mirror, meant to be served by any web server
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && tmp != name {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("mirror: write %s: %w", name, err)
	}
	return mtime, nil
}

// createTemp creates a new file beside name, readable by all, for
// writeFile to rename into place.
func createTemp(name string) (*os.File, string, error) {
	for {
		tmp := filepath.Join(filepath.Dir(name), ".tmp-"+strconv.FormatUint(rand.Uint64(), 36)) // #nosec G404 -- a temporary file's name, created exclusively
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)                    // #nosec G302 G304 -- a public page of a static mirror, in the folder the operator named
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, tmp, err
	}
}

// removeStale deletes the files under the folder under (a slash path in
// dir, "" for all of it) of a previous export that this one did not write
// or keep (keep: by pathKey of the path in dir; entries deleted, pages
// gone), and the folders left empty. removedFile, when given, is told the
// path of each file removed.
func removeStale(dir, under string, keep map[uint64]written, removedFile func(rel string)) (int, error) {
	var removed int
	var dirs []string
	err := filepath.WalkDir(filepath.Join(dir, filepath.FromSlash(under)), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if _, kept := keep[pathKey(rel)]; kept || rel == stateFile {
			return nil
		}
		if err := os.Remove(p); err != nil { // #nosec G122 -- the mirror folder is the operator's own, written only by this export
			return err
		}
		removed++
		if removedFile != nil {
			removedFile(rel)
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("mirror: remove stale files: %w", err)
	}
	slices.Reverse(dirs) // deepest first
	for _, d := range dirs {
		os.Remove(d) // only succeeds when empty
	}
	return removed, nil
}

// state is what an export records in its folder for the next one.
type state struct {
	// Format changes when the mirror's files would be written
	// differently: a new format makes the next export a full one.
	Format int `json:"format"`
	// Generation is the listing generation exported; Fingerprint the
	// site's (Site.Fingerprint).
	Generation  int64  `json:"generation"`
	Fingerprint string `json:"fingerprint"`
	// Since is when the export began (Unix seconds, one second early):
	// entries saved after it are rendered again by the next.
	Since int64 `json:"since"`
	// Declared is when an export last rendered every page the areas
	// declare (Unix seconds): the tracked ones are rendered again at
	// least every declaredEvery, for what time alone changes (an event
	// that has passed leaves the upcoming events).
	Declared int64 `json:"declared"`
	// ETags are the validators of the files answered with one (sharing
	// images): the next export asks whether they changed, and keeps
	// the file when they did not, instead of drawing it again.
	ETags map[string]string `json:"etags,omitempty"`
	// Sums are the files' sums and times as written (writeSums): the
	// next export compares a page with its sum, and the file with its
	// size and time, instead of reading the file.
	Sums string `json:"sums,omitempty"`
	// Listings are the bounds of the listings' pages the export knew
	// (content.Store.SavedBounds, base64), at Generation: the next
	// export finds the page an edited entry is on, and renders it,
	// without walking its listings (5.2 s of 12.5 at 100,000 entries).
	Listings string `json:"listings,omitempty"`
	// Pages are the pages the areas declared (sortPages): the next
	// export removes the files of those no longer declared (goneSince).
	// A state written before it was recorded has none: nothing is
	// removed that once, and the format stays, so that an upgrade does
	// not cost a full export.
	Pages []declaredPage `json:"pages,omitempty"`
}

// written is what the state records of a file: 8 bytes of the SHA-256
// of its bytes (fileSum), and its modification time as the export left
// it (Unix nanoseconds), so that a file changed in the folder since is
// written again.
type written struct {
	sum  uint64
	time int64
}

// pathKey names a file of the mirror in the sums: 8 bytes of its path's
// SHA-256, so that the state file stays small (24 bytes a file).
func pathKey(rel string) uint64 {
	h := sha256.Sum256([]byte(rel))
	return binary.BigEndian.Uint64(h[:8])
}

// fileSum is 8 bytes of the SHA-256 of a file's bytes.
func fileSum(body []byte) uint64 {
	h := sha256.Sum256(body)
	return binary.BigEndian.Uint64(h[:8])
}

// sumTable is the sums an export recorded, as the state file holds them
// (writeSums): 24 bytes a file, its path's key, its sum and its time,
// sorted by key and searched in place. A map of them held 27 MB at
// 100,000 entries, and an incremental export copied them all into its
// own sums to write them again.
type sumTable []byte

func (t sumTable) len() int { return len(t) / 24 }

func (t sumTable) key(i int) uint64 { return binary.BigEndian.Uint64(t[24*i:]) }

func (t sumTable) at(i int) written {
	r := t[24*i:]
	return written{binary.BigEndian.Uint64(r[8:]), int64(binary.BigEndian.Uint64(r[16:]))} // #nosec G115 -- as writeSums wrote it
}

// get is the sum recorded of the file of key.
func (t sumTable) get(key uint64) (written, bool) {
	i := sort.Search(t.len(), func(i int) bool { return t.key(i) >= key })
	if i < t.len() && t.key(i) == key {
		return t.at(i), true
	}
	return written{}, false
}

// without is the table less the files of drop.
func (t sumTable) without(drop map[uint64]bool) sumTable {
	if len(drop) == 0 {
		return t
	}
	out := make(sumTable, 0, len(t))
	for i := range t.len() {
		if !drop[t.key(i)] {
			out = append(out, t[24*i:24*i+24]...)
		}
	}
	return out
}

// decodeSums reads what writeSums wrote; sums it cannot read are none
// (the files are then read to compare, as without a state).
func decodeSums(s string) sumTable {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%24 != 0 {
		return nil
	}
	t := sumTable(b)
	for i := 1; i < t.len(); i++ {
		if t.key(i-1) >= t.key(i) {
			return nil // not sorted: not searchable
		}
	}
	return t
}

// writeSums writes to w, as base64 of 24 bytes a file sorted by key, the
// sums, and those of old whose files are not among them: the same files
// give the same state. A zero sum (a file kept whose sum is unknown) is
// not recorded.
func writeSums(w io.Writer, sums map[uint64]written, old sumTable) error {
	keys := slices.Sorted(maps.Keys(sums))
	enc := base64.NewEncoder(base64.StdEncoding, w)
	var b [24]byte
	put := func(k uint64, s written) error {
		if s == (written{}) {
			return nil
		}
		binary.BigEndian.PutUint64(b[:], k)
		binary.BigEndian.PutUint64(b[8:], s.sum)
		binary.BigEndian.PutUint64(b[16:], uint64(s.time)) // #nosec G115 -- read back by decodeSums as it was
		_, err := enc.Write(b[:])
		return err
	}
	i := 0 // in old
	for _, k := range keys {
		for ; i < old.len() && old.key(i) <= k; i++ {
			if old.key(i) < k {
				if err := put(old.key(i), old.at(i)); err != nil {
					return err
				}
			}
		}
		if err := put(k, sums[k]); err != nil {
			return err
		}
	}
	for ; i < old.len(); i++ {
		if err := put(old.key(i), old.at(i)); err != nil {
			return err
		}
	}
	return enc.Close()
}

const stateFormat = 4

func readState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile)) // #nosec G304 -- the mirror folder the operator named
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil || s.Format == 0 {
		return nil, fmt.Errorf("mirror: %s is not a state file peerpress wrote; remove it to export again", filepath.Join(dir, stateFile))
	}
	if s.Format != stateFormat {
		s.Generation = -1 // written by another version: export everything
	}
	return &s, nil
}

// sumsMark stands for the sums in the state's JSON while it is written.
const sumsMark = "@sums@"

// writeState writes the state file whole (a temporary file renamed), with
// sums (and those of old not among them) as its Sums, streamed: the sums of 500,000 files are 16 MB of
// base64, and building them, then the JSON around them, then its indented
// copy, made the end of an export its peak of memory (64 MB more).
func writeState(dir string, s state, sums map[uint64]written, old sumTable) error {
	s.Sums = sumsMark
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(b, []byte(sumsMark))
	if !ok {
		return errors.New("mirror: state file: the sums' place is missing")
	}
	name := filepath.Join(dir, stateFile)
	f, tmp, err := createTemp(name)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	w.Write(before)
	err = writeSums(w, sums, old)
	if err == nil {
		w.Write(after)
		w.WriteByte('\n')
		err = w.Flush() // the writer keeps its first error
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mirror: write %s: %w", name, err)
	}
	return nil
}
