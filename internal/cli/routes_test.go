package cli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The route table, with every route's policy, is what testdata/routes.golden
// says: a new URL, or a changed policy (a page now cached, a larger body,
// another capability), shows in review as a change of that file. Run
// `go test ./internal/cli -run TestRoutesGolden -update` after a deliberate
// change.
func TestRoutesGolden(t *testing.T) {
	code, out, errOut := run(t, "", "routes")
	if code != 0 {
		t.Fatalf("routes: exit %d: %s", code, errOut)
	}
	golden := filepath.Join("testdata", "routes.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("peerpress routes differs from %s (rerun with -update if the change is meant):\n%s", golden, out)
	}
}
