// Package sharecard draws the image that social networks show when a
// page is shared: a 1200×630 PNG with a title and the site's name. It
// knows nothing of entries; the content package hands it the words.
//
// Text is shaped with go-text/typesetting (a pure-Go port of HarfBuzz),
// so Arabic letters take their joined, contextual forms, Devanagari
// clusters are reordered and combined, and right-to-left titles read
// right to left; glyph outlines are filled with golang.org/x/image/vector.
// golang.org/x/image/font alone draws one glyph per letter, which is
// right for Latin and Cyrillic but breaks Arabic and Hindi.
//
// The fonts are embedded: Go Bold (golang.org/x/image/font/gofont) for
// Latin, Cyrillic and Greek, and Noto Sans Arabic and Noto Sans
// Devanagari Bold (SIL OFL 1.1, fonts/OFL.txt). A title with letters none
// of them has, such as Chinese or emoji, is not drawn as empty boxes: the
// card then shows the site's name alone.
package sharecard

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The size of a card: what Open Graph and Twitter's large summary card
// display without cropping.
const (
	Width  = 1200
	Height = 630
)

//go:embed fonts/*.ttf
var fontFiles embed.FS

// Card is what one card shows.
type Card struct {
	Title string // may be empty: the site's name alone
	Site  string
	Lang  string // BCP 47 code of the title's language
	RTL   bool   // the language is written right to left
}

// version changes when the drawing changes, so that caches keyed by
// ETag let go of older images.
const version = "1"

// ETag is a strong validator of the card's image: the same card always
// draws the same bytes.
func (c Card) ETag() string {
	h := sha256.Sum256([]byte(strings.Join([]string{version, c.Title, c.Site, c.Lang, fmt.Sprint(c.RTL)}, "\x00")))
	return `"` + hex.EncodeToString(h[:12]) + `"`
}

// Colours, from the site's stylesheet.
var (
	background = color.RGBA{0xf4, 0xf4, 0xf7, 0xff} // --soft
	ink        = color.RGBA{0x1b, 0x1b, 0x1f, 0xff} // --ink
	accent     = color.RGBA{0x8a, 0x1c, 0x3b, 0xff} // --accent
)

// Layout, in pixels.
const (
	margin      = 80
	siteSize    = 40
	stripe      = 18
	maxLines    = 4
	cacheImages = 64
)

// titleSizes are tried largest first until the title fits in maxLines.
var titleSizes = []int{76, 66, 58, 50}

// Renderer draws cards. It is safe for concurrent use; drawing is
// serialized (the shaper keeps state), which also bounds the CPU that
// card requests can take, and recent images are kept in memory.
type Renderer struct {
	faces []*font.Face // in fallback order

	mu      sync.Mutex
	shaper  shaping.HarfbuzzShaper
	seg     shaping.Segmenter
	wrapper shaping.LineWrapper
	cache   map[string]*list.Element
	recent  *list.List // of cached, most recent first
}

type cached struct {
	etag string
	png  []byte
}

// New loads the embedded fonts.
func New() (*Renderer, error) {
	sources := [][]byte{gobold.TTF}
	for _, name := range []string{"fonts/NotoSansArabic-Bold.ttf", "fonts/NotoSansDevanagari-Bold.ttf"} {
		b, err := fontFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("sharecard: %w", err)
		}
		sources = append(sources, b)
	}
	r := &Renderer{cache: map[string]*list.Element{}, recent: list.New()}
	for _, src := range sources {
		face, err := font.ParseTTF(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("sharecard: parse font: %w", err)
		}
		r.faces = append(r.faces, face)
	}
	return r, nil
}

// ResolveFace picks the first font that has the rune (the shaping.Fontmap
// interface).
func (r *Renderer) ResolveFace(c rune) *font.Face {
	for _, f := range r.faces {
		if _, ok := f.NominalGlyph(c); ok {
			return f
		}
	}
	return r.faces[0]
}

// Covers reports whether the fonts can draw every visible letter of s.
func (r *Renderer) Covers(s string) bool {
	for _, c := range s {
		if unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) || unicode.Is(unicode.Variation_Selector, c) {
			continue
		}
		found := false
		for _, f := range r.faces {
			if _, ok := f.NominalGlyph(c); ok {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// PNG draws the card, or returns it from the cache.
func (r *Renderer) PNG(c Card) ([]byte, error) {
	etag := c.ETag()
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.cache[etag]; ok {
		r.recent.MoveToFront(el)
		return el.Value.(cached).png, nil
	}
	img := r.draw(c)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("sharecard: encode: %w", err)
	}
	r.cache[etag] = r.recent.PushFront(cached{etag: etag, png: buf.Bytes()})
	if r.recent.Len() > cacheImages {
		old := r.recent.Remove(r.recent.Back()).(cached)
		delete(r.cache, old.etag)
	}
	return buf.Bytes(), nil
}

// draw lays the card out: the site's name at the top, the title below
// it in the largest size that fits, a stripe in the accent colour along
// the bottom. Text starts at the side the language starts at.
func (r *Renderer) draw(c Card) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, Height-stripe, Width, Height), image.NewUniform(accent), image.Point{}, draw.Src)

	dir := di.DirectionLTR
	if c.RTL {
		dir = di.DirectionRTL
	}
	site := strings.TrimSpace(c.Site)
	if !r.Covers(site) {
		site = "" // nothing better to show than nothing
	}
	title := strings.Join(strings.Fields(c.Title), " ")
	if !r.Covers(title) {
		title = ""
	}
	top := margin
	if site != "" {
		if title == "" {
			// The site's name alone, large, in the middle.
			lines, height := r.layout(site, c.Lang, dir, titleSizes[0], 2)
			r.paint(img, lines, dir, (Height-stripe-height)/2, height/len(lines), accent)
			return img
		}
		lines, height := r.layout(site, c.Lang, dir, siteSize, 1)
		r.paint(img, lines, dir, top, height, accent)
		top += height + siteSize
	}
	if title == "" {
		return img
	}
	bottom := Height - stripe - margin
	for i, size := range titleSizes {
		lines, height := r.layout(title, c.Lang, dir, size, 0)
		if last := i == len(titleSizes)-1; last {
			// The smallest size: as many lines as fit, the last one
			// ending with "…".
			fit := min(maxLines, max(1, (bottom-top)*len(lines)/max(1, height)))
			lines, height = r.layout(title, c.Lang, dir, size, fit)
		} else if len(lines) > maxLines || height > bottom-top {
			continue
		}
		// Centre the block in the space under the site's name.
		y := top + max(0, (bottom-top-height)/2)
		r.paint(img, lines, dir, y, height/len(lines), ink)
		break
	}
	return img
}

