package campaign_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/guard"
	"peerpress/internal/web/webtest"
)

// clock is the guard's time in tests, moved by hand so that forms are
// "old enough" without waiting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// site is apptest's site (the demo, mail kept in the outbox) with a
// guard on a hand-moved clock.
type site struct {
	*apptest.Site
	clock *clock
}

// run runs fn on a new site on each engine, each with a clock of its own.
func run(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Helper()
	langs := []string{"en", "ru", "ar"}
	apptest.Demo(langs).Run(t, func(t *testing.T, d *db.DB) {
		clk := &clock{now: time.Now()}
		a := apptest.New(t, d, apptest.Options{Languages: langs, Outbox: true,
			Guard: &guard.Options{MinDelay: 3 * time.Second, Difficulty: 8, Rate: 100, Now: clk.Now}})
		fn(t, &site{Site: a, clock: clk})
	})
}

// client is a visitor of the test site, with the tribute wall's forms.
type client struct {
	*webtest.Client
	site *site
}

func (s *site) client() *client { return &client{Client: s.Client(), site: s} }

type response = webtest.Response

// moderator makes a moderator and signs them in; it returns their browser
// and the session's CSRF token.
func (s *site) moderator() (*client, string) {
	s.T.Helper()
	if _, err := s.App.Users.CreateUser(context.Background(), "mo@example.org", "Mo", auth.RoleModerator, "moderate with care 2026"); err != nil {
		s.T.Fatal(err)
	}
	mod := s.client()
	return mod, mod.SignIn("mo@example.org", "moderate with care 2026")
}

// decide approves or rejects tributes ("approve", "reject") as the
// moderation page's bulk form does.
func (c *client) decide(csrf, do string, ids ...int64) {
	c.T.Helper()
	v := url.Values{"csrf": {csrf}, "do": {do}}
	for _, id := range ids {
		v.Add("id", strconv.FormatInt(id, 10))
	}
	c.Post("/admin/moderation/tributes", v).Must(c.T, 303)
}

// tributeID is the id of the tribute remembering name.
func tributeID(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := d.QueryRowContext(context.Background(), `SELECT id FROM tributes WHERE remembered = ?`, name).Scan(&id); err != nil {
		t.Fatalf("tribute %s: %v", name, err)
	}
	return id
}

// multipart posts fields and, when data is not nil, a file as "photo".
func (c *client) multipart(path string, fields url.Values, filename string, data []byte) response {
	c.T.Helper()
	return c.PostFile(path, fields, "photo", filename, data)
}

// tributeForm opens the form and returns its fields filled in, with the
// guard's challenge; the clock then moves past the minimum delay.
func (c *client) tributeForm(wall, name, body, email string) url.Values {
	c.T.Helper()
	r := c.Get(wall + "new")
	r.Must(c.T, 200, `enctype="multipart/form-data"`)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		c.T.Fatalf("the form is cacheable: %q", cc)
	}
	v := webtest.GuardFields(c.T, r.Body, 0)
	c.site.clock.Add(10 * time.Second)
	for k, x := range map[string]string{"guard_proof": "", "remembered": name, "body": body, "email": email,
		"consent_publish": "yes", "consent_rights": "yes"} {
		v.Set(k, x)
	}
	return v
}

// secretJPEG is a photo carrying EXIF with a GPS-like value and a
// comment, which must never reach the stored file.
const (
	gpsSecret     = "GPS-48.8584N-2.2945E"
	commentSecret = "taken-at-home-of-A"
)

func secretJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	// APP1 Exif: a big-endian TIFF header and an empty IFD, then the
	// secret; and a COM segment.
	exif := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), gpsSecret...)
	seg := func(marker byte, payload []byte) []byte {
		n := len(payload) + 2
		return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
	}
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg(0xE1, exif)...)
	out = append(out, seg(0xFE, []byte(commentSecret))...)
	return append(out, plain[2:]...)
}
