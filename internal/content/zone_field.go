package content

import "peerpress/internal/i18n"

// ZoneSuggestions are a time-zone field's suggestions: each IANA zone
// with its city and country, in the editor's language, so that "London"
// finds Europe/London. Every extension that asks for a zone (an event's,
// a call's deadline) offers the same picker.
func ZoneSuggestions(lang string) []Suggestion {
	zones := i18n.Zones()
	out := make([]Suggestion, 0, len(zones))
	for _, z := range zones {
		out = append(out, Suggestion{Value: z.ID, Label: i18n.ZoneLabel(z, lang)})
	}
	return out
}
