package media

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// mountPoint is the URL prefix the Handler serves under.
const mountPoint = "/media/"

// contentTypes maps the extensions SaveImage and SaveDocument write to
// their types. The type comes from here, never from sniffing the file, so a
// file can only be served as what peerpress itself wrote.
var contentTypes = map[string]string{
	extJPEG: mimeJPEG,
	extPNG:  mimePNG,
	extPDF:  mimePDF,
	extDOCX: mimeDOCX,
	extXLSX: mimeXLSX,
	extPPTX: mimePPTX,
	extODT:  mimeODT,
	extODS:  mimeODS,
	extODP:  mimeODP,
}

// Handler serves the stored files at GET /media/{path...}. It answers only
// for paths of the exact shape SaveImage and SaveDocument create
// (YYYY/MM/<random>.jpg, .png, .pdf or an office document's extension), read through the Store's Blobs;
// every other path is a 404, which also hides folders and whatever else
// a backend holds. Range requests and conditional requests work
// (http.ServeContent). Files never change once written, so browsers and
// proxies may cache them for a year.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, mountPoint)
	if !ok || !validMediaPath(name) {
		http.NotFound(w, r)
		return
	}
	ctype := contentTypes[path.Ext(name)]
	if s.redirect > 0 && ctype != mimePDF {
		s.redirectTo(w, r, name, ctype)
		return
	}

	// Every failure to open is a 404: the answer must not tell a visitor
	// whether something exists behind a path it may not see. Failures
	// other than a missing file are the operator's to know.
	b, err := s.blobs.Open(r.Context(), name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && r.Context().Err() == nil {
			slog.Warn("media: serve", "path", name, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	defer b.Close()

	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	if ctype == mimePDF {
		// A PDF can hold scripts and forms. Opened in the browser, it
		// runs in a sandbox: a unique origin, no scripts, no forms, no
		// access to the site's cookies or pages.
		h.Set("Content-Security-Policy", "sandbox")
	}
	if _, office := officeExt[ctype]; office {
		// Saved, never shown in the page: no browser renders them, and
		// a download should not depend on the browser knowing the type.
		h.Set("Content-Disposition", "attachment")
	}
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", b.ModTime(), b)
}

// redirectTo answers with a redirect to an address of the bucket signed
// for s.redirect, whose answer carries the headers serve would send (the
// type, the year of caching, attachment for office documents; a bucket
// sends no X-Content-Type-Options, and needs none: the type is set, and
// the file comes from the bucket's origin, not the site's). The redirect
// itself may be cached for half the signature's life, so a browser
// reuses one address, and the file in its cache, meanwhile. Whether the
// file exists is the bucket's to answer.
func (s *Store) redirectTo(w http.ResponseWriter, r *http.Request, name, ctype string) {
	want := http.Header{}
	want.Set("Content-Type", ctype)
	want.Set("Cache-Control", "public, max-age=31536000, immutable")
	if _, office := officeExt[ctype]; office {
		want.Set("Content-Disposition", "attachment")
	}
	u, err := s.blobs.(presigner).presignGet(r.Context(), name, s.redirect, want)
	if err != nil {
		slog.Warn("media: sign", "path", name, "err", err)
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(s.redirect.Seconds()/2)))
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), http.StatusFound) // #nosec G710 -- an address of the configured bucket, signed here, for a path validMediaPath accepted
}

// validMediaPath reports whether name has the shape of a path made by
// SaveImage or SaveDocument: "YYYY/MM/" then nameLen base64url characters and a known
// extension. Checking the shape, not just fs.ValidPath, means that only
// files peerpress wrote can be served, whatever else the Blobs hold.
func validMediaPath(name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	parts := strings.Split(name, "/")
	if len(parts) != 3 || !allDigits(parts[0], 4) || !allDigits(parts[1], 2) {
		return false
	}
	ext := path.Ext(parts[2])
	if _, ok := contentTypes[ext]; !ok {
		return false
	}
	base := strings.TrimSuffix(parts[2], ext)
	if len(base) != nameLen {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// allDigits reports whether s is n ASCII digits.
func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
