package letter_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/db"
	"peerpress/internal/letter"
	"peerpress/internal/web/webtest"
)

var signatoryRe = regexp.MustCompile(`<li><bdi>([^<]+)</bdi>`)

// listed is a signatories page after its country index: the list itself.
func listed(r webtest.Response) webtest.Response {
	if i := strings.Index(r.Body, `class="letter-index"`); i >= 0 {
		r.Body = r.Body[:i] + r.Body[i+strings.Index(r.Body[i:], "</nav>"):]
	}
	return r
}

// A letter signed by more people than a page holds has numbered pages:
// every signatory is on exactly one of them, in the list's order
// (countries by name, then names in the language's collation); a country
// that runs past a page's end has its heading, with its whole count,
// again on the next page; the pages link to each other; and an address
// that is no page is a clear 404 or 400, never an error.
func TestSignatoriesPages(t *testing.T) {
	run(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		d := s.App.DB
		s.open(letter.Letter{Open: true, Organisations: true, Individuals: true})

		// Stored in neither the list's order nor any other: countries
		// mixed, names backwards. "Émile" sorts before "Peru" by
		// collation, after it by bytes.
		counts := map[string]int{"KE": 150, "BR": 120, "UG": 67, "PE": 100}
		seed := letter.Seed{EntryID: s.entryID}
		add := func(name, country string) {
			seed.Signatures = append(seed.Signatures, letter.Signature{Kind: letter.Individual, Name: name, Country: country,
				Email: fmt.Sprintf("signer%d@example.org", len(seed.Signatures)), Lang: "en"})
		}
		names := map[string]string{"KE": "Kenya", "BR": "Brazil", "UG": "Uganda", "PE": "Peru"}
		for i := 150; i >= 1; i-- {
			for _, c := range []string{"KE", "BR", "UG", "PE"} {
				if i <= counts[c] {
					add(fmt.Sprintf("%s Signatory %03d", names[c], i), c)
				}
			}
		}
		add("Émile Peer", "PE")
		if err := d.InTx(ctx, func(tx *db.Tx) error { return letter.EnqueueSeed(ctx, tx, seed) }); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = ?`, letter.SeedKind); err != nil {
			t.Fatal(err)
		}
		s.RunJobs()
		var want []string
		for _, c := range []string{"BR", "KE", "PE", "UG"} {
			if c == "PE" {
				want = append(want, "Émile Peer")
			}
			for i := 1; i <= counts[c]; i++ {
				want = append(want, fmt.Sprintf("%s Signatory %03d", names[c], i))
			}
		}
		total := len(want) // 438: pages of 200, 200 and 38
		pages := (total + letter.SignatoriesPerPage - 1) / letter.SignatoriesPerPage
		if pages != 3 {
			t.Fatalf("%d signatories make %d pages; the test wants 3", total, pages)
		}

		c := s.client()
		list := statement + "/signatures"
		c.Get(statement).Must(t, http.StatusOK, strconv.Itoa(total)+" signatures")
		var got []string
		seen := map[string]int{}
		for n := 1; n <= pages; n++ {
			path := list
			if n > 1 {
				path += "?page=" + strconv.Itoa(n)
			}
			r := c.Get(path)
			r.Must(t, http.StatusOK, `<link rel="canonical" href="`+path+`"`)
			if n > 1 {
				r.Must(t, http.StatusOK, ", page "+strconv.Itoa(n)+"</h1>")
			}
			onPage := signatoryRe.FindAllStringSubmatch(r.Body, -1)
			if want := min(letter.SignatoriesPerPage, total-(n-1)*letter.SignatoriesPerPage); len(onPage) != want {
				t.Errorf("page %d lists %d signatories, want %d", n, len(onPage), want)
			}
			for _, m := range onPage {
				got = append(got, m[1])
				seen[m[1]]++
			}
		}
		for name, k := range seen {
			if k != 1 {
				t.Errorf("%s is listed %d times", name, k)
			}
		}
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("signatory %d across the pages is %q, want %q (%d listed, %d signed)", i+1, got[i], want[i], len(got), len(want))
				}
			}
			t.Fatalf("%d signatories listed across the pages, want %d", len(got), len(want))
		}

		// Page 1 ends inside Kenya, page 2 inside Uganda: their headings
		// come again, marked, with the country's whole count.
		one := c.Get(list)
		one.Must(t, http.StatusOK, `rel="next"`, `href="`+list+`?page=2"`, `href="`+list+`?page=3"`,
			`Brazil <span class="count">120</span>`, `Kenya <span class="count">150</span>`, "Kenya continues on the next page")
		listed(one).MustNot(t, `rel="prev"`, "(continued)", "Uganda")
		// Every page has the whole country index: each country with its
		// count, linked on its own page or the one it starts on.
		for _, page := range []string{list, list + "?page=3"} {
			r := c.Get(page)
			r.Must(t, http.StatusOK, `class="letter-index"`, "Signatories by country")
			want := []string{`Brazil</a> <span class="count">120</span>`, `Kenya</a> <span class="count">150</span>`,
				`Peru</a> <span class="count">101</span>`, `Uganda</a> <span class="count">67</span>`}
			last := 0
			for _, w := range want {
				i := strings.Index(r.Body, w)
				if i < last {
					t.Errorf("%s: the index lacks %q, or has it out of order", page, w)
				}
				last = i
			}
		}
		one.Must(t, http.StatusOK, `href="#country-BR">Brazil</a>`, `href="`+list+`?page=2#country-PE">Peru</a>`, `href="`+list+`?page=2#country-UG">Uganda</a>`)
		c.Get(list+"?page=3").Must(t, http.StatusOK, `href="`+list+`#country-BR">Brazil</a>`, `href="`+list+`?page=2#country-UG">Uganda</a>`)
		two := c.Get(list + "?page=2")
		two.Must(t, http.StatusOK, `href="`+list+`" rel="prev"`, `href="`+list+`?page=3" rel="next"`,
			`Kenya (continued) <span class="count">150</span>`, `Peru <span class="count">101</span>`, `Uganda <span class="count">67</span>`,
			"Uganda continues on the next page")
		listed(two).MustNot(t, "Brazil", "Peru (continued)", "Kenya continues")
		three := c.Get(list + "?page=3")
		three.Must(t, http.StatusOK, `href="`+list+`?page=2" rel="prev"`, `Uganda (continued) <span class="count">67</span>`)
		listed(three).MustNot(t, `rel="next"`, "continues on the next page", "Kenya")

		// Addresses that are no page.
		for _, q := range []string{"4", "0", "99999999999999999999999", "002"} {
			c.Get(list+"?page="+q).Must(t, http.StatusNotFound, "There is no page at this address")
		}
		for _, q := range []string{"abc", "", "-1", "2.5", "2&page=3"} {
			r := c.Get(list + "?page=" + q)
			r.Must(t, http.StatusBadRequest, "There is no such page of signatories")
			if strings.Contains(r.Body, "Signatory 0") {
				t.Errorf("?page=%s lists signatories", q)
			}
		}
		r := c.Get(list + "?page=1")
		r.Must(t, http.StatusMovedPermanently)
		if r.Location != list {
			t.Errorf("?page=1 redirects to %q, want %q", r.Location, list)
		}

		// Arabic orders the countries by their Arabic names: other
		// pages, the same signatories, each once.
		e, err := s.App.Content.Entry(ctx, s.entryID)
		if err != nil {
			t.Fatal(err)
		}
		tr, ok := e.Translation("ar")
		if !ok {
			t.Fatal("the demo statement has no Arabic translation")
		}
		arList := "/ar/statements/" + tr.Slug + "/signatures"
		seen = map[string]int{}
		for n := 1; n <= pages; n++ {
			path := arList
			if n > 1 {
				path += "?page=" + strconv.Itoa(n)
				// No page boundary falls between two countries here.
				c.Get(path).Must(t, http.StatusOK, "(تابع)")
			}
			for _, m := range signatoryRe.FindAllStringSubmatch(c.Get(path).Body, -1) {
				seen[m[1]]++
			}
		}
		for _, name := range want {
			if seen[name] != 1 {
				t.Errorf("in Arabic, %s is listed %d times", name, seen[name])
			}
		}
		c.Get(arList+"?page="+strconv.Itoa(pages+1)).Must(t, http.StatusNotFound)
	})
}
