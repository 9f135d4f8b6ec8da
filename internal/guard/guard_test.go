package guard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// memoryStore is a Store for the tests that need no database.
type memoryStore struct {
	mu   sync.Mutex
	used map[string]bool
}

func (m *memoryStore) Use(ctx context.Context, hash string, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used == nil {
		m.used = map[string]bool{}
	}
	if m.used[hash] {
		return false, nil
	}
	m.used[hash] = true
	return true, nil
}

func newGuard(opt Options) (*Guard, *clock) {
	c := &clock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	opt.Now = c.Now
	return New([]byte("a test key of enough length......"), &memoryStore{}, opt), c
}

var valueOf = regexp.MustCompile(`name="` + ChallengeField + `" value="([^"]+)"`)

// challengeOf reads the challenge out of the rendered fields, as a browser
// would submit it.
func challengeOf(t *testing.T, fields string) string {
	t.Helper()
	m := valueOf.FindStringSubmatch(fields)
	if m == nil {
		t.Fatalf("no challenge in %s", fields)
	}
	return m[1]
}

// solve finds a proof of work as pow.js does.
func solve(challenge string, bits int) string {
	for n := 0; ; n++ {
		if s := strconv.Itoa(n); ValidProof(challenge, s, bits) {
			return s
		}
	}
}

func post(addr string, v url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/en/statements/x/sign", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr
	if err := r.ParseForm(); err != nil {
		panic(err)
	}
	return r
}

func refusal(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ref *Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("error %v is not a *Refusal", err)
	}
	return ref.Key
}

