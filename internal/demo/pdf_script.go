package demo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"peerpress/internal/sharecard"
)

// scriptPDF writes a one-page A4 PDF of lines in a script the standard
// PDF fonts do not have (Cyrillic, Arabic, Devanagari). The lines are
// shaped with go-text/typesetting (HarfBuzz's rules: Arabic letters
// joined, Devanagari clusters reordered) in the font sharecard embeds for
// the script, and the font is embedded with only the glyphs used, so the
// file stays a few kilobytes and shows the same everywhere. Each glyph
// maps back to its letters (ToUnicode) and each line carries its text
// (ActualText), so a reader can search and copy it.
func scriptPDF(lines []string, fontName string, rtl bool) ([]byte, error) {
	src, err := sharecard.FontFile(fontName)
	if err != nil {
		return nil, err
	}
	face, err := font.ParseTTF(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("demo: font %s: %w", fontName, err)
	}
	upem := float64(face.Upem())
	dir := di.DirectionLTR
	if rtl {
		dir = di.DirectionRTL
	}
	var shaper shaping.HarfbuzzShaper
	used := map[uint16]bool{0: true}
	toUnicode := map[uint16]string{}
	var content strings.Builder
	const left, right, top = 56.0, 595.0 - 56.0, 780.0
	y := top
	for i, line := range lines {
		size := 12
		if i == 0 {
			size = 16
		}
		if strings.TrimSpace(line) == "" {
			y -= 16
			continue
		}
		runes := []rune(line)
		script := language.Common
		for _, r := range runes {
			if s := language.LookupScript(r); s != language.Common && s != language.Inherited {
				script = s
				break
			}
		}
		out := shaper.Shape(shaping.Input{Text: runes, RunEnd: len(runes), Direction: dir, Face: face,
			Size: fixed.I(size), Script: script})
		for _, g := range out.Glyphs {
			if g.GlyphID > 0xFFFF {
				return nil, fmt.Errorf("demo: glyph %d beyond 16 bits", g.GlyphID)
			}
			if g.GlyphID == 0 && strings.TrimSpace(string(runes[g.ClusterIndex:g.ClusterIndex+g.RuneCount])) != "" {
				return nil, fmt.Errorf("demo: font %s has no glyph for %q", fontName, string(runes[g.ClusterIndex:g.ClusterIndex+g.RuneCount]))
			}
		}
		x := left
		if rtl {
			x = right - fixedPt(out.Advance)
		}
		fmt.Fprintf(&content, "BT /F1 %d Tf /Span << /ActualText <%s> >> BDC\n", size, utf16Hex(line))
		// Glyphs are drawn in reading order (right to left for Arabic),
		// which is the order text extraction reads them in.
		type placed struct {
			g    shaping.Glyph
			x, y float64
		}
		var glyphs []placed
		for _, g := range out.Glyphs {
			glyphs = append(glyphs, placed{g, x + fixedPt(g.XOffset), y + fixedPt(g.YOffset)})
			x += fixedPt(g.Advance)
		}
		if rtl {
			slices.Reverse(glyphs)
		}
		seen := map[int]bool{}
		for _, p := range glyphs {
			g := p.g
			gid := uint16(g.GlyphID) // #nosec G115 -- checked above
			used[gid] = true
			if !seen[g.ClusterIndex] {
				seen[g.ClusterIndex] = true
				if _, ok := toUnicode[gid]; !ok {
					toUnicode[gid] = string(runes[g.ClusterIndex : g.ClusterIndex+g.RuneCount])
				}
			}
			fmt.Fprintf(&content, "1 0 0 1 %.2f %.2f Tm <%04X> Tj\n", p.x, p.y, gid)
		}
		content.WriteString("EMC ET\n")
		y -= float64(size) * 1.5
	}

	subset, err := subsetTrueType(src, used)
	if err != nil {
		return nil, fmt.Errorf("demo: font %s: %w", fontName, err)
	}
	var widths strings.Builder
	for _, gid := range sortedGlyphs(used) {
		fmt.Fprintf(&widths, "%d [%d] ", gid, int(float64(face.HorizontalAdvance(font.GID(gid)))*1000/upem))
	}
	ext, _ := face.FontHExtents()
	ascent, descent := ext.Ascender, ext.Descender
	base := "PPDEMO+" + strings.TrimSuffix(strings.ReplaceAll(fontName, " ", ""), ".ttf")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R /Lang (" + map[bool]string{true: "ar", false: "und"}[rtl] + ") >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type0 /BaseFont /" + base + " /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		flateStream(content.String(), ""),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + base + " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>" +
			" /FontDescriptor 8 0 R /CIDToGIDMap /Identity /W [" + widths.String() + "] >>",
		flateStream(toUnicodeCMap(toUnicode), ""),
		fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [-1000 -1000 2000 2000] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 9 0 R >>",
			base, int(float64(ascent)*1000/upem), int(float64(descent)*1000/upem), int(float64(ascent)*1000/upem)),
		flateStream(string(subset), fmt.Sprintf(" /Length1 %d", len(subset))),
	}
	return writePDF(objects), nil
}

func fixedPt(v fixed.Int26_6) float64 { return float64(v) / 64 }

