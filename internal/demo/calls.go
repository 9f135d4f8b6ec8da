package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"peerpress/internal/calls"
	"peerpress/internal/content"
)

// DemoCallSlug is the demo's open video call, in English.
const DemoCallSlug = "video-call-stories-of-care"

// demoCall is the demo's open call: short films by community activists
// and film-makers, closing four weeks from now at 23:59:59 in Paris.
func demoCall(now time.Time) calls.Call {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC
	}
	day := now.In(paris).AddDate(0, 0, 28)
	closes := time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, paris)
	return calls.Call{
		OpensAt: now.Add(-7 * 24 * time.Hour).Truncate(time.Second), ClosesAt: closes, TimeZone: "Europe/Paris",
		GraceMinutes: 60, FileTypes: []string{"mp4", "mov", "webm"}, MaxFileMB: 2048, MaxVideoMinutes: 30,
		OnePerEmail: true, WorkLanguages: []string{"en"}, RetentionDays: 90,
		Texts: map[string]calls.Texts{
			"en": {Eligibility: "Open to community activists and film-makers in any country. Original work only, in English or with English subtitles, of up to 30 minutes.",
				Consent: "I agree that the network keeps my application until 90 days after the call closes, and that the review board watches my film."},
			"fr": {Eligibility: "Ouvert aux militant·es communautaires et aux cinéastes de tous les pays. Œuvres originales, en anglais ou sous-titrées en anglais, de 30 minutes au plus.",
				Consent: "J’accepte que le réseau conserve ma candidature jusqu’à 90 jours après la clôture, et que le jury regarde mon film."},
			"es": {Eligibility: "Abierta a activistas comunitarios y cineastas de cualquier país. Obras originales, en inglés o con subtítulos en inglés, de hasta 30 minutos.",
				Consent: "Acepto que la red conserve mi solicitud hasta 90 días después del cierre y que el jurado vea mi película."},
			"ru": {Eligibility: "Для активистов сообществ и кинематографистов из любой страны. Только оригинальные работы на английском или с английскими субтитрами, до 30 минут.",
				Consent: "Я согласен(на), что сеть хранит мою заявку до 90 дней после закрытия конкурса и что жюри смотрит мой фильм."},
		},
		Form: []calls.FormField{
			{Key: "name", Type: calls.ShortText, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Your name or your group’s"}, "fr": {Label: "Votre nom ou celui de votre groupe"}, "es": {Label: "Su nombre o el de su grupo"}, "ru": {Label: "Ваше имя или название группы"}}},
			{Key: "country", Type: calls.Country, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Country"}, "fr": {Label: "Pays"}, "es": {Label: "País"}, "ru": {Label: "Страна"}}},
			{Key: "role", Type: calls.Choice, Wordings: map[string]calls.Wording{
				"en": {Label: "You are", Options: []string{"A community activist", "A film-maker", "Both"}},
				"fr": {Label: "Vous êtes", Options: []string{"Militant·e communautaire", "Cinéaste", "Les deux"}},
				"es": {Label: "Usted es", Options: []string{"Activista comunitario", "Cineasta", "Ambos"}},
				"ru": {Label: "Вы", Options: []string{"Активист(ка) сообщества", "Кинематографист", "И то, и другое"}}}},
			{Key: "about", Type: calls.LongText, Wordings: map[string]calls.Wording{"en": {Label: "About your film (a few lines)"}, "fr": {Label: "À propos de votre film (quelques lignes)"}, "es": {Label: "Sobre su película (unas líneas)"}, "ru": {Label: "О вашем фильме (несколько строк)"}}},
			{Key: "film", Type: calls.File, Required: true, Wordings: map[string]calls.Wording{"en": {Label: "Your film"}, "fr": {Label: "Votre film"}, "es": {Label: "Su película"}, "ru": {Label: "Ваш фильм"}}},
		},
		Criteria: []calls.Criterion{
			{Key: "message", Weight: 2, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Power of the message", Guidance: "Does the film move you to act?"}}},
			{Key: "quality", Weight: 1, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Quality of the video", Guidance: "Sound, image and editing, for the means at hand."}}},
			{Key: "creativity", Weight: 1, Scale: 5, Wordings: map[string]calls.CriterionWording{"en": {Name: "Creativity of the production", Guidance: "A fresh way of telling."}}},
		},
	}
}

// fillCalls saves the demo's open call, in the languages it is written in
// that the site has.
func fillCalls(ctx context.Context, store *content.Store, authorID int64, langs []string, now time.Time) error {
	if err := calls.Register(); err != nil {
		return err
	}
	c := demoCall(now)
	for lang := range c.Texts {
		if !slices.Contains(langs, lang) {
			delete(c.Texts, lang)
		}
	}
	for i := range c.Form {
		for lang := range c.Form[i].Wordings {
			if !slices.Contains(langs, lang) {
				delete(c.Form[i].Wordings, lang)
			}
		}
	}
	published := now.Add(-7 * 24 * time.Hour)
	translations := []content.TranslationInput{
		{Lang: "en", Title: "Video call: stories of care", Slug: DemoCallSlug,
			Summary: "Send us a short film about care in our communities, by 23:59 Paris time on the deadline.",
			Body:    "We are looking for short films, made on a phone or a camera, that show how our communities take care of each other.\n\nA board of five reviewers from the network watches every film and scores it on the power of its message, the quality of the video and the creativity of its production."},
		{Lang: "fr", Title: "Appel vidéo : histoires de soin", Slug: "appel-video-histoires-de-soin",
			Summary: "Envoyez-nous un court film sur le soin dans nos communautés, avant 23 h 59, heure de Paris, à la date limite.",
			Body:    "Nous cherchons de courts films, tournés au téléphone ou à la caméra, qui montrent comment nos communautés prennent soin les unes des autres."},
		{Lang: "es", Title: "Convocatoria de vídeo: historias de cuidado", Slug: "convocatoria-video-historias-de-cuidado",
			Summary: "Envíenos un cortometraje sobre el cuidado en nuestras comunidades, antes de las 23:59, hora de París, de la fecha límite.",
			Body:    "Buscamos cortometrajes, grabados con un teléfono o una cámara, que muestren cómo nuestras comunidades se cuidan entre sí."},
		{Lang: "ru", Title: "Видеоконкурс: истории заботы", Slug: "videokonkurs-istorii-zaboty",
			Summary: "Пришлите короткий фильм о заботе в наших сообществах до 23:59 по парижскому времени в последний день.",
			Body:    "Мы ищем короткие фильмы, снятые на телефон или камеру, о том, как наши сообщества заботятся друг о друге."},
	}
	_, err := saveCall(ctx, store, c, translations, langs, published, authorID, "call")
	return err
}

// saveCall saves the call c with its translations, the first as the
// source, the others when their language is enabled, all published at
// publishAt; it returns the entry's id.
func saveCall(ctx context.Context, store *content.Store, c calls.Call, translations []content.TranslationInput, langs []string,
	publishAt time.Time, authorID int64, label string) (int64, error) {
	var id int64
	for i, tr := range translations {
		if i > 0 && !slices.Contains(langs, tr.Lang) {
			continue
		}
		tr.Status, tr.PublishAt = content.Published, publishAt
		var err error
		if i == 0 {
			id, err = store.SaveEntry(ctx, 0, content.EntryInput{Kind: calls.Kind, Ext: calls.Ext(c)}, tr, authorID)
		} else {
			_, err = store.SaveTranslation(ctx, id, tr, authorID)
		}
		if err != nil {
			return 0, fmt.Errorf("demo: %s (%s): %w", label, tr.Lang, err)
		}
	}
	return id, nil
}