func TestCheck(t *testing.T) {
	const form = "letter.sign"
	g, clk := newGuard(Options{Difficulty: 8, Rate: 100, Burst: 100})
	fresh := func() string { return challengeOf(t, string(g.Fields(form))) }

	t.Run("proof of work accepted, not flagged", func(t *testing.T) {
		c := fresh()
		clk.Add(5 * time.Second)
		v, err := g.Check(post("192.0.2.1:5000", url.Values{ChallengeField: {c}, ProofField: {solve(c, 8)}}), form)
		if err != nil || v.Flagged {
			t.Fatalf("got %+v, %v; want accepted unflagged", v, err)
		}
	})
	t.Run("no proof of work: accepted, flagged", func(t *testing.T) {
		c := fresh()
		clk.Add(5 * time.Second)
		v, err := g.Check(post("192.0.2.1:5000", url.Values{ChallengeField: {c}}), form)
		if err != nil || !v.Flagged {
			t.Fatalf("got %+v, %v; want accepted and flagged", v, err)
		}
	})
	t.Run("wrong proof of work: flagged", func(t *testing.T) {
		c := fresh()
		clk.Add(5 * time.Second)
		bad := "0"
		for ValidProof(c, bad, 8) {
			bad += "0"
		}
		v, err := g.Check(post("192.0.2.1:5000", url.Values{ChallengeField: {c}, ProofField: {bad}}), form)
		if err != nil || !v.Flagged {
			t.Fatalf("got %+v, %v; want accepted and flagged", v, err)
		}
	})
	t.Run("proof of another challenge: flagged", func(t *testing.T) {
		c := fresh()
		// One proof in 256 also fits another challenge by chance: take
		// another challenge's proof that does not.
		proof := solve(fresh(), 8)
		for ValidProof(c, proof, 8) {
			proof = solve(fresh(), 8)
		}
		clk.Add(5 * time.Second)
		v, err := g.Check(post("192.0.2.1:5000", url.Values{ChallengeField: {c}, ProofField: {proof}}), form)
		if err != nil || !v.Flagged {
			t.Fatalf("got %+v, %v; want accepted and flagged", v, err)
		}
	})

	cases := []struct {
		name   string
		values func() url.Values
		want   string
	}{
		{"honeypot filled", func() url.Values {
			c := fresh()
			clk.Add(5 * time.Second)
			return url.Values{ChallengeField: {c}, ProofField: {solve(c, 8)}, HoneypotField: {"http://spam.example"}}
		}, KeyHoneypot},
		{"too fast", func() url.Values {
			c := fresh()
			clk.Add(time.Second)
			return url.Values{ChallengeField: {c}, ProofField: {solve(c, 8)}}
		}, KeyTooFast},
		{"expired", func() url.Values {
			c := fresh()
			clk.Add(2*time.Hour + time.Second)
			return url.Values{ChallengeField: {c}, ProofField: {solve(c, 8)}}
		}, KeyExpired},
		{"missing challenge", func() url.Values {
			clk.Add(5 * time.Second)
			return url.Values{}
		}, KeyExpired},
		{"tampered challenge", func() url.Values {
			c := []byte(fresh())
			clk.Add(5 * time.Second)
			if c[3] == 'A' {
				c[3] = 'B'
			} else {
				c[3] = 'A'
			}
			return url.Values{ChallengeField: {string(c)}}
		}, KeyExpired},
		{"challenge of another form", func() url.Values {
			c := challengeOf(t, string(g.Fields("campaign.tribute")))
			clk.Add(5 * time.Second)
			return url.Values{ChallengeField: {c}}
		}, KeyExpired},
		{"challenge from another key", func() url.Values {
			other := New([]byte("another key"), &memoryStore{}, Options{Now: clk.Now})
			c := challengeOf(t, string(other.Fields(form)))
			clk.Add(5 * time.Second)
			return url.Values{ChallengeField: {c}}
		}, KeyExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := g.Check(post("192.0.2.1:5000", tc.values()), form)
			if got := refusal(t, err); got != tc.want {
				t.Fatalf("refusal %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("replayed", func(t *testing.T) {
		c := fresh()
		clk.Add(5 * time.Second)
		v := url.Values{ChallengeField: {c}, ProofField: {solve(c, 8)}}
		if _, err := g.Check(post("192.0.2.1:5000", v), form); err != nil {
			t.Fatal(err)
		}
		_, err := g.Check(post("192.0.2.1:5000", v), form)
		if got := refusal(t, err); got != KeyUsed {
			t.Fatalf("second use: refusal %q, want %q", got, KeyUsed)
		}
	})
	t.Run("too fast, then in time", func(t *testing.T) {
		// A refusal for haste does not use the challenge up.
		c := fresh()
		v := url.Values{ChallengeField: {c}}
		if _, err := g.Check(post("192.0.2.1:5000", v), form); refusal(t, err) != KeyTooFast {
			t.Fatalf("want too fast, got %v", err)
		}
		clk.Add(4 * time.Second)
		if _, err := g.Check(post("192.0.2.1:5000", v), form); err != nil {
			t.Fatalf("after waiting: %v", err)
		}
	})
}

func TestRateLimit(t *testing.T) {
	const form = "letter.sign"
	g, clk := newGuard(Options{Rate: 5, Per: 10 * time.Minute, Burst: 3})
	send := func(addr string) string {
		c := challengeOf(t, string(g.Fields(form)))
		clk.Add(4 * time.Second)
		_, err := g.Check(post(addr, url.Values{ChallengeField: {c}}), form)
		return refusal(t, err)
	}
	for i := range 3 {
		if got := send("198.51.100.7:1234"); got != "" {
			t.Fatalf("submission %d refused: %s", i+1, got)
		}
	}
	if got := send("198.51.100.7:4321"); got != KeyRateLimited {
		t.Fatalf("fourth submission from the same address: %q, want %q", got, KeyRateLimited)
	}
	if got := send("198.51.100.8:1234"); got != "" {
		t.Fatalf("another address refused: %s", got)
	}
	// IPv6 addresses in one /64 are one client.
	for i := range 3 {
		if got := send(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1)); got != "" {
			t.Fatalf("v6 submission %d refused: %s", i+1, got)
		}
	}
	if got := send("[2001:db8:1:2:ffff::1]:443"); got != KeyRateLimited {
		t.Fatalf("fourth from the same /64: %q, want rate limited", got)
	}
	// Two minutes give one token back (5 per 10 minutes).
	clk.Add(2 * time.Minute)
	if got := send("198.51.100.7:1"); got != "" {
		t.Fatalf("after two minutes: %q, want accepted", got)
	}
	if got := send("198.51.100.7:1"); got != KeyRateLimited {
		t.Fatalf("right after: %q, want rate limited", got)
	}
}

func TestClientHeader(t *testing.T) {
	const form = "f"
	g, clk := newGuard(Options{Rate: 1, Burst: 1, ClientHeader: "X-Real-IP"})
	send := func(real string) string {
		c := challengeOf(t, string(g.Fields(form)))
		clk.Add(4 * time.Second)
		r := post("127.0.0.1:999", url.Values{ChallengeField: {c}})
		r.Header.Set("X-Real-IP", real)
		_, err := g.Check(r, form)
		return refusal(t, err)
	}
	if send("203.0.113.1") != "" || send("203.0.113.2") != "" {
		t.Fatal("visitors behind one proxy share a limit")
	}
	if send("203.0.113.1") != KeyRateLimited {
		t.Fatal("one visitor behind the proxy is not limited")
	}
	// Without the option, the header is not trusted.
	g2, clk2 := newGuard(Options{Rate: 1, Burst: 1})
	for i, want := range []string{"", KeyRateLimited} {
		c := challengeOf(t, string(g2.Fields(form)))
		clk2.Add(4 * time.Second)
		r := post("192.0.2.9:1", url.Values{ChallengeField: {c}})
		r.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		if _, err := g2.Check(r, form); refusal(t, err) != want {
			t.Fatalf("forged header %d: got %v, want %q", i, err, want)
		}
	}
}

func TestMemoryBound(t *testing.T) {
	g, clk := newGuard(Options{MaxClients: 100, Rate: 5, Burst: 5})
	for i := range 5000 {
		c := challengeOf(t, string(g.Fields("f")))
		clk.Add(4 * time.Second)
		addr := fmt.Sprintf("10.%d.%d.%d:80", i>>16, (i>>8)&255, i&255)
		if _, err := g.Check(post(addr, url.Values{ChallengeField: {c}}), "f"); err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
		if clients := g.tracked(); clients > 100 {
			t.Fatalf("after %d addresses: %d clients held; bound is 100", i+1, clients)
		}
	}
}

func TestFieldsMarkup(t *testing.T) {
	g, _ := newGuard(Options{Difficulty: 12, Script: "/static/pow.abc.js"})
	html := string(g.FieldsLabel("letter.sign", `Leave <this> empty`))
	for _, want := range []string{
		`data-pow-bits="12"`, `data-pow-challenge="`, `name="guard_proof"`,
		`aria-hidden="true"`, `tabindex="-1"`, `autocomplete="off"`, `class="visually-hidden"`,
		`<label for="guard-letter-sign">Leave &lt;this&gt; empty</label>`,
		`<script src="/static/pow.abc.js" defer></script>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("fields lack %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, "style=") {
		t.Error("inline style in the fields (CSP forbids it)")
	}
}
