package content

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/markup"
	"peerpress/internal/media"
	"peerpress/internal/web"
)

// stagedView is a file added to a new entry before its first save, as the
// editor lists it.
type stagedView struct {
	Staged
	Media media.Media
	// Markdown places an image in the text.
	Markdown string
}

// imageMarkdown is the Markdown that places m in the text, described by alt.
func imageMarkdown(m media.Media, alt string) string {
	alt = strings.NewReplacer("\\", "\\\\", "[", "\\[", "]", "\\]", "\n", " ").Replace(alt)
	return "![" + alt + "](" + m.URL() + ")"
}

// uploadAnswer is what Upload answers a script: the Markdown to insert,
// or the reason nothing was stored.
type uploadAnswer struct {
	Markdown string `json:"markdown,omitempty"`
	Error    string `json:"error,omitempty"`
}

// wantsJSON reports whether the editor's script asked (it inserts the
// answer at the cursor); a form without JavaScript gets the page again.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// Upload serves POST /admin/entries/uploads (an entry not saved yet) and
// POST /admin/entries/{id}/uploads: an image placed in the text (upload=
// inline) and, before the first save, the featured image (featured) or a
// file to download (attachment). The file goes through the media pipeline
// (metadata stripped, sizes made); the entry's form comes with it as typed
// and is shown again as typed, with the Markdown that places an image, or
// the reason nothing was stored. Files added before the first save wait
// under the form's stage token until the save claims them.
func (a *Admin) Upload(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if !u.Role.CanWrite() {
		return web.Forbidden()
	}
	var e *Entry
	if r.PathValue("id") != "" {
		var err error
		if e, err = a.loadEntry(r); err != nil {
			return err
		}
	}
	f, _ := readEntryForm(r.PostForm, a.store.Extensions())
	lang := f.Lang
	if e != nil {
		f.Lang, lang = e.SourceLang, e.SourceLang
	} else if _, ok := a.rd.I18n().Get(lang); !ok {
		lang = a.rd.I18n().Default().Code
	}
	role := r.PostFormValue("upload")
	if role != UploadInline && (e != nil || role != UploadFeatured && role != UploadAttachment) {
		return web.BadRequest("form.invalid_choice")
	}
	field := map[string]string{UploadInline: "inline_image", UploadFeatured: "featured_image", UploadAttachment: "attachment_file"}[role]
	refuse := func(key string) error {
		if wantsJSON(r) {
			loc := a.rd.AdminPage(r).L
			return writeJSON(w, http.StatusUnprocessableEntity, uploadAnswer{Error: loc.T(key)})
		}
		return a.renderForm(w, r, e, f, FieldErrors{field: key}, "", http.StatusUnprocessableEntity)
	}
	if e == nil && !validStageToken(f.Stage) {
		return refuse("entry.stage_expired")
	}
	alt := strings.TrimSpace(r.PostFormValue(map[string]string{UploadInline: "inline_alt", UploadFeatured: "featured_alt"}[role]))
	title := strings.TrimSpace(r.PostFormValue("attachment_title"))
	attLang := strings.TrimSpace(r.PostFormValue("attachment_lang"))
	switch {
	case !cleanText(alt) || !cleanText(title):
		return refuse("form.invalid_text")
	case utf8.RuneCountInString(alt) > 300 || utf8.RuneCountInString(title) > maxAttachmentTitle:
		return refuse("form.too_long")
	case role == UploadInline && alt == "":
		return refuse("entry.image_alt_required")
	case role == UploadAttachment && title == "":
		return refuse("entry.attachment_title_required")
	}
	if role == UploadAttachment {
		if _, ok := a.rd.I18n().Get(attLang); !ok {
			return refuse("form.invalid_choice")
		}
	}
	if web.FileTooLarge(r, field) {
		return refuse(map[bool]string{true: "media.document_too_large", false: "media.too_large"}[role == UploadAttachment])
	}
	file, _, err := r.FormFile(field)
	if err != nil {
		return refuse(map[bool]string{true: "media.document_missing", false: "media.missing"}[role == UploadAttachment])
	}
	defer file.Close()
	m, key, err := a.saveUpload(r.Context(), file, role, alt, lang, attLang)
	if key != "" {
		return refuse(key)
	}
	if err != nil {
		return err
	}
	var entryID int64
	if e != nil {
		entryID = e.ID
	}
	replaced, err := a.store.AddUpload(r.Context(), entryID, f.Stage, u.ID, m.ID, role, attLang, title)
	if err != nil {
		a.deleteMedia(r.Context(), m.ID) // stored, but for nothing: gone again
		if errors.Is(err, ErrStageInvalid) {
			return refuse("entry.stage_expired")
		}
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound()
		}
		return err
	}
	a.deleteMedia(r.Context(), replaced)
	snippet := ""
	if role == UploadInline {
		snippet = imageMarkdown(m, alt)
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, uploadAnswer{Markdown: snippet})
	}
	return a.renderForm(w, r, e, f, nil, snippet, http.StatusOK)
}

