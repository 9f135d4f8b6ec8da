// Package guard holds off automated abuse of public forms without any
// third party: a signed challenge that must be some seconds old and is used
// once, a honeypot field people never see, a per-address rate limit kept
// only in memory, and a light proof of work computed by a script in the
// page. A visitor without JavaScript is not refused: the submission is
// accepted and flagged for closer moderation.
//
// Used challenges are kept in a Store that every instance of the site
// shares (DBStore), so a challenge is used once across them all. The rate
// limit stays in each instance's memory: behind a load balancer that
// spreads one visitor over n instances, the visitor gets up to n times the
// limit, which is still a limit, and no address need ever be written down.
//
// Client addresses are never stored or logged: the rate limiter keys its
// buckets by a keyed hash of the address and forgets them when they refill.
package guard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html/template"
	"math/bits"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Form field names the guard adds to a form.
const (
	ChallengeField = "guard_challenge"
	ProofField     = "guard_proof"
	HoneypotField  = "guard_note"
)

// Message keys of refusals, in the letter catalogs
// (internal/i18n/locales/letter).
const (
	KeyTooFast     = "guard.too_fast"
	KeyRateLimited = "guard.rate_limited"
	KeyExpired     = "guard.expired"
	KeyUsed        = "guard.used"
	KeyHoneypot    = "guard.honeypot"
)

// Options tune a Guard. Zero values take the defaults noted.
type Options struct {
	// MinDelay is how long a form must have been open before it is sent;
	// people take longer than this to fill a form, scripts usually don't.
	// Default 3s.
	MinDelay time.Duration
	// MaxAge is how long a form stays valid after it was served. Default 2h.
	MaxAge time.Duration
	// Difficulty is the number of leading zero bits the proof of work
	// needs; 0 turns the proof of work off (nothing is flagged). Each bit
	// doubles the work; 14–16 takes a second or two on a cheap phone.
	Difficulty int
	// Rate submissions per Per are allowed from one address, after a
	// first Burst. Defaults: 5 per 10 minutes, burst 5.
	Rate  int
	Per   time.Duration
	Burst int
	// MaxClients bounds how many addresses the rate limiter tracks at
	// once. Default 10,000.
	MaxClients int
	// ClientHeader names a header a trusted reverse proxy sets to the
	// visitor's address (such as X-Real-IP). Empty: the connection's
	// address is used; a header from the open internet could be forged.
	ClientHeader string
	// Script is the URL of pow.js, included with the fields so that the
	// proof of work runs; empty leaves it to the page.
	Script string
	// Now is the clock, for tests; default time.Now.
	Now func() time.Time
}

// Guard checks submissions of public forms. It is safe for concurrent use.
type Guard struct {
	key  []byte
	opt  Options
	used Store // challenges already accepted, shared by every instance
	mu   sync.Mutex
	rate map[string]*bucket // keyed hash of a client address → tokens, in this instance
}

type bucket struct {
	tokens float64
	at     time.Time
}

// Verdict is the result of a submission that passed.
type Verdict struct {
	// Flagged is true when no valid proof of work came with the form,
	// usually because the browser ran no JavaScript: accept the submission
	// but have a person look at it more closely.
	Flagged bool
}

// Refusal is the error Check returns for a submission to refuse. Key is a
// message key for the visitor; show the form again with it and store
// nothing.
type Refusal struct {
	Key string
}

func (r *Refusal) Error() string { return "guard: refused: " + r.Key }

