package letter

// Importing signatures gathered elsewhere (a paper list, a form on an old
// site) from a CSV file: read and checked here, before anything is
// stored, so that staff see every row's fate — imported, a duplicate, or
// wrong and why, by line number — before they confirm.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"peerpress/internal/i18n"
	"peerpress/internal/participant"
)

// Limits of an import: a CSV of this size holds some hundred thousand
// signatures; bigger lists are split.
const (
	ImportLimit   = 8 << 20 // bytes of the file (the route's body limit adds the form around it)
	maxImportRows = 50_000
	maxEvidence   = 500
)

// importColumns are the columns an import understands; the first four are
// required. Names are matched without regard to case, spaces or dashes.
var importColumns = []string{"name", "organisation", "country", "consent", "email", "signed_at", "organisation_type"}

// columnAliases are other names spreadsheets use for the same columns.
var columnAliases = map[string]string{
	"organization": "organisation", "consent_evidence": "consent", "signed": "signed_at", "date": "signed_at",
	"organization_type": "organisation_type", "org_type": "organisation_type", "e_mail": "email",
}

// ImportRow is one line of an import, checked.
type ImportRow struct {
	Line      int // in the file, the header being line 1
	Signature Signature
	Evidence  string
	SignedAt  time.Time // zero: when imported
	Errors    []i18n.Msg
	Duplicate bool // already signed, or earlier in the file: skipped
	key       string
}

// OK reports whether the row will be imported.
func (r ImportRow) OK() bool { return len(r.Errors) == 0 && !r.Duplicate }

// ErrImport is an import file refused as a whole; its Msg says why.
type ErrImport struct{ Msg i18n.Msg }

func (e *ErrImport) Error() string { return "letter: import: " + e.Msg.Key }

func refuse(key string, args ...any) error { return &ErrImport{Msg: i18n.Msg{Key: key, Args: args}} }

// ParseImport reads an import file and checks each row against the
// letter: who may sign, the fields of CheckSignature, an optional email
// and signing date (YYYY-MM-DD, not in the future), and the evidence of
// consent, which is required. A file that cannot be read as such (not
// UTF-8, not CSV, wrong columns, too many rows) is an *ErrImport.
// Duplicates are marked by MarkDuplicates, which knows the stored ones.
func ParseImport(data []byte, l Letter, now time.Time) ([]ImportRow, error) {
	if !utf8.Valid(data) {
		return nil, refuse("letter.import_err_utf8")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // Excel's byte-order mark
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, refuse("letter.import_err_empty")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, refuse("letter.import_err_utf8")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delimiter(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, refuse("letter.import_err_csv", "Line", 1)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
		if a, ok := columnAliases[name]; ok {
			name = a
		}
		known := false
		for _, c := range importColumns {
			known = known || c == name
		}
		if !known {
			return nil, refuse("letter.import_err_column", "Column", h, "Columns", strings.Join(importColumns, ", "))
		}
		if _, dup := col[name]; dup {
			return nil, refuse("letter.import_err_column_twice", "Column", h)
		}
		col[name] = i
	}
	for _, c := range importColumns[:4] {
		if _, ok := col[c]; !ok {
			return nil, refuse("letter.import_err_missing", "Column", c)
		}
	}
	var rows []ImportRow
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, refuse("letter.import_err_csv", "Line", line)
		}
		line, _ = cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rows) == maxImportRows {
			return nil, refuse("letter.import_err_rows", "Max", maxImportRows)
		}
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		rows = append(rows, checkImportRow(line, l, now, get))
	}
	if len(rows) == 0 {
		return nil, refuse("letter.import_err_empty")
	}
	return rows, nil
}

// delimiter is a semicolon when the header has more of them than commas
// (spreadsheets in many languages save CSV that way), else a comma.
func delimiter(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func checkImportRow(line int, l Letter, now time.Time, get func(string) string) ImportRow {
	row := ImportRow{Line: line, Evidence: get("consent")}
	add := func(key string, args ...any) { row.Errors = append(row.Errors, i18n.Msg{Key: key, Args: args}) }
	name, org := get("name"), get("organisation")
	sig := Signature{Kind: Individual, Name: name, Email: get("email"), Status: Approved}
	if org != "" {
		// An organisation signs under its own name; the person who
		// signed for it is not listed, so not kept.
		sig.Kind, sig.Name, sig.OrgType = Organisation, org, "other"
		if t := get("organisation_type"); t != "" {
			sig.OrgType = t
		}
	}
	switch {
	case sig.Kind == Organisation && !l.Organisations:
		add("letter.import_err_no_organisations")
	case sig.Kind == Individual && !l.Individuals:
		add("letter.import_err_no_individuals")
	}
	switch n := utf8.RuneCountInString(sig.Name); {
	case n == 0:
		add("letter.import_err_name")
	case n > 200 || strings.IndexFunc(sig.Name, unsafeRune) >= 0 || normalName(sig.Name) == "":
		add("letter.err_name_invalid")
	}
	if sig.Kind == Organisation && !validOrgType(sig.OrgType) {
		add("letter.import_err_org_type", "Value", sig.OrgType)
	}
	if c, ok := countryCode(get("country")); ok {
		sig.Country = c
	} else {
		add("letter.import_err_country", "Value", get("country"))
	}
	if sig.Email != "" {
		if _, err := participant.Normalize(sig.Email); err != nil {
			add("letter.err_email")
		}
	}
	if d := get("signed_at"); d != "" {
		t, err := parseSignedAt(d)
		switch {
		case err != nil:
			add("letter.import_err_date", "Value", d)
		case t.After(now):
			add("letter.import_err_date_future", "Value", d)
		default:
			row.SignedAt = t
		}
	}
	switch n := utf8.RuneCountInString(row.Evidence); {
	case n == 0:
		add("letter.import_err_consent")
	case n > maxEvidence || strings.IndexFunc(row.Evidence, unsafeRune) >= 0:
		add("letter.import_err_consent_invalid", "Max", maxEvidence)
	}
	row.Signature = sig
	return row
}

// parseSignedAt reads a date (YYYY-MM-DD) or a date and time, in UTC.
func parseSignedAt(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// countryCode reads a country as its ISO code ("KE", "ke") or its English
// name ("Kenya").
func countryCode(s string) (string, bool) {
	if up := strings.ToUpper(s); ValidCountry(up) {
		return up, true
	}
	want := normalName(s)
	if want == "" {
		return "", false
	}
	for _, c := range Countries("en") {
		if normalName(c.Name) == want {
			return c.Code, true
		}
	}
	return "", false
}
