package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"strings"
	"testing"

	"peerpress/internal/media"
)

func TestDefaultLimits(t *testing.T) {
	got := media.DefaultLimits()
	want := media.Limits{MaxBytes: 30 << 20, MaxWidth: 12000, MaxHeight: 12000, MaxPixels: 52_000_000}
	if got != want {
		t.Fatalf("DefaultLimits() = %+v, want %+v", got, want)
	}
}

// forbidden lists byte strings of the fixtures' metadata that must not be
// found in any processed output.
func forbidden() map[string][]byte {
	f := map[string][]byte{
		"Exif header":         []byte("Exif"),
		"camera Make":         []byte(cameraMake),
		"JPEG comment":        []byte(jpegComment),
		"XMP namespace":       []byte("http://ns.adobe.com/xap"),
		"XMP content":         []byte(xmpSecret),
		"ICC marker":          []byte(iccMarker),
		"ICC_PROFILE":         []byte("ICC_PROFILE"),
		"IPTC marker":         []byte(iptcMarker),
		"Photoshop/IPTC":      []byte("Photoshop 3.0"),
		"TIFF header MM":      []byte("MM\x00\x2a"),
		"TIFF header II":      []byte("II\x2a\x00"),
		"PNG tEXt secret":     []byte(pngTextSecret),
		"PNG iTXt secret":     []byte(pngITXtSecret),
		"PNG eXIf marker":     []byte(pngExifMarker),
		"GPSLatitude keyword": []byte("GPSLatitude"),
	}
	for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		f["GPS latitude "+bo.String()] = gpsLatitude(bo)
		f["GPS longitude "+bo.String()] = gpsLongitude(bo)
	}
	return f
}

// assertClean fails the test if any planted metadata is found in data.
func assertClean(t *testing.T, data []byte) {
	t.Helper()
	for name, b := range forbidden() {
		if bytes.Contains(data, b) {
			t.Errorf("output still contains %s (%q)", name, b)
		}
	}
}

// assertJPEGHasNoMetadataSegments checks the output's structure: only the
// segments an encoder needs for pixels, no APPn and no COM at all.
func assertJPEGHasNoMetadataSegments(t *testing.T, data []byte) {
	t.Helper()
	for _, m := range jpegMarkers(t, data) {
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
			t.Errorf("output has marker FF%02X (APPn or COM)", m)
		}
	}
}

// metadataJPEG is a w×h JPEG of img carrying everything a phone or an
// editor might leave in it: Exif with GPS and Make and the orientation,
// XMP, a comment, an ICC profile and IPTC.
func metadataJPEG(t *testing.T, img image.Image, orientation uint16) []byte {
	t.Helper()
	xmp := xmpNS + "\x00" + `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.2345N">` + xmpSecret +
		`</rdf:Description></rdf:RDF></x:xmpmeta>`
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), iccMarker...)
	iptc := append([]byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x20\x1c\x02\x50\x00\x1c"), iptcMarker...)
	in := spliceAfterSOI(t, encodeJPEG(t, img),
		segment(0xE1, exifWithGPS(binary.BigEndian, orientation)),
		segment(0xE1, []byte(xmp)),
		segment(0xE2, icc),
		segment(0xED, iptc),
		segment(0xFE, []byte(jpegComment)),
	)
	// The fixture must really carry what the test says is removed, or the
	// test would prove nothing.
	for _, s := range []string{"Exif", cameraMake, jpegComment, "http://ns.adobe.com/xap", xmpSecret, iccMarker, iptcMarker} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("fixture lacks %q", s)
		}
	}
	if !bytes.Contains(in, gpsLatitude(binary.BigEndian)) {
		t.Fatal("fixture lacks the GPS latitude")
	}
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("fixture does not decode: %v", err)
	}
	return in
}

