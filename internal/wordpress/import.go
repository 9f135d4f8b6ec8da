package wordpress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// Options are what an import needs to know of the site and the command.
type Options struct {
	// Languages are the site's enabled languages, the default first.
	Languages []string
	// Zone is the site's time zone, for the dates of posts that have no
	// GMT date (drafts).
	Zone *time.Location
	// Mapping maps post types, categories and tags to kinds.
	Mapping Mapping
	// DryRun writes nothing: everything runs in one transaction that is
	// rolled back, so the report is exactly what an import would do.
	DryRun bool
	// BatchSize is how many items each transaction writes (200).
	BatchSize int
	// Progress, when set, gets a counter line as items are written.
	Progress io.Writer
	// Name is the file's name, for the report.
	Name string
	// Uploads is a copy of the site's wp-content/uploads folder; "" leaves
	// files at their old address.
	Uploads string
	// Media stores the files of Uploads; needed with it.
	Media MediaSaver
}

// Importer imports WordPress exports into a site.
type Importer struct {
	db    *db.DB
	store *content.Store
	conv  *mdConverter
	opt   Options
	// i18n words the few lines an import adds to texts (an event's
	// cost), in each text's language.
	i18n *i18n.Bundle
}

// New returns an importer writing through store (so entries are checked,
// revised and indexed as the editor's are) into d.
func New(d *db.DB, store *content.Store, opt Options) *Importer {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 200
	}
	if opt.Zone == nil {
		opt.Zone = time.UTC
	}
	if len(opt.Languages) == 0 {
		opt.Languages = []string{"en"}
	}
	im := &Importer{db: d, store: store, conv: newConverter(), opt: opt}
	im.i18n, _ = i18n.New(opt.Languages)
	if im.i18n == nil { // a language without a catalog: English words
		im.i18n, _ = i18n.New([]string{"en"})
	}
	return im
}

var errDryRun = errors.New("wordpress: dry run")

// Import reads the export open gives, twice: first whole, to refuse a
// broken file before anything is written and to learn its terms,
// attachments and translation groups; then again to write it in batches,
// each one transaction with the import's progress. An import stopped
// half-way is resumed by running it again: what is already in finds its
// record and is left alone.
func (im *Importer) Import(ctx context.Context, open func() (io.ReadCloser, error)) (*Report, error) {
	start := time.Now()
	ex, err := im.scan(ctx, open)
	if err != nil {
		return nil, err
	}
	rep := newReport()
	rep.File, rep.Site, rep.DryRun = im.opt.Name, ex.site, im.opt.DryRun
	st, err := im.newState(ctx, ex, rep)
	if err != nil {
		return nil, err
	}
	if im.opt.Uploads != "" && im.opt.Media == nil {
		return nil, errors.New("wordpress: uploads without a media store")
	}
	if err := st.uploads(ctx); err != nil {
		return nil, err
	}
	if im.opt.DryRun {
		err = im.store.InBatch(ctx, func(b *content.Batch) error {
			if err := im.write(ctx, open, st, func(do func(*content.Batch) error) error { return do(b) }); err != nil {
				return err
			}
			return errDryRun
		})
		if !errors.Is(err, errDryRun) {
			return nil, err
		}
	} else {
		err := im.write(ctx, open, st, func(do func(*content.Batch) error) error { return im.store.InBatch(ctx, do) })
		// The batches were quiet: cached pages are dropped once, now, also
		// when the import stopped after some of them.
		if aerr := im.store.Announce(context.WithoutCancel(ctx)); err == nil {
			err = aerr
		}
		if err != nil {
			return nil, err
		}
	}
	st.finishReport()
	rep.Took = Duration(time.Since(start))
	return rep, nil
}

