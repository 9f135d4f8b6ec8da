// Package wordpress imports a WordPress site from its export (WXR): posts
// and pages become entries, categories sections, tags tags, authors users
// who cannot sign in until invited, Polylang's translation groups the
// translations of one entry, and every old address a redirect.
package wordpress

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// A ParseError says where an export went wrong: the line, and the item
// being read when there was one.
type ParseError struct {
	Line int
	Item string // Label of the item, or ""
	Err  error
}

func (e *ParseError) Error() string {
	if e.Item != "" {
		return fmt.Sprintf("line %d, in item %s: %v", e.Line, e.Item, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNotWXR means the file is XML, but not a WordPress export.
var ErrNotWXR = errors.New("not a WordPress export (WXR)")

// wpNamespace matches the namespaces of WXR 1.0 to 1.2, over http or https.
var wpNamespace = regexp.MustCompile(`^https?://wordpress\.org/export/1\.[0-2]/$`)

const contentNS = "http://purl.org/rss/1.0/modules/content/"

// Reader reads an export as a stream, one element of the channel at a
// time, never the whole document: a 2 GB export is read in the memory of
// its largest item, and an item over maxElement is refused before it is
// read whole.
type Reader struct {
	dec     *xml.Decoder
	guard   *elementGuard
	Channel Channel
	started bool // inside <channel>
	done    bool
	// item is the label of the item being read, for errors.
	item string
}

// NewReader reads an export from r.
func NewReader(r io.Reader) *Reader {
	guard := &elementGuard{r: r, max: maxElement}
	dec := xml.NewDecoder(guard)
	// Exports from old plugins write HTML entities (&nbsp;) outside CDATA.
	dec.Entity = xml.HTMLEntity
	return &Reader{dec: dec, guard: guard}
}

// maxElement bounds the bytes of one child of <channel> (an item with its
// content and meta). encoding/xml hands over a text as one token, so a
// limit on the text alone would come after the decoder had buffered all
// of it: a damaged or hostile file with a 2 GB CDATA section would take
// 2 GB of memory. The guard stops the reading itself instead.
const maxElement = 48 << 20

// errElementTooLarge is what the guard answers once an element is over
// maxElement.
var errElementTooLarge = fmt.Errorf("one element of the export is over %d MB, far more than any WordPress post: the file is damaged or not an export", maxElement>>20)

// elementGuard counts the bytes read since the current element of the
// channel began (mark) and fails the read once they pass max.
type elementGuard struct {
	r       io.Reader
	n, mark int64
	max     int64
}

func (g *elementGuard) Read(p []byte) (int, error) {
	if g.n-g.mark > g.max {
		return 0, errElementTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// begin marks the start of a new element of the channel.
func (g *elementGuard) begin() { g.mark = g.n }

func (r *Reader) fail(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	line, _ := r.dec.InputPos()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line = se.Line
		err = errors.New(se.Msg)
		if strings.HasPrefix(se.Msg, "unexpected EOF") {
			err = fmt.Errorf("the file ends in the middle of the document (%s): is it complete?", se.Msg)
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = errors.New("the file ends in the middle of the document: is it complete?")
	}
	return &ParseError{Line: line, Item: r.item, Err: err}
}

// token reads the next token; the end of the input is an error, since the
// caller expects more.
func (r *Reader) token() (xml.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.fail(err)
	}
	return tok, nil
}

// Next returns the channel's next author (*Author), term (*Term) or item
// (*Item), and io.EOF after the last. Unknown elements (other plugins')
// are skipped.
func (r *Reader) Next() (any, error) {
	if r.done {
		return nil, io.EOF
	}
	if !r.started {
		if err := r.start(); err != nil {
			return nil, err
		}
	}
	for {
		r.guard.begin()
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement: // </channel>
			r.done = true
			return nil, r.finish()
		case xml.StartElement:
			v, err := r.element(t)
			if err != nil || v != nil {
				return v, err
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, r.fail(errors.New("text directly inside <channel>"))
			}
		}
	}
}

// start reads up to <channel> and checks the document is an RSS.
func (r *Reader) start() error {
	for {
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return r.fail(fmt.Errorf("%w: the file has no XML element", ErrNotWXR))
		}
		if err != nil {
			return r.fail(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "rss" {
				return r.fail(fmt.Errorf("%w: the document is a <%s>, not an <rss>", ErrNotWXR, se.Name.Local))
			}
			break
		}
	}
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "channel" {
				r.started = true
				return nil
			}
			if err := r.dec.Skip(); err != nil {
				return r.fail(err)
			}
		case xml.EndElement:
			return r.fail(fmt.Errorf("%w: the <rss> has no <channel>", ErrNotWXR))
		}
	}
}

// finish reads what follows </channel>: </rss>, and nothing else.
func (r *Reader) finish() error {
	for {
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		if err != nil {
			return r.fail(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return r.fail(errors.New("an element after the </channel>"))
		}
	}
}

func (r *Reader) isWP(n xml.Name) bool { return wpNamespace.MatchString(n.Space) }

// element reads one child of <channel>.
func (r *Reader) element(se xml.StartElement) (any, error) {
	n := se.Name
	switch {
	case n.Space == "" && n.Local == "item":
		if r.Channel.WXRVersion == "" {
			return nil, r.fail(fmt.Errorf("%w: an <item> before any <wp:wxr_version>; is this an RSS feed?", ErrNotWXR))
		}
		return r.readItem()
	case n.Space == "" && (n.Local == "title" || n.Local == "link" || n.Local == "language"):
		s, err := r.text()
		switch n.Local {
		case "title":
			r.Channel.Title = s
		case "link":
			r.Channel.Link = s
		case "language":
			r.Channel.Language = s
		}
		return nil, err
	case !r.isWP(n):
		if strings.Contains(n.Space, "wordpress.org/export/") {
			return nil, r.fail(fmt.Errorf("%w: unknown WXR namespace %q (this reads 1.0 to 1.2)", ErrNotWXR, n.Space))
		}
		return nil, r.skip()
	}
	switch n.Local {
	case "wxr_version":
		s, err := r.text()
		r.Channel.WXRVersion = s
		if err == nil && !strings.HasPrefix(s, "1.") {
			err = r.fail(fmt.Errorf("WXR version %q: this reads 1.0 to 1.2", s))
		}
		return nil, err
	case "base_site_url":
		s, err := r.text()
		r.Channel.BaseSiteURL = s
		return nil, err
	case "base_blog_url":
		s, err := r.text()
		r.Channel.BaseBlogURL = s
		return nil, err
	case "author":
		return r.readAuthor()
	case "category":
		return r.readTerm("category")
	case "tag":
		return r.readTerm("post_tag")
	case "term":
		return r.readTerm("")
	}
	return nil, r.skip()
}

func (r *Reader) skip() error {
	if err := r.dec.Skip(); err != nil {
		return r.fail(err)
	}
	return nil
}

// maxText bounds one element's text: a post of 32 MB is not a post.
const maxText = 32 << 20

// text reads an element's text up to its end; child elements are an error.
func (r *Reader) text() (string, error) {
	var b strings.Builder
	for {
		tok, err := r.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len()+len(t) > maxText {
				return "", r.fail(fmt.Errorf("an element's text is over %d MB", maxText>>20))
			}
			b.Write(t)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			return "", r.fail(fmt.Errorf("unexpected <%s> inside a text element", t.Name.Local))
		}
	}
}

// fields reads an element whose children are text elements, calling set
// with each child's local name and text; nested children are skipped.
func (r *Reader) fields(set func(name xml.Name, text string) error) error {
	for {
		tok, err := r.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Local == "termmeta" { // Polylang's strings; nothing to import
				if err := r.skip(); err != nil {
					return err
				}
				continue
			}
			s, err := r.text()
			if err != nil {
				return err
			}
			if err := set(t.Name, s); err != nil {
				return r.fail(err)
			}
		}
	}
}

