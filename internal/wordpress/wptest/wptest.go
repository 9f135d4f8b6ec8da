// Package wptest finds the WordPress exports tests import. They live
// beside the repository, in ../shared/testdata/wordpress, and are not
// copied into it (see their PROVENANCE.md for their licences).
package wptest

import (
	"os"
	"path/filepath"
	"testing"
)

// Export is the path of an export in ../shared/testdata/wordpress, found
// from the repository's root (or a folder above it, for a worktree of the
// repository). Without it the test is skipped, and fails when CI=true:
// CI must have the exports.
func Export(t testing.TB, name string) string {
	t.Helper()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatal("wptest: no go.mod above the test's folder")
		}
		root = parent
	}
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "testdata", "wordpress", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	msg := "wptest: the WordPress export " + name + " is not in ../shared/testdata/wordpress beside the repository"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