// Status is the HTTP status a form answers the refusal with, its page
// shown again with the message: 429 for too many tries, else 422.
func (r *Refusal) Status() int {
	if r.Key == KeyRateLimited {
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}

// New makes a Guard whose challenges are signed with key (derive it from
// the site key; it only needs to be secret and stable across restarts, and
// the same on every instance) and recorded in used once accepted.
func New(key []byte, used Store, opt Options) *Guard {
	if opt.MinDelay == 0 {
		opt.MinDelay = 3 * time.Second
	}
	if opt.MaxAge == 0 {
		opt.MaxAge = 2 * time.Hour
	}
	if opt.Rate <= 0 {
		opt.Rate = 5
	}
	if opt.Per <= 0 {
		opt.Per = 10 * time.Minute
	}
	if opt.Burst <= 0 {
		opt.Burst = opt.Rate
	}
	if opt.MaxClients <= 0 {
		opt.MaxClients = 10_000
	}
	if opt.Difficulty < 0 || opt.Difficulty > 32 {
		opt.Difficulty = 0
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	k := make([]byte, len(key))
	copy(k, key)
	return &Guard{key: k, opt: opt, used: used, rate: map[string]*bucket{}}
}

// Difficulty is the proof of work's number of leading zero bits.
func (g *Guard) Difficulty() int { return g.opt.Difficulty }

// Fields returns the hidden inputs to put inside a form named form (a name
// of the caller's choosing, such as "letter.sign"; Check must be given the
// same): the signed challenge, an empty proof of work that pow.js fills,
// and the honeypot with an English label. FieldsLabel takes a translated
// label.
func (g *Guard) Fields(form string) template.HTML {
	return g.FieldsLabel(form, "Leave this field empty")
}

// FieldsLabel is Fields with the honeypot's label in the page's language
// (the catalog key guard.leave_empty). Only people whose browser shows no
// styles see it.
func (g *Guard) FieldsLabel(form, leaveEmpty string) template.HTML {
	c := g.challenge(form, g.opt.Now())
	id := "guard-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(form))
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="guard" data-pow-challenge="%s" data-pow-bits="%d">`, c, g.opt.Difficulty)
	fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s">`, ChallengeField, c)
	fmt.Fprintf(&b, `<input type="hidden" name="%s" value="">`, ProofField)
	fmt.Fprintf(&b, `<div class="visually-hidden" aria-hidden="true"><label for="%s">%s</label> <input type="text" id="%s" name="%s" value="" tabindex="-1" autocomplete="off"></div>`,
		id, template.HTMLEscapeString(leaveEmpty), id, HoneypotField)
	if g.opt.Script != "" && g.opt.Difficulty > 0 {
		fmt.Fprintf(&b, `<script src="%s" defer></script>`, template.HTMLEscapeString(g.opt.Script))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String()) // #nosec G203 -- our own markup; the only value in it is escaped
}

// Check judges a submission of the form named form; the caller has parsed
// the request's form already. It returns a *Refusal for a submission to
// refuse (too many from this address, the honeypot filled, a challenge
// missing, forged, expired, used before or too fresh), another error when
// the store of used challenges fails, and otherwise a Verdict saying
// whether to flag it.
func (g *Guard) Check(r *http.Request, form string) (Verdict, error) {
	now := g.opt.Now()
	if !g.allow(g.clientKey(r), now) {
		return Verdict{}, &Refusal{Key: KeyRateLimited}
	}
	if r.PostFormValue(HoneypotField) != "" {
		return Verdict{}, &Refusal{Key: KeyHoneypot}
	}
	challenge := r.PostFormValue(ChallengeField)
	issued, ok := g.verify(challenge, form)
	if !ok {
		return Verdict{}, &Refusal{Key: KeyExpired}
	}
	age := now.Sub(issued)
	switch {
	case age > g.opt.MaxAge || age < -time.Minute: // a minute of clock skew between instances
		return Verdict{}, &Refusal{Key: KeyExpired}
	case age < g.opt.MinDelay:
		return Verdict{}, &Refusal{Key: KeyTooFast}
	}
	fresh, err := g.used.Use(r.Context(), challengeHash(challenge), issued.Add(g.opt.MaxAge))
	if err != nil {
		return Verdict{}, err
	}
	if !fresh {
		return Verdict{}, &Refusal{Key: KeyUsed}
	}
	if g.opt.Difficulty == 0 {
		return Verdict{}, nil
	}
	return Verdict{Flagged: !ValidProof(challenge, r.PostFormValue(ProofField), g.opt.Difficulty)}, nil
}

// challenge is base64url(issued milliseconds ‖ 12 random bytes ‖ MAC), the MAC
// binding both to the form's name.
func (g *Guard) challenge(form string, now time.Time) string {
	raw := make([]byte, 8+12, 8+12+16)
	binary.BigEndian.PutUint64(raw, uint64(now.UnixMilli()))
	if _, err := rand.Read(raw[8:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	raw = append(raw, g.mac(form, raw)...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func (g *Guard) mac(form string, body []byte) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte("guard challenge\x00"))
	m.Write([]byte(form))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:16]
}

func (g *Guard) verify(challenge, form string) (time.Time, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(challenge)
	if err != nil || len(raw) != 8+12+16 {
		return time.Time{}, false
	}
	if !hmac.Equal(raw[20:], g.mac(form, raw[:20])) {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8]))), true // #nosec G115 -- a millisecond time we wrote and MAC-checked just above
}

