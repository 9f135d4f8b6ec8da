// Package media turns uploaded images and documents (PDFs, see
// document.go) into files that are safe to publish, and stores them.
//
// People who publish through peerpress can be put in danger by what a photo
// carries besides its pixels: GPS coordinates, the camera's serial number,
// the editing software's history, a comment. So every upload is decoded and
// encoded again from its pixels alone, and nothing of the original file's
// bytes is ever written to disk or served. Only the EXIF orientation is read
// from the metadata, and only so it can be applied to the pixels before the
// metadata is thrown away (otherwise portrait photos would come out lying on
// their side).
//
// The type of an upload is decided from its bytes; the uploader's file name
// and Content-Type are never trusted. Limits on size and on pixel dimensions
// are checked before the image is decoded, so a small file that declares a
// huge image (a decompression bomb) is refused without allocating memory
// for it.
package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"net/http"

	"golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
)

// The errors ProcessImage and ProcessDocument (and so SaveImage and
// SaveDocument) return, wrapped, for uploads they refuse; callers test them with errors.Is to tell the uploader what went
// wrong. Any other error is a fault of the server, not of the upload.
var (
	// ErrTooLarge means the upload has more bytes than Limits.MaxBytes.
	ErrTooLarge = errors.New("file too large")
	// ErrTooManyPixels means the image declares dimensions over the Limits.
	ErrTooManyPixels = errors.New("image dimensions too large")
	// ErrUnsupported means the bytes are not an image type peerpress
	// accepts (PDF, SVG, HTML, text, BMP, …), whatever the file was called.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrCorrupt means the bytes start like a supported image (or, for
	// ProcessDocument, a PDF) but do not decode: a truncated or damaged
	// file.
	ErrCorrupt = errors.New("corrupt file")
)

// Limits bounds what ProcessImage accepts. A zero or negative field means
// the default from DefaultLimits, so that a forgotten or partly filled
// Limits never means "no limit".
type Limits struct {
	MaxBytes  int64 // size of the upload
	MaxWidth  int   // width as displayed (after EXIF orientation)
	MaxHeight int   // height as displayed (after EXIF orientation)
	MaxPixels int64 // width × height
}

// DefaultLimits returns the limits peerpress uses unless configured
// otherwise: what phones produce today, 30 MiB, 12,000 pixels a side and
// 52 megapixels (a 50-megapixel camera's full size). Such an image
// decodes to some 75 to 200 MB, which a small server can afford for a
// few uploads at once (decodeBudget bounds how many), and is stored
// downscaled (MaxStoredSide).
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:  30 << 20,
		MaxWidth:  12000,
		MaxHeight: 12000,
		MaxPixels: 52_000_000,
	}
}

// MaxStoredSide is the longest side an image is stored at: a larger one
// is downscaled on arrival. Pages show at most the 1600-pixel variant;
// 3200 leaves room for sharp crops and high-density screens without
// keeping a phone's 50 megapixels.
const MaxStoredSide = 3200

// decodeBudget bounds the memory that images being processed take at
// once, across the whole process: each reserves what its decoded pixels
// and the pictures made from them need (decodeCost) before decoding, and
// the others wait their turn. An image that alone needs more than the
// whole budget is refused. 144 MB fits a turned 52-megapixel phone
// photo (140 MB) or a 25-megapixel PNG, and keeps a small server, with
// its sign-ins and pages, under 300 MB when anonymous visitors send the
// heaviest images they may (BenchmarkAttackMemory in internal/app). A
// 40-megapixel PNG, or a JPEG of 50 megapixels without chroma
// subsampling, is refused: its sender is asked for a smaller image.
var decodeBudget = semaphore.NewWeighted(decodeBudgetBytes)

const decodeBudgetBytes = 144 << 20

