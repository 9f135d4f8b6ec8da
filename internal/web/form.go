package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
)

// formMemory is how much of a multipart form the standard library may
// hold in memory once ParseForm has it whole: more than any route's body
// limit, so that it never spools a file to disk in the clear.
const formMemory = 64 << 20

// tooLargeField names, among a parsed multipart form's values, the file
// fields left out for going over the body limit (FileTooLarge). A client
// that sends it itself only earns itself a "too large" message.
const tooLargeField = "peerpress.too_large"

// ParseForm reads a request's form once: a urlencoded body, or a
// multipart one part by part, so that a file over the route's body limit
// (web.Body) costs the visitor that file and not what they typed. The
// text fields before the file are kept — forms put their file inputs
// last — and the file is left out, which FileTooLarge reports, so that
// the handler can show the form again as typed with the reason. A text
// field cut by the limit is still an error (*http.MaxBytesError).
func ParseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil // read already (by the route's CSRF check)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return r.ParseForm()
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return err
	}
	// While a slow upload arrives it waits on disk, not in memory, and
	// sealed: a photo a participant sends is never in /tmp in the clear.
	spool, err := newSpool()
	if err != nil {
		return err
	}
	defer spool.Close()
	mw := multipart.NewWriter(spool)
	var tooLarge []string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if p.FileName() == "" {
			w, err := mw.CreatePart(p.Header)
			if err != nil {
				return err
			}
			if _, err := io.Copy(w, p); err != nil {
				return err
			}
			continue
		}
		ok, err := copyFilePart(mw, p)
		if err != nil {
			return err
		}
		if !ok {
			// The body is spent at its limit: nothing follows.
			tooLarge = append(tooLarge, p.FormName())
			break
		}
	}
	for _, name := range tooLarge {
		if err := mw.WriteField(tooLargeField, name); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	body, size, err := spool.Contents()
	if err != nil {
		return err
	}
	// The form again, as the standard library reads it, in memory:
	// r.FormFile and r.PostFormValue work as with any form.
	r.Body, r.ContentLength, r.MultipartForm = io.NopCloser(body), size, nil
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if err := r.ParseMultipartForm(formMemory); err != nil { // #nosec G120 -- the body was read above through http.MaxBytesReader and each file into a bounded spool; what is parsed here is the rebuilt form without files
		return err
	}
	// As CleanInput for urlencoded forms: bytes no browser sends from a
	// UTF-8 page, which PostgreSQL would refuse with a 500.
	for _, vs := range r.MultipartForm.Value {
		for _, v := range vs {
			if !cleanText(v) {
				return BadRequest("form.invalid_text")
			}
		}
	}
	return nil
}

// copyFilePart copies a file part into mw whole, or not at all when the
// body's limit cuts it (ok false). It goes through a file of its own
// first, since a part once begun cannot be taken back.
func copyFilePart(mw *multipart.Writer, p *multipart.Part) (ok bool, err error) {
	f, err := newSpool()
	if err != nil {
		return false, err
	}
	defer f.Close()
	if _, err := io.Copy(f, p); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return false, nil
		}
		return false, err
	}
	file, _, err := f.Contents()
	if err != nil {
		return false, err
	}
	w, err := mw.CreatePart(p.Header)
	if err != nil {
		return false, err
	}
	_, err = io.Copy(w, file)
	return err == nil, err
}

// FileTooLarge reports whether the form's file field name was left out
// by ParseForm for going over the body limit.
func FileTooLarge(r *http.Request, name string) bool {
	return r.MultipartForm != nil && slices.Contains(r.MultipartForm.Value[tooLargeField], name)
}
