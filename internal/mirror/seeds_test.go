package mirror

import "testing"

// A changed page of an archive, first or not, renews the archive's feeds
// (they hold more entries than its first page shows); no other page does.
func TestArchiveBase(t *testing.T) {
	for p, want := range map[string]string{
		"/en/articles":                  "/en/articles",
		"/en/articles/page/2":           "/en/articles",
		"/fr/section/news/page/3":       "/fr/section/news",
		"/en/section/news":              "/en/section/news",
		"/en/tag/naloxone/page/2":       "/en/tag/naloxone",
		"/ar/tag/naloxone":              "/ar/tag/naloxone",
		"/en/tag/page/page/4":           "/en/tag/page", // a tag named "page"
		"/en/tag/page":                  "/en/tag/page",
		"/en/articles/naloxone-by-post": "",
		"/en/about":                     "",
		"/en/share/site.png":            "",
		"/en/campaigns/care/tributes":   "",
		"/en/":                          "",
	} {
		got, ok := archiveBase(p)
		if ok != (want != "") || got != want {
			t.Errorf("archiveBase(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
}
