package api

import (
	"context"
	"net/http"
	"net/url"
)

// Directory lists organisations with their directory profiles (the
// directory package).
type Directory interface {
	// APIOrganisations lists, by name, the organisations that filters
	// (region, country, type, membership, language) select, with their
	// words in lang. A filter's bad value is an *Error.
	APIOrganisations(ctx context.Context, filters url.Values, lang string) ([]Organisation, error)
}

// Organisation is an organisation of the network's directory. Relation
// (member or partner) is what earlier versions gave; Membership says more.
type Organisation struct {
	ID          int64    `json:"id"`
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	ShortName   string   `json:"short_name,omitempty"`
	Type        string   `json:"type"`
	Membership  string   `json:"membership"`
	Relation    string   `json:"relation"`
	Website     string   `json:"website,omitempty"`
	Country     string   `json:"country,omitempty"`
	Region      string   `json:"region,omitempty"` // UN M49 sub-region
	Languages   []string `json:"languages"`
	Contact     string   `json:"contact,omitempty"` // only where the organisation agreed
	YearJoined  int      `json:"year_joined,omitempty"`
	Description string   `json:"description,omitempty"`
	FocalRoles  []string `json:"focal_roles"`
	URL         string   `json:"url"`
}

// listOrganisations serves GET /api/v1/organisations: the directory's
// organisations, filtered as its pages are.
func (a *API) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	lang, err := a.langParam(r)
	if err != nil {
		return err
	}
	out := []Organisation{}
	if a.directory != nil {
		if out, err = a.directory.APIOrganisations(r.Context(), r.URL.Query(), lang); err != nil {
			return err
		}
	}
	for i := range out {
		out[i].URL = a.origin(r) + out[i].URL
	}
	return writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
}
