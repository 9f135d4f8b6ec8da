package directory_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/participant"
)

// Staff download the directory as CSV: every organisation, formulas
// typed into a name defused, the download in the audit log; nobody else
// can.
func TestDirectoryCSVExport(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		admin, csrf := s.Admin()
		admin.Post("/admin/organisations", profileForm(csrf, "name", `=HYPERLINK("http://evil.example","click")`, "slug", "formula-org",
			"short_name", "@SUM(A1)")).Must(t, http.StatusSeeOther)
		s.Client().Get("/admin/organisations.csv").MustNot(t, "Harbour Harm Reduction Alliance")

		r := admin.Get("/admin/organisations.csv")
		r.Must(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+42 || rows[0][2] != "name" {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
		found := false
		for _, row := range rows[1:] {
			if row[1] == "formula-org" {
				found = true
				if row[2] != `'=HYPERLINK("http://evil.example","click")` || row[3] != "'@SUM(A1)" {
					t.Errorf("formulas exported as %q, %q", row[2], row[3])
				}
				if row[6] != "PE" || row[7] != "Peru" || row[8] != "419" || row[9] != "es en" {
					t.Errorf("place and languages exported as %v", row[6:10])
				}
			}
			if row[1] == "harbour-alliance" && (row[2] != "Harbour Harm Reduction Alliance" || row[6] != "KE") {
				t.Errorf("harbour-alliance exported as %v", row)
			}
		}
		if !found {
			t.Error("the new organisation is not in the export")
		}
		log, _, err := participant.NewAudit(s.App.DB).Page(context.Background(), 1, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "directory/organisations_csv" || log[0].Records != 42 || log[0].UserID == 0 {
			t.Errorf("the audit log's last access: %+v", log)
		}
	})
}
