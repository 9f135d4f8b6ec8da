package content

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"peerpress/internal/db"
	"peerpress/internal/i18n"
	"peerpress/internal/media"
	"peerpress/internal/web"
)

// attachmentForm is the attachment upload form as typed, shown again when
// an upload is refused.
type attachmentForm struct {
	Lang  string
	Title string
}

// maxAttachmentTitle is the longest title, in characters.
const maxAttachmentTitle = 300

// attachmentView is an attachment as the editor and readers see it.
type attachmentView struct {
	Attachment
	Language i18n.Language // the attachment's language, named in itself
	Type     string        // "PDF", "JPEG", "PNG", "DOCX"…
	Size     string        // "1.2 MB", in the language it is shown in
	FileName string        // suggested name for saving: the title and the extension
}

// newAttachmentView describes at, with its size written for loc.
func newAttachmentView(langs *i18n.Bundle, loc *i18n.Localizer, at Attachment) attachmentView {
	l, ok := langs.Get(at.Lang)
	if !ok {
		// A language disabled since: still named, in itself.
		if l, ok = i18n.Lookup(at.Lang); !ok {
			l = i18n.Language{Code: at.Lang, Name: at.Lang, Dir: "ltr"}
		}
	}
	typ := fileType(at.MIME)
	return attachmentView{Attachment: at, Language: l, Type: typ, Size: fileSize(loc, at.Bytes),
		FileName: at.Title + "." + strings.ToLower(strings.Replace(typ, "JPEG", "JPG", 1))}
}

// fileType names a file's type the way readers know it.
func fileType(mime string) string {
	switch mime {
	case "application/pdf":
		return "PDF"
	case "image/jpeg":
		return "JPEG"
	case "image/png":
		return "PNG"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "DOCX"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return "XLSX"
	case "application/vnd.openxmlformats-officedocument.presentationml.presentation":
		return "PPTX"
	case "application/vnd.oasis.opendocument.text":
		return "ODT"
	case "application/vnd.oasis.opendocument.spreadsheet":
		return "ODS"
	case "application/vnd.oasis.opendocument.presentation":
		return "ODP"
	}
	_, sub, _ := strings.Cut(mime, "/")
	return strings.ToUpper(sub)
}

// fileSize writes a size in kilobytes or megabytes (of 1024) with one
// decimal, in loc's language: its digits and grouping come from
// Localizer.Number, the decimal separator and unit from the catalog.
func fileSize(loc *i18n.Localizer, n int64) string {
	key, unit := "media.size_kb", int64(1)<<10
	tenths := (n*10 + unit/2) / unit
	if tenths >= 10240 { // 1024.0 KB and more: megabytes
		key, unit = "media.size_mb", 1<<20
		tenths = (n*10 + unit/2) / unit
	}
	if n > 0 && tenths == 0 {
		tenths = 1 // a file is never "0.0 KB"
	}
	return loc.T(key, "Whole", loc.Number(int(tenths/10)), "Tenth", loc.Number(int(tenths%10)))
}

// orderAttachments returns the attachments in the page's language first,
// then the others in the order of the enabled languages, then any in a
// language no longer enabled; within a language they keep their order.
func orderAttachments(atts []Attachment, lang string, enabled []i18n.Language) []Attachment {
	rank := map[string]int{lang: 0}
	for i, l := range enabled {
		if l.Code != lang {
			rank[l.Code] = i + 1
		}
	}
	rankOf := func(a Attachment) int {
		if r, ok := rank[a.Lang]; ok {
			return r
		}
		return len(enabled) + 1
	}
	out := slices.Clone(atts)
	slices.SortStableFunc(out, func(a, b Attachment) int { return cmp.Compare(rankOf(a), rankOf(b)) })
	return out
}

