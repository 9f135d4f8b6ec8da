package content

import (
	"net/url"
	"testing"
)

func TestOldPathKey(t *testing.T) {
	for _, c := range []struct{ path, query, want string }{
		{"/2020/01/02/hello/", "", "/2020/01/02/hello"},
		{"/en/articles/x", "", "/en/articles/x"},
		{"/", "", "/"},
		{"//", "", "/"},
		{"/", "p=12", "/?p=12"},
		{"/", "page_id=3&utm_source=x", "/?page_id=3"},
		{"/blog/", "p=12&page_id=3", "/blog?p=12"},
		{"/", "tag=harm reduction", "/?tag=harm+reduction"},
		{"/search", "q=x", "/search"},
	} {
		q, _ := url.ParseQuery(c.query)
		if got := OldPathKey(c.path, q); got != c.want {
			t.Errorf("OldPathKey(%q, %q) = %q, want %q", c.path, c.query, got, c.want)
		}
	}
}
