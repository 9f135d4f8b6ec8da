package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"peerpress/internal/calls"
	"peerpress/internal/content"
	"peerpress/internal/db"
)

// DemoClosedCallSlug is the demo's closed call, reviewed and awarded.
const DemoClosedCallSlug = "photo-and-film-call-harm-reduction-at-work"

// closedEntrants are the demo's applicants to the closed call: invented
// collectives and people, each with a film's title, a country and the
// two scores (message, quality, creativity) its two reviewers gave.
var closedEntrants = []struct {
	name, country, title string
	reviewers            [2]int
	scores               [2][3]int
}{
	{"Riverside Peer Outreach", "KE", "Night shift at the drop-in", [2]int{0, 1}, [2][3]int{{5, 4, 4}, {5, 3, 4}}},
	{"Ana Lucía M.", "MX", "The van on Tuesdays", [2]int{2, 0}, [2][3]int{{4, 5, 5}, {5, 4, 4}}},
	{"Kollektiv Nordlicht", "DE", "Clean kits, open doors", [2]int{1, 2}, [2][3]int{{4, 4, 3}, {4, 3, 3}}},
	{"Samir and friends", "MA", "Tea and testing", [2]int{0, 1}, [2][3]int{{3, 3, 4}, {4, 3, 3}}},
	{"Mekong Harm Reduction Youth", "VN", "Our corner", [2]int{2, 0}, [2][3]int{{5, 5, 4}, {4, 4, 5}}},
	{"Tamar K.", "GE", "Letters to my younger self", [2]int{1, 2}, [2][3]int{{3, 4, 2}, {3, 3, 3}}},
	{"Southern Cross Sex Worker Network", "AU", "Work is work", [2]int{0, 1}, [2][3]int{{4, 3, 4}, {4, 4, 4}}},
	{"Lagos Peer Voices", "NG", "Naloxone in my bag", [2]int{2, 0}, [2][3]int{{5, 4, 3}, {4, 4, 3}}},
	{"Marta V.", "PT", "Twenty years after decriminalisation", [2]int{1, 2}, [2][3]int{{2, 3, 3}, {3, 2, 2}}},
	{"Andes Care Circle", "PE", "Up the hill with supplies", [2]int{0, 1}, [2][3]int{{3, 2, 3}, {3, 3, 2}}},
	{"Dhaka Drop-in Team", "BD", "Counting who is missing", [2]int{2, 0}, [2][3]int{{4, 3, 5}, {3, 4, 4}}},
	{"Baltic Outreach Bus", "LT", "Stops", [2]int{1, 2}, [2][3]int{{2, 2, 3}, {2, 3, 2}}},
}

// closedDecisions are the board's decisions, by entrant: awards with
// what the winner agreed to publish (a winner who did not agree has no
// public name), the shortlist; the rest were declined.
var closedDecisions = map[int]calls.SeedApplication{
	4:  {Decision: calls.Award, Category: "Jury award", PublicName: "Mekong Harm Reduction Youth", PublicWork: "Our corner"},
	1:  {Decision: calls.Award, Category: "Community award", PublicName: "Ana Lucía M.", PublicWork: "The van on Tuesdays"},
	0:  {Decision: calls.Award, Category: "Outreach award"},
	10: {Decision: calls.Shortlist}, 6: {Decision: calls.Shortlist}, 7: {Decision: calls.Shortlist},
}