// withDefaults fills the unset fields of lim from DefaultLimits.
func (lim Limits) withDefaults() Limits {
	def := DefaultLimits()
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = def.MaxBytes
	}
	if lim.MaxWidth <= 0 {
		lim.MaxWidth = def.MaxWidth
	}
	if lim.MaxHeight <= 0 {
		lim.MaxHeight = def.MaxHeight
	}
	if lim.MaxPixels <= 0 {
		lim.MaxPixels = def.MaxPixels
	}
	return lim
}

// Processed is an image after ProcessImage: freshly encoded bytes that carry
// pixels and nothing else.
type Processed struct {
	Data   []byte
	MIME   string // "image/jpeg" or "image/png"
	Ext    string // ".jpg" or ".png", matching MIME
	Width  int    // as displayed, after EXIF orientation
	Height int
}

// The output encodings. Go can encode only JPEG, PNG and GIF (not WebP);
// PNG replaces GIF because only the first frame is kept and PNG stores it
// losslessly, and replaces WebP when transparency has to be kept.
const (
	mimeJPEG = "image/jpeg"
	mimePNG  = "image/png"
	extJPEG  = ".jpg"
	extPNG   = ".png"
)

// jpegQuality is high enough that re-encoding a photo does not visibly
// degrade it, and low enough to keep files small for slow connections.
const jpegQuality = 85

// kind is an accepted input type, as sniffed from the bytes.
type kind int

const (
	kindNone kind = iota
	kindJPEG
	kindPNG
	kindGIF
	kindWebP
)

func (k kind) String() string {
	switch k {
	case kindJPEG:
		return "jpeg"
	case kindPNG:
		return "png"
	case kindGIF:
		return "gif"
	case kindWebP:
		return "webp"
	}
	return "unknown"
}

var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
)

