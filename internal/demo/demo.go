// Package demo fills an empty peerpress with demo content of our own
// writing: a fictional network, its sections, tags, partner organisations
// and entries in several languages, so every page kind can be seen.
package demo

import (
	"bufio"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"peerpress/internal/auth"
	"peerpress/internal/calls"
	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/events"
	"peerpress/internal/search"
	"peerpress/internal/settings"
	"peerpress/internal/updates"
)

//go:embed content/*.md
var files embed.FS

// AdminEmail is the demo administrator's address.
const AdminEmail = "admin@example.org"

// Login is the demo administrator's credentials, printed at start.
type Login struct {
	Email    string
	Password string
}

// Load fills an empty database with the demo content and makes sure the
// demo administrator exists with a fresh password, which it returns. A
// database that already has entries keeps them.
func Load(ctx context.Context, d *db.DB, langs []string) (*Login, error) {
	users := auth.NewStore(d)
	password, err := newPassword()
	if err != nil {
		return nil, err
	}
	admin, err := users.UserByEmail(ctx, AdminEmail)
	switch {
	case errors.Is(err, db.ErrNotFound):
		if admin, err = users.CreateUser(ctx, AdminEmail, "Demo Admin", auth.RoleAdmin, password); err != nil {
			return nil, fmt.Errorf("demo: admin: %w", err)
		}
	case err != nil:
		return nil, err
	default:
		if err := users.SetPassword(ctx, admin.ID, password); err != nil {
			return nil, fmt.Errorf("demo: admin password: %w", err)
		}
	}
	login := &Login{Email: AdminEmail, Password: password}

	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries`).Scan(&n); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return login, nil
	}
	// Indexed as it is written, as the site's own store does, so that
	// search finds the demo at once; events' times saved with their
	// entries, as the editor saves them.
	entries := content.NewStore(d, search.Index{})
	entries.SetExtensions(events.EntryFields{}, events.ProgrammeFields{}, calls.Settings{}, updates.Fields{})
	orgIDs, err := fillDirectory(ctx, d, langs)
	if err != nil {
		return nil, err
	}
	if err := fill(ctx, entries, orgIDs, admin.ID, langs, time.Now()); err != nil {
		return nil, err
	}
	if err := fillCalls(ctx, entries, admin.ID, langs, time.Now()); err != nil {
		return nil, err
	}
	if err := fillUpdates(ctx, d, entries, admin.ID, langs, time.Now()); err != nil {
		return nil, err
	}
	if err := fillClosedCall(ctx, entries, admin.ID, langs, time.Now()); err != nil {
		return nil, err
	}
	if err := fillLetters(ctx, d, time.Now()); err != nil {
		return nil, err
	}
	if err := fillApplications(ctx, d, langs); err != nil {
		return nil, err
	}
	if err := fillEvents(ctx, d); err != nil {
		return nil, err
	}
	if err := fillCampaigns(ctx, d, time.Now()); err != nil {
		return nil, err
	}
	if err := fillDocuments(ctx, d, langs, time.Now()); err != nil {
		return nil, err
	}
	if err := chooseSitePages(ctx, d, entries); err != nil {
		return nil, err
	}
	return login, nil
}

func newPassword() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// sections and tags of the demo network, named in several languages.
var sections = []content.Section{
	{Slug: "news", Position: 1, Names: map[string]string{"en": "News", "ru": "Новости", "fr": "Actualités", "es": "Noticias", "hi": "समाचार", "ar": "أخبار"}},
	{Slug: "resources", Position: 2, Names: map[string]string{"en": "Resources", "ru": "Материалы", "fr": "Ressources", "es": "Recursos", "hi": "संसाधन", "ar": "موارد"}},
	{Slug: "advocacy", Position: 3, Names: map[string]string{"en": "Advocacy", "ru": "Адвокация", "fr": "Plaidoyer", "es": "Incidencia", "hi": "पैरवी", "ar": "مناصرة"}},
}

var tags = []content.Tag{
	{Slug: "harm-reduction", Names: map[string]string{"en": "Harm reduction", "ru": "Снижение вреда", "fr": "Réduction des risques", "es": "Reducción de daños"}},
	{Slug: "naloxone", Names: map[string]string{"en": "Naloxone", "ru": "Налоксон", "fr": "Naloxone", "es": "Naloxona"}},
	{Slug: "decriminalisation", Names: map[string]string{"en": "Decriminalisation", "ru": "Декриминализация", "fr": "Décriminalisation", "es": "Despenalización"}},
	{Slug: "hiv", Names: map[string]string{"en": "HIV", "ru": "ВИЧ", "fr": "VIH", "es": "VIH"}},
	{Slug: "hepatitis-c", Names: map[string]string{"en": "Hepatitis C", "ru": "Гепатит C", "fr": "Hépatite C", "es": "Hepatitis C"}},
	{Slug: "funding", Names: map[string]string{"en": "Funding", "ru": "Финансирование", "fr": "Financement", "es": "Financiación"}},
	{Slug: "human-rights", Names: map[string]string{"en": "Human rights", "ru": "Права человека", "fr": "Droits humains", "es": "Derechos humanos"}},
	{Slug: "women", Names: map[string]string{"en": "Women who use drugs", "ru": "Женщины, употребляющие наркотики", "fr": "Femmes usagères de drogues", "es": "Mujeres que usan drogas"}},
	{Slug: "community-monitoring", Names: map[string]string{"en": "Community-led monitoring", "ru": "Мониторинг силами сообществ", "fr": "Suivi communautaire", "es": "Monitoreo comunitario"}},
	{Slug: "drug-checking", Names: map[string]string{"en": "Drug checking", "ru": "Проверка веществ", "fr": "Analyse de produits", "es": "Análisis de sustancias"}},
	{Slug: "stigma", Names: map[string]string{"en": "Stigma", "ru": "Стигма", "fr": "Stigmatisation", "es": "Estigma"}},
	{Slug: "remembrance", Names: map[string]string{"en": "Remembrance", "ru": "Память", "fr": "Mémoire", "es": "Memoria"}},
}

func fill(ctx context.Context, store *content.Store, orgIDs map[string]int64, authorID int64, langs []string, now time.Time) error {
	sectionIDs := map[string]int64{}
	for _, s := range sections {
		id, err := store.SaveSection(ctx, s)
		if err != nil {
			return fmt.Errorf("demo: section %s: %w", s.Slug, err)
		}
		sectionIDs[s.Slug] = id
	}
	tagIDs := map[string]int64{}
	for _, t := range tags {
		id, err := store.SaveTag(ctx, t)
		if err != nil {
			return fmt.Errorf("demo: tag %s: %w", t.Slug, err)
		}
		tagIDs[t.Slug] = id
	}
	names, err := fs.Glob(files, "content/*.md")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		raw, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		e, err := parseEntry(string(raw), now)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", path.Base(name), err)
		}
		in := content.EntryInput{Kind: e.kind, Featured: e.featured, SectionID: sectionIDs[e.section]}
		if e.event != nil {
			in.Ext = events.Ext(*e.event)
		}
		for _, t := range e.tags {
			id, ok := tagIDs[t]
			if !ok {
				return fmt.Errorf("demo: %s: unknown tag %q", path.Base(name), t)
			}
			in.TagIDs = append(in.TagIDs, id)
		}
		for _, o := range e.orgs {
			id, ok := orgIDs[o]
			if !ok {
				return fmt.Errorf("demo: %s: unknown organisation %q", path.Base(name), o)
			}
			in.OrgIDs = append(in.OrgIDs, id)
		}
		var id int64
		for i, tr := range e.translations {
			if i > 0 && !slices.Contains(langs, tr.Lang) {
				continue
			}
			if i == 0 {
				id, err = store.SaveEntry(ctx, 0, in, tr, authorID)
			} else {
				_, err = store.SaveTranslation(ctx, id, tr, authorID)
			}
			if err != nil {
				return fmt.Errorf("demo: %s (%s): %w", path.Base(name), tr.Lang, err)
			}
		}
	}
	return nil
}

// demoEntry is one parsed content file.
type demoEntry struct {
	kind         content.Kind
	section      string
	tags, orgs   []string
	featured     bool
	event        *events.Info
	translations []content.TranslationInput
}

// parseEntry reads the demo file format: "key: value" header lines, then
// language blocks that start with "=== LANG", each with title, slug and
// summary lines, a blank line, and a Markdown body.
func parseEntry(raw string, now time.Time) (*demoEntry, error) {
	head, rest, ok := strings.Cut(raw, "\n=== ")
	if !ok {
		return nil, errors.New("no language block")
	}
	h := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("header line %q", line)
		}
		h[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	e := &demoEntry{kind: content.Kind(h["kind"]), section: h["section"], featured: h["featured"] == "yes",
		tags: splitList(h["tags"]), orgs: splitList(h["orgs"])}
	if !e.kind.Valid() {
		return nil, fmt.Errorf("kind %q", h["kind"])
	}
	published, err := relativeDay(h["date"], now)
	if err != nil {
		return nil, fmt.Errorf("date: %w", err)
	}
	published = published.Add(-time.Duration(len(rest)%600) * time.Minute) // vary the hour
	status := content.Status(h["status"])
	if status == "" {
		status = content.Published
	}
	if !status.Valid() {
		return nil, fmt.Errorf("status %q", h["status"])
	}
	if e.kind == content.Event {
		if e.event, err = parseEvent(h, now); err != nil {
			return nil, err
		}
	}
	for _, block := range strings.Split("\n=== "+rest, "\n=== ")[1:] {
		tr, err := parseBlock(block)
		if err != nil {
			return nil, err
		}
		tr.Status, tr.PublishAt = status, published
		e.translations = append(e.translations, tr)
	}
	if len(e.translations) == 0 || e.translations[0].Lang != "en" {
		return nil, errors.New("the first language block must be en")
	}
	return e, nil
}

func parseBlock(block string) (content.TranslationInput, error) {
	lines := strings.SplitN(block, "\n", 2)
	tr := content.TranslationInput{Lang: strings.TrimSpace(lines[0])}
	if len(lines) < 2 {
		return tr, fmt.Errorf("%s: empty block", tr.Lang)
	}
	meta, body, _ := strings.Cut(strings.TrimLeft(lines[1], "\n"), "\n\n")
	for _, line := range strings.Split(meta, "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch strings.TrimSpace(k) {
		case "title":
			tr.Title = strings.TrimSpace(v)
		case "slug":
			tr.Slug = strings.TrimSpace(v)
		case "summary":
			tr.Summary = strings.TrimSpace(v)
		}
	}
	tr.Body = strings.TrimSpace(body) + "\n"
	if tr.Title == "" || !content.ValidSlug(tr.Slug) {
		return tr, fmt.Errorf("%s: title or slug missing or invalid (slug %q)", tr.Lang, tr.Slug)
	}
	return tr, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// relativeDay reads "-12d" or "+3d": that many days from now.
func relativeDay(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now, nil
	}
	if !strings.HasSuffix(s, "d") {
		return time.Time{}, fmt.Errorf("%q: want ±Nd", s)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want ±Nd", s)
	}
	return now.AddDate(0, 0, n).Truncate(time.Hour), nil
}

// parseEvent reads "starts: +14d 13:00 Europe/London", duration, mode, venue.
func parseEvent(h map[string]string, now time.Time) (*events.Info, error) {
	parts := strings.Fields(h["starts"])
	if len(parts) != 3 {
		return nil, fmt.Errorf("starts %q: want ±Nd HH:MM Zone", h["starts"])
	}
	loc, err := time.LoadLocation(parts[2])
	if err != nil {
		return nil, fmt.Errorf("starts zone: %w", err)
	}
	day, err := relativeDay(parts[0], now)
	if err != nil {
		return nil, err
	}
	clock, err := time.Parse("15:04", parts[1])
	if err != nil {
		return nil, fmt.Errorf("starts clock: %w", err)
	}
	d := day.In(loc)
	start := time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
	ev := &events.Info{StartsAt: start, TimeZone: parts[2], DurationMinutes: 60, Mode: h["mode"], Venue: h["venue"]}
	if v := h["duration"]; v != "" {
		if ev.DurationMinutes, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("duration %q", v)
		}
	}
	if ev.Mode == "" {
		ev.Mode = "online"
	}
	return ev, nil
}

// chooseSitePages names the demo's about page and privacy notice in the
// settings, as an operator does at /admin/settings: the footer links to
// them in every language.
func chooseSitePages(ctx context.Context, d *db.DB, entries *content.Store) error {
	var ids [2]int64
	for i, slug := range []string{"about", "privacy"} {
		e, err := entries.BySlug(ctx, "en", slug)
		if err != nil {
			return fmt.Errorf("demo: the %s page: %w", slug, err)
		}
		ids[i] = e.ID
	}
	return settings.NewStore(d).SaveSitePages(ctx, ids[0], ids[1])
}
