package wordpress

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/content"
	"peerpress/internal/db"
)

// state is what the second reading keeps between items and batches.
type state struct {
	im   *Importer
	ex   *export
	rep  *Report
	now  time.Time
	lang string // the default language of posts that say none

	// sections and tags as they were before the import, by slug: an
	// imported category with the slug of an existing section joins it.
	sections map[string]content.Section
	tags     map[string]content.Tag
	maxPos   int
	// terms are the section or tag of each imported term, by
	// taxonomy and slug, and its names' language.
	local  map[string]int64
	known  []content.Section // every section an entry may name
	tagIDs []content.Tag
	// users by author login.
	users map[string]int64
	// deferred are translations read before their source, by its post id.
	deferred map[int64][]*Item
	// otherLangs counts posts in languages the site does not offer.
	otherLangs map[string]int
	// flattened counts categories that had a parent; manyCategories
	// posts in more than one.
	flattened      int
	manyCategories int
	childPages     int
	// eventsOn says whether entries of kind event keep a time and place
	// (the events area's extension); eventModes counts the events made,
	// whose format was guessed.
	eventsOn   bool
	eventModes int
	// byName finds a term's slug by taxonomy and name, for WXR 1.0, whose
	// posts name their categories without a slug.
	byName map[string]string
	// stored are the attachments brought in, by post id; byPath their
	// addresses here by their path in the uploads folder.
	stored map[int64]stored
	byPath map[string]string
	// objects are the records of this site's objects (wordpress_objects),
	// read once and kept in step by putObject: a query per item was a
	// fifth of what an import sent to PostgreSQL. otherSites says whether
	// GUIDs of other sites' objects are worth a look.
	objects    map[string]object
	otherSites bool
}

