package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var staticFiles embed.FS

// Assets serves the embedded static files under fingerprinted names
// (style.3f2a9c1e.css), so they can be cached for a year and still change
// with each release.
type Assets struct {
	byName map[string]string // "style.css" → "/static/style.3f2a9c1e.css"
	files  map[string]asset  // "style.3f2a9c1e.css" → content
}

// NewAssets fingerprints every embedded static file. The files are part
// of the binary, so they are read and compressed once a process, however
// many sites it opens (the tests open hundreds); Assets is read-only.
func NewAssets() (*Assets, error) { return loadAssets() }

var loadAssets = sync.OnceValues(readAssets)

func readAssets() (*Assets, error) {
	a := &Assets{byName: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byName[name] = "/static/" + hashed
		// Compressed once, at the best level (a first visit's
		// stylesheet is most of its bytes), when first asked for so: at
		// start it cost a quarter of a CPU second of every command,
		// and the static mirror never asks.
		ct := mime.TypeByExtension(ext)
		a.files[hashed] = asset{contentType: ct, plain: data, body: sync.OnceValue(func() encoded { return encode(data, ct, 11) })}
		return nil
	})
	return a, err
}

// URL returns the fingerprinted address of a static file. An unknown name
// is a template bug, caught when templates first render in tests.
func (a *Assets) URL(name string) (string, error) {
	u, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return u, nil
}

// asset is a static file, and body in every encoding worth having.
type asset struct {
	contentType string
	plain       []byte
	body        func() encoded
}

// ServeHTTP serves GET /static/{name}, compressed as the browser accepts.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if f.contentType != "" {
		h.Set("Content-Type", f.contentType)
	}
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	var body []byte
	if accept := r.Header.Get("Accept-Encoding"); acceptsEncoding(accept, "br") || acceptsEncoding(accept, "gzip") {
		body, _ = f.body().choose(h, r)
	} else {
		// As choose would answer, without compressing for it.
		if worthCompressing(f.plain, f.contentType) {
			h.Add("Vary", "Accept-Encoding")
		}
		body = f.plain
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
