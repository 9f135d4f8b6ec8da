// Command genmap writes the directory's world map (internal/directory/
// worldmap.txt) from Natural Earth's country shapes at 1:110m, public
// domain, as the npm package world-atlas (ISC) redistributes them in
// TopoJSON, so that the build needs neither npm nor the package:
//
//	npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	go run ./scripts/genmap -in package/countries-110m.json -out internal/directory/worldmap.txt
//
// The shapes are projected once (Equal Earth), rounded to whole units of
// a 2000-unit-wide picture, and written one country a line: its ISO 3166
// alpha-2 code, a space, and an SVG path. The first line is the picture's
// size. Antarctica is left out (no network works from there); the shapes
// Natural Earth gives no code (Northern Cyprus, Somaliland) join the
// country the UN counts them in, Kosovo takes XK.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []struct {
				Type       string          `json:"type"`
				ID         string          `json:"id"`
				Arcs       json.RawMessage `json:"arcs"`
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

// unnamed are the shapes without an ISO code, by Natural Earth's name.
var unnamed = map[string]string{"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}

const width = 2000.0

func main() {
	in := flag.String("in", "countries-110m.json", "world-atlas's countries-110m.json")
	out := flag.String("out", "internal/directory/worldmap.txt", "file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genmap:", err)
		os.Exit(1)
	}
}

// project is the Equal Earth projection of a point in degrees.
func project(lon, lat float64) (float64, float64) {
	const a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
	m := math.Sqrt(3) / 2
	l, p := lon*math.Pi/180, lat*math.Pi/180
	t := math.Asin(m * math.Sin(p))
	t2 := t * t
	t6 := t2 * t2 * t2
	x := l * math.Cos(t) / (m * (a1 + 3*a2*t2 + t6*(7*a3+9*a4*t2)))
	y := t * (a1 + a2*t2 + t6*(a3+a4*t2))
	return x, -y
}

func run(in, out string) error {
	raw, err := os.ReadFile(in) // #nosec G304 -- the developer's own file, named on the command line
	if err != nil {
		return err
	}
	var topo topology
	if err := json.Unmarshal(raw, &topo); err != nil {
		return err
	}
	// Decode the arcs: delta-encoded, quantized positions.
	arcs := make([][][2]float64, len(topo.Arcs))
	for i, a := range topo.Arcs {
		var x, y float64
		for _, p := range a {
			x, y = x+p[0], y+p[1]
			lon := x*topo.Transform.Scale[0] + topo.Transform.Translate[0]
			lat := y*topo.Transform.Scale[1] + topo.Transform.Translate[1]
			px, py := project(lon, lat)
			arcs[i] = append(arcs[i], [2]float64{px, py})
		}
	}
	ring := func(refs []int) [][2]float64 {
		var pts [][2]float64
		for _, r := range refs {
			a := slices.Clone(arcs[max(r, ^r)])
			if r < 0 {
				slices.Reverse(a)
			}
			if len(pts) > 0 {
				a = a[1:] // the shared point
			}
			pts = append(pts, a...)
		}
		return pts
	}
	type country struct {
		code  string
		rings [][][2]float64
	}
	var countries []*country
	byCode := map[string]*country{}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, g := range topo.Objects.Countries.Geometries {
		code := unnamed[g.Properties.Name]
		if g.ID != "" {
			n, err := strconv.Atoi(g.ID)
			if err != nil {
				return fmt.Errorf("%s: id %q", g.Properties.Name, g.ID)
			}
			r, err := language.EncodeM49(n)
			if err != nil {
				return fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
			code = r.String()
		}
		if code == "" {
			return fmt.Errorf("%s: no code", g.Properties.Name)
		}
		if code == "AQ" {
			continue
		}
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return err
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: type %s", g.Properties.Name, g.Type)
		}
		c := byCode[code]
		if c == nil {
			c = &country{code: code}
			byCode[code] = c
			countries = append(countries, c)
		}
		for _, p := range polys {
			for _, refs := range p {
				r := ring(refs)
				for _, pt := range r {
					minX, minY, maxX, maxY = min(minX, pt[0]), min(minY, pt[1]), max(maxX, pt[0]), max(maxY, pt[1])
				}
				c.rings = append(c.rings, r)
			}
		}
	}
	scale := width / (maxX - minX)
	height := math.Ceil((maxY - minY) * scale)
	slices.SortFunc(countries, func(a, b *country) int { return strings.Compare(a.code, b.code) })
	f, err := os.Create(out) // #nosec G304 -- the developer's own file, named on the command line
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "%d %d\n", int(width), int(height))
	for _, c := range countries {
		var d strings.Builder
		for _, r := range c.rings {
			var pts [][2]int
			for _, p := range r {
				q := [2]int{int(math.Round((p[0] - minX) * scale)), int(math.Round((p[1] - minY) * scale))}
				if len(pts) == 0 || pts[len(pts)-1] != q {
					pts = append(pts, q)
				}
			}
			if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
				pts = pts[:len(pts)-1]
			}
			if len(pts) < 3 {
				continue // a ring too small to see at this size
			}
			fmt.Fprintf(&d, "M%d %d", pts[0][0], pts[0][1])
			d.WriteString("l")
			for i := 1; i < len(pts); i++ {
				dx, dy := pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1]
				if i > 1 && dx >= 0 {
					d.WriteString(" ")
				}
				d.WriteString(strconv.Itoa(dx))
				if dy >= 0 {
					d.WriteString(" ")
				}
				d.WriteString(strconv.Itoa(dy))
			}
			d.WriteString("z")
		}
		if d.Len() == 0 {
			continue
		}
		fmt.Fprintf(w, "%s %s\n", c.code, d.String())
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
