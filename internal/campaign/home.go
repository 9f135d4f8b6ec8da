package campaign

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"peerpress/internal/content"
	"peerpress/internal/db"
	"peerpress/internal/i18n"
)

// HomeBlock puts the newest featured campaign at the top of the home page
// (content.HomeBlock); none featured, nothing.
func (h *Handlers) HomeBlock(r *http.Request, lang string) (content.HomePart, error) {
	item, err := h.entries.Featured(r.Context(), lang, content.Campaign)
	if errors.Is(err, db.ErrNotFound) {
		return content.HomePart{}, nil
	}
	if err != nil {
		return content.HomePart{}, err
	}
	data := struct {
		L    *i18n.Localizer
		Item content.Item
	}{h.rd.I18n().Localizer(lang), item}
	var buf bytes.Buffer
	if err := h.tmpl["home"].Execute(&buf, data); err != nil {
		return content.HomePart{}, fmt.Errorf("campaign: home block: %w", err)
	}
	return content.HomePart{Lead: true, HTML: template.HTML(buf.String())}, nil // #nosec G203 -- output of html/template, escaped by it
}