func (r *Reader) readAuthor() (*Author, error) {
	a := &Author{}
	err := r.fields(func(n xml.Name, s string) error {
		switch n.Local {
		case "author_id":
			a.ID = strings.TrimSpace(s)
		case "author_login":
			a.Login = s
		case "author_email":
			a.Email = strings.TrimSpace(s)
		case "author_display_name":
			a.DisplayName = s
		}
		return nil
	})
	return a, err
}

func (r *Reader) readTerm(taxonomy string) (*Term, error) {
	t := &Term{Taxonomy: taxonomy}
	err := r.fields(func(n xml.Name, s string) error {
		switch n.Local {
		case "term_id":
			t.ID = strings.TrimSpace(s)
		case "term_taxonomy":
			t.Taxonomy = s
		case "category_nicename", "tag_slug", "term_slug":
			t.Slug = s
		case "category_parent", "term_parent":
			t.Parent = s
		case "cat_name", "tag_name", "term_name":
			t.Name = s
		case "category_description", "tag_description", "term_description":
			t.Description = s
		}
		return nil
	})
	return t, err
}

func (r *Reader) readItem() (*Item, error) {
	line, _ := r.dec.InputPos()
	it := &Item{Line: line}
	r.item = fmt.Sprintf("starting at line %d", line)
	defer func() { r.item = "" }()
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if it.ID == 0 {
				return nil, r.fail(errors.New("an item without <wp:post_id>"))
			}
			return it, nil
		case xml.StartElement:
			if err := r.itemField(it, t); err != nil {
				return nil, err
			}
			if it.ID != 0 || it.Title != "" {
				r.item = it.Label()
			}
		}
	}
}

