package content

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// content is the spine the feature areas hang off: they import it, never
// the reverse, in its code or its tests. What an area adds to entries
// comes through the interfaces content owns (Extension, Panel…).
func TestImportsNoFeatureArea(t *testing.T) {
	areas := map[string]bool{}
	for _, a := range []string{"events", "campaign", "letter", "search", "people", "api", "feed", "app"} {
		areas["peerpress/internal/"+a] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d files: %v", len(files), err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); areas[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