// layout shapes and wraps text at size pixels within the card's width;
// maxLines 0 means no limit, otherwise the last line ends with "…". It
// returns the lines and their total height.
func (r *Renderer) layout(text, lang string, dir di.Direction, size, maxLines int) ([]shaping.Line, int) {
	runes := []rune(text)
	in := shaping.Input{
		Text: runes, RunStart: 0, RunEnd: len(runes), Direction: dir,
		Size: fixed.I(size), Language: language.NewLanguage(lang),
	}
	var outs []shaping.Output
	for _, run := range r.seg.Split(in, r) {
		outs = append(outs, r.shaper.Shape(run))
	}
	cfg := shaping.WrapConfig{Direction: dir, TruncateAfterLines: maxLines}
	if maxLines > 0 {
		ell := []rune("…")
		cfg.Truncator = r.shaper.Shape(shaping.Input{Text: ell, RunEnd: len(ell), Direction: dir, Face: r.faces[0],
			Size: fixed.I(size), Language: in.Language, Script: language.Common})
	}
	lines, _ := r.wrapper.WrapParagraph(cfg, Width-2*margin, runes, shaping.NewSliceIterator(outs))
	if len(lines) == 0 {
		return nil, 0
	}
	// One line height for all lines, from the tallest glyphs drawn, so
	// that mixed scripts keep an even rhythm; fonts' own line heights
	// are far apart (Noto Sans Arabic's is nearly twice Go's).
	lineHeight := size * 13 / 10
	for _, line := range lines {
		for _, run := range line {
			lineHeight = max(lineHeight, (run.GlyphBounds.Ascent-run.GlyphBounds.Descent).Ceil()+size/5)
		}
	}
	return lines, lineHeight * len(lines)
}

// paint fills the glyphs of lines, the first line's top at y. Every line
// has the same baseline offset, from the tallest and deepest glyphs of
// all lines, so that the lines keep an even rhythm.
func (r *Renderer) paint(img *image.RGBA, lines []shaping.Line, dir di.Direction, y, lineHeight int, col color.Color) {
	var ascent, descent fixed.Int26_6
	for _, line := range lines {
		for _, run := range line {
			ascent, descent = max(ascent, run.GlyphBounds.Ascent), min(descent, run.GlyphBounds.Descent)
		}
	}
	offset := (fixed.I(lineHeight)-(ascent-descent))/2 + ascent
	z := vector.NewRasterizer(Width, Height)
	for i, line := range lines {
		runs := slices.Clone(line)
		slices.SortFunc(runs, func(a, b shaping.Output) int { return int(a.VisualIndex - b.VisualIndex) })
		var width fixed.Int26_6
		for _, run := range runs {
			width += run.Advance
		}
		baseline := float32(y+i*lineHeight) + fixedF(offset)
		x := float32(margin)
		if dir == di.DirectionRTL {
			x = float32(Width-margin) - fixedF(width)
		}
		for _, run := range runs {
			scale := fixedF(run.Size) / float32(run.Face.Upem())
			for _, g := range run.Glyphs {
				if outline, ok := run.Face.GlyphDataOutline(g.GlyphID); ok {
					path(z, outline.Segments, x+fixedF(g.XOffset), baseline-fixedF(g.YOffset), scale)
				}
				x += fixedF(g.Advance)
			}
		}
	}
	z.Draw(img, img.Bounds(), image.NewUniform(col), image.Point{})
}

// path adds one glyph's outline, in font units with y up, to z at the
// pen position (ox, oy) in pixels with y down.
func path(z *vector.Rasterizer, segs []ot.Segment, ox, oy, scale float32) {
	pt := func(p ot.SegmentPoint) (float32, float32) { return ox + p.X*scale, oy - p.Y*scale }
	open := false
	for _, s := range segs {
		switch s.Op {
		case ot.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(pt(s.Args[0]))
			open = true
		case ot.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case ot.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case ot.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	if open {
		z.ClosePath()
	}
}

func fixedF(v fixed.Int26_6) float32 { return float32(v) / 64 }

// FontFile is one of the fonts sharecard embeds, by name, for other
// drawings of text (the demo's PDFs): "GoBold" (Latin, Cyrillic, Greek),
// "NotoSansArabic-Bold", "NotoSansDevanagari-Bold".
func FontFile(name string) ([]byte, error) {
	if name == "GoBold" {
		return gobold.TTF, nil
	}
	b, err := fontFiles.ReadFile("fonts/" + name + ".ttf")
	if err != nil {
		return nil, fmt.Errorf("sharecard: font %s: %w", name, err)
	}
	return b, nil
}
