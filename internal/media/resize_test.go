package media

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

// Scaling down averages what lies under each pixel: a fine checkerboard
// becomes an even grey (no moiré), a flat colour stays that colour, an
// edge stays where it was, and transparency is kept.
func TestScaleDownAverages(t *testing.T) {
	board := image.NewGray(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			if (x+y)%2 == 0 {
				board.SetGray(x, y, color.Gray{255})
			}
		}
	}
	out := scaleDown(board, 150, 100)
	for _, p := range []image.Point{{0, 0}, {75, 50}, {149, 99}} {
		c := out.RGBAAt(p.X, p.Y)
		if c.R < 126 || c.R > 129 || c.A != 255 {
			t.Errorf("checkerboard at %v: %v, want even grey", p, c)
		}
	}

	// Left half red, right half half-transparent blue, on a photo's sizes.
	src := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	draw.Draw(src, image.Rect(0, 0, 2000, 3000), image.NewUniform(color.NRGBA{200, 10, 10, 255}), image.Point{}, draw.Src)
	draw.Draw(src, image.Rect(2000, 0, 4000, 3000), image.NewUniform(color.NRGBA{0, 0, 255, 128}), image.Point{}, draw.Src)
	out = scaleDown(src, 1600, 1200)
	if got := out.RGBAAt(100, 600); got != (color.RGBA{200, 10, 10, 255}) {
		t.Errorf("red half: %v", got)
	}
	if got := out.RGBAAt(1500, 1199); got.A != 128 || got.B != 128 || got.R != 0 {
		t.Errorf("transparent half (premultiplied): %v", got)
	}
	// The edge, at column 800 of 1600: one column of mixture at most.
	if got := out.RGBAAt(798, 10); got.R != 200 {
		t.Errorf("left of the edge: %v", got)
	}
	if got := out.RGBAAt(801, 10); got.R != 0 {
		t.Errorf("right of the edge: %v", got)
	}
}

// A 50-megapixel phone photo is scaled to the stored size in a few
// rows of memory besides the result, where the kernel it replaced took
// 600 MB.
func TestScaleDownMemory(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 8160, 6120), image.YCbCrSubsampleRatio420)
	allocs := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			scaleDown(src, 3200, 2400)
		}
	}).AllocedBytesPerOp()
	result := int64(3200 * 2400 * 4)
	if allocs > result+4<<20 {
		t.Fatalf("scaling took %d MB, want the %d MB result and little more", allocs>>20, result>>20)
	}
}