// UploadAttachment serves POST /admin/entries/{id}/attachments: a file in
// one of the site's languages, with a title in that language. A PDF is
// stored without its metadata, an image re-encoded without it. Anything
// wrong shows the entry's page again with the reason, and stores nothing.
func (a *Admin) UploadAttachment(w http.ResponseWriter, r *http.Request) error {
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	f := attachmentForm{Lang: strings.TrimSpace(r.FormValue("lang")), Title: strings.TrimSpace(r.FormValue("title"))}
	showErrors := func(errs FieldErrors) error {
		p, err := a.newEditPage(r, e, formFromEntry(e, e.Source(), a.zone, a.store.Extensions()), errs, 0)
		if err != nil {
			return err
		}
		p.AttachmentForm = f
		return a.rd.Render(w, http.StatusUnprocessableEntity, a.tmpl["admin_entry"], p)
	}
	showError := func(key string) error { return showErrors(FieldErrors{"attachment_file": key}) }

	// The fields are checked before the file is read, so that nothing is
	// stored for a form that is refused anyway.
	errs := FieldErrors{}
	if !cleanText(f.Lang) || !cleanText(f.Title) {
		// Shown again, the text must be valid UTF-8.
		f.Title = strings.ReplaceAll(strings.ToValidUTF8(f.Title, ""), "\x00", "")
		errs["attachment_title"] = "form.invalid_text"
	}
	if _, ok := a.rd.I18n().Get(f.Lang); !ok {
		errs["attachment_lang"] = "form.invalid_choice"
	}
	switch {
	case errs["attachment_title"] != "":
	case f.Title == "":
		errs["attachment_title"] = "form.required"
	case utf8.RuneCountInString(f.Title) > maxAttachmentTitle:
		errs["attachment_title"] = "form.too_long"
	}
	file, _, err := r.FormFile("file")
	switch {
	case web.FileTooLarge(r, "file"):
		errs["attachment_file"] = "media.document_too_large"
	case err != nil:
		errs["attachment_file"] = "media.document_missing"
	default:
		defer file.Close()
	}
	if errs.Any() {
		return showErrors(errs)
	}

	m, err := a.media.SaveDocument(ctx, file, f.Lang, media.DefaultDocLimits())
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, media.ErrTooLarge), errors.As(err, &tooBig):
		return showError("media.document_too_large")
	case errors.Is(err, media.ErrTooManyPixels):
		return showError("media.too_many_pixels")
	case errors.Is(err, media.ErrUnsupported):
		return showError("media.document_unsupported")
	case errors.Is(err, media.ErrCorrupt):
		return showError("media.document_corrupt")
	case err != nil:
		return err
	}
	if _, err := a.store.AddAttachment(ctx, e.ID, m.ID, f.Lang, f.Title); err != nil {
		// Stored, but attached to nothing: remove the file again.
		if derr := a.media.Delete(context.WithoutCancel(ctx), m.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound() // the entry was deleted meanwhile
		}
		return err
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"?saved=1#attachments", http.StatusSeeOther)
	return nil
}

// DeleteAttachment serves POST /admin/entries/{id}/attachments/{aid}/delete.
// The file itself is deleted too when nothing else uses it, so that its
// address stops answering: an editor who removes a file expects it gone.
func (a *Admin) DeleteAttachment(w http.ResponseWriter, r *http.Request) error {
	e, err := a.loadEntry(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil || aid <= 0 {
		return web.NotFound()
	}
	orphan, err := a.store.DeleteAttachment(r.Context(), e.ID, aid)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	}
	if err != nil {
		return err
	}
	if orphan != 0 {
		if err := a.media.Delete(r.Context(), orphan); err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	http.Redirect(w, r, "/admin/entries/"+strconv.FormatInt(e.ID, 10)+"?saved=1#attachments", http.StatusSeeOther)
	return nil
}

// cleanText reports whether s can be stored as text on every engine:
// valid UTF-8 and no NUL. (Multipart forms do not pass through
// web.Renderer.CleanInput, which checks urlencoded ones.)
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