func TestJPEGMetadataRemovedAndOrientationApplied(t *testing.T) {
	in := metadataJPEG(t, halves(40, 20), 6)

	p, err := media.ProcessImage(bytes.NewReader(in), media.DefaultLimits())
	if err != nil {
		t.Fatalf("ProcessImage: %v", err)
	}
	if p.MIME != "image/jpeg" || p.Ext != ".jpg" {
		t.Errorf("MIME, Ext = %q, %q; want image/jpeg, .jpg", p.MIME, p.Ext)
	}
	assertClean(t, p.Data)
	assertJPEGHasNoMetadataSegments(t, p.Data)

	if p.Width != 20 || p.Height != 40 {
		t.Errorf("Processed is %d×%d, want 20×40 after orientation 6", p.Width, p.Height)
	}
	out, err := jpeg.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	if b := out.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("output is %d×%d, want 20×40", b.Dx(), b.Dy())
	}
	// Orientation 6 means "turn 90° clockwise to view": the left (red)
	// half of the stored image becomes the top half.
	assertNear(t, "top", out.At(10, 5), red)
	assertNear(t, "bottom", out.At(10, 35), blue)
}

// assertNear compares colours with room for JPEG's loss.
func assertNear(t *testing.T, where string, got color.Color, want color.RGBA) {
	t.Helper()
	r, g, b, _ := got.RGBA()
	d := func(a uint32, b uint8) int {
		x := int(a>>8) - int(b)
		if x < 0 {
			return -x
		}
		return x
	}
	if d(r, want.R) > 48 || d(g, want.G) > 48 || d(b, want.B) > 48 {
		t.Errorf("%s: got rgb(%d,%d,%d), want about rgb(%d,%d,%d)", where, r>>8, g>>8, b>>8, want.R, want.G, want.B)
	}
}

func TestJPEGAllOrientations(t *testing.T) {
	// Expected colours of the displayed image's quadrants (top left, top
	// right, bottom left, bottom right), worked out by hand from the EXIF
	// definitions of the stored image red|green over blue|white.
	tests := []struct {
		o              uint16
		turned         bool
		tl, tr, bl, br color.RGBA
	}{
		{1, false, red, green, blue, white}, // as stored
		{2, false, green, red, white, blue}, // mirrored left–right
		{3, false, white, blue, green, red}, // turned 180°
		{4, false, blue, white, red, green}, // mirrored top–bottom
		{5, true, red, blue, green, white},  // mirrored, then 90° anticlockwise
		{6, true, blue, red, white, green},  // 90° clockwise
		{7, true, white, green, blue, red},  // mirrored, then 90° clockwise
		{8, true, green, white, red, blue},  // 90° anticlockwise
	}
	const w, h = 160, 80
	src := encodeJPEG(t, quadrants(w, h))
	for _, tt := range tests {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(fmt.Sprintf("%v/%d", bo, tt.o), func(t *testing.T) {
				in := spliceAfterSOI(t, src, segment(0xE1, exifOrientationOnly(bo, tt.o)))
				p, err := media.ProcessImage(bytes.NewReader(in), media.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				ww, wh := w, h
				if tt.turned {
					ww, wh = h, w
				}
				out, err := jpeg.Decode(bytes.NewReader(p.Data))
				if err != nil {
					t.Fatal(err)
				}
				if b := out.Bounds(); b.Dx() != ww || b.Dy() != wh || p.Width != ww || p.Height != wh {
					t.Fatalf("got %v (Processed %d×%d), want %d×%d", b, p.Width, p.Height, ww, wh)
				}
				assertNear(t, "top left", out.At(ww/4, wh/4), tt.tl)
				assertNear(t, "top right", out.At(3*ww/4, wh/4), tt.tr)
				assertNear(t, "bottom left", out.At(ww/4, 3*wh/4), tt.bl)
				assertNear(t, "bottom right", out.At(3*ww/4, 3*wh/4), tt.br)
				assertClean(t, p.Data)
			})
		}
	}
}

