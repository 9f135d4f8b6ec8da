package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"time"

	"peerpress/internal/campaign"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/jobs"
	"peerpress/internal/media"
	"peerpress/internal/search"
)

// demoTribute is a tribute on the demo campaign's wall. Names and words
// are invented.
type demoTribute struct {
	lang, remembered, body string
	status                 campaign.Status
	hue                    float64 // of the drawn photo; < 0: no photo
}

var demoTributes = []demoTribute{
	{"en", "Marta K.", "Marta drove the needle-exchange van every Thursday for eleven years. She knew every regular by name and never once made anyone feel small. We still put out a cup of tea for her.", campaign.Approved, 30},
	{"ru", "Саша", "Саша научил половину района пользоваться налоксоном и всегда повторял: «Лучше проверить лишний раз». Нам очень тебя не хватает.", campaign.Approved, 210},
	{"es", "Joaquín R.", "Joaquín tocaba la guitarra en cada asamblea del colectivo. Murió solo, con miedo de llamar a la ambulancia. Seguimos luchando para que nadie más tenga ese miedo.", campaign.Approved, 120},
	{"en", "D.", "A pseudonym, because his family still does not know. He was funny, stubborn and the kindest person on our outreach team. Every kit we hand out carries a little of him.", campaign.Approved, -1},
	{"ar", "أميرة", "كانت أميرة أول من يصل إلى مركز الدعم وآخر من يغادره. نتذكر ضحكتها وشجاعتها في كل يوم عمل.", campaign.Approved, 330},
	{"en", "Peter L.", "My brother. He had been doing well for two years when the supply changed. Please say his name with the others.", campaign.Waiting, 260},
}

// demoCampaignLinks are the entries the demo campaign links to, by their
// English slugs.
var demoCampaignLinks = []string{"candlelight-vigil-overdose-repression", "webinar-naloxone-in-the-hands-of-peers",
	"statement-overdose-awareness-day-grief-is-not-enough", "guide-peer-led-naloxone-distribution"}

// fillCampaigns gives the remembrance campaign its details, opens its
// tribute wall, and adds a few tributes — one still waiting for a
// moderator. Their photos are drawn by a background job (RegisterPhotos):
// the demo is loaded before the media folder is known.
func fillCampaigns(ctx context.Context, d *db.DB, now time.Time) error {
	entries := content.NewStore(d, search.Index{})
	e, err := entries.BySlug(ctx, "en", "remember-every-name")
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	store := campaign.NewStore(d, nil, nil)
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	det := campaign.Details{EntryID: e.ID, StartsOn: day(now.AddDate(0, 0, -45)), EndsOn: day(now.AddDate(0, 0, 60)), WallOpen: true}
	for _, slug := range demoCampaignLinks {
		if l, err := entries.BySlug(ctx, "en", slug); err == nil {
			det.Links = append(det.Links, l.ID)
		}
	}
	texts := map[string]campaign.Texts{
		"en": {
			PrimaryObjective:    "No one else dies of an overdose that naloxone, drug checking or a safe space could have stopped.",
			SecondaryObjectives: "Name the people behind the statistics, in their communities' own words\nEnd arrests of people who call for help",
			Asks:                "Naloxone free and without prescription, including on release from prison\nGood Samaritan protection in law and in police practice\nFunding for peer-led overdose prevention",
			Ways:                "Add a tribute to someone you lost\nHold a vigil on 31 August and tell us about it\nShare the campaign with #RememberEveryName",
		},
		"ru": {
			PrimaryObjective:    "Чтобы больше никто не умер от передозировки, которую могли остановить налоксон, проверка веществ или безопасное пространство.",
			SecondaryObjectives: "Назвать людей за статистикой — словами их сообществ\nПрекратить задержания тех, кто вызывает помощь",
			Asks:                "Бесплатный налоксон без рецепта, в том числе при освобождении из заключения\nЗащита «доброго самаритянина» в законе и на практике\nФинансирование профилактики передозировок силами равных",
			Ways:                "Добавьте запись в память о близком человеке\nПроведите акцию памяти 31 августа и расскажите нам о ней\nРасскажите о кампании с хештегом #RememberEveryName",
		},
	}
	for lang, t := range texts {
		if _, ok := e.Translation(lang); !ok {
			continue
		}
		if err := store.SaveDetails(ctx, det, lang, t); err != nil {
			return fmt.Errorf("demo: campaign details: %w", err)
		}
	}
	for i, t := range demoTributes {
		id, err := store.AddTribute(ctx, e.ID, t.lang, t.remembered, t.body, t.status, 0)
		if err != nil {
			return fmt.Errorf("demo: tribute: %w", err)
		}
		if t.hue < 0 {
			continue
		}
		payload, _ := json.Marshal(photoJob{TributeID: id, Hue: t.hue, Seed: i})
		if err := d.Quiet().InTx(ctx, func(tx *db.Tx) error {
			// A little later: work a visitor or a test causes at start
			// (mail above all) goes first.
			return jobs.Enqueue(ctx, tx, jobTributePhoto, payload, now.Add(5*time.Second))
		}); err != nil {
			return err
		}
	}
	return nil
}

