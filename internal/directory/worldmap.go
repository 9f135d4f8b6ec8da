package directory

import (
	"context"
	_ "embed" // the world map's shapes
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"

	"peerpress/internal/i18n"
)

// worldMapData is Natural Earth's countries (1:110m, public domain),
// projected and written by scripts/genmap: a line with the picture's
// width and height, then one country a line, its ISO code and SVG path.
//
//go:embed worldmap.txt
var worldMapData string

// mapShape is a country's outline on the world map.
type mapShape struct{ Code, D string }

type worldMap struct {
	Width, Height string
	Shapes        []mapShape // by code
}

var theWorldMap = sync.OnceValue(func() worldMap {
	var m worldMap
	lines := strings.Split(strings.TrimSpace(worldMapData), "\n")
	m.Width, m.Height, _ = strings.Cut(lines[0], " ")
	for _, l := range lines[1:] {
		code, d, _ := strings.Cut(l, " ")
		m.Shapes = append(m.Shapes, mapShape{Code: code, D: d})
	}
	return m
})

// MapCountries are the countries the world map has a shape for: an
// organisation elsewhere (a small island state) is in the map's list
// only.
func MapCountries() []string {
	var out []string
	for _, s := range theWorldMap().Shapes {
		out = append(out, s.Code)
	}
	return out
}

// mapLevels are the shades of the map, by the least count each stands
// for; a country with none is mapNone.
var mapLevels = []struct {
	From, To int // To 0: and more
	Fill     string
}{
	{1, 1, "#9ecae1"},
	{2, 3, "#4a98c9"},
	{4, 9, "#1f6eb0"},
	{10, 0, "#08407c"},
}

const mapNone = "#dfe4ea"

func mapFill(n int) string {
	for i := len(mapLevels) - 1; i >= 0; i-- {
		if n >= mapLevels[i].From {
			return mapLevels[i].Fill
		}
	}
	return mapNone
}

// CountryCounts counts the organisations f selects in each country.
func (s *Store) CountryCounts(ctx context.Context, f Filter) (map[string]int, error) {
	where, args := f.where()
	if where == "" {
		where = " WHERE o.country <> ''"
	} else {
		where += " AND o.country <> ''"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT o.country, COUNT(*) FROM organisations o`+where+` GROUP BY o.country`, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: country counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("directory: country counts: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}

// mapCache keeps the drawn maps: drawing one is building some 50 KB of
// text, and the same few are asked for again and again. A map is keyed by
// everything it is drawn from (language, filter and counts), so that a
// change to the directory is a new key, never a stale map.
type mapCache struct {
	mu   sync.Mutex
	maps map[string]template.HTML
}

// mapCacheMax bounds the cache: past it, it starts again empty.
const mapCacheMax = 200

func (c *mapCache) get(key string, draw func() template.HTML) template.HTML {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.maps[key]; ok {
		return m
	}
	if c.maps == nil || len(c.maps) >= mapCacheMax {
		c.maps = map[string]template.HTML{}
	}
	m := draw()
	c.maps[key] = m
	return m
}

// mapView is the map as the list page shows it: the drawing, its legend
// and the text equivalent (the regions and countries with their counts).
type mapView struct {
	SVG     template.HTML
	Legend  []legendItem
	Regions []regionCount
}

type legendItem struct{ Fill, Label string }

type regionCount struct {
	Name, URL string
	N         int
	Sub       bool
	Countries []countryCount
}

type countryCount struct {
	Name, URL string
	N         int
}

// drawMap draws the world map of counts in lang: each country with
// organisations a link to the list of them (place is the filter the
// links keep: every filter but region and country), with a title that
// names it and says how many. linked false draws it without links (the
// static mirror, which has no filtered lists).
func drawMap(l *i18n.Localizer, lang string, counts map[string]int, place Filter, linked bool) template.HTML {
	m := theWorldMap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="world-map" viewBox="0 0 %s %s" xmlns="http://www.w3.org/2000/svg" aria-labelledby="world-map-title">`, m.Width, m.Height)
	fmt.Fprintf(&b, `<title id="world-map-title">%s</title>`, template.HTMLEscapeString(l.T("directory.map_title")))
	// Countries without organisations are the background: one group,
	// hidden from screen readers, which have nothing to learn there.
	fmt.Fprintf(&b, `<g aria-hidden="true" fill="%s" stroke="#fff" stroke-width="0.5">`, mapNone)
	for _, s := range m.Shapes {
		if counts[s.Code] == 0 {
			fmt.Fprintf(&b, `<path d="%s"/>`, s.D)
		}
	}
	b.WriteString(`</g><g stroke="#fff" stroke-width="0.5">`)
	for _, s := range m.Shapes {
		n := counts[s.Code]
		if n == 0 {
			continue
		}
		title := template.HTMLEscapeString(l.N("directory.map_country", n, "Name", i18n.CountryName(s.Code, lang)))
		if linked {
			fmt.Fprintf(&b, `<a href="%s" data-country="%s"><title>%s</title><path d="%s" fill="%s"/></a>`,
				template.HTMLEscapeString(placeURL(lang, place, "", s.Code)), s.Code, title, s.D, mapFill(n))
		} else {
			fmt.Fprintf(&b, `<path d="%s" fill="%s" data-country="%s"><title>%s</title></path>`, s.D, mapFill(n), s.Code, title)
		}
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String()) // #nosec G203 -- built here; every text in it is escaped above
}

