package webtest

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"peerpress/internal/guard"
)

var challengeRe = regexp.MustCompile(`name="guard_challenge" value="([^"]+)"`)

// GuardFields reads the abuse guard's challenge from a public form's page
// and returns what a browser sends with the form: the challenge, the empty
// honeypot and, when bits is not 0, the proof of work pow.js would find
// at that difficulty.
func GuardFields(t testing.TB, page string, bits int) url.Values {
	t.Helper()
	m := challengeRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no guard challenge on the page:\n%s", Snippet(page))
	}
	v := url.Values{"guard_challenge": {m[1]}, "guard_note": {""}}
	if bits != 0 {
		v.Set("guard_proof", Proof(m[1], bits))
	}
	return v
}

// GuardedForm opens the public form at path as a browser does and, after
// waiting as a person filling it in would, returns answers with the
// guard's fields (see GuardFields). It fails the test when the form's
// page may be cached: a cached page would give every visitor the same
// single-use challenge.
func (c *Client) GuardedForm(path string, bits int, wait time.Duration, answers url.Values) url.Values {
	c.T.Helper()
	r := c.Get(path)
	r.Must(c.T, 200)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		c.T.Fatalf("%s: Cache-Control %q: a cached page would share its challenge", path, cc)
	}
	v := GuardFields(c.T, r.Body, bits)
	for k, vs := range answers {
		v[k] = vs
	}
	time.Sleep(wait)
	return v
}

// Proof is the proof of work pow.js finds for a challenge.
func Proof(challenge string, bits int) string {
	for n := 0; ; n++ {
		if guard.ValidProof(challenge, strconv.Itoa(n), bits) {
			return strconv.Itoa(n)
		}
	}
}
