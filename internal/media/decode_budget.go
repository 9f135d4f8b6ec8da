package media

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
)

// reserveDecode waits until the image's processing fits in decodeBudget
// and returns the function that gives the memory back; an image that
// could never fit is refused as ErrTooManyPixels, before any decoding.
func reserveDecode(k kind, data []byte, cfg image.Config, orient int) (release func(), err error) {
	cost := decodeCost(k, data, cfg, orient)
	if cost > decodeBudgetBytes {
		return nil, fmt.Errorf("media: %s of %d×%d needs %d MB to process, over the %d MB budget: %w",
			k, cfg.Width, cfg.Height, cost>>20, decodeBudgetBytes>>20, ErrTooManyPixels)
	}
	// Processing is never cancelled halfway; waiting is bounded by the
	// request's own timeouts, which end the upload before it gets here.
	if err := decodeBudget.Acquire(context.Background(), cost); err != nil {
		return nil, err
	}
	return func() { decodeBudget.Release(cost) }, nil
}

// decodeCost is the memory, in bytes, that processing an image of cfg
// takes at its peak: the decoded pixels as the decoder allocates them,
// the downscaled copy, and for a turned JPEG the turned copy.
func decodeCost(k kind, data []byte, cfg image.Config, orient int) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	var decoded int64
	switch {
	case k == kindJPEG && cfg.ColorModel == color.YCbCrModel:
		decoded = jpegPlanes(data, w, h)
	case k == kindWebP:
		decoded = px * 4 // lossless WebP decodes to NRGBA; lossy to less
	case k == kindGIF:
		decoded = px * 5 // the paletted frame, then an NRGBA canvas when the frame is smaller than the screen
	default:
		decoded = px * bytesPerPixel(cfg.ColorModel)
	}
	var out int64 // the copy downscaled to MaxStoredSide (RGBA), when there is one
	if long := max(w, h); long > MaxStoredSide {
		out = MaxStoredSide * max(min(w, h)*MaxStoredSide/long, 1) * 4
	}
	if k == kindJPEG && orient >= 2 && orient <= 8 {
		turned := out
		if turned == 0 {
			turned = px * 8 // converted to RGBA, then the turned RGBA
		}
		out += turned
	}
	return decoded + out
}

// bytesPerPixel is what image/png and the other decoders allocate per
// pixel for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.CMYKModel, color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// jpegPlanes is the size of a YCbCr JPEG's decoded planes: the luma at
// full size and each chroma plane subsampled as its frame header says
// (a phone photo's 4:2:0 is 1.5 bytes a pixel, 4:4:4 is 3). When the
// header cannot be read, the largest.
func jpegPlanes(data []byte, w, h int64) int64 {
	worst := (w + 15) / 16 * 16 * ((h + 15) / 16 * 16) * 3
	sof := jpegFrameHeader(data)
	if len(sof) < 6 {
		return worst
	}
	n := int(sof[5])
	if n != 3 || len(sof) < 6+3*n {
		return worst
	}
	var hs, vs [3]int64
	var hmax, vmax int64 = 1, 1
	for i := range 3 {
		f := sof[6+3*i+1]
		hs[i], vs[i] = int64(f>>4), int64(f&0x0f)
		if hs[i] < 1 || vs[i] < 1 {
			return worst
		}
		hmax, vmax = max(hmax, hs[i]), max(vmax, vs[i])
	}
	// The decoder allocates whole blocks of 8×8 samples per plane, for
	// whole MCUs.
	mw, mh := 8*hmax, 8*vmax
	w, h = (w+mw-1)/mw*mw, (h+mh-1)/mh*mh
	var total int64
	for i := range 3 {
		total += (w * hs[i] / hmax) * (h * vs[i] / vmax)
	}
	return total
}

// jpegFrameHeader returns the payload of a JPEG's first frame header
// (SOF0 to SOF2), or nil.
func jpegFrameHeader(data []byte) []byte {
	if len(data) < 2 || data[0] != 0xFF || data[1] != markerSOI {
		return nil
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil
		}
		m := data[i+1]
		if m == 0xFF {
			i++
			continue
		}
		i += 2
		if m == markerSOI || m == markerTEM || (m >= markerRST0 && m <= markerRST7) {
			continue
		}
		if m == markerEOI || m == markerSOS {
			return nil
		}
		segLen := int(binary.BigEndian.Uint16(data[i:]))
		if segLen < 2 || i+segLen > len(data) {
			return nil
		}
		if m >= 0xC0 && m <= 0xC2 {
			return data[i+2 : i+segLen]
		}
		i += segLen
	}
	return nil
}