func (im *Importer) newState(ctx context.Context, ex *export, rep *Report) (*state, error) {
	st := &state{im: im, ex: ex, rep: rep, now: time.Now(), sections: map[string]content.Section{}, tags: map[string]content.Tag{},
		local: map[string]int64{}, byName: map[string]string{}, users: map[string]int64{}, deferred: map[int64][]*Item{}, otherLangs: map[string]int{}}
	st.eventsOn = slices.ContainsFunc(im.store.Extensions(), func(x content.Extension) bool { return x.ExtendsKind(content.Event) })
	// The export's own language when the site offers it, else the site's.
	st.lang = im.opt.Languages[0]
	if primary, _, _ := strings.Cut(strings.ToLower(ex.channel.Language), "-"); slices.Contains(im.opt.Languages, primary) {
		st.lang = primary
	}
	secs, err := im.store.Sections(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range secs {
		st.sections[s.Slug] = s
		st.maxPos = max(st.maxPos, s.Position)
		st.known = append(st.known, content.Section{ID: s.ID})
	}
	st.objects = map[string]object{}
	rows, err := im.db.QueryContext(ctx, `SELECT kind, wp_id, local_id, lang, digest, revision FROM wordpress_objects WHERE site = ?`, ex.site)
	if err != nil {
		return nil, fmt.Errorf("wordpress: objects: %w", err)
	}
	for rows.Next() {
		var kind, wpID string
		var o object
		if err := rows.Scan(&kind, &wpID, &o.localID, &o.lang, &o.digest, &o.revision); err != nil {
			rows.Close()
			return nil, err
		}
		st.objects[kind+"\x00"+wpID] = o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := im.db.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM wordpress_objects WHERE site <> ?`, ex.site).Scan(&st.otherSites); err != nil {
		return nil, fmt.Errorf("wordpress: objects: %w", err)
	}
	tags, err := im.store.Tags(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		st.tags[t.Slug] = t
		st.tagIDs = append(st.tagIDs, content.Tag{ID: t.ID})
	}
	return st, nil
}

// begin records that an import of the site has started (again).
func (st *state) begin(ctx context.Context, b *content.Batch) error {
	_, err := b.Tx().ExecContext(ctx, `INSERT INTO wordpress_imports (site, items_done, started_at, finished_at) VALUES (?, 0, ?, 0)
		ON CONFLICT (site) DO UPDATE SET items_done = 0, started_at = excluded.started_at, finished_at = 0`, st.ex.site, st.now.Unix())
	return err
}

// progress records, with each batch, how far the import has come.
func (st *state) progress(ctx context.Context, b *content.Batch, done int, finished bool) error {
	fin := int64(0)
	if finished {
		fin = time.Now().Unix()
	}
	_, err := b.Tx().ExecContext(ctx, `UPDATE wordpress_imports SET items_done = ?, finished_at = ? WHERE site = ?`, done, fin, st.ex.site)
	return err
}

// object is the record of what a WordPress object became.
type object struct {
	localID  int64
	lang     string
	digest   string
	revision int
}

func (st *state) object(ctx context.Context, b *content.Batch, kind, wpID, guid, lang string) (object, bool, error) {
	if o, ok := st.objects[kind+"\x00"+wpID]; ok {
		return o, true, nil
	}
	if guid == "" || lang == "" || !st.otherSites {
		return object{}, false, nil
	}
	// The same post in an export of the site made at another address.
	// Within one export a GUID is not enough: Polylang gives a copied
	// translation its source's GUID.
	var o object
	err := b.Tx().QueryRowContext(ctx, `SELECT local_id, lang, digest, revision FROM wordpress_objects
		WHERE site <> ? AND kind = ? AND guid = ? AND lang = ? ORDER BY imported_at DESC LIMIT 1`,
		st.ex.site, kind, guid, lang).Scan(&o.localID, &o.lang, &o.digest, &o.revision)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	return o, err == nil, err
}

func (st *state) putObject(ctx context.Context, b *content.Batch, kind, wpID, guid string, o object) error {
	err := st.writeObject(ctx, b.Tx(), kind, wpID, guid, o)
	if err == nil {
		st.objects[kind+"\x00"+wpID] = o
	}
	return err
}

// writeObject records what a WordPress object became, in tx.
func (st *state) writeObject(ctx context.Context, tx *db.Tx, kind, wpID, guid string, o object) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO wordpress_objects (site, kind, wp_id, guid, local_id, lang, digest, revision, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (site, kind, wp_id) DO UPDATE SET guid = excluded.guid, local_id = excluded.local_id, lang = excluded.lang,
		digest = excluded.digest, revision = excluded.revision, imported_at = excluded.imported_at`,
		st.ex.site, kind, wpID, guid, o.localID, o.lang, o.digest, o.revision, st.now.Unix())
	return err
}

// digest hashes what an import writes of an object: the same digest next
// time means nothing changed.
func digest(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x00", p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// termMember is one language's term of a translated category or tag.
type termMember struct {
	term *Term
	lang string
}

// terms imports the categories (as sections) or tags of the export; a
// Polylang group of translated terms becomes one, with a name per
// language.
func (st *state) terms(ctx context.Context, b *content.Batch, taxonomy string) error {
	what := map[string]string{"category": "section", "post_tag": "tag"}[taxonomy]
	all := st.ex.terms[taxonomy]
	byID := map[string]*Term{}
	for _, t := range all {
		byID[t.ID] = t
	}
	grouped := map[*Term]bool{}
	var groups [][]termMember
	for _, g := range st.ex.termGroups {
		var members []termMember
		for _, p := range g {
			if t := byID[p[1]]; t != nil && !grouped[t] {
				grouped[t] = true
				members = append(members, termMember{t, strings.ToLower(p[0])})
			}
		}
		if len(members) > 0 {
			groups = append(groups, members)
		}
	}
	for _, t := range all {
		if !grouped[t] {
			groups = append(groups, []termMember{{t, st.lang}})
		}
	}
	// Keep the export's order: a group goes where its first term was.
	pos := map[*Term]int{}
	for i, t := range all {
		pos[t] = i
	}
	slices.SortStableFunc(groups, func(a, b []termMember) int { return pos[a[0].term] - pos[b[0].term] })
	bySlug := map[string]*Term{}
	for _, t := range all {
		bySlug[t.Slug] = t
		st.byName[taxonomy+"\x00"+unescapeText(t.Name)] = t.Slug
	}
	for _, g := range groups {
		primary := g[0]
		for _, m := range g {
			if m.lang == st.lang {
				primary = m
				break
			}
		}
		if taxonomy == "category" && primary.term.Slug == "uncategorized" {
			st.rep.skip("the category Uncategorized: its posts have no section", 1)
			continue
		}
		slug := termSlug(primary.term)
		names := map[string]string{}
		for _, m := range g {
			names[m.lang] = unescapeText(m.term.Name)
			if taxonomy == "category" && m.term.Parent != "" {
				st.flattened++
			}
		}
		sum := digest(slug, names)
		id, changed, err := st.saveTerm(ctx, b, taxonomy, what, primary.term.ID, slug, names, sum)
		if err != nil {
			return fmt.Errorf("%s %s: %w", taxonomy, primary.term.Slug, err)
		}
		for _, m := range g {
			st.local[taxonomy+"\x00"+m.term.Slug] = id
			if !changed {
				continue
			}
			if m.term != primary.term {
				if err := st.putObject(ctx, b, kindOf(taxonomy), m.term.ID, "", object{localID: id, lang: m.lang, digest: sum}); err != nil {
					return err
				}
			}
			if err := st.termPaths(ctx, b, taxonomy, m, bySlug, "/"+m.lang+"/"+what+"/"+slug); err != nil {
				return err
			}
		}
	}
	return nil
}

// term is the section or tag a post's reference names.
func (st *state) term(taxonomy string, ref Ref) int64 {
	slug := ref.Slug
	if slug == "" {
		slug = st.byName[taxonomy+"\x00"+unescapeText(ref.Name)]
	}
	return st.local[taxonomy+"\x00"+slug]
}

// sameTerm reports whether two slugs of a taxonomy name one imported
// section or tag: the same term, or translations of it.
func (st *state) sameTerm(taxonomy, a, b string) bool {
	if a == b {
		return true
	}
	id := st.local[taxonomy+"\x00"+a]
	return id != 0 && id == st.local[taxonomy+"\x00"+b]
}

func kindOf(taxonomy string) string {
	if taxonomy == "post_tag" {
		return "tag"
	}
	return taxonomy
}

// saveTerm finds or makes the section or tag of one term (group);
// changed is false when it was there already as the export has it.
func (st *state) saveTerm(ctx context.Context, b *content.Batch, taxonomy, what, wpID, slug string, names map[string]string, sum string) (id int64, changed bool, err error) {
	kind := kindOf(taxonomy)
	c := st.rep.count(what)
	o, found, err := st.object(ctx, b, kind, wpID, "", "")
	if err != nil {
		return 0, false, err
	}
	sec, isSection := st.sectionByID(o.localID)
	tag, isTag := st.tagByID(o.localID)
	if found && !(taxonomy == "category" && isSection || taxonomy == "post_tag" && isTag) {
		// Deleted here since: an editor's decision, which an import
		// respects as it does for posts.
		st.rep.skip(what+"s deleted here since an earlier import (not made again)", 1)
		return 0, false, nil
	}
	if found && o.digest == sum {
		c.Unchanged++
		return o.localID, false, nil
	}
	switch {
	case found: // names changed in WordPress: the section keeps its slug here
		id = o.localID
		if taxonomy == "category" {
			sec.Names = names
			_, err = b.SaveSection(ctx, sec)
		} else {
			tag.Names = names
			_, err = b.SaveTag(ctx, tag)
		}
		c.Updated++
	case taxonomy == "category" && st.sections[slug].ID != 0:
		id = st.sections[slug].ID
		st.rep.review("category "+slug, "joined the existing section with the same slug", "")
		c.Unchanged++
	case taxonomy == "post_tag" && st.tags[slug].ID != 0:
		id = st.tags[slug].ID
		c.Unchanged++
	case taxonomy == "category":
		st.maxPos++
		sec := content.Section{Slug: slug, Position: st.maxPos, Names: names}
		if id, err = b.SaveSection(ctx, sec); err == nil {
			sec.ID = id
			st.sections[slug] = sec
			st.known = append(st.known, content.Section{ID: id})
		}
		c.Imported++
	default:
		tag := content.Tag{Slug: slug, Names: names}
		if id, err = b.SaveTag(ctx, tag); err == nil {
			tag.ID = id
			st.tags[slug] = tag
			st.tagIDs = append(st.tagIDs, content.Tag{ID: id})
		}
		c.Imported++
	}
	if err != nil {
		return 0, false, err
	}
	return id, true, st.putObject(ctx, b, kind, wpID, "", object{localID: id, lang: st.lang, digest: sum})
}

func (st *state) sectionByID(id int64) (content.Section, bool) {
	for _, s := range st.sections {
		if s.ID == id {
			return s, true
		}
	}
	return content.Section{}, false
}

func (st *state) tagByID(id int64) (content.Tag, bool) {
	for _, t := range st.tags {
		if t.ID == id {
			return t, true
		}
	}
	return content.Tag{}, false
}

// termSlug is a term's slug as peerpress accepts it.
func termSlug(t *Term) string {
	s, err := url.PathUnescape(t.Slug)
	if err != nil || !content.ValidSlug(s) {
		s = content.Slugify(cmpOr(s, unescapeText(t.Name)))
	}
	if s == "" {
		s = "term-" + content.Slugify(t.ID)
	}
	return s
}

// termPaths records a term's old archive addresses: /category/parent/child/,
// /category/child/, Polylang's /fr/category/child/ and ?cat=12.
func (st *state) termPaths(ctx context.Context, b *content.Batch, taxonomy string, m termMember, bySlug map[string]*Term, target string) error {
	base := st.ex.basePath
	var paths []string
	if taxonomy == "category" {
		chain := []string{m.term.Slug}
		for p, n := bySlug[m.term.Parent], 0; p != nil && n < 20; p, n = bySlug[p.Parent], n+1 {
			chain = append([]string{p.Slug}, chain...)
		}
		paths = append(paths, "/category/"+strings.Join(chain, "/"), "/category/"+m.term.Slug)
		if _, err := strconv.ParseInt(m.term.ID, 10, 64); err == nil {
			paths = append(paths, "/?cat="+m.term.ID)
		}
	} else {
		paths = append(paths, "/tag/"+m.term.Slug, "/?tag="+url.QueryEscape(m.term.Slug))
	}
	// A top-level category's two addresses are one.
	paths = slices.Compact(paths)
	// Feed readers subscribed to the old archive's feeds (/tag/x/feed/,
	// /category/x/feed/atom/) go on to the new archive's.
	type oldPath struct{ path, target string }
	var olds []oldPath
	for _, p := range paths {
		if !strings.HasPrefix(p, "/?") {
			for _, f := range oldFeeds {
				olds = append(olds, oldPath{p + f.path, target + "/" + f.file})
			}
		}
	}
	// The old archive's numbered pages lead to the new archive. How many
	// posts a page showed is a setting the export does not have: pages
	// are kept for as few as 5 a page (WordPress's default is 10).
	archive := paths[0]
	for n := 2; n <= (st.ex.archived[taxonomy+"\x00"+m.term.Slug]+4)/5; n++ {
		paths = append(paths, archive+"/page/"+strconv.Itoa(n))
	}
	for _, p := range paths {
		olds = append(olds, oldPath{p, target})
	}
	for _, o := range olds {
		keys := []string{base + o.path}
		if m.lang != st.lang && !strings.HasPrefix(o.path, "/?") {
			keys = append(keys, base+"/"+m.lang+o.path)
		}
		for _, k := range keys {
			u, err := url.Parse(k)
			if err != nil {
				continue
			}
			if err := b.KeepOldPathTo(ctx, content.OldPathKey(u.Path, u.Query()), o.target); err != nil {
				return err
			}
		}
	}
	return nil
}

// oldFeeds are the feeds WordPress serves under an archive's address (and
// the site's), and the file of the new listing's each becomes: Atom's,
// or RSS for the RSS and RDF ones.
var oldFeeds = []struct{ path, file string }{
	{"/feed", "feed.xml"}, {"/feed/rss2", "feed.xml"}, {"/feed/rss", "feed.xml"}, {"/feed/rdf", "feed.xml"},
	{"/feed/atom", "atom.xml"},
}

// siteFeeds records the site's old feeds (/feed/, /feed/atom/) as leading
// to the site language's, and a multilingual site's (Polylang's
// /fr/feed/) to each language's.
func (st *state) siteFeeds(ctx context.Context, b *content.Batch) error {
	for _, f := range oldFeeds {
		if err := b.KeepOldPathTo(ctx, content.OldPathKey(st.ex.basePath+f.path, nil), "/"+st.lang+"/"+f.file); err != nil {
			return err
		}
		for _, l := range st.im.opt.Languages {
			if err := b.KeepOldPathTo(ctx, content.OldPathKey(st.ex.basePath+"/"+l+f.path, nil), "/"+l+"/"+f.file); err != nil {
				return err
			}
		}
	}
	return nil
}

// authors adds the export's authors as users who cannot sign in until
// they are invited (auth.Store.Invite) and choose a password.
func (st *state) authors(ctx context.Context, b *content.Batch) error {
	c := st.rep.count("author")
	for _, a := range st.ex.authors {
		if a.Login == "" {
			continue
		}
		o, found, err := st.object(ctx, b, "author", a.Login, "", "")
		if err != nil {
			return err
		}
		if found {
			st.users[a.Login] = o.localID
			c.Unchanged++
			continue
		}
		id, existed, err := auth.AddWithoutPassword(ctx, b.Tx(), a.Email, cmpOr(a.DisplayName, a.Login), auth.RoleAuthor)
		if errors.Is(err, auth.ErrInvalidEmail) {
			st.rep.skip("authors without a valid email address (their posts have no author)", 1)
			continue
		}
		if err != nil {
			return err
		}
		if existed {
			c.Unchanged++
		} else {
			c.Imported++
		}
		st.users[a.Login] = id
		if err := st.putObject(ctx, b, "author", a.Login, "", object{localID: id}); err != nil {
			return err
		}
	}
	if c.Imported > 0 {
		st.rep.review("authors", fmt.Sprintf("%d authors were added as users without a password, so that entries keep their author: they cannot sign in until invited, from the users page or with `peerpress user invite --email E`", c.Imported), "/admin/users")
	}
	return nil
}

// finishReport adds what is known only at the end.
func (st *state) finishReport() {
	if st.flattened > 0 {
		st.rep.review("categories", fmt.Sprintf("%d categories had a parent; sections here have none, so they stand side by side", st.flattened), "/admin/sections")
	}
	if st.childPages > 0 {
		st.rep.review("pages", fmt.Sprintf("%d pages had a parent page; pages here stand side by side, each at /{lang}/{slug}", st.childPages), "")
	}
	if st.manyCategories > 0 {
		st.rep.review("categories", fmt.Sprintf("%d posts were in several categories; an entry here has one section, the first of them", st.manyCategories), "")
	}
	if st.eventModes > 0 {
		st.rep.review("events", fmt.Sprintf("%d events of The Events Calendar were given a format it does not record: in person where they had a venue, else online", st.eventModes), "/admin/entries?kind=event")
	}
	for _, l := range slices.Sorted(maps.Keys(st.otherLangs)) {
		st.rep.review("language "+l, fmt.Sprintf("%d posts are in a language this site does not offer: enable it in the settings", st.otherLangs[l]), "/admin/settings")
	}
}
