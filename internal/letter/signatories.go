package letter

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"peerpress/internal/db"
)

// SignatoriesPerPage is how many signatories a page of a letter's public
// list shows: a long scroll on a phone, not a download of thousands.
const SignatoriesPerPage = 200

// SignatoryPage is one page of a letter's approved signatories, in the
// list's order: by country, countries by their names in the reader's
// language, then by name.
type SignatoryPage struct {
	Signatures []Signature
	Total      int // approved signatories on every page
	Pages      int
	// ByCountry counts the signatories of each country on every page, for
	// the headings of a country spread over pages. It is shared with
	// other requests: read it, never change it.
	ByCountry map[string]int
	// Index is every country of the list, in its order, with its count
	// and the page it starts on: the page's jump links.
	Index []CountryStart
	// Continued: the page's first country began on the previous page.
	// Continues: its last country goes on on the next.
	Continued, Continues bool
}

// CountryStart is a country of a letter's list of signatories.
type CountryStart struct {
	Code  string
	Count int
	Page  int // the page its first signatory is on, from 1
}

// listOrder is a letter's approved signatories in the order of its list
// in one language. Names are sealed, so the database cannot sort them:
// the order is made once from the ids, countries and opened names, and
// kept until the next committed write, so that every page is a fetch of
// its own ids instead of a scan through the pages before it.
type listOrder struct {
	version   int64
	ids       []int64
	byCountry map[string]int
	countries []string // in the list's order
	firsts    []int    // the index in ids of each country's first signatory
}

// listOrders caches the orders of the lists last read. A letter of
// 10,000 signatories takes some 80 KB per language.
type listOrders struct {
	mu sync.Mutex
	m  map[string]*listOrder
}

// maxListOrders bounds how many lists' orders are kept.
const maxListOrders = 64

// listOrder returns the order of a letter's list in lang.
func (s *Store) listOrder(ctx context.Context, entryID int64, lang string) (*listOrder, error) {
	key := strconv.FormatInt(entryID, 10) + "/" + lang
	version := s.db.Changes()
	s.orders.mu.Lock()
	o, ok := s.orders.m[key]
	s.orders.mu.Unlock()
	if ok && o.version == version {
		return o, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, country, name FROM signatures WHERE entry_id = ? AND status = ?`, entryID, Approved)
	if err != nil {
		return nil, fmt.Errorf("letter: list order: %w", err)
	}
	defer rows.Close()
	tag, err := language.Parse(lang)
	if err != nil {
		tag = language.English
	}
	col := collate.New(tag, collate.IgnoreCase)
	var buf collate.Buffer
	type listed struct {
		id      int64
		country string
		key     []byte // the name's collation key
	}
	var all []listed
	o = &listOrder{version: version, byCountry: map[string]int{}}
	for rows.Next() {
		var l listed
		var sealed string
		if err := rows.Scan(&l.id, &l.country, &sealed); err != nil {
			return nil, fmt.Errorf("letter: list order: %w", err)
		}
		name, err := s.vault.Open(sealed, sealName)
		if err != nil {
			return nil, fmt.Errorf("letter: list order: signature %d: %w", l.id, err)
		}
		l.key = slices.Clone(col.KeyFromString(&buf, name))
		buf.Reset()
		all = append(all, l)
		o.byCountry[l.country]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("letter: list order: %w", err)
	}
	countries := make([]Country, 0, len(o.byCountry))
	for code := range o.byCountry {
		countries = append(countries, Country{Code: code, Name: CountryName(code, lang)})
	}
	slices.SortFunc(countries, func(a, b Country) int { return strings.Compare(a.Code, b.Code) })
	sortCountries(countries, lang)
	rank := make(map[string]int, len(countries))
	for i, c := range countries {
		rank[c.Code] = i
	}
	slices.SortFunc(all, func(a, b listed) int {
		if c := cmp.Compare(rank[a.country], rank[b.country]); c != 0 {
			return c
		}
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	o.ids = make([]int64, len(all))
	for i, l := range all {
		o.ids[i] = l.id
		if i == 0 || all[i-1].country != l.country {
			o.countries = append(o.countries, l.country)
			o.firsts = append(o.firsts, i)
		}
	}
	s.orders.mu.Lock()
	if s.orders.m == nil || len(s.orders.m) >= maxListOrders {
		s.orders.m = map[string]*listOrder{}
	}
	s.orders.m[key] = o
	s.orders.mu.Unlock()
	return o, nil
}

// Signatories returns page n (from 1) of a letter's public list in lang,
// perPage signatories a page. A page past the last is db.ErrNotFound; a
// letter nobody has signed has one, empty, page.
func (s *Store) Signatories(ctx context.Context, entryID int64, lang string, n, perPage int) (SignatoryPage, error) {
	o, err := s.listOrder(ctx, entryID, lang)
	if err != nil {
		return SignatoryPage{}, err
	}
	p := SignatoryPage{Total: len(o.ids), Pages: max(1, (len(o.ids)+perPage-1)/perPage), ByCountry: o.byCountry}
	if n < 1 || n > p.Pages {
		return p, db.ErrNotFound
	}
	for i, code := range o.countries {
		p.Index = append(p.Index, CountryStart{Code: code, Count: o.byCountry[code], Page: o.firsts[i]/perPage + 1})
	}
	if p.Total == 0 {
		return p, nil
	}
	// The page's ids, and its neighbours' nearest, to tell whether a
	// country goes on from one page to the next.
	from, to := (n-1)*perPage, min(n*perPage, p.Total)
	lo, hi := max(from-1, 0), min(to+1, p.Total)
	ids := o.ids[lo:hi]
	marks, idArgs := db.InList(ids)
	args := append([]any{entryID, Approved}, idArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT `+signatureColumns+` FROM signatures s WHERE s.entry_id = ? AND s.status = ?
		AND s.id IN (`+marks+`)`, args...)
	if err != nil {
		return p, fmt.Errorf("letter: signatories: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]Signature, len(ids))
	for rows.Next() {
		sig, err := s.scan(ctx, rows)
		if err != nil {
			return p, fmt.Errorf("letter: signatories: %w", err)
		}
		sig.Email = "" // never on a public page
		byID[sig.ID] = sig
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("letter: signatories: %w", err)
	}
	// One withdrawn since the order was made is left out; the next
	// request makes the order anew.
	for _, id := range o.ids[from:to] {
		if sig, ok := byID[id]; ok {
			p.Signatures = append(p.Signatures, sig)
		}
	}
	if len(p.Signatures) == 0 {
		return p, nil
	}
	if lo < from {
		prev, ok := byID[o.ids[lo]]
		p.Continued = ok && prev.Country == p.Signatures[0].Country
	}
	if hi > to {
		next, ok := byID[o.ids[hi-1]]
		p.Continues = ok && next.Country == p.Signatures[len(p.Signatures)-1].Country
	}
	return p, nil
}
