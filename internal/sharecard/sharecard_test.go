package sharecard

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var keep = flag.String("keep", "", "write the test cards as PNG files into this folder, to look at them")

// Cards decode as 1200×630 PNGs in every script the site publishes in,
// and a title the fonts cannot draw falls back to the site's name alone.
func TestCards(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cards := map[string]Card{
		"en":   {Title: "Remember Every Name: a campaign for people lost to overdose", Site: "Peer Voices Network", Lang: "en"},
		"ru":   {Title: "Помнить каждое имя: кампания в память о погибших от передозировок", Site: "Peer Voices Network", Lang: "ru"},
		"ar":   {Title: "تذكّروا كل اسم: حملة من أجل من فقدناهم بسبب الجرعات الزائدة", Site: "Peer Voices Network", Lang: "ar", RTL: true},
		"hi":   {Title: "हर नाम याद रखें: ओवरडोज़ से खोए लोगों के लिए एक अभियान", Site: "Peer Voices Network", Lang: "hi"},
		"long": {Title: "A very long title that goes on and on about harm reduction, naloxone, drug checking, peer workers, funding, police, prisons, hepatitis C and HIV until it cannot fit", Site: "Peer Voices Network", Lang: "en"},
		"cjk":  {Title: "减少危害", Site: "Peer Voices Network", Lang: "zh"},
		"none": {Site: "Peer Voices Network", Lang: "en"},
		"bidi": {Title: "حملة #RememberEveryName في 2026", Site: "Peer Voices Network", Lang: "ar", RTL: true},
		"huge": {Title: strings.Repeat("Naloxone saves lives ", 40), Site: "Peer Voices Network", Lang: "en"},
	}
	pngs := map[string][]byte{}
	for name, c := range cards {
		b, err := r.PNG(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sz := img.Bounds().Size(); sz.X != Width || sz.Y != Height {
			t.Fatalf("%s: %v", name, sz)
		}
		pngs[name] = b
		if *keep != "" {
			os.WriteFile(filepath.Join(*keep, name+".png"), b, 0o644)
		}
	}
	// A title the fonts cannot draw gives the site's name alone, not boxes.
	if !bytes.Equal(pngs["cjk"], pngs["none"]) {
		t.Error("a Chinese title was drawn")
	}
	// A title is drawn in the title's colour; the site's name alone is not.
	for name, want := range map[string]bool{"en": true, "ar": true, "hi": true, "huge": true, "none": false} {
		img, _ := png.Decode(bytes.NewReader(pngs[name]))
		inked := 0
		for y := 200; y < Height-100; y += 2 {
			for x := 0; x < Width; x += 2 {
				if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 0x40 && g>>8 < 0x40 && b>>8 < 0x40 {
					inked++
				}
			}
		}
		if (inked > 1000) != want {
			t.Errorf("%s: %d dark pixels", name, inked)
		}
	}
	// The same card draws the same bytes, from the cache.
	again, _ := r.PNG(cards["en"])
	if !bytes.Equal(again, pngs["en"]) || cards["en"].ETag() == cards["ru"].ETag() {
		t.Error("cards are not stable")
	}
}
