package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"testing"
)

// What decodeCost counts for a JPEG is what Go's decoder allocates.
func TestDecodeCostOfJPEGMatchesTheDecoder(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 301, 203)), nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	y := img.(*image.YCbCr)
	cfg, _ := jpeg.DecodeConfig(bytes.NewReader(data))
	if got, want := decodeCost(kindJPEG, data, cfg, 1), int64(len(y.Y)+len(y.Cb)+len(y.Cr)); got < want || got > want*11/10 {
		t.Fatalf("cost %d bytes, the decoder took %d", got, want)
	}
}

// A small PNG declaring a 16-bit 40-megapixel image (the audit's 311 KB
// bomb) is refused before it is decoded: it would take 320 MB.
func TestSixteenBitBombRefusedWithoutDecoding(t *testing.T) {
	bomb := pngHeader(8000, 5000, 16)
	var err error
	allocs := testing.AllocsPerRun(3, func() { _, err = ProcessImage(bytes.NewReader(bomb), Limits{}) })
	if !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("err %v, want ErrTooManyPixels", err)
	}
	if allocs > 200 {
		t.Fatalf("%v allocations to refuse it", allocs)
	}
}

// pngHeader is the start of an RGBA PNG of w×h at depth bits a channel:
// enough for its header to be read, not its pixels.
func pngHeader(w, h, depth int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), 6
	binary.Write(&out, binary.BigEndian, uint32(len(ihdr)))
	out.WriteString("IHDR")
	out.Write(ihdr)
	binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...)))
	return out.Bytes()
}