// sniff decides the type from the bytes alone. Both the standard sniffer
// and our own magic-number check must agree, so that a file is only ever
// handed to the decoder of the one type it unambiguously starts as.
func sniff(data []byte) kind {
	ct := http.DetectContentType(data)
	switch {
	case ct == "image/jpeg" && bytes.HasPrefix(data, magicJPEG):
		return kindJPEG
	case ct == "image/png" && bytes.HasPrefix(data, magicPNG):
		return kindPNG
	case ct == "image/gif" && (bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a"))):
		return kindGIF
	case ct == "image/webp" && isWebP(data):
		return kindWebP
	}
	return kindNone
}

// isWebP checks the RIFF container and that the first chunk is one of the
// three WebP bitstream chunks.
func isWebP(data []byte) bool {
	if len(data) < 16 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false
	}
	switch string(data[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

// decodeConfig reads only the header of an image of kind k. Each kind has
// its decoder called directly rather than through package image's registry,
// so that bytes sniffed as one type can never be handed to the decoder of
// another (or of some format a dependency registered).
func decodeConfig(k kind, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch k {
	case kindJPEG:
		return jpeg.DecodeConfig(r)
	case kindPNG:
		return png.DecodeConfig(r)
	case kindGIF:
		return gif.DecodeConfig(r)
	case kindWebP:
		return webp.DecodeConfig(r)
	}
	return image.Config{}, errors.New("unreachable: unknown kind")
}

// decode decodes a whole image of kind k. For GIF only the first frame is
// decoded.
func decode(k kind, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch k {
	case kindJPEG:
		return jpeg.Decode(r)
	case kindPNG:
		return png.Decode(r)
	case kindGIF:
		return gif.Decode(r)
	case kindWebP:
		return webp.Decode(r)
	}
	return nil, errors.New("unreachable: unknown kind")
}

// ProcessImage reads an upload from r and returns it re-encoded without any
// metadata: the type is sniffed from the bytes, the size and the declared
// dimensions are checked against lim before decoding, the JPEG EXIF
// orientation is applied to the pixels, and the pixels are encoded afresh
// (JPEG stays JPEG at quality 85; PNG stays PNG; GIF's first frame becomes
// PNG; WebP becomes PNG when it has transparent pixels and JPEG otherwise).
// It touches nothing but r, so it can be tested and reused without a store.
func ProcessImage(r io.Reader, lim Limits) (Processed, error) {
	lim = lim.withDefaults()
	data, err := readUpload(r, lim.MaxBytes)
	if err != nil {
		return Processed{}, err
	}
	return processImage(data, lim)
}

// readUpload reads all of r, or ErrTooLarge when it has more than max
// bytes. It reads one byte more than allowed: getting it proves the upload
// is too large without reading (or buffering) the rest of it.
func readUpload(r io.Reader, max int64) ([]byte, error) {
	n := max
	if n < math.MaxInt64 {
		n++
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("media: upload over %d bytes: %w", max, ErrTooLarge)
	}
	return data, nil
}

// processImage is ProcessImage on bytes already read; lim has its defaults.
func processImage(data []byte, lim Limits) (Processed, error) {
	k := sniff(data)
	if k == kindNone {
		return Processed{}, fmt.Errorf("media: sniffed %q: %w", http.DetectContentType(data), ErrUnsupported)
	}

	cfg, err := decodeConfig(k, data)
	if err != nil {
		return Processed{}, fmt.Errorf("media: read %s header: %w: %w", k, ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Processed{}, fmt.Errorf("media: %s header declares %d×%d: %w", k, cfg.Width, cfg.Height, ErrCorrupt)
	}

	orient := 1
	if k == kindJPEG {
		orient = jpegOrientation(data)
	}
	w, h := cfg.Width, cfg.Height
	if orient >= 5 { // the orientations that turn the image by 90°
		w, h = h, w
	}
	if w > lim.MaxWidth || h > lim.MaxHeight || int64(w)*int64(h) > lim.MaxPixels {
		return Processed{}, fmt.Errorf("media: %s of %d×%d over %d×%d or %d pixels: %w",
			k, w, h, lim.MaxWidth, lim.MaxHeight, lim.MaxPixels, ErrTooManyPixels)
	}

	release, err := reserveDecode(k, data, cfg, orient)
	if err != nil {
		return Processed{}, err
	}
	defer release()
	img, err := decode(k, data)
	if err != nil {
		return Processed{}, fmt.Errorf("media: decode %s: %w: %w", k, ErrCorrupt, err)
	}

	asPNG := false
	switch k {
	case kindJPEG:
		// Downscaled before it is turned: turning copies the pixels,
		// and a phone's 50 megapixels twice over would not fit the budget.
		img = orientImage(downscale(img, MaxStoredSide), orient)
	case kindPNG:
		asPNG = true
	case kindGIF:
		img = gifCanvas(img, cfg.Width, cfg.Height)
		asPNG = true
	case kindWebP:
		asPNG = !isOpaque(img)
	}

	img = downscale(img, MaxStoredSide)
	var buf bytes.Buffer
	p := Processed{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	if asPNG {
		p.MIME, p.Ext = mimePNG, extPNG
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, img)
	} else {
		p.MIME, p.Ext = mimeJPEG, extJPEG
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return Processed{}, fmt.Errorf("media: encode %s: %w", p.MIME, err)
	}
	p.Data = buf.Bytes()
	return p, nil
}

// gifCanvas places a GIF's first frame on its logical screen. A frame may
// cover only part of the screen; browsers show the rest as transparent, and
// the published PNG must look the same.
func gifCanvas(frame image.Image, screenW, screenH int) image.Image {
	screen := image.Rect(0, 0, screenW, screenH)
	if frame.Bounds() == screen {
		return frame
	}
	canvas := image.NewNRGBA(screen)
	draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Src)
	return canvas
}

// isOpaque reports whether every pixel of img is fully opaque. Image types
// that cannot answer cheaply are treated as not opaque, so they keep their
// transparency in a PNG rather than lose it in a JPEG.
func isOpaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// downscale returns img with its longest side at most side pixels,
// keeping its proportions; a smaller image is returned as it is.
func downscale(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, (h*side+w/2)/w)
	} else {
		w, h = max(1, (w*side+h/2)/h), side
	}
	return scaleDown(img, w, h)
}