// placeURL is the directory's list of the organisations of a region or
// country, with the other filters of f.
func placeURL(lang string, f Filter, region, country string) string {
	f.Region, f.Country = region, country
	return "/" + lang + "/directory?" + f.query().Encode()
}

// mapKey is the cache's key of a map: all it is drawn from.
func mapKey(lang string, counts map[string]int, place Filter, linked bool) string {
	var b strings.Builder
	b.WriteString(lang)
	b.WriteString("?" + place.query().Encode())
	b.WriteString(strconv.FormatBool(linked))
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		b.WriteString(" " + c + "=" + strconv.Itoa(counts[c]))
	}
	return b.String()
}

// worldMapView builds the map and its text equivalent for the list page
// whose filter is f.
func (h *Handlers) worldMapView(ctx context.Context, l *i18n.Localizer, lang string, f Filter, linked bool) (mapView, error) {
	place := f
	place.Region, place.Country = "", ""
	counts, err := h.store.CountryCounts(ctx, place)
	if err != nil {
		return mapView{}, err
	}
	v := mapView{SVG: h.maps.get(mapKey(lang, counts, place, linked), func() template.HTML { return drawMap(l, lang, counts, place, linked) })}
	for _, lv := range mapLevels {
		label := l.Number(lv.From)
		switch {
		case lv.To == 0:
			label = l.T("directory.map_more", "From", label)
		case lv.To != lv.From:
			label += "–" + l.Number(lv.To)
		}
		v.Legend = append(v.Legend, legendItem{Fill: lv.Fill, Label: label})
	}
	v.Legend = append(v.Legend, legendItem{Fill: mapNone, Label: l.T("directory.map_none")})
	// The text equivalent: each region with organisations, its count, and
	// under it its countries.
	countries := i18n.Countries(lang)
	for _, r := range Regions {
		rc := regionCount{Name: l.T(r.Key), URL: placeURL(lang, place, r.Code, ""), Sub: r.Parent != ""}
		for _, c := range countries {
			if n := counts[c.Code]; n > 0 && r.Contains(c.Code) {
				rc.N += n
				if rc.Sub {
					rc.Countries = append(rc.Countries, countryCount{Name: c.Name, URL: placeURL(lang, place, "", c.Code), N: n})
				}
			}
		}
		if rc.N > 0 {
			v.Regions = append(v.Regions, rc)
		}
	}
	return v, nil
}
