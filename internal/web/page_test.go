package web

import (
	"fmt"
	"reflect"
	"testing"
)

func TestPagerLinks(t *testing.T) {
	url := func(n int) string { return fmt.Sprint(n) }
	show := func(p Pager) []string {
		var out []string
		for _, l := range p.Links() {
			switch {
			case l.Gap:
				out = append(out, "…")
			case l.Current:
				out = append(out, "["+l.URL+"]")
			default:
				out = append(out, l.URL)
			}
		}
		return out
	}
	cases := []struct {
		page, pages int
		want        []string
	}{
		{1, 1, []string{"[1]"}},
		{1, 3, []string{"[1]", "2", "3"}},
		{1, 10, []string{"[1]", "2", "3", "…", "10"}},
		{5, 10, []string{"1", "…", "3", "4", "[5]", "6", "7", "…", "10"}},
		{10, 10, []string{"1", "…", "8", "9", "[10]"}},
		{4, 10, []string{"1", "2", "3", "[4]", "5", "6", "…", "10"}},
		{5000, 10000, []string{"1", "…", "4998", "4999", "[5000]", "5001", "5002", "…", "10000"}},
	}
	for _, c := range cases {
		p := Pager{Page: c.page, Pages: c.pages, URL: url}
		if got := show(p); !reflect.DeepEqual(got, c.want) {
			t.Errorf("page %d of %d: %v, want %v", c.page, c.pages, got, c.want)
		}
	}
	p := Pager{Page: 1, Pages: 3, URL: url}
	if p.Prev() != "" || p.Next() != "2" {
		t.Errorf("prev/next on page 1: %q %q", p.Prev(), p.Next())
	}
}