// ValidProof reports whether SHA-256(challenge ‖ nonce) starts with at
// least bits zero bits; pow.js searches for such a nonce.
func ValidProof(challenge, nonce string, bits int) bool {
	if nonce == "" || len(nonce) > 32 {
		return false
	}
	sum := sha256.Sum256([]byte(challenge + nonce))
	return leadingZeros(sum[:]) >= bits
}

func leadingZeros(b []byte) int {
	n := 0
	for _, x := range b {
		if x != 0 {
			return n + bits.LeadingZeros8(x)
		}
		n += 8
	}
	return n
}

// clientKey is a keyed hash of the visitor's address — of its /64 for
// IPv6, where one household holds many addresses — so that even memory
// holds no address.
func (g *Guard) clientKey(r *http.Request) string {
	addr := ""
	if g.opt.ClientHeader != "" {
		addr = strings.TrimSpace(r.Header.Get(g.opt.ClientHeader))
	}
	if addr == "" {
		addr = r.RemoteAddr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			addr = host
		}
	}
	if ip := net.ParseIP(addr); ip != nil {
		if ip4 := ip.To4(); ip4 != nil {
			addr = ip4.String()
		} else {
			addr = ip.Mask(net.CIDRMask(64, 128)).String()
		}
	}
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte("guard client\x00"))
	m.Write([]byte(addr))
	return string(m.Sum(nil)[:16])
}

// allow takes one token from the client's bucket. Buckets refill at
// Rate per Per up to Burst; a full bucket is the same as none, so those
// are dropped when room is needed.
func (g *Guard) allow(client string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	perToken := g.opt.Per / time.Duration(g.opt.Rate)
	b, ok := g.rate[client]
	if !ok {
		if len(g.rate) >= g.opt.MaxClients {
			g.pruneRate(now, perToken)
		}
		b = &bucket{tokens: float64(g.opt.Burst), at: now}
		g.rate[client] = b
	}
	b.tokens = min(float64(g.opt.Burst), b.tokens+float64(now.Sub(b.at))/float64(perToken))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// pruneRate drops buckets that have refilled; if the map is still full (a
// flood from many addresses) it drops arbitrary ones — Go's map order is
// random — until a tenth is free, so memory stays bounded.
func (g *Guard) pruneRate(now time.Time, perToken time.Duration) {
	for k, b := range g.rate {
		if b.tokens+float64(now.Sub(b.at))/float64(perToken) >= float64(g.opt.Burst) {
			delete(g.rate, k)
		}
	}
	for k := range g.rate {
		if len(g.rate) < g.opt.MaxClients*9/10 {
			break
		}
		delete(g.rate, k)
	}
}

// tracked reports how many clients are held, for tests.
func (g *Guard) tracked() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.rate)
}
