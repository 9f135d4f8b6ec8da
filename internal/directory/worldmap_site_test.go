package directory_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"peerpress/internal/app/apptest"
	"peerpress/internal/directory"
	"peerpress/internal/i18n"
)

// mapLink is a country of the map as a reader (and a screen reader) gets it.
type mapLink struct {
	Href, Country, Title string
}

// readMap parses the page's world map as XML: it fails the test if the
// SVG is not well formed, and returns its linked countries.
func readMap(t *testing.T, page string) (links []mapLink, shapes int) {
	t.Helper()
	i := strings.Index(page, `<svg class="world-map"`)
	if i < 0 {
		t.Fatal("the page has no world map")
	}
	j := strings.Index(page[i:], "</svg>")
	svg := page[i : i+j+len("</svg>")]
	dec := xml.NewDecoder(strings.NewReader(svg))
	var cur *mapLink
	inTitle := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the world map is not valid XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tok.Name.Local {
			case "svg":
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("the map's namespace is %q", tok.Name.Space)
				}
			case "a":
				cur = &mapLink{Href: attr("href"), Country: attr("data-country")}
			case "title":
				inTitle = cur != nil
			case "path":
				shapes++
			}
		case xml.CharData:
			if inTitle {
				cur.Title += string(tok)
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "title":
				inTitle = false
			case "a":
				links = append(links, *cur)
				cur = nil
			}
		}
	}
	return links, shapes
}

// The directory draws a world map on the server: valid SVG, every
// country on the map, each country with organisations once, as a link to
// its list named for screen readers with its count; a visible legend and
// a list by region say the same in text.
func TestWorldMap(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		ctx := context.Background()
		counts, err := s.App.Directory.CountryCounts(ctx, directory.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		onMap := map[string]bool{}
		for _, c := range directory.MapCountries() {
			onMap[c] = true
		}
		c := s.Client()
		res := c.Get("/en/directory")
		res.Must(t, http.StatusOK, `class="map-legend"`, "10 or more", "By region and country")
		page := res.Body
		links, shapes := readMap(t, page)
		if shapes != len(directory.MapCountries()) {
			t.Errorf("the map draws %d shapes for %d countries", shapes, len(directory.MapCountries()))
		}
		seen := map[string]int{}
		for _, l := range links {
			seen[l.Country]++
			if l.Href != "/en/directory?country="+l.Country {
				t.Errorf("%s links to %s", l.Country, l.Href)
			}
		}
		drawn := 0
		for code, n := range counts {
			if !onMap[code] {
				continue // a country too small for the map: in the list only
			}
			drawn++
			if seen[code] != 1 {
				t.Errorf("%s has %d organisations and %d links on the map", code, n, seen[code])
			}
		}
		if drawn < 10 || len(links) != drawn {
			t.Errorf("%d countries with organisations on the map, %d links", drawn, len(links))
		}
		// Each linked country is named, with its count.
		for _, l := range links {
			name := i18n.CountryName(l.Country, "en")
			if !strings.HasPrefix(l.Title, name+": ") || !strings.Contains(l.Title, "organisation") {
				t.Errorf("%s is titled %q", l.Country, l.Title)
			}
		}
		for _, l := range links {
			want := fmt.Sprintf("%s: %d organisations", i18n.CountryName(l.Country, "en"), counts[l.Country])
			if counts[l.Country] == 1 {
				want = i18n.CountryName(l.Country, "en") + ": 1 organisation"
			}
			if l.Title != want {
				t.Errorf("%s is titled %q, not %q", l.Country, l.Title, want)
			}
		}
		// The text list links to each region's list, which the map's link
		// leads to.
		if !strings.Contains(page, `href="/en/directory?region=002"`) {
			t.Error("the list by region has no link to Africa's list")
		}
		c.Get("/en/directory?country=KE").Must(t, http.StatusOK, "Harbour Harm Reduction Alliance")

		// The map follows the other filters (not the place: it is how one
		// picks a place), in the reader's language.
		donors, _ := readMap(t, c.Get("/en/directory?type=donor").Body)
		if len(donors) == 0 || len(donors) >= len(links) {
			t.Errorf("donors are on %d countries of the map, everyone on %d", len(donors), len(links))
		}
		for _, l := range donors {
			if l.Href != "/en/directory?country="+l.Country+"&type=donor" {
				t.Errorf("a donor's country links to %s", l.Href)
			}
		}
		fr, _ := readMap(t, c.Get("/fr/directory?region=419").Body)
		if len(fr) != len(links) {
			t.Errorf("a region filter changed the map: %d countries, not %d", len(fr), len(links))
		}
		for _, l := range fr {
			if l.Country == "KE" && !strings.HasPrefix(l.Title, "Kenya : ") {
				t.Errorf("in French Kenya is titled %q", l.Title)
			}
		}
	})
}