func TestJPEGBadOrientationIsIgnored(t *testing.T) {
	src := encodeJPEG(t, quadrants(40, 20))
	good := exifOrientationOnly(binary.BigEndian, 6)
	cases := map[string][]byte{
		"orientation 0":      exifOrientationOnly(binary.BigEndian, 0),
		"orientation 9":      exifOrientationOnly(binary.BigEndian, 9),
		"cut TIFF":           good[:12],
		"IFD offset outside": append(append([]byte{}, good[:10]...), append([]byte{0xFF, 0xFF, 0xFF, 0xF0}, good[14:]...)...),
		"bad byte order":     append([]byte("Exif\x00\x00XX"), good[8:]...),
		"cut inside IFD0":    good[:6+8+2+6],
	}
	for name, exif := range cases {
		t.Run(name, func(t *testing.T) {
			in := spliceAfterSOI(t, src, segment(0xE1, exif))
			p, err := media.ProcessImage(bytes.NewReader(in), media.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != 40 || p.Height != 20 {
				t.Errorf("got %d×%d, want the stored 40×20", p.Width, p.Height)
			}
			assertClean(t, p.Data)
		})
	}
	// The control: the same image with a valid orientation does turn.
	p, err := media.ProcessImage(bytes.NewReader(spliceAfterSOI(t, src, segment(0xE1, good))), media.Limits{})
	if err != nil || p.Width != 20 || p.Height != 40 {
		t.Fatalf("valid orientation 6: %d×%d, %v; want 20×40", p.Width, p.Height, err)
	}
}

func TestPNGTextChunksRemoved(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			src.SetNRGBA(x, y, color.NRGBA{uint8(30 * x), uint8(40 * y), 200, uint8(255 - 30*x)})
		}
	}
	in := splicePNGAfterIHDR(t, encodePNG(t, src),
		pngChunk("tEXt", []byte("Comment\x00"+pngTextSecret)),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"+xmpNS+" "+pngITXtSecret+"</x:xmpmeta>")),
		pngChunk("eXIf", append([]byte("MM\x00\x2a\x00\x00\x00\x08"), pngExifMarker...)),
	)
	for _, s := range []string{"tEXt", "iTXt", "eXIf", pngTextSecret, pngITXtSecret, pngExifMarker} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("fixture lacks %q", s)
		}
	}

	p, err := media.ProcessImage(bytes.NewReader(in), media.Limits{})
	if err != nil {
		t.Fatalf("ProcessImage: %v", err)
	}
	if p.MIME != "image/png" || p.Ext != ".png" || p.Width != 7 || p.Height != 5 {
		t.Errorf("got %s %s %d×%d, want image/png .png 7×5", p.MIME, p.Ext, p.Width, p.Height)
	}
	assertClean(t, p.Data)
	for _, typ := range pngChunkTypes(t, p.Data) {
		switch typ {
		case "IHDR", "PLTE", "tRNS", "IDAT", "IEND":
		default:
			t.Errorf("output has chunk %s", typ)
		}
	}
	// PNG is lossless: every pixel, transparency included, must survive.
	out, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			if got, want := color.NRGBAModel.Convert(out.At(x, y)), src.NRGBAAt(x, y); got != want {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestGIFFirstFrameBecomesPNG(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0, 0}, red, blue}
	f1 := image.NewPaletted(image.Rect(0, 0, 12, 8), pal)
	f2 := image.NewPaletted(image.Rect(0, 0, 12, 8), pal)
	for i := range f1.Pix {
		f1.Pix[i], f2.Pix[i] = 1, 2
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{f1, f2}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	p, err := media.ProcessImage(&b, media.Limits{})
	if err != nil {
		t.Fatalf("ProcessImage: %v", err)
	}
	if p.MIME != "image/png" || p.Ext != ".png" || p.Width != 12 || p.Height != 8 {
		t.Fatalf("got %s %s %d×%d, want image/png .png 12×8", p.MIME, p.Ext, p.Width, p.Height)
	}
	out, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	if got := color.RGBAModel.Convert(out.At(6, 4)); got != red {
		t.Errorf("pixel = %v, want the first frame's red", got)
	}
}

