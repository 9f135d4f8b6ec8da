package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
)

// JPEG markers the orientation reader needs.
const (
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerTEM  = 0x01
	markerRST0 = 0xD0
	markerRST7 = 0xD7
	markerAPP1 = 0xE1
)

// tagOrientation is the EXIF/TIFF Orientation tag in IFD0.
const tagOrientation = 0x0112

// jpegOrientation returns the EXIF orientation (1–8) of a JPEG, or 1 when
// there is none or it cannot be read. The bytes come from an uploader, so
// every offset is checked before use: a malformed segment makes the image
// upright-as-stored, never a panic. Only the first Exif APP1 segment counts,
// and only segments before the first scan are looked at, which is where
// EXIF lives.
func jpegOrientation(data []byte) int {
	if len(data) < 2 || data[0] != 0xFF || data[1] != markerSOI {
		return 1
	}
	i := 2
	for i+2 <= len(data) {
		if data[i] != 0xFF {
			return 1 // not at a marker: the structure is broken
		}
		m := data[i+1]
		if m == 0xFF { // fill byte before a marker
			i++
			continue
		}
		i += 2
		switch {
		case m == markerSOI || m == markerTEM || (m >= markerRST0 && m <= markerRST7):
			continue // markers without a length
		case m == markerEOI || m == markerSOS:
			return 1
		}
		if i+2 > len(data) {
			return 1
		}
		segLen := int(binary.BigEndian.Uint16(data[i:]))
		if segLen < 2 || i+segLen > len(data) {
			return 1
		}
		payload := data[i+2 : i+segLen]
		if m == markerAPP1 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
			return tiffOrientation(payload[6:])
		}
		i += segLen
	}
	return 1
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF structure
// (the body of an Exif segment), or returns 1.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	// uint64 arithmetic: offsets are 32-bit values chosen by the uploader
	// and must not wrap around on any platform.
	size := uint64(len(t))
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > size {
		return 1
	}
	n := uint64(bo.Uint16(t[off:]))
	for i := uint64(0); i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > size {
			return 1
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		typ, count := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if count != 1 {
			return 1
		}
		var v uint32
		switch typ {
		case 3: // SHORT, as the standard says
			v = uint32(bo.Uint16(t[e+8:]))
		case 4: // LONG, written by some software
			v = bo.Uint32(t[e+8:])
		default:
			return 1
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// orientation maps a pixel (x, y) of the upright image to the pixel
// (ax·x + bx·y + cx, ay·x + by·y + cy) of the stored one. Given as an affine
// map so that all eight cases share one copying loop.
type orientation struct{ ax, bx, cx, ay, by, cy int }

// orientations returns the map for EXIF orientation o of a stored image of
// w×h, and whether it turns the image by 90° (swapping width and height).
func orientations(o, w, h int) (orientation, bool) {
	switch o {
	case 2: // mirrored left–right
		return orientation{-1, 0, w - 1, 0, 1, 0}, false
	case 3: // turned 180°
		return orientation{-1, 0, w - 1, 0, -1, h - 1}, false
	case 4: // mirrored top–bottom
		return orientation{1, 0, 0, 0, -1, h - 1}, false
	case 5: // transposed: mirrored left–right, then turned 90° anticlockwise
		return orientation{0, 1, 0, 1, 0, 0}, true
	case 6: // needs turning 90° clockwise
		return orientation{0, 1, 0, -1, 0, h - 1}, true
	case 7: // transversed: mirrored left–right, then turned 90° clockwise
		return orientation{0, -1, w - 1, -1, 0, h - 1}, true
	case 8: // needs turning 90° anticlockwise
		return orientation{0, -1, w - 1, 1, 0, 0}, true
	}
	return orientation{1, 0, 0, 0, 1, 0}, false
}

// orientImage returns src turned and mirrored as EXIF orientation o says,
// so the published pixels are upright without the metadata that said how.
// Grey images stay grey; everything else becomes RGBA, which the JPEG
// encoder takes directly.
func orientImage(src image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	m, swap := orientations(o, w, h)
	dw, dh := w, h
	if swap {
		dw, dh = h, w
	}

	var (
		spix, dpix       []byte
		sstride, dstride int
		bpp, sbase       int
		result           image.Image
	)
	switch s := src.(type) {
	case *image.Gray:
		d := image.NewGray(image.Rect(0, 0, dw, dh))
		spix, sstride, sbase = s.Pix, s.Stride, s.PixOffset(b.Min.X, b.Min.Y)
		dpix, dstride, bpp, result = d.Pix, d.Stride, 1, d
	default:
		rgba, ok := src.(*image.RGBA)
		if !ok {
			rgba = image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
		}
		d := image.NewRGBA(image.Rect(0, 0, dw, dh))
		spix, sstride, sbase = rgba.Pix, rgba.Stride, rgba.PixOffset(rgba.Rect.Min.X, rgba.Rect.Min.Y)
		dpix, dstride, bpp, result = d.Pix, d.Stride, 4, d
	}

	for y := 0; y < dh; y++ {
		row := y * dstride
		for x := 0; x < dw; x++ {
			sx := m.ax*x + m.bx*y + m.cx
			sy := m.ay*x + m.by*y + m.cy
			si := sbase + sy*sstride + sx*bpp
			di := row + x*bpp
			copy(dpix[di:di+bpp], spix[si:si+bpp])
		}
	}
	return result
}