// fillClosedCall saves the demo's closed call, closed three weeks ago;
// SeedReviews gives it its board and applications.
func fillClosedCall(ctx context.Context, store *content.Store, authorID int64, langs []string, now time.Time) error {
	closes := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC).AddDate(0, 0, -21)
	c := calls.Call{OpensAt: closes.AddDate(0, -2, 0), ClosesAt: closes, TimeZone: "America/Mexico_City", GraceMinutes: 60,
		FileTypes: []string{"mp4", "webm"}, MaxFileMB: 500, MaxVideoMinutes: 10, OnePerEmail: true, RetentionDays: 180,
		Texts: map[string]calls.Texts{
			"en": {Eligibility: "Peer-led groups and their members, anywhere. A film of up to ten minutes about harm reduction as work.",
				Consent: "I agree that the network keeps my application until 180 days after the call closes."},
			"es": {Eligibility: "Grupos liderados por pares y sus miembros, en cualquier lugar. Una película de hasta diez minutos sobre la reducción de daños como trabajo.",
				Consent: "Acepto que la red conserve mi solicitud hasta 180 días después del cierre."},
		},
		Form: []calls.FormField{
			{Key: "name", Type: calls.ShortText, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Your name or your group’s"}, "es": {Label: "Su nombre o el de su grupo"}}},
			{Key: "country", Type: calls.Country, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Country"}, "es": {Label: "País"}}},
			{Key: "title", Type: calls.ShortText, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Title of the film"}, "es": {Label: "Título de la película"}}},
			{Key: "film", Type: calls.File, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Your film"}, "es": {Label: "Su película"}}},
		},
		Criteria: []calls.Criterion{
			{Key: "message", Weight: 2, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Strength of the message", Guidance: "Would it change a policymaker’s mind?"}, "es": {Name: "Fuerza del mensaje", Guidance: "¿Cambiaría la opinión de quien decide?"}}},
			{Key: "quality", Weight: 1, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Quality of the film", Guidance: "For the means at hand."}, "es": {Name: "Calidad de la película", Guidance: "Según los medios disponibles."}}},
			{Key: "creativity", Weight: 1, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Creativity", Guidance: "A way of telling we have not seen."}, "es": {Name: "Creatividad", Guidance: "Una forma de contar que no hemos visto."}}},
		},
	}
	for lang := range c.Texts {
		if !slices.Contains(langs, lang) {
			delete(c.Texts, lang)
		}
	}
	for _, list := range [][]calls.FormField{c.Form} {
		for i := range list {
			for lang := range list[i].Wordings {
				if !slices.Contains(langs, lang) {
					delete(list[i].Wordings, lang)
				}
			}
		}
	}
	translations := []content.TranslationInput{
		{Lang: "en", Title: "Photo and film call: harm reduction at work", Slug: DemoClosedCallSlug,
			Summary: "Closed. Twelve films came in; the board’s awards are published.",
			Body:    "Short films by peer-led groups showing harm reduction as the daily work it is. Three reviewers from the network scored every film blind."},
		{Lang: "es", Title: "Convocatoria de foto y cine: la reducción de daños en el trabajo", Slug: "convocatoria-reduccion-de-danos-en-el-trabajo",
			Summary: "Cerrada. Llegaron doce películas; los premios del jurado están publicados.",
			Body:    "Cortometrajes de grupos liderados por pares que muestran la reducción de daños como el trabajo diario que es."},
	}
	_, err := saveCall(ctx, store, c, translations, langs, closes.AddDate(0, -2, 0), authorID, "closed call")
	return err
}

// SeedReviews has the calls area store the demo's closed call's board of
// three reviewers, a dozen applications with tiny generated films, their
// scores and the board's decisions, once (calls.Seed: the applicants'
// data is sealed with the site's key, which the demo does not hold, and
// the films are kept in the area's files). `peerpress demo` asks for it
// after Load; a test site does not, so that its files are its own.
func SeedReviews(ctx context.Context, d *db.DB, langs []string) error {
	var id int64
	err := d.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND slug = ?`, DemoClosedCallSlug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a demo without the closed call
	}
	if err != nil {
		return fmt.Errorf("demo: closed call: %w", err)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM applications WHERE entry_id = ?) + (SELECT COUNT(*) FROM jobs WHERE kind = ?)`,
		id, calls.SeedKind).Scan(&n); err != nil {
		return fmt.Errorf("demo: closed call: %w", err)
	}
	if n > 0 {
		return nil // seeded, or on its way
	}
	seed := calls.Seed{EntryID: id, Board: calls.Board{Blind: true, ShowScores: true, PerSubmission: 2, IdentityDays: 60},
		Reviewers: []calls.SeedReviewer{{Email: "reviewer-amara@example.org", Name: "Amara (board)"},
			{Email: "reviewer-joao@example.org", Name: "João (board)"}, {Email: "reviewer-lena@example.org", Name: "Lena (board)"}}}
	for i, e := range closedEntrants {
		a := closedDecisions[i]
		a.Email, a.Lang, a.Video, a.Field = "entrant-"+strconv.Itoa(i+1)+"@example.org", "en", true, "film"
		if e.country == "MX" || e.country == "PE" {
			a.Lang = "es"
		}
		if !slices.Contains(langs, a.Lang) {
			a.Lang = "en"
		}
		a.Answers = map[string][]string{"name": {e.name}, "country": {e.country}, "title": {e.title}}
		a.Scores = make([]map[string]int, len(seed.Reviewers))
		for k, r := range e.reviewers {
			a.Scores[r] = map[string]int{"message": e.scores[k][0], "quality": e.scores[k][1], "creativity": e.scores[k][2]}
		}
		seed.Applications = append(seed.Applications, a)
	}
	return d.InTx(ctx, func(tx *db.Tx) error { return calls.EnqueueSeed(ctx, tx, seed) })
}
