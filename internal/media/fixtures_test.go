package media_test

// Test images are built here, in code, so that every byte of metadata the
// tests look for is known and visible in this file.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Strings planted in the fixtures' metadata; none may survive processing.
const (
	cameraMake    = "PeerpressTestCam Model-X"
	jpegComment   = "meet at the old bridge at 9pm"
	xmpNS         = "http://ns.adobe.com/xap/1.0/"
	xmpSecret     = "XMP-SECRET-LOCATION-48.8584N"
	iccMarker     = "PEERPRESS-ICC-PROFILE-MARKER"
	iptcMarker    = "PEERPRESS-IPTC-BYLINE-MARKER"
	pngTextSecret = "PNG-TEXT-SECRET-home-address"
	pngITXtSecret = "PNG-ITXT-SECRET-XMP-GPS"
	pngExifMarker = "PNG-EXIF-MAKE-MARKER"
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
)

// gpsLatitude is the GPSLatitude value planted in EXIF: 48/1, 51/1,
// 2345/100 as big-endian RATIONALs. Its 24 bytes must not survive.
func gpsLatitude(bo binary.ByteOrder) []byte {
	return rationals(bo, 48, 1, 51, 1, 2345, 100)
}

// gpsLongitude is the GPSLongitude value: 2/1, 17/1, 4012/100.
func gpsLongitude(bo binary.ByteOrder) []byte {
	return rationals(bo, 2, 1, 17, 1, 4012, 100)
}

func rationals(bo binary.ByteOrder, v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		bo.PutUint32(b[4*i:], x)
	}
	return b
}

// ifdEntry is one TIFF IFD entry; data of more than 4 bytes is placed
// after the IFDs and referred to by offset, as TIFF requires.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func short(bo binary.ByteOrder, v uint16) []byte {
	b := make([]byte, 2)
	bo.PutUint16(b, v)
	return b
}

func long(bo binary.ByteOrder, v uint32) []byte {
	b := make([]byte, 4)
	bo.PutUint32(b, v)
	return b
}

