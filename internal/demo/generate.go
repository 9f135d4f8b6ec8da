package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/search"
)

// Generate adds n synthetic entries, each translated into every one of
// langs, for benchmarks: a large site on either engine in seconds rather
// than hours. Rows are written with multi-row INSERTs in batches, with ids
// chosen here. Generated entries have no revision history (as if
// imported); everything else about them is like an editor's.
//
// progress, when not nil, receives a line that redraws itself.
func Generate(ctx context.Context, d *db.DB, n int, langs []string, progress io.Writer) error {
	if n <= 0 || len(langs) == 0 {
		return nil
	}
	var maxEntry, maxTranslation int64
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM entries`).Scan(&maxEntry); err != nil {
		return fmt.Errorf("demo: generate: %w", err)
	}
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM translations`).Scan(&maxTranslation); err != nil {
		return fmt.Errorf("demo: generate: %w", err)
	}
	var sections, tags []int64
	for _, q := range []struct {
		query string
		into  *[]int64
	}{{`SELECT id FROM sections ORDER BY id`, &sections}, {`SELECT id FROM tags ORDER BY id`, &tags}} {
		rows, err := d.QueryContext(ctx, q.query)
		if err != nil {
			return fmt.Errorf("demo: generate: %w", err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			*q.into = append(*q.into, id)
		}
		rows.Close()
	}
	rng := rand.New(rand.NewPCG(42, uint64(maxEntry))) // #nosec G115 G404 -- a seed for reproducible demo text, not a secret
	now := time.Now().Unix()
	const batch = 200
	// Making a batch's text and analysing it for search is half the work;
	// it runs on one goroutine while the batch before is written on this
	// one, so a two-core machine does both at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *genBatch, 1)
	go func() {
		defer close(batches)
		for done := 0; done < n; done += batch {
			g := newBatch(len(langs))
			for i := 0; i < min(batch, n-done); i++ {
				maxEntry++
				g.add(rng, maxEntry, &maxTranslation, langs, sections, tags, now)
			}
			g.analysed = search.Analyse(g.docs)
			select {
			case batches <- g:
			case <-ctx.Done():
				return
			}
		}
	}()
	written := 0
	for g := range batches {
		if err := d.InTx(ctx, func(tx *db.Tx) error { return g.write(ctx, tx) }); err != nil {
			return fmt.Errorf("demo: generate: %w", err)
		}
		written += len(g.entries)
		if progress != nil {
			fmt.Fprintf(progress, "\rgenerating entries: %d of %d (%d%%)", written, n, written*100/n)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: generate: %w", err)
	}
	if progress != nil {
		fmt.Fprintln(progress)
	}
	for _, table := range []string{"entries", "translations"} {
		if err := d.ResetIdentity(ctx, table); err != nil {
			return err
		}
	}
	return search.Optimize(ctx, d)
}

// genBatch holds the rows of one batch, table by table.
type genBatch struct {
	entries, translations, events, entryTags [][]any
	docs                                     []search.Doc // indexed in the same transaction
	analysed                                 []search.Analysed
}

func newBatch(langs int) *genBatch {
	return &genBatch{translations: make([][]any, 0, 200*langs)}
}

var genKinds = []struct {
	kind   string
	weight int
}{{"article", 70}, {"publication", 10}, {"statement", 8}, {"event", 7}, {"campaign", 3}, {"page", 2}}

func pickKind(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, k := range genKinds {
		if n < k.weight {
			return k.kind
		}
		n -= k.weight
	}
	return "article"
}

func (g *genBatch) add(rng *rand.Rand, id int64, translationID *int64, langs []string, sections, tags []int64, now int64) {
	kind := pickKind(rng)
	published := now - rng.Int64N(10*365*24*3600) - 3600
	var section any
	if len(sections) > 0 && kind != "page" {
		section = sections[rng.IntN(len(sections))]
	}
	g.entries = append(g.entries, []any{id, kind, langs[0], section, false, published, published})
	for _, lang := range langs {
		*translationID++
		words := genWords[lang]
		if words == nil {
			words = genWords["en"]
		}
		title := sentence(rng, words, 5+rng.IntN(4))
		slug := fmt.Sprintf("%s-%d", slugWords(title, 4), id)
		summary := sentence(rng, words, 16+rng.IntN(10)) + "."
		var body strings.Builder
		body.WriteString("## " + sentence(rng, words, 3) + "\n\n")
		for p := 0; p < 3; p++ {
			for s := 0; s < 3; s++ {
				body.WriteString(sentence(rng, words, 8+rng.IntN(8)) + ". ")
			}
			body.WriteString("\n\n")
		}
		g.translations = append(g.translations, []any{*translationID, id, lang, title, strings.ToLower(title), slug, summary, body.String(),
			"published", published, 1, 1, published, published, kind, section})
		sectionID, _ := section.(int64)
		g.docs = append(g.docs, search.Doc{TranslationID: *translationID, Lang: lang, Kind: content.Kind(kind), SectionID: sectionID,
			Status: content.Published, PublishAt: published, Title: title, Summary: summary, Body: body.String()})
	}
	if kind == "event" {
		g.events = append(g.events, []any{id, published + 14*24*3600, "Europe/London", 90, "online", ""})
	}
	if len(tags) > 0 {
		seen := map[int64]bool{}
		for t := rng.IntN(4); t > 0; t-- {
			tag := tags[rng.IntN(len(tags))]
			if !seen[tag] {
				seen[tag] = true
				g.entryTags = append(g.entryTags, []any{id, tag})
			}
		}
	}
}

func (g *genBatch) write(ctx context.Context, tx *db.Tx) error {
	for _, t := range []struct {
		head string
		rows [][]any
	}{
		{`INSERT INTO entries (id, kind, source_lang, section_id, featured, created_at, updated_at) VALUES `, g.entries},
		// With the listing copies of migration 0017 given, SQLite's
		// trigger need not write each row twice.
		{`INSERT INTO translations (id, entry_id, lang, title, title_lower, slug, summary, body, status, publish_at, revision, source_revision, created_at, updated_at,
			entry_kind, entry_section_id) VALUES `, g.translations},
		{`INSERT INTO events (entry_id, starts_at, time_zone, duration_minutes, mode, venue) VALUES `, g.events},
		{`INSERT INTO entry_tags (entry_id, tag_id) VALUES `, g.entryTags},
	} {
		if len(t.rows) == 0 {
			continue
		}
		row := "(" + db.Marks(len(t.rows[0])) + ")"
		args := make([]any, 0, len(t.rows)*len(t.rows[0]))
		for _, r := range t.rows {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, t.head+row+strings.Repeat(", "+row, len(t.rows)-1), args...); err != nil {
			return err
		}
	}
	return search.AddAnalysed(ctx, tx, g.analysed)
}

func sentence(rng *rand.Rand, words []string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[rng.IntN(len(words))]
	}
	s := strings.Join(parts, " ")
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// slugWords makes the first words of a title into a slug prefix.
func slugWords(title string, n int) string {
	f := strings.Fields(strings.ToLower(title))
	return strings.Join(f[:min(n, len(f))], "-")
}

// genWords are the words generated text is made of, so that search has
// real, inflected words in each language to find.
var genWords = map[string][]string{
	"en": strings.Fields(`peer network health rights drugs harm reduction naloxone outreach community workers
		services funding policy people report guide prison treatment hepatitis testing support women youth
		stigma police law reform evidence campaign statement members region country city clinic needle
		syringe programme access care dignity safety voice leadership monitoring data change justice webinar`),
	"ru": strings.Fields(`сеть равных здоровье права наркотики наркотиков снижение вреда налоксон аутрич сообщество
		сообщества работники услуги финансирование политика люди доклад руководство тюрьма лечение гепатит
		тестирование поддержка женщины молодёжь стигма полиция закон реформа данные кампания заявление
		участники регион страна город клиника шприцы программа доступ помощь достоинство безопасность голос`),
	"fr": strings.Fields(`pairs réseau santé droits drogues drogue réduction risques naloxone proximité communauté
		travailleurs services financement politique personnes rapport guide prison traitement hépatite
		dépistage soutien femmes jeunes stigmatisation police loi réforme données campagne déclaration
		membres région pays ville clinique seringues programme accès soins dignité sécurité voix`),
	"es": strings.Fields(`pares red salud derechos drogas droga reducción daños naloxona comunidad trabajadores
		servicios financiación política personas informe guía prisión tratamiento hepatitis pruebas apoyo
		mujeres jóvenes estigma policía ley reforma datos campaña declaración miembros región país ciudad
		clínica jeringas programa acceso cuidado dignidad seguridad voz`),
}
