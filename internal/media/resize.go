package media

import (
	"image"
	"image/draw"
)

// scaleDown returns src scaled down to dw×dh by area averaging: each
// pixel of the result is the mean of the source pixels under it, each
// counted by how much of it lies there. That is what a smaller picture
// of the same scene looks like, without the moiré of sampling.
//
// It streams: the source is read a band of rows at a time into a small
// RGBA buffer (draw.Draw has fast conversions from what the decoders
// make), and only one output row and the next are accumulated, so it
// takes the result and a few rows of memory. The two-pass kernels of
// x/image/draw it replaces allocate a float buffer of the output's width
// by the source's height: 600 MB for a phone's 50 megapixels.
//
// dw and dh must be at most the source's width and height.
func scaleDown(src image.Image, dw, dh int) *image.RGBA {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	if sw == 0 || sh == 0 || dw == 0 || dh == 0 {
		return dst
	}
	cols, colW := spans(sw, dw)
	rows, rowW := spans(sh, dh)

	const band = 16
	buf := image.NewRGBA(image.Rect(0, 0, sw, band))
	line := make([]float32, dw*4) // a source row, reduced to dw columns
	cur := make([]float32, dw*4)  // the output row being accumulated
	next := make([]float32, dw*4) // the one after it, which a source row may reach into
	dy := 0
	flush := func() {
		o := dst.Pix[dy*dst.Stride:]
		for i := 0; i < dw*4; i += 4 {
			a := clamp8(cur[i+3])
			o[i], o[i+1], o[i+2], o[i+3] = min(clamp8(cur[i]), a), min(clamp8(cur[i+1]), a), min(clamp8(cur[i+2]), a), a
		}
		cur, next = next, cur
		clear(next)
		dy++
	}
	for y0 := 0; y0 < sh; y0 += band {
		n := min(band, sh-y0)
		draw.Draw(buf, image.Rect(0, 0, sw, n), src, image.Pt(sb.Min.X, sb.Min.Y+y0), draw.Src)
		for j := range n {
			sy := y0 + j
			clear(line)
			px := buf.Pix[j*buf.Stride:]
			for sx := range sw {
				c, w := cols[sx]*4, colW[sx]
				r, g, b, a := float32(px[sx*4]), float32(px[sx*4+1]), float32(px[sx*4+2]), float32(px[sx*4+3])
				line[c] += r * w
				line[c+1] += g * w
				line[c+2] += b * w
				line[c+3] += a * w
				if rest := colStep(sw, dw) - w; rest > 1e-6 && c+4 < len(line) {
					line[c+4] += r * rest
					line[c+5] += g * rest
					line[c+6] += b * rest
					line[c+7] += a * rest
				}
			}
			for rows[sy] > dy {
				flush()
			}
			w := rowW[sy]
			for i, v := range line {
				cur[i] += v * w
			}
			if rest := colStep(sh, dh) - w; rest > 1e-6 && dy+1 < dh {
				for i, v := range line {
					next[i] += v * rest
				}
			}
		}
	}
	for dy < dh {
		flush()
	}
	return dst
}

// colStep is the width, in output pixels, of one source pixel.
func colStep(from, to int) float32 { return float32(to) / float32(from) }

// spans maps each of from source pixels onto to output pixels: the output
// pixel it starts in, and how much of its width (in output pixels) falls
// there; the rest of it falls in the next.
func spans(from, to int) (first []int, weight []float32) {
	first = make([]int, from)
	weight = make([]float32, from)
	step := float64(to) / float64(from)
	for i := range from {
		start, end := float64(i)*step, float64(i+1)*step
		c := int(start)
		first[i] = min(c, to-1)
		weight[i] = float32(min(end, float64(c+1)) - start)
	}
	return first, weight
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