func sortedGlyphs(used map[uint16]bool) []uint16 {
	out := make([]uint16, 0, len(used))
	for g := range used {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// utf16Hex is s as a PDF text string: UTF-16BE with its byte order mark,
// in hex.
func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// toUnicodeCMap maps each glyph to the letters it was shaped from.
func toUnicodeCMap(m map[uint16]string) string {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	gids := make([]uint16, 0, len(m))
	for g := range m {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	for len(gids) > 0 {
		n := min(len(gids), 100) // a bfchar block holds at most 100
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, g := range gids[:n] {
			fmt.Fprintf(&b, "<%04X> <%s>\n", g, utf16Hex(m[g])[4:])
		}
		b.WriteString("endbfchar\n")
		gids = gids[n:]
	}
	b.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end\n")
	return b.String()
}

// flateStream is a compressed stream object with extra dictionary entries.
func flateStream(data, extra string) string {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write([]byte(data))
	w.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode%s >>\nstream\n%s\nendstream", z.Len(), extra, z.String())
}

// writePDF lays out numbered objects (the first the catalog) with their
// cross-reference table.
func writePDF(objects []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// subsetTrueType keeps, of a TrueType font, the tables a PDF reader needs
// to draw glyphs (head, hhea, hmtx, maxp, loca, glyf, the hinting tables,
// cmap, OS/2) and the outlines of the glyphs used (with the parts of
// composite glyphs); the others are left empty, keeping every glyph's
// number, so the content stream's glyph ids hold.
func subsetTrueType(src []byte, used map[uint16]bool) ([]byte, error) {
	if len(src) < 12 {
		return nil, errors.New("not a font")
	}
	tables := map[string][]byte{}
	n := int(binary.BigEndian.Uint16(src[4:]))
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(src) {
			return nil, errors.New("truncated table directory")
		}
		tag := string(src[rec : rec+4])
		off, length := int(binary.BigEndian.Uint32(src[rec+8:])), int(binary.BigEndian.Uint32(src[rec+12:]))
		if off+length > len(src) {
			return nil, fmt.Errorf("table %s beyond the file", tag)
		}
		tables[tag] = src[off : off+length]
	}
	head, maxp, loca, glyf := tables["head"], tables["maxp"], tables["loca"], tables["glyf"]
	if len(head) < 54 || len(maxp) < 6 || loca == nil || glyf == nil || tables["hhea"] == nil || tables["hmtx"] == nil {
		return nil, errors.New("not a TrueType-outline font")
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offset := func(g int) int {
		if long {
			return int(binary.BigEndian.Uint32(loca[4*g:]))
		}
		return 2 * int(binary.BigEndian.Uint16(loca[2*g:]))
	}
	if (long && len(loca) < 4*(numGlyphs+1)) || (!long && len(loca) < 2*(numGlyphs+1)) {
		return nil, errors.New("short loca")
	}
	glyph := func(g int) []byte {
		a, b := offset(g), offset(g+1)
		if a > b || b > len(glyf) {
			return nil
		}
		return glyf[a:b]
	}
	// Composite glyphs need their parts.
	keep := map[int]bool{}
	var add func(g int)
	add = func(g int) {
		if g >= numGlyphs || keep[g] {
			return
		}
		keep[g] = true
		data := glyph(g)
		if len(data) < 10 || int16(binary.BigEndian.Uint16(data)) >= 0 { // #nosec G115 -- a signed field
			return
		}
		for p := 10; p+4 <= len(data); {
			flags := binary.BigEndian.Uint16(data[p:])
			add(int(binary.BigEndian.Uint16(data[p+2:])))
			p += 4
			if flags&0x0001 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x0008 != 0:
				p += 2
			case flags&0x0040 != 0:
				p += 4
			case flags&0x0080 != 0:
				p += 8
			}
			if flags&0x0020 == 0 {
				break
			}
		}
	}
	for g := range used {
		add(int(g))
	}
	var newGlyf bytes.Buffer
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := range numGlyphs {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(newGlyf.Len())) // #nosec G115 -- a font's size
		if keep[g] {
			newGlyf.Write(glyph(g))
			for newGlyf.Len()%4 != 0 {
				newGlyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(newGlyf.Len())) // #nosec G115 -- a font's size
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long offsets
	binary.BigEndian.PutUint32(newHead[8:], 0)  // checkSumAdjustment, not needed by readers
	out := map[string][]byte{"head": newHead, "hhea": tables["hhea"], "hmtx": tables["hmtx"], "maxp": maxp,
		"loca": newLoca, "glyf": newGlyf.Bytes()}
	// cmap and OS/2 are small and some readers want them.
	for _, hint := range []string{"cvt ", "fpgm", "prep", "cmap", "OS/2"} {
		if t, ok := tables[hint]; ok {
			out[hint] = t
		}
	}
	tags := make([]string, 0, len(out))
	for t := range out {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	var b bytes.Buffer
	es := 0
	for 1<<(es+1) <= len(tags) {
		es++
	}
	for _, v := range []uint32{0x00010000} {
		binary.Write(&b, binary.BigEndian, v)
	}
	for _, v := range []uint16{uint16(len(tags)), uint16(16 << es), uint16(es), uint16(16*len(tags) - 16<<es)} { // #nosec G115 -- a handful of tables
		binary.Write(&b, binary.BigEndian, v)
	}
	off := 12 + 16*len(tags)
	var body bytes.Buffer
	for _, t := range tags {
		data := out[t]
		padded := slices.Clone(data)
		for len(padded)%4 != 0 {
			padded = append(padded, 0)
		}
		var sum uint32
		for i := 0; i < len(padded); i += 4 {
			sum += binary.BigEndian.Uint32(padded[i:])
		}
		b.WriteString(t)
		binary.Write(&b, binary.BigEndian, sum)
		binary.Write(&b, binary.BigEndian, uint32(off+body.Len())) // #nosec G115 -- a font's size
		binary.Write(&b, binary.BigEndian, uint32(len(data)))      // #nosec G115 -- a font's size
		body.Write(padded)
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}