// write is the second reading: terms and authors first, then the items in
// batches, each through inBatch.
func (im *Importer) write(ctx context.Context, open func() (io.ReadCloser, error), st *state, inBatch func(func(*content.Batch) error) error) error {
	if err := inBatch(func(b *content.Batch) error {
		if err := st.begin(ctx, b); err != nil {
			return err
		}
		if err := st.terms(ctx, b, "category"); err != nil {
			return err
		}
		if err := st.terms(ctx, b, "post_tag"); err != nil {
			return err
		}
		if err := st.siteFeeds(ctx, b); err != nil {
			return err
		}
		return st.authors(ctx, b)
	}); err != nil {
		return err
	}
	// Reading and converting to Markdown run beside the writing, a batch
	// ahead: on two cores that is a quarter of the time.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*Item, 1)
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		read <- im.read(ctx, open, st, batches)
	}()
	done := 0
	for batch := range batches {
		err := inBatch(func(b *content.Batch) error {
			for _, it := range batch {
				if err := st.item(ctx, b, it, false); err != nil {
					return fmt.Errorf("line %d, item %s: %w", it.Line, it.Label(), err)
				}
			}
			return st.progress(ctx, b, done+len(batch), false)
		})
		if err != nil {
			return err // the deferred cancel stops the reading
		}
		done += len(batch)
		im.showProgress(done, st.ex.items)
	}
	if err := <-read; err != nil {
		return err
	}
	if im.opt.Progress != nil {
		fmt.Fprintln(im.opt.Progress)
	}
	// Translations whose source never came (it was skipped) become
	// entries of their own.
	return inBatch(func(b *content.Batch) error {
		for _, id := range slices.Sorted(maps.Keys(st.deferred)) {
			for _, it := range st.deferred[id] {
				if err := st.item(ctx, b, it, true); err != nil {
					return fmt.Errorf("line %d, item %s: %w", it.Line, it.Label(), err)
				}
			}
		}
		st.deferred = nil
		if err := st.attachmentPages(ctx, b); err != nil {
			return err
		}
		return st.progress(ctx, b, done, true)
	})
}

// read is the second reading of the export: it sends its items in
// batches, their content converted.
func (im *Importer) read(ctx context.Context, open func() (io.ReadCloser, error), st *state, out chan<- []*Item) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	r := NewReader(f)
	batch := make([]*Item, 0, im.opt.BatchSize)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]*Item, 0, im.opt.BatchSize)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("the export changed since it was first read: %w", err)
		}
		it, ok := v.(*Item)
		if !ok {
			continue
		}
		if it.Type != "attachment" {
			c, err := im.conv.Convert(it.Content, st.media, st.ex.children[it.ID], st.localUpload)
			if err != nil {
				return fmt.Errorf("line %d, item %s: %w", it.Line, it.Label(), err)
			}
			it.converted = &c
			it.Content = "" // the Markdown is what is kept
		}
		batch = append(batch, it)
		if len(batch) == im.opt.BatchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

func (im *Importer) showProgress(done, total int) {
	if im.opt.Progress != nil {
		fmt.Fprintf(im.opt.Progress, "\rimporting: %d of %d items", done, total)
	}
}

// export is what the first reading learns.
type export struct {
	channel  Channel
	site     string // the site's address, which keys its objects
	basePath string // the path the site lived under, "" at the root
	authors  []*Author
	// categories and post_tag terms, each once, in the export's order.
	terms map[string][]*Term
	// Polylang: the languages, and the translation groups of posts and
	// of terms (language → id).
	languages  []string
	postGroups map[string][][2]string // group slug → (lang, post id)
	termGroups [][][2]string
	// attachments by post id, and the attachments of each post.
	attachments map[int64]attachment
	children    map[int64][]int64
	// importable are the posts and pages that will be imported, for
	// translations that come before their source.
	importable map[int64]bool
	// archived counts the published posts of each category and tag, by
	// taxonomy and slug, for the pages of their old archives.
	archived map[string]int
	items    int
	// venues of The Events Calendar (tribe_venue), as text, by post id.
	venues map[int64]string
	// organisers of The Events Calendar (tribe_organizer), by post id:
	// they become their events' co-author organisations.
	organisers map[int64]content.Organisation
}