// saveUpload stores an upload through the media pipeline; key is the
// reason, as a message key, when the file is refused.
func (a *Admin) saveUpload(ctx context.Context, file multipart.File, role, alt, lang, attLang string) (m media.Media, key string, err error) {
	var r io.Reader = file
	if role == UploadAttachment {
		m, err = a.media.SaveDocument(ctx, r, attLang, media.DefaultDocLimits())
	} else {
		m, err = a.media.SaveImage(ctx, r, alt, lang, media.DefaultLimits())
	}
	var tooBig *http.MaxBytesError
	doc := role == UploadAttachment
	switch {
	case err == nil:
		return m, "", nil
	case errors.Is(err, media.ErrTooLarge), errors.As(err, &tooBig):
		return m, map[bool]string{true: "media.document_too_large", false: "media.too_large"}[doc], nil
	case errors.Is(err, media.ErrTooManyPixels):
		return m, "media.too_many_pixels", nil
	case errors.Is(err, media.ErrUnsupported):
		return m, map[bool]string{true: "media.document_unsupported", false: "media.unsupported"}[doc], nil
	case errors.Is(err, media.ErrCorrupt):
		return m, map[bool]string{true: "media.document_corrupt", false: "media.corrupt"}[doc], nil
	}
	return m, "", err
}

// renderForm shows the entry's form again as typed, with errs, or with
// the Markdown that places the image just added.
func (a *Admin) renderForm(w http.ResponseWriter, r *http.Request, e *Entry, f entryForm, errs FieldErrors, snippet string, status int) error {
	p, err := a.newEditPage(r, e, f, errs, 0)
	if err != nil {
		return err
	}
	p.Snippet = snippet
	return a.rd.Render(w, status, a.tmpl["admin_entry"], p)
}

// stagedViews lists what the user added to the new entry of form token.
func (a *Admin) stagedViews(ctx context.Context, token string, userID int64) ([]stagedView, error) {
	staged, err := a.store.StagedUploads(ctx, token, userID)
	if err != nil {
		return nil, err
	}
	var out []stagedView
	for _, st := range staged {
		m, err := a.media.ByID(ctx, st.MediaID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v := stagedView{Staged: st, Media: m}
		if st.Role == UploadInline {
			v.Markdown = imageMarkdown(m, m.Alt)
		}
		out = append(out, v)
	}
	return out, nil
}

// pasteAnswer is the Markdown a paste becomes.
type pasteAnswer struct {
	Markdown string `json:"markdown"`
}

// Paste serves POST /admin/markup/paste: the HTML a word processor or a
// web page put on the clipboard (field html), as clean Markdown for the
// editor's script to insert. Anyone who writes or translates may ask.
func (a *Admin) Paste(w http.ResponseWriter, r *http.Request) error {
	src := r.PostFormValue("html")
	if len(src) > markup.MaxPaste {
		return web.BadRequest("form.too_large")
	}
	md, err := a.paste.Paste(src)
	if err != nil {
		return web.BadRequest("form.unreadable")
	}
	return writeJSON(w, http.StatusOK, pasteAnswer{Markdown: md})
}

// pasteLimit is the paste route's body limit: the HTML and the form
// around it.
const pasteLimit = markup.MaxPaste + 64<<10