func (r *Reader) itemField(it *Item, se xml.StartElement) error {
	n := se.Name
	if r.isWP(n) {
		switch n.Local {
		case "postmeta":
			var m Meta
			err := r.fields(func(n xml.Name, s string) error {
				switch n.Local {
				case "meta_key":
					m.Key = s
				case "meta_value":
					m.Value = s
				}
				return nil
			})
			it.Meta = append(it.Meta, m)
			return err
		case "comment":
			it.Comments++
			return r.skip()
		}
		s, err := r.text()
		if err != nil {
			return err
		}
		if err := setItemField(it, n.Local, s); err != nil {
			return r.fail(err)
		}
		return nil
	}
	if n.Space == "" && n.Local == "category" {
		ref := Ref{}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "domain":
				ref.Domain = a.Value
			case "nicename":
				ref.Slug = a.Value
			}
		}
		s, err := r.text()
		ref.Name = s
		if ref.Domain == "" { // WXR 1.0 lists categories by name only
			ref.Domain = "category"
		}
		it.Refs = append(it.Refs, ref)
		return err
	}
	var dst *string
	switch {
	case n.Space == "" && n.Local == "title":
		dst = &it.Title
	case n.Space == "" && n.Local == "link":
		dst = &it.Link
	case n.Space == "" && n.Local == "guid":
		dst = &it.GUID
	case n.Local == "creator" && strings.Contains(n.Space, "purl.org/dc/"):
		dst = &it.Creator
	case n.Local == "encoded" && n.Space == contentNS:
		dst = &it.Content
	case n.Local == "encoded" && strings.HasSuffix(n.Space, "/excerpt/"):
		dst = &it.Excerpt
	default:
		return r.skip()
	}
	s, err := r.text()
	*dst = s
	return err
}

// setItemField sets the item's wp: field name.
func setItemField(it *Item, name, s string) error {
	num := func(what string) (int64, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("<wp:%s> %q is not a number", what, s)
		}
		return v, nil
	}
	var err error
	switch name {
	case "post_id":
		it.ID, err = num(name)
		if err == nil && it.ID == 0 {
			err = errors.New("<wp:post_id> is missing or 0")
		}
	case "post_date":
		it.Date = strings.TrimSpace(s)
	case "post_date_gmt":
		it.DateGMT = strings.TrimSpace(s)
	case "post_name":
		it.Name = strings.TrimSpace(s)
	case "status":
		it.Status = strings.TrimSpace(s)
	case "post_parent":
		it.Parent, err = num(name)
	case "menu_order":
		var v int64
		v, err = num(name)
		it.MenuOrder = int(min(v, 1<<30))
	case "post_type":
		it.Type = strings.TrimSpace(s)
	case "is_sticky":
		it.Sticky = strings.TrimSpace(s) == "1"
	case "post_password":
		it.Password = s != ""
	case "attachment_url":
		it.URL = strings.TrimSpace(s)
	}
	return err
}
