package letter

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// exportCSV serves GET /admin/entries/{id}/signatures.csv: every signature
// with its status and contact email, for staff. It holds personal data, so
// it is never cached.
func (h *Handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	sigs, err := h.store.List(r.Context(), e.ID)
	if err != nil {
		return err
	}
	if err := h.store.recordAccess(r, "letter/signatures_csv", e.ID, len(sigs)); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="signatures-`+strconv.FormatInt(e.ID, 10)+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "status", "kind", "name", "organisation_type", "country", "country_name", "website", "email", "language", "flagged", "signed_at", "verified_at"})
	for _, s := range sigs {
		if s.Locked {
			// Sealed to the organisation's key: `peerpress unseal` opens them.
			s.Name, s.Website = s.sealed.name, s.sealed.website
		}
		verified := ""
		if !s.VerifiedAt.IsZero() {
			verified = s.VerifiedAt.Format(time.RFC3339)
		}
		cw.Write([]string{strconv.FormatInt(s.ID, 10), s.Status, s.Kind, cell(s.Name), s.OrgType, s.Country, CountryName(s.Country, "en"),
			cell(s.Website), cell(s.Email), s.Lang, strconv.FormatBool(s.Flagged), s.CreatedAt.Format(time.RFC3339), verified})
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses what the public typed against spreadsheet formulas: a
// value starting with = + - @ (or a tab or carriage return) gets a quote
// in front, so a spreadsheet shows it as text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