func ascii(s string) ifdEntry {
	return ifdEntry{typ: 2, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

// buildTIFF lays out a TIFF structure: header, IFD0 (entries in ascending
// tag order, plus a GPSInfo pointer when gps is not nil), the GPS IFD, then
// the values too long to fit in an entry.
func buildTIFF(bo binary.ByteOrder, ifd0, gps []ifdEntry) []byte {
	n0 := len(ifd0)
	if gps != nil {
		n0++
	}
	const ifd0Off = 8
	gpsOff := ifd0Off + 2 + 12*n0 + 4
	dataOff := gpsOff
	if gps != nil {
		dataOff += 2 + 12*len(gps) + 4
		ifd0 = append(ifd0[:len(ifd0):len(ifd0)], ifdEntry{tag: 0x8825, typ: 4, count: 1, data: long(bo, uint32(gpsOff))})
	}
	var head, data []byte
	if bo == binary.ByteOrder(binary.LittleEndian) {
		head = append(head, 'I', 'I')
	} else {
		head = append(head, 'M', 'M')
	}
	head = append(head, short(bo, 42)...)
	head = append(head, long(bo, ifd0Off)...)
	writeIFD := func(entries []ifdEntry) {
		head = append(head, short(bo, uint16(len(entries)))...)
		for _, e := range entries {
			head = append(head, short(bo, e.tag)...)
			head = append(head, short(bo, e.typ)...)
			head = append(head, long(bo, e.count)...)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				head = append(head, v...)
			} else {
				head = append(head, long(bo, uint32(dataOff+len(data)))...)
				data = append(data, e.data...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		head = append(head, 0, 0, 0, 0) // no next IFD
	}
	writeIFD(ifd0)
	if gps != nil {
		writeIFD(gps)
	}
	if len(head) != dataOff {
		panic("buildTIFF: layout mismatch")
	}
	return append(head, data...)
}

// exifWithGPS is an Exif APP1 payload with a camera Make, the given
// orientation and a GPS IFD holding a position.
func exifWithGPS(bo binary.ByteOrder, orientation uint16) []byte {
	mk := ascii(cameraMake)
	mk.tag = 0x010F
	latRef, lonRef := ascii("N"), ascii("E")
	latRef.tag, lonRef.tag = 0x0001, 0x0003
	tiff := buildTIFF(bo,
		[]ifdEntry{mk, {tag: 0x0112, typ: 3, count: 1, data: short(bo, orientation)}},
		[]ifdEntry{
			{tag: 0x0000, typ: 1, count: 4, data: []byte{2, 3, 0, 0}}, // GPSVersionID
			latRef,
			{tag: 0x0002, typ: 5, count: 3, data: gpsLatitude(bo)},
			lonRef,
			{tag: 0x0004, typ: 5, count: 3, data: gpsLongitude(bo)},
		})
	return append([]byte("Exif\x00\x00"), tiff...)
}

// exifOrientationOnly is an Exif APP1 payload holding just an orientation.
func exifOrientationOnly(bo binary.ByteOrder, orientation uint16) []byte {
	tiff := buildTIFF(bo, []ifdEntry{{tag: 0x0112, typ: 3, count: 1, data: short(bo, orientation)}}, nil)
	return append([]byte("Exif\x00\x00"), tiff...)
}

// segment is a JPEG marker segment with its length.
func segment(marker byte, payload []byte) []byte {
	if len(payload)+2 > 0xFFFF {
		panic("segment too long")
	}
	b := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
	return append(b, payload...)
}

// spliceAfterSOI inserts segments right after a JPEG's start-of-image
// marker, where cameras put their metadata.
func spliceAfterSOI(t testing.TB, jpg []byte, segs ...[]byte) []byte {
	t.Helper()
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		t.Fatal("not a JPEG")
	}
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// encodeJPEG encodes img with the standard encoder, which writes no
// metadata of its own.
func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// quadrants is a w×h image whose four quadrants are red (top left), green
// (top right), blue (bottom left) and white (bottom right), so that every
// turn and mirror gives a different picture.
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// halves is a w×h image, red on the left half and blue on the right.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := red
			if x >= w/2 {
				c = blue
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// pngChunk is a PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	b := make([]byte, 4, 12+len(data))
	binary.BigEndian.PutUint32(b, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// splicePNGAfterIHDR inserts chunks after the IHDR chunk, which is always
// first and 25 bytes long.
func splicePNGAfterIHDR(t testing.TB, p []byte, chunks ...[]byte) []byte {
	t.Helper()
	const end = 8 + 25
	if len(p) < end || string(p[12:16]) != "IHDR" {
		t.Fatal("not a PNG")
	}
	out := append([]byte{}, p[:end]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[end:]...)
}

// pngHeaderOnly is the signature and an IHDR declaring w×h, 8-bit RGBA,
// followed by IEND: enough for a header reader, no pixels at all.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // bit depth, colour type RGBA
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	return append(b, pngChunk("IEND", nil)...)
}

// pngChunkTypes lists the chunk types of a PNG in order.
func pngChunkTypes(t testing.TB, p []byte) []string {
	t.Helper()
	if !bytes.HasPrefix(p, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("output is not a PNG: % x", p[:min(len(p), 8)])
	}
	var types []string
	for i := 8; i < len(p); {
		if i+8 > len(p) {
			t.Fatalf("PNG chunk header cut at %d", i)
		}
		n := int(binary.BigEndian.Uint32(p[i:]))
		types = append(types, string(p[i+4:i+8]))
		i += 12 + n
	}
	return types
}

// jpegMarkers lists the markers of a JPEG up to and including the first
// start-of-scan.
func jpegMarkers(t testing.TB, j []byte) []byte {
	t.Helper()
	if !bytes.HasPrefix(j, []byte{0xFF, 0xD8}) {
		t.Fatalf("output is not a JPEG: % x", j[:min(len(j), 4)])
	}
	markers := []byte{0xD8}
	for i := 2; i+4 <= len(j); {
		if j[i] != 0xFF {
			t.Fatalf("JPEG structure broken at %d", i)
		}
		m := j[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			return markers
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
	t.Fatal("JPEG without start of scan")
	return nil
}

// vp8lBits writes the LSB-first bit stream of a VP8L (lossless WebP)
// image.
type vp8lBits struct {
	buf []byte
	acc uint64
	n   uint
}

func (b *vp8lBits) write(v uint64, bits uint) {
	b.acc |= v << b.n
	b.n += bits
	for b.n >= 8 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.n -= 8
	}
}

// simpleCode writes a "simple" prefix code of one or two 8-bit symbols;
// with two, the first is coded by bit 0 and the second by bit 1.
func (b *vp8lBits) simpleCode(symbols ...uint64) {
	b.write(1, 1) // simple code
	b.write(uint64(len(symbols)-1), 1)
	b.write(1, 1) // first symbol has 8 bits
	for _, s := range symbols {
		b.write(s, 8)
	}
}

// losslessWebP hand-builds a w×h lossless WebP whose left half is red and
// right half green; the right half has alpha rightAlpha. Each pixel is two
// Huffman-coded bits (green, then red); blue and alpha are constant unless
// rightAlpha is not 255, when alpha takes one more bit.
func losslessWebP(w, h int, rightAlpha uint8) []byte {
	var b vp8lBits
	b.write(0x2f, 8) // VP8L signature
	b.write(uint64(w-1), 14)
	b.write(uint64(h-1), 14)
	hasAlpha := rightAlpha != 255
	if hasAlpha {
		b.write(1, 1)
	} else {
		b.write(0, 1)
	}
	b.write(0, 3)        // version
	b.write(0, 1)        // no transform
	b.write(0, 1)        // no colour cache
	b.write(0, 1)        // no meta prefix codes
	b.simpleCode(0, 255) // green: bit 0 → 0, bit 1 → 255
	b.simpleCode(255, 0) // red:   bit 0 → 255, bit 1 → 0
	b.simpleCode(0)      // blue: always 0
	if hasAlpha {
		b.simpleCode(255, uint64(rightAlpha))
	} else {
		b.simpleCode(255)
	}
	b.write(1, 1) // distance code: simple,
	b.write(0, 1) // one symbol,
	b.write(0, 1) // of 1 bit,
	b.write(0, 1) // symbol 0 (never used)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			bit := uint64(0)
			if x >= w/2 {
				bit = 1
			}
			b.write(bit, 1) // green
			b.write(bit, 1) // red
			if hasAlpha {
				b.write(bit, 1)
			}
		}
	}
	if b.n > 0 {
		b.write(0, 8-b.n)
	}
	chunk := b.buf
	var out []byte
	out = append(out, "RIFF"...)
	size := 4 + 8 + len(chunk) + len(chunk)%2
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, "WEBPVP8L"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(chunk)))
	out = append(out, chunk...)
	if len(chunk)%2 == 1 {
		out = append(out, 0)
	}
	return out
}
