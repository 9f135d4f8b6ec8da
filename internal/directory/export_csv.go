package directory

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/i18n"
	"peerpress/internal/participant"
)

// exportCSV serves GET /admin/organisations.csv: the whole directory for
// staff, one organisation a row, in English. Applicants typed some of it,
// so every text is defused against spreadsheet formulas; the export is
// written to the audit log, as every export of what staff hold.
func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.store.All(r.Context())
	if err != nil {
		return err
	}
	u, _ := auth.UserFrom(r.Context())
	if err := h.audit.Record(r.Context(), participant.Access{UserID: u.ID, Action: "directory/organisations_csv", Holder: "directory/organisations",
		Target: "directory", Records: len(orgs)}); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="directory-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "slug", "name", "short_name", "type", "membership", "country", "country_name", "region", "languages",
		"website", "contact", "contact_agreed", "year_joined", "updated_at"}); err != nil {
		return err
	}
	for _, o := range orgs {
		region, country := "", ""
		if reg := o.Region(); reg != nil {
			region = reg.Code
		}
		if o.Country != "" {
			country = i18n.CountryName(o.Country, "en")
		}
		year := ""
		if o.YearJoined != 0 {
			year = strconv.Itoa(o.YearJoined)
		}
		if err := cw.Write([]string{strconv.FormatInt(o.ID, 10), cell(o.Slug), cell(o.Name), cell(o.ShortName), o.Type, o.Membership, o.Country,
			country, region, strings.Join(o.Languages, " "), cell(o.Website), cell(o.Contact), strconv.FormatBool(o.ContactAgreed), year,
			o.Updated.Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses a text against spreadsheet formulas: a value starting with
// = + - @ (or a tab or carriage return) gets a quote in front, so that a
// spreadsheet shows it as text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
