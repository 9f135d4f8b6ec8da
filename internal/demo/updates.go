package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/updates"
)

// demoUpdate is a members' update of the demo, in its languages.
type demoUpdate struct {
	slug    string
	daysAgo int // published then; -1: a draft
	period  int // days before it that its list is filled from
	title   map[string]string
	summary map[string]string
	body    map[string]string
	slugIn  map[string]string
}

// The demo's updates: two sent in the past, in three languages, and a
// draft ready to preview. Invented for the demo.
var demoUpdates = []demoUpdate{
	{slug: "members-update-spring", daysAgo: 75, period: 60,
		title: map[string]string{"en": "Members' update: spring", "es": "Boletín para miembros: primavera", "fr": "Lettre aux membres : printemps"},
		summary: map[string]string{"en": "Two new member groups, a naloxone guide and what comes next.",
			"es": "Dos grupos nuevos, una guía sobre naloxona y lo que viene.",
			"fr": "Deux nouveaux groupes membres, un guide sur la naloxone et la suite."},
		body: map[string]string{
			"en": "Dear members,\n\nThis season two peer groups joined the network, and our working group on overdose finished its pocket guide. Below is what we published since the last update. Write to us with news from your city: the next update is yours too.",
			"es": "Queridos miembros:\n\nEsta temporada se unieron a la red dos grupos de pares, y nuestro grupo de trabajo sobre sobredosis terminó su guía de bolsillo. Abajo está lo que publicamos desde el último boletín. Escríbannos con noticias de su ciudad: el próximo boletín también es suyo.",
			"fr": "Chers membres,\n\nCette saison, deux groupes de pairs ont rejoint le réseau, et notre groupe de travail sur les surdoses a terminé son guide de poche. Voici ce que nous avons publié depuis la dernière lettre. Écrivez-nous avec les nouvelles de votre ville : la prochaine lettre est aussi la vôtre."},
		slugIn: map[string]string{"es": "boletin-miembros-primavera", "fr": "lettre-membres-printemps"}},
	{slug: "members-update-autumn", daysAgo: 15, period: 60,
		title: map[string]string{"en": "Members' update: autumn", "es": "Boletín para miembros: otoño", "fr": "Lettre aux membres : automne"},
		summary: map[string]string{"en": "Webinars, a joint statement and a call for films.",
			"es": "Seminarios web, una declaración conjunta y una convocatoria de películas.",
			"fr": "Webinaires, une déclaration commune et un appel à films."},
		body: map[string]string{
			"en": "Dear members,\n\nAutumn was busy: three webinars with interpretation, a joint statement signed by partners in many countries, and the opening of our video call. Thank you to everyone who spoke, translated and shared.",
			"es": "Queridos miembros:\n\nEl otoño fue intenso: tres seminarios web con interpretación, una declaración conjunta firmada por socios de muchos países y la apertura de nuestra convocatoria de vídeo. Gracias a quienes hablaron, tradujeron y compartieron.",
			"fr": "Chers membres,\n\nL’automne a été chargé : trois webinaires avec interprétation, une déclaration commune signée par des partenaires de nombreux pays et l’ouverture de notre appel vidéo. Merci à toutes celles et ceux qui ont parlé, traduit et partagé."},
		slugIn: map[string]string{"es": "boletin-miembros-otono", "fr": "lettre-membres-automne"}},
	{slug: "members-update-winter", daysAgo: -1, period: 14,
		title:   map[string]string{"en": "Members' update: winter (draft)"},
		summary: map[string]string{"en": "What the network did in the last two weeks."},
		body:    map[string]string{"en": "Dear members,\n\nA short update before the end of the year. Preview it, send a test to yourself, publish it and send it: with no SMTP server it lands in the outbox."}},
}

// fillUpdates writes the demo's members' updates, each listing what was
// published in the weeks before it, and enqueues its subscribers.
func fillUpdates(ctx context.Context, d *db.DB, store *content.Store, authorID int64, langs []string, now time.Time) error {
	if err := updates.Register(); err != nil {
		return err
	}
	for _, u := range demoUpdates {
		src := "en"
		if !slices.Contains(langs, src) {
			src = langs[0]
			if _, ok := u.title[src]; !ok {
				continue
			}
		}
		at := now.AddDate(0, 0, -max(u.daysAgo, 0))
		status := content.Published
		if u.daysAgo < 0 {
			status = content.Draft
		}
		ext := updates.Ext(updates.Update{From: at.AddDate(0, 0, -u.period), To: at})
		id, err := store.SaveEntry(ctx, 0, content.EntryInput{Kind: updates.Kind, Ext: ext}, content.TranslationInput{Lang: src,
			Title: u.title[src], Slug: u.slugFor(src), Summary: u.summary[src], Body: u.body[src], Status: status, PublishAt: at}, authorID)
		if err != nil {
			return fmt.Errorf("demo: update %s: %w", u.slug, err)
		}
		for lang, title := range u.title {
			if lang == src || !slices.Contains(langs, lang) {
				continue
			}
			if _, err := store.SaveTranslation(ctx, id, content.TranslationInput{Lang: lang, Title: title, Slug: u.slugFor(lang),
				Summary: u.summary[lang], Body: u.body[lang], Status: status, PublishAt: at}, authorID); err != nil {
				return fmt.Errorf("demo: update %s in %s: %w", u.slug, lang, err)
			}
		}
	}
	return d.InTx(ctx, func(tx *db.Tx) error { return updates.EnqueueSeed(ctx, tx, demoSubscribers(langs, 300)) })
}

func (u demoUpdate) slugFor(lang string) string {
	if s, ok := u.slugIn[lang]; ok {
		return s
	}
	return u.slug
}

// demoSubscribers is an import CSV of n invented members in the demo's
// languages, some with a second language, topics or plain text.
func demoSubscribers(langs []string, n int) string {
	var b strings.Builder
	b.WriteString("email,language,second_language,topics,text_only,consent_date,consent_source\n")
	sources := []string{"regional meeting sign-up sheet", "old website form", "webinar registration"}
	topics := []string{"", "event", "publication statement", "", "article event call"}
	for i := range n {
		lang := langs[i%len(langs)]
		second := ""
		if i%4 == 1 && len(langs) > 1 {
			second = langs[(i+1)%len(langs)]
		}
		textOnly := "no"
		if i%7 == 0 {
			textOnly = "yes"
		}
		fmt.Fprintf(&b, "member-%03d@example.org,%s,%s,%s,%s,2025-%02d-%02d,%s\n", i+1, lang, second, topics[i%len(topics)], textOnly,
			1+i%12, 1+i%28, sources[i%len(sources)])
	}
	return b.String()
}