func TestGIFPartialFrameKeepsScreenSize(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0, 0}, red}
	f := image.NewPaletted(image.Rect(5, 5, 15, 15), pal)
	for i := range f.Pix {
		f.Pix[i] = 1
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image:  []*image.Paletted{f},
		Delay:  []int{0},
		Config: image.Config{ColorModel: pal, Width: 20, Height: 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := media.ProcessImage(&b, media.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	if b := out.Bounds(); b != image.Rect(0, 0, 20, 20) || p.Width != 20 || p.Height != 20 {
		t.Fatalf("bounds %v, want the 20×20 logical screen", b)
	}
	if _, _, _, a := out.At(1, 1).RGBA(); a != 0 {
		t.Errorf("outside the frame: alpha %d, want transparent", a)
	}
	if got := color.RGBAModel.Convert(out.At(10, 10)); got != red {
		t.Errorf("inside the frame: %v, want red", got)
	}
}

func TestWebP(t *testing.T) {
	opaque := losslessWebP(10, 6, 255)
	translucent := losslessWebP(10, 6, 0)

	t.Run("opaque becomes JPEG", func(t *testing.T) {
		p, err := media.ProcessImage(bytes.NewReader(opaque), media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if p.MIME != "image/jpeg" || p.Ext != ".jpg" || p.Width != 10 || p.Height != 6 {
			t.Fatalf("got %s %s %d×%d, want image/jpeg .jpg 10×6", p.MIME, p.Ext, p.Width, p.Height)
		}
		out, err := jpeg.Decode(bytes.NewReader(p.Data))
		if err != nil {
			t.Fatal(err)
		}
		assertNear(t, "left", out.At(1, 3), red)
		assertNear(t, "right", out.At(8, 3), green)
	})
	t.Run("transparent becomes PNG", func(t *testing.T) {
		p, err := media.ProcessImage(bytes.NewReader(translucent), media.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if p.MIME != "image/png" || p.Ext != ".png" || p.Width != 10 || p.Height != 6 {
			t.Fatalf("got %s %s %d×%d, want image/png .png 10×6", p.MIME, p.Ext, p.Width, p.Height)
		}
		out, err := png.Decode(bytes.NewReader(p.Data))
		if err != nil {
			t.Fatal(err)
		}
		if got := color.NRGBAModel.Convert(out.At(1, 3)); got != (color.NRGBA{255, 0, 0, 255}) {
			t.Errorf("left = %v, want opaque red", got)
		}
		if _, _, _, a := out.At(8, 3).RGBA(); a != 0 {
			t.Errorf("right alpha = %d, want transparent", a)
		}
	})
	t.Run("VP8X canvas larger than the limits", func(t *testing.T) {
		// An extended-format header declaring a 10000×10000 canvas, followed
		// by nothing: refused on the header, before any decoding.
		vp8x := make([]byte, 10)
		vp8x[0] = 0x10 // alpha flag
		w, h := 10000-1, 10000-1
		vp8x[4], vp8x[5], vp8x[6] = byte(w), byte(w>>8), byte(w>>16)
		vp8x[7], vp8x[8], vp8x[9] = byte(h), byte(h>>8), byte(h>>16)
		in := []byte("RIFF")
		in = binary.LittleEndian.AppendUint32(in, uint32(4+8+len(vp8x)))
		in = append(in, "WEBPVP8X"...)
		in = binary.LittleEndian.AppendUint32(in, uint32(len(vp8x)))
		in = append(in, vp8x...)
		_, err := media.ProcessImage(bytes.NewReader(in), media.Limits{})
		if !errors.Is(err, media.ErrTooManyPixels) {
			t.Fatalf("err = %v, want ErrTooManyPixels", err)
		}
	})
	t.Run("cut WebP is corrupt", func(t *testing.T) {
		_, err := media.ProcessImage(bytes.NewReader(opaque[:len(opaque)-4]), media.Limits{})
		if !errors.Is(err, media.ErrCorrupt) {
			t.Fatalf("err = %v, want ErrCorrupt", err)
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is an upload that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

func TestTooLarge(t *testing.T) {
	img := encodePNG(t, quadrants(64, 64))
	lim := media.Limits{MaxBytes: int64(len(img)) - 1}

	cr := &countingReader{r: bytes.NewReader(img)}
	_, err := media.ProcessImage(cr, lim)
	if !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if cr.n > lim.MaxBytes+1 {
		t.Errorf("read %d bytes, want at most limit+1 = %d", cr.n, lim.MaxBytes+1)
	}

	// Exactly at the limit is allowed.
	lim.MaxBytes = int64(len(img))
	if _, err := media.ProcessImage(bytes.NewReader(img), lim); err != nil {
		t.Errorf("at the limit: %v", err)
	}

	// An endless upload stops after limit+1 bytes instead of filling memory.
	cr = &countingReader{r: endless{}}
	if _, err := media.ProcessImage(cr, media.Limits{MaxBytes: 1 << 20}); !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("endless upload: err = %v, want ErrTooLarge", err)
	}
	if cr.n != 1<<20+1 {
		t.Errorf("endless upload: read %d bytes, want %d", cr.n, 1<<20+1)
	}

	// The default limit applies when none is given.
	cr = &countingReader{r: endless{}}
	if _, err := media.ProcessImage(cr, media.Limits{}); !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("default limit: err = %v, want ErrTooLarge", err)
	}
	if cr.n != 30<<20+1 {
		t.Errorf("default limit: read %d bytes, want %d", cr.n, 30<<20+1)
	}
}

func TestTooManyPixels(t *testing.T) {
	// A 100000×100000 RGBA image would need 40 GB; the header alone must be
	// enough to refuse it.
	bomb := pngHeaderOnly(100000, 100000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := media.ProcessImage(bytes.NewReader(bomb), media.DefaultLimits())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, media.ErrTooManyPixels) {
		t.Fatalf("100000×100000 PNG: err = %v, want ErrTooManyPixels", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing the header allocated %d bytes", n)
	}

	cases := map[string]struct {
		w, h uint32
		lim  media.Limits
	}{
		"wider than 12000":   {12001, 10, media.Limits{}},
		"taller than 12000":  {10, 12001, media.Limits{}},
		"over 52 megapixels": {7300, 7300, media.Limits{}},
		"over custom pixels": {100, 100, media.Limits{MaxPixels: 9999}},
		"over custom width":  {101, 10, media.Limits{MaxWidth: 100}},
		"over custom height": {10, 101, media.Limits{MaxHeight: 100}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessImage(bytes.NewReader(pngHeaderOnly(c.w, c.h)), c.lim)
			if !errors.Is(err, media.ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrTooManyPixels", err)
			}
		})
	}

	t.Run("JPEG SOF declaring 60000×60000", func(t *testing.T) {
		j := encodeJPEG(t, quadrants(16, 16))
		i := bytes.Index(j, []byte{0xFF, 0xC0})
		if i < 0 {
			t.Fatal("no SOF0")
		}
		binary.BigEndian.PutUint16(j[i+5:], 60000) // height
		binary.BigEndian.PutUint16(j[i+7:], 60000) // width
		_, err := media.ProcessImage(bytes.NewReader(j), media.Limits{})
		if !errors.Is(err, media.ErrTooManyPixels) {
			t.Fatalf("err = %v, want ErrTooManyPixels", err)
		}
	})

	t.Run("limits apply to the displayed orientation", func(t *testing.T) {
		// Stored 40×20, displayed 20×40 (orientation 6).
		in := spliceAfterSOI(t, encodeJPEG(t, quadrants(40, 20)), segment(0xE1, exifOrientationOnly(binary.LittleEndian, 6)))
		if _, err := media.ProcessImage(bytes.NewReader(in), media.Limits{MaxWidth: 20, MaxHeight: 40}); err != nil {
			t.Errorf("20×40 within 20×40: %v", err)
		}
		if _, err := media.ProcessImage(bytes.NewReader(in), media.Limits{MaxWidth: 40, MaxHeight: 20}); !errors.Is(err, media.ErrTooManyPixels) {
			t.Errorf("20×40 within 40×20: err = %v, want ErrTooManyPixels", err)
		}
	})
}

func TestUnsupported(t *testing.T) {
	cases := map[string]string{
		"PDF":               "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
		"SVG":               `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`,
		"SVG with XML decl": `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>`,
		"HTML":              "<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>",
		// What a client would upload as "holiday.jpg" with Content-Type
		// image/jpeg: the name and the header never reach ProcessImage,
		// and the bytes are text.
		"text named .jpg":      "This is not a photo, just text in a file called holiday.jpg\n",
		"empty":                "",
		"BMP":                  "BM" + strings.Repeat("\x00", 60),
		"JPEG magic too short": "\xFF\xD8",
		"RIFF but not WebP":    "RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessImage(strings.NewReader(body), media.Limits{})
			if !errors.Is(err, media.ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	j := encodeJPEG(t, quadrants(64, 64))
	p := encodePNG(t, quadrants(64, 64))
	var g bytes.Buffer
	if err := gif.Encode(&g, quadrants(16, 16), nil); err != nil {
		t.Fatal(err)
	}
	brokenPNG := append([]byte{}, p...)
	if i := bytes.Index(brokenPNG, []byte("IDAT")); i > 0 {
		for k := i + 4; k < i+20; k++ {
			brokenPNG[k] ^= 0x5A // corrupt the compressed pixels (and so the CRC)
		}
	} else {
		t.Fatal("no IDAT")
	}
	cases := map[string][]byte{
		"JPEG cut in half":         j[:len(j)/2],
		"JPEG cut after headers":   j[:bytes.Index(j, []byte{0xFF, 0xDA})+4],
		"JPEG cut after SOI":       j[:4],
		"PNG cut in half":          p[:len(p)/2],
		"PNG with damaged pixels":  brokenPNG,
		"PNG header declaring 0×0": pngHeaderOnly(0, 0),
		"GIF cut":                  g.Bytes()[:len(g.Bytes())-8],
		"GIF header only":          []byte("GIF89a\x10\x00\x10\x00\x00\x00\x00"),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.ProcessImage(bytes.NewReader(in), media.Limits{})
			if !errors.Is(err, media.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.HasPrefix(err.Error(), "media: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// FuzzProcessImage checks that no input makes ProcessImage panic, that
// every refusal is one of the four documented errors, and that whatever it
// accepts comes out as a clean JPEG or PNG. The seeds run with every go
// test; go test -fuzz explores further.
func FuzzProcessImage(f *testing.F) {
	j := encodeJPEG(f, quadrants(24, 12))
	f.Add(spliceAfterSOI(f, j, segment(0xE1, exifWithGPS(binary.LittleEndian, 8)), segment(0xFE, []byte(jpegComment))))
	f.Add(spliceAfterSOI(f, j, segment(0xE1, exifOrientationOnly(binary.BigEndian, 5))))
	f.Add(encodePNG(f, quadrants(9, 9)))
	f.Add(losslessWebP(4, 4, 0))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lim := media.Limits{MaxBytes: 1 << 20, MaxWidth: 512, MaxHeight: 512, MaxPixels: 1 << 16}
		p, err := media.ProcessImage(bytes.NewReader(in), lim)
		if err != nil {
			for _, e := range []error{media.ErrTooLarge, media.ErrTooManyPixels, media.ErrUnsupported, media.ErrCorrupt} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("undocumented error: %v", err)
		}
		switch p.MIME {
		case "image/jpeg":
			assertJPEGHasNoMetadataSegments(t, p.Data)
		case "image/png":
		default:
			t.Fatalf("MIME %q", p.MIME)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(p.Data))
		if err != nil || cfg.Width != p.Width || cfg.Height != p.Height {
			t.Fatalf("output %dx%d (%v), Processed says %d×%d", cfg.Width, cfg.Height, err, p.Width, p.Height)
		}
		assertClean(t, p.Data)
	})
}

// A photo larger than pages need is stored downscaled, its proportions
// kept; a small one keeps its size.
func TestLargePhotoDownscaled(t *testing.T) {
	for _, c := range []struct{ w, h, wantW, wantH int }{
		{6000, 4000, media.MaxStoredSide, 2133},
		{3000, 4500, 2133, media.MaxStoredSide},
		{800, 600, 800, 600},
	} {
		img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		p, err := media.ProcessImage(&buf, media.Limits{})
		if err != nil {
			t.Fatalf("%d×%d: %v", c.w, c.h, err)
		}
		got, err := jpeg.DecodeConfig(bytes.NewReader(p.Data))
		if err != nil {
			t.Fatal(err)
		}
		if p.Width != c.wantW || p.Height != c.wantH || got.Width != c.wantW || got.Height != c.wantH {
			t.Errorf("%d×%d stored as %d×%d (says %d×%d), want %d×%d", c.w, c.h, got.Width, got.Height, p.Width, p.Height, c.wantW, c.wantH)
		}
	}
}