type attachment struct {
	url, title string
	link       string // its attachment page
	file, alt  string // _wp_attached_file, _wp_attachment_image_alt
	parent     int64
}

// scan is the first reading.
func (im *Importer) scan(ctx context.Context, open func() (io.ReadCloser, error)) (*export, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex := &export{terms: map[string][]*Term{}, postGroups: map[string][][2]string{},
		attachments: map[int64]attachment{}, children: map[int64][]int64{}, importable: map[int64]bool{}, archived: map[string]int{},
		venues: map[int64]string{}, organisers: map[int64]content.Organisation{}}
	seen := map[string]bool{}
	r := NewReader(f)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case *Author:
			ex.authors = append(ex.authors, x)
		case *Term:
			switch x.Taxonomy {
			case "category", "post_tag":
				// Newer exports list a category both as <wp:category> and <wp:term>.
				if k := x.Taxonomy + "\x00" + x.Slug; !seen[k] && x.Slug != "" {
					seen[k] = true
					ex.terms[x.Taxonomy] = append(ex.terms[x.Taxonomy], x)
				}
			case "language":
				ex.languages = append(ex.languages, strings.ToLower(x.Slug))
			case "post_translations", "term_translations":
				pairs, err := phpPairs(x.Description)
				if err != nil {
					return nil, fmt.Errorf("the Polylang translation group %s: %w", x.Slug, err)
				}
				if x.Taxonomy == "post_translations" {
					ex.postGroups[x.Slug] = pairs
				} else {
					ex.termGroups = append(ex.termGroups, pairs)
				}
			}
		case *Item:
			ex.items++
			if x.Type == "attachment" {
				ex.attachments[x.ID] = attachment{url: x.URL, title: x.Title, parent: x.Parent, link: x.Link,
					file: x.MetaValue("_wp_attached_file"), alt: x.MetaValue("_wp_attachment_image_alt")}
				if x.Parent != 0 {
					ex.children[x.Parent] = append(ex.children[x.Parent], x.ID)
				}
				continue
			}
			switch x.Type {
			case "tribe_venue":
				ex.venues[x.ID] = venueText(x)
			case "tribe_organizer":
				if o, ok := organiser(x); ok {
					ex.organisers[x.ID] = o
				}
			}
			if _, ok := im.opt.Mapping.kind(x, nil); !ok {
				continue
			}
			if _, ok := importStatus(x.Status); !ok {
				continue
			}
			ex.importable[x.ID] = true
			if trid := x.MetaValue("_wpml_trid"); trid != "" {
				// WPML keeps a translation group as meta of its posts.
				lang := cmpOr(x.MetaValue("_wpml_language"), im.opt.Languages[0])
				ex.postGroups["wpml:"+trid] = append(ex.postGroups["wpml:"+trid], [2]string{lang, strconv.FormatInt(x.ID, 10)})
			}
			if x.Type == "post" && x.Status == "publish" {
				for _, ref := range x.Refs {
					ex.archived[ref.Domain+"\x00"+ref.Slug]++
				}
			}
		}
	}
	ex.channel = r.Channel
	if r.Channel.WXRVersion == "" {
		return nil, fmt.Errorf("%w: it has no <wp:wxr_version>", ErrNotWXR)
	}
	ex.site = strings.TrimRight(cmpOr(r.Channel.BaseBlogURL, r.Channel.BaseSiteURL, r.Channel.Link), "/")
	if ex.site == "" {
		return nil, fmt.Errorf("%w: it names no site (<wp:base_blog_url>)", ErrNotWXR)
	}
	if u, err := url.Parse(ex.site); err == nil {
		ex.basePath = strings.TrimRight(u.Path, "/")
	}
	return ex, nil
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
