package letter

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/web"
)

// importPage is the import form, and the preview of a file.
type importPage struct {
	web.Page
	Entry      *content.Entry
	EntryTitle string
	Base       string // the letter's signatures page
	Problem    string // why the file as a whole was refused, translated
	Rows       []importRowView
	CSV        string // the previewed file, sent again to confirm
	Send       bool   // "send a confirmation" ticked
	Count      struct{ OK, Duplicates, Errors, WithEmail int }
}

type importRowView struct {
	ImportRow
	CountryName string
	Messages    []string
}

// importForm serves GET /admin/entries/{id}/signatures/import.
func (h *Handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_import"], h.importData(r, e))
}

func (h *Handlers) importData(r *http.Request, e *content.Entry) importPage {
	p := importPage{Page: h.rd.Page(r, h.rd.I18n().Default().Code), Entry: e, EntryTitle: e.Source().Title,
		Base: "/admin/entries/" + strconv.FormatInt(e.ID, 10) + "/signatures"}
	p.Title = p.L.T("letter.import_title", "Title", p.EntryTitle)
	p.NoIndex = true
	return p
}

// importSignatures serves POST /admin/entries/{id}/signatures/import:
// with a file, the preview of every row; with the previewed file sent
// back and "confirm", the import of the rows that are fine. Nothing is
// stored until then, and nothing at all for a file refused as a whole.
func (h *Handlers) importSignatures(w http.ResponseWriter, r *http.Request) error {
	e, u, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	p := h.importData(r, e)
	p.Send = r.PostFormValue("send") != ""
	refused := func(m i18n.Msg) error {
		p.Problem, p.Rows = p.L.Msg(m), nil
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["admin_import"], p)
	}
	var data []byte
	file, _, ferr := r.FormFile("file")
	switch {
	case web.FileTooLarge(r, "file"):
		return refused(i18n.M("letter.import_err_too_large", "Max", ImportLimit>>20))
	case ferr == nil:
		defer file.Close()
		data, err = io.ReadAll(io.LimitReader(file, ImportLimit+1))
		if err != nil {
			return err
		}
		if len(data) > ImportLimit {
			return refused(i18n.M("letter.import_err_too_large", "Max", ImportLimit>>20))
		}
	case r.PostFormValue("csv") != "":
		data = []byte(r.PostFormValue("csv"))
	default:
		return refused(i18n.M("letter.import_err_no_file"))
	}
	l, err := h.store.Letter(r.Context(), e.ID)
	if err != nil {
		return err
	}
	rows, err := ParseImport(data, l, h.now())
	var bad *ErrImport
	if errors.As(err, &bad) {
		return refused(bad.Msg)
	}
	if err != nil {
		return err
	}
	if err := h.store.MarkDuplicates(r.Context(), e.ID, rows); err != nil {
		return err
	}
	if ferr != nil && r.PostFormValue("confirm") != "" {
		var send Mailer
		if p.Send {
			send = h.signatureMail(r, e.Source())
		}
		res, err := h.store.Import(r.Context(), e.ID, rows, e.SourceLang, u.ID, send)
		if err != nil {
			return err
		}
		http.Redirect(w, r, p.Base+"?done=imported&imported="+strconv.Itoa(res.Imported)+
			"&duplicates="+strconv.Itoa(res.Duplicates)+"&mailed="+strconv.Itoa(res.Mailed), http.StatusSeeOther)
		return nil
	}
	p.CSV = string(data)
	for _, row := range rows {
		v := importRowView{ImportRow: row}
		if row.Signature.Country != "" {
			v.CountryName = CountryName(row.Signature.Country, p.Lang.Code)
		}
		for _, m := range row.Errors {
			v.Messages = append(v.Messages, p.L.Msg(m))
		}
		switch {
		case len(row.Errors) > 0:
			p.Count.Errors++
		case row.Duplicate:
			p.Count.Duplicates++
		default:
			p.Count.OK++
			if row.Signature.Email != "" {
				p.Count.WithEmail++
			}
		}
		p.Rows = append(p.Rows, v)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["admin_import"], p)
}

// importedFlash says what an import did, from the redirect's query.
func importedFlash(p *adminPage, r *http.Request) {
	n := func(k string) int {
		v, _ := strconv.Atoi(r.URL.Query().Get(k))
		return max(v, 0)
	}
	p.Flash = p.L.T("letter.imported", "Count", p.L.Number(n("imported")))
	if d := n("duplicates"); d > 0 {
		p.Flash += " " + p.L.T("letter.imported_duplicates", "Count", p.L.Number(d))
	}
	if m := n("mailed"); m > 0 {
		p.Flash += " " + p.L.T("letter.imported_mailed", "Count", p.L.Number(m))
	}
}
