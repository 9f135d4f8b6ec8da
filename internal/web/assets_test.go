package web

import (
	"regexp"
	"strings"
	"testing"
)

// Right-to-left pages mirror only if the stylesheet speaks of start and
// end, never of left and right.
func TestStylesheetUsesLogicalProperties(t *testing.T) {
	css, err := staticFiles.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	physical := regexp.MustCompile(`(?m)(?:^|[;{\s])((?:margin|padding|border)-(?:left|right)[a-z-]*|(?:left|right)\s*:|text-align:\s*(?:left|right)|float:\s*(?:left|right)|clear:\s*(?:left|right))`)
	for i, line := range strings.Split(string(css), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "/*") {
			continue
		}
		if m := physical.FindStringSubmatch(line); m != nil {
			t.Errorf("style.css:%d uses %q; use the logical property (inline-start/end)", i+1, m[1])
		}
	}
	if !strings.Contains(string(css), "margin-inline") || !strings.Contains(string(css), "padding-inline") {
		t.Fatal("the check found no logical properties either: is this the right file?")
	}
}

// Assets are served under a content fingerprint and cached for a year.
func TestAssetsFingerprinted(t *testing.T) {
	a, err := NewAssets()
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.URL("style.css")
	if err != nil || !regexp.MustCompile(`^/static/style\.[0-9a-f]{8}\.css$`).MatchString(u) {
		t.Fatalf("style.css URL %q, %v", u, err)
	}
	if _, err := a.URL("nope.css"); err == nil {
		t.Fatal("an unknown asset has a URL")
	}
}
