package content

import (
	"context"
	"encoding/json"
	"errors"
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
	field := uploadFields[role]
	refuse := func(key string) error {
		if wantsJSON(r) {
			loc := a.rd.AdminPage(r).L
			return writeJSON(w, http.StatusUnprocessableEntity, uploadAnswer{Error: loc.T(key)})
		}
		return a.renderForm(w, r, e, f, FieldErrors{field: key}, "", http.StatusUnprocessableEntity)
	}
	snippet, key, err := a.addFile(r, e, f, role, lang)
	if key != "" {
		return refuse(key)
	}
	if err != nil {
		return err
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, uploadAnswer{Markdown: snippet})
	}
	return a.renderForm(w, r, e, f, nil, snippet, http.StatusOK)
}

// uploadFields are the file fields of the editor's form, by role.
var uploadFields = map[string]string{UploadInline: "inline_image", UploadFeatured: "featured_image", UploadAttachment: "attachment_file"}

// addFile stores the file of role posted with the entry's form f (e nil:
// an entry not saved yet, the file staged under f.Stage) and returns the
// Markdown that places an inline image; key is the reason, as a message
// key, when the file is refused and nothing is stored.
func (a *Admin) addFile(r *http.Request, e *Entry, f entryForm, role, lang string) (snippet, key string, err error) {
	doc := role == UploadAttachment
	if e == nil && !validStageToken(f.Stage) {
		return "", "entry.stage_expired", nil
	}
	alt := strings.TrimSpace(r.PostFormValue(map[string]string{UploadInline: "inline_alt", UploadFeatured: "featured_alt"}[role]))
	var title, attLang string
	if doc {
		title, attLang = strings.TrimSpace(r.PostFormValue("attachment_title")), strings.TrimSpace(r.PostFormValue("attachment_lang"))
	}
	switch {
	case !cleanText(alt) || !cleanText(title):
		return "", "form.invalid_text", nil
	case utf8.RuneCountInString(alt) > 300 || utf8.RuneCountInString(title) > maxAttachmentTitle:
		return "", "form.too_long", nil
	case role == UploadInline && alt == "":
		return "", "entry.image_alt_required", nil
	case doc && title == "":
		return "", "entry.attachment_title_required", nil
	}
	if doc {
		if _, ok := a.rd.I18n().Get(attLang); !ok {
			return "", "form.invalid_choice", nil
		}
	}
	if web.FileTooLarge(r, uploadFields[role]) {
		return "", refusal(doc, "media.document_too_large", "media.too_large"), nil
	}
	file, _, err := r.FormFile(uploadFields[role])
	if err != nil {
		return "", refusal(doc, "media.document_missing", "media.missing"), nil
	}
	defer file.Close()
	m, key, err := a.saveUpload(r.Context(), file, role, alt, lang, attLang)
	if key != "" || err != nil {
		return "", key, err
	}
	var entryID int64
	if e != nil {
		entryID = e.ID
	}
	replaced, err := a.store.AddUpload(r.Context(), entryID, f.Stage, currentUser(r).ID, m.ID, role, attLang, title)
	if err != nil {
		a.deleteMedia(r.Context(), m.ID) // stored, but for nothing: gone again
		if errors.Is(err, ErrStageInvalid) {
			return "", "entry.stage_expired", nil
		}
		if errors.Is(err, db.ErrNotFound) {
			return "", "", web.NotFound()
		}
		return "", "", err
	}
	a.deleteMedia(r.Context(), replaced)
	if role == UploadInline {
		snippet = imageMarkdown(m, alt)
	}
	return snippet, "", nil
}

// fileChosen reports whether the form carries a file in role's field
// (chosen, perhaps too large), for a Save pressed without its upload
// button: the file is added rather than dropped.
func fileChosen(r *http.Request, role string) bool {
	if r.MultipartForm == nil {
		return false
	}
	if web.FileTooLarge(r, uploadFields[role]) {
		return true
	}
	fhs := r.MultipartForm.File[uploadFields[role]]
	return len(fhs) > 0 && fhs[0].Size > 0
}

// saveUpload stores an upload through the media pipeline; key is the
// reason, as a message key, when the file is refused.
func (a *Admin) saveUpload(ctx context.Context, file multipart.File, role, alt, lang, attLang string) (m media.Media, key string, err error) {
	if role == UploadAttachment {
		m, err = a.media.SaveDocument(ctx, file, attLang, media.DefaultDocLimits())
	} else {
		m, err = a.media.SaveImage(ctx, file, alt, lang, media.DefaultLimits())
	}
	var tooBig *http.MaxBytesError
	doc := role == UploadAttachment
	switch {
	case err == nil:
		return m, "", nil
	case errors.Is(err, media.ErrTooLarge), errors.As(err, &tooBig):
		return m, refusal(doc, "media.document_too_large", "media.too_large"), nil
	case errors.Is(err, media.ErrTooManyPixels):
		return m, "media.too_many_pixels", nil
	case errors.Is(err, media.ErrUnsupported):
		return m, refusal(doc, "media.document_unsupported", "media.unsupported"), nil
	case errors.Is(err, media.ErrCorrupt):
		return m, refusal(doc, "media.document_corrupt", "media.corrupt"), nil
	}
	return m, "", err
}

// refusal is the message key of why a file was refused: a document's or
// an image's. Keys are written whole, so the catalog test finds them.
func refusal(doc bool, document, image string) string {
	if doc {
		return document
	}
	return image
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
