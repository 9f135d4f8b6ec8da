package updates

import (
	"errors"
	"io"
	"net/http"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// subscribersRoutes declares the list's page for administrators: counts,
// the CSV import and the export.
func (h *Handlers) subscribersRoutes(rs *web.Routes) {
	rs.Admin("GET /admin/updates/subscribers", h.subscribers, web.Need(auth.ManageSite))
	rs.Admin("POST /admin/updates/subscribers/import", h.importCSV, web.Need(auth.ManageSite), web.Body(ImportLimit+1<<20))
	rs.Admin("GET /admin/updates/subscribers.csv", h.exportCSV, web.Need(auth.ManageSite))
}

// refusedRow is a refused line of an import, as the page shows it.
type refusedRow struct {
	Line   int
	Reason string
}

type subscribersPage struct {
	web.Page
	Counts  map[string]int
	Problem string
	Done    bool
	Result  ImportResult
	Refused []refusedRow
}

// subscribers serves GET /admin/updates/subscribers.
func (h *Handlers) subscribers(w http.ResponseWriter, r *http.Request) error {
	return h.renderSubscribers(w, r, http.StatusOK, subscribersPage{})
}

func (h *Handlers) renderSubscribers(w http.ResponseWriter, r *http.Request, status int, p subscribersPage) error {
	p.Page = h.rd.AdminPage(r)
	p.Title = p.L.T("updates.admin.subscribers_title")
	counts, err := h.store.Counts(r.Context())
	if err != nil {
		return err
	}
	p.Counts = counts
	for _, row := range p.Result.Refused {
		p.Refused = append(p.Refused, refusedRow{Line: row.Line, Reason: p.L.Msg(row.Problem)})
	}
	return h.rd.Render(w, status, h.tmpl["admin_subscribers"], p)
}

// importCSV serves POST /admin/updates/subscribers/import: a file
// refused as a whole changes nothing and says why; otherwise the rows
// that are fine are added in one transaction and each refused row is
// listed by its line with the reason.
func (h *Handlers) importCSV(w http.ResponseWriter, r *http.Request) error {
	refused := func(m i18n.Msg) error {
		l := h.rd.AdminLocalizer(r)
		return h.renderSubscribers(w, r, http.StatusUnprocessableEntity, subscribersPage{Problem: l.Msg(m)})
	}
	file, _, err := r.FormFile("file")
	switch {
	case web.FileTooLarge(r, "file"):
		return refused(i18n.M("updates.import.err_too_large", "Max", ImportLimit>>20))
	case err != nil:
		return refused(i18n.M("updates.import.err_no_file"))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, ImportLimit+1))
	if err != nil {
		return err
	}
	if len(data) > ImportLimit {
		return refused(i18n.M("updates.import.err_too_large", "Max", ImportLimit>>20))
	}
	var langs []string
	def := h.rd.I18n().Default().Code
	langs = append(langs, def)
	for _, l := range h.rd.I18n().Enabled() {
		if l.Code != def {
			langs = append(langs, l.Code)
		}
	}
	rows, err := ParseImport(data, langs, h.store.Now())
	var bad *ErrImport
	if errors.As(err, &bad) {
		return refused(bad.Msg)
	}
	if err != nil {
		return err
	}
	res, err := h.store.Import(r.Context(), rows, r.PostFormValue("confirm") != "", web.Origin(h.rd.BaseURL, r))
	if err != nil {
		return err
	}
	return h.renderSubscribers(w, r, http.StatusOK, subscribersPage{Done: true, Result: res})
}

// exportCSV serves GET /admin/updates/subscribers.csv: the list with
// the evidence of consent, for administrators; the staff audit log
// records who took it and how many it held.
func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	n, err := h.store.WriteCSV(r.Context(), w)
	if err != nil {
		return err
	}
	if h.store.audit != nil {
		u, _ := auth.UserFrom(r.Context())
		return h.store.audit.Record(r.Context(), participant.Access{UserID: u.ID, Action: "updates/subscribers_csv", Holder: "updates/subscribers",
			Target: "subscribers", Records: n})
	}
	return nil
}