// jobTributePhoto draws a demo tribute's photo.
const jobTributePhoto = "demo-tribute-photo"

type photoJob struct {
	TributeID int64   `json:"tribute_id"`
	Hue       float64 `json:"hue"`
	Seed      int     `json:"seed"`
}

// RegisterPhotos has q draw the demo tributes' photos: an abstract
// candle-light picture in the tribute's colour, no face and nothing taken
// from anywhere, stored through the media pipeline like any upload.
func RegisterPhotos(q *jobs.Queue, d *db.DB, m *media.Store) {
	store := campaign.NewStore(d, nil, nil)
	q.HandleWith(jobTributePhoto, func(ctx context.Context, payload []byte) error {
		var job photoJob
		if err := json.Unmarshal(payload, &job); err != nil {
			return jobs.Permanent(err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, candle(640, 480, job.Hue, job.Seed), &jpeg.Options{Quality: 88}); err != nil {
			return jobs.Permanent(err)
		}
		photo, err := m.SaveImage(ctx, &buf, "", "", media.Limits{})
		if err != nil {
			return err
		}
		return store.SetPhoto(ctx, job.TributeID, photo.ID)
	}, jobs.Options{MaxAttempts: 3, Concurrency: 1}) // drawing takes a core
}

// candle draws a dark field in the given hue with a warm glow and a
// candle: a gentle picture for a wall of remembrance.
func candle(w, h int, hue float64, seed int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	base := hsl(hue, 0.35, 0.22)
	glowX := float64(w) * (0.42 + 0.04*float64(seed%4))
	glowY := float64(h) * 0.42
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-glowX, float64(y)-glowY
			dist := math.Sqrt(dx*dx+dy*dy) / float64(h)
			glow := math.Max(0, 1-dist*2.2)
			glow *= glow
			shade := 0.75 + 0.25*float64(h-y)/float64(h)
			r := float64(base.R)*shade + 255*glow*0.9
			g := float64(base.G)*shade + 200*glow*0.9
			b := float64(base.B)*shade + 120*glow*0.6
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clamp(r), clamp(g), clamp(b), 255
		}
	}
	// The candle and its flame.
	cw, ch := w/16, h/4
	cx, top := int(glowX)-cw/2, int(glowY)+h/12
	for y := top; y < top+ch && y < h; y++ {
		for x := cx; x < cx+cw; x++ {
			img.Set(x, y, color.RGBA{238, 230, 214, 255})
		}
	}
	for y := top - h/12; y < top-2; y++ {
		half := int(float64(cw) / 3 * math.Sin(math.Pi*float64(y-(top-h/12))/float64(h/12)))
		for x := int(glowX) - half; x <= int(glowX)+half; x++ {
			img.Set(x, y, color.RGBA{255, 214, 120, 255})
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// hsl converts a colour from hue (degrees), saturation and lightness.
func hsl(h, s, l float64) color.RGBA {
	c := (1 - math.Abs(2*l-1)) * s
	hp := math.Mod(h, 360) / 60
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch {
	case hp < 1:
		r, g = c, x
	case hp < 2:
		r, g = x, c
	case hp < 3:
		g, b = c, x
	case hp < 4:
		g, b = x, c
	case hp < 5:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	return color.RGBA{clamp((r + m) * 255), clamp((g + m) * 255), clamp((b + m) * 255), 255}
}
