package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/secret"
	"peerpress/internal/wordpress/wptest"
)

// `import wordpress`: a dry run writes nothing; an import with a mapping
// file gives its kinds and writes the report as JSON; mistakes in the
// command are refused before anything is read.
func TestImportWordPress(t *testing.T) {
	export := wptest.Export(t, "polylang/test-import.xml")
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		dir := t.TempDir()
		flags := []string{"--data", dir, "--database", dbtest.URL(t, d), "--site-key", secret.NewKey(), "--languages", "en,fr"}
		entries := func() int {
			var n int
			if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM entries`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		code, out, errOut := run(t, "", append([]string{"import", "wordpress", export, "--dry-run"}, flags...)...)
		if code != 0 || !strings.Contains(out, "Dry run") || !strings.Contains(out, "| article | 4 | 0 | 0 |") {
			t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
		}
		if n := entries(); n != 0 {
			t.Fatalf("the dry run wrote %d entries", n)
		}

		mapFile := filepath.Join(dir, "kinds.txt")
		os.WriteFile(mapFile, []byte("# the test category holds statements\ncategory:test statement\n"), 0o600)
		report := filepath.Join(dir, "report.json")
		code, out, errOut = run(t, "", append([]string{"import", "wordpress", "--map", mapFile, export, "--report", report}, flags...)...)
		if code != 0 || !strings.Contains(out, "| statement | 2 | 0 | 0 |") {
			t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
		}
		var rep struct {
			Counts map[string]struct{ Imported int } `json:"counts"`
		}
		b, _ := os.ReadFile(report)
		if err := json.Unmarshal(b, &rep); err != nil || rep.Counts["page"].Imported != 2 {
			t.Fatalf("report %s: %v", b, err)
		}
		if n := entries(); n != 3 {
			t.Fatalf("%d entries, want 3", n)
		}

		for _, c := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"import", "wordpress"}, 2, "which file?"},
			{[]string{"import", "drupal", export}, 2, "Usage:"},
			{[]string{"import", "wordpress", filepath.Join(dir, "missing.xml")}, 1, "no such file"},
			{[]string{"import", "wordpress", export, "--uploads", report}, 1, "is not a folder"},
			{[]string{"import", "wordpress", export, "--map", report}, 1, "line 1"},
		} {
			code, _, errOut := run(t, "", append(c.args, flags...)...)
			if code != c.code || !strings.Contains(errOut, c.says) {
				t.Errorf("%v: %d %q, want %d and %q", c.args, code, errOut, c.code, c.says)
			}
		}
	})
}
