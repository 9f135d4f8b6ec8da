package directory

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"peerpress/internal/content"
	"peerpress/internal/media"
)

// LogoLimits bound a logo: small files, re-encoded without metadata by
// the media pipeline like every image.
var LogoLimits = media.Limits{MaxBytes: 2 << 20, MaxWidth: 4000, MaxHeight: 4000, MaxPixels: 16_000_000}

// LogoUploadLimit is the body limit of a logo's upload: the file and the
// form around it.
const LogoUploadLimit = 3 << 20

// logoError is the message key of why media refused a logo, or "".
func logoError(err error) string {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, media.ErrTooLarge), errors.As(err, &tooBig):
		return "directory.err_logo_large"
	case errors.Is(err, media.ErrTooManyPixels):
		return "directory.err_logo_large"
	case errors.Is(err, media.ErrUnsupported):
		return "media.unsupported"
	case errors.Is(err, media.ErrCorrupt):
		return "media.corrupt"
	}
	return ""
}

// adminLogo serves POST /admin/organisations/{id}/logo: a new logo, or
// with remove=1 none. The old one is deleted.
func (h *Handlers) adminLogo(w http.ResponseWriter, r *http.Request) error {
	o, err := h.byPathID(r)
	if err != nil {
		return err
	}
	refuse := func(key string) error {
		p := h.form(r, o, yearText(o.YearJoined), content.FieldErrors{"logo": key})
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_form"], p)
	}
	ctx := r.Context()
	var logoID int64
	if r.FormValue("remove") == "" {
		file, _, err := r.FormFile("logo")
		if err != nil {
			if key := logoError(err); key != "" {
				return refuse(key)
			}
			return refuse("media.missing")
		}
		defer file.Close()
		m, err := h.media.SaveImage(ctx, file, o.Name, h.rd.AdminPage(r).Lang.Code, LogoLimits)
		if key := logoError(err); key != "" {
			return refuse(key)
		}
		if err != nil {
			return err
		}
		logoID = m.ID
	}
	old, err := h.store.SetLogo(ctx, o.ID, logoID)
	if err != nil {
		if logoID != 0 {
			_ = h.media.Delete(context.WithoutCancel(ctx), logoID)
		}
		return err
	}
	if old != 0 && old != logoID {
		if err := h.media.Delete(ctx, old); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/admin/organisations/"+strconv.FormatInt(o.ID, 10)+"?logo=1", http.StatusSeeOther)
	return nil
}

// logos finds the logos of orgs, by media id.
func (h *Handlers) logos(ctx context.Context, orgs ...Organisation) (map[int64]media.Media, error) {
	var ids []int64
	for _, o := range orgs {
		if o.LogoID != 0 {
			ids = append(ids, o.LogoID)
		}
	}
	return h.media.ByIDs(ctx, ids)
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}
