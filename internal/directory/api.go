package directory

import (
	"context"
	"net/url"

	"peerpress/internal/api"
)

// APIOrganisations lists the organisations the filters select, by name,
// with their words in lang (api.Directory). The filters are the public
// directory's; a bad value is the API's 400.
func (s *Store) APIOrganisations(ctx context.Context, filters url.Values, lang string) ([]api.Organisation, error) {
	f, err := readFilter(filters)
	if err != nil {
		return nil, &api.Error{Status: 400, Code: "invalid_filter",
			Message: "Each filter takes one value: region an M49 code of the directory's regions (such as 419), country an ISO 3166 code (such as KE), type, membership or language one of the directory's."}
	}
	out := []api.Organisation{}
	for n := 1; ; n++ {
		page, err := s.List(ctx, f, lang, n)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, 0, len(page.Organisations))
		for _, o := range page.Organisations {
			ids = append(ids, o.ID)
		}
		roles, err := s.focalRoles(ctx, ids, lang)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Organisations {
			o.Texts[lang] = Text{Description: o.Texts[lang].Description, FocalRoles: roles[o.ID]}
			item := api.Organisation{ID: o.ID, Slug: o.Slug, Name: o.Name, ShortName: o.ShortName, Type: o.Type, Membership: o.Membership,
				Relation: relation(o.Membership), Website: o.Website, Country: o.Country, Languages: o.Languages, YearJoined: o.YearJoined,
				Description: o.Texts[lang].Description, FocalRoles: o.Roles(lang), URL: "/" + lang + "/directory/" + o.Slug}
			if item.Languages == nil {
				item.Languages = []string{}
			}
			if item.FocalRoles == nil {
				item.FocalRoles = []string{}
			}
			if o.ContactAgreed {
				item.Contact = o.Contact
			}
			if r := o.Region(); r != nil {
				item.Region = r.Code
			}
			out = append(out, item)
		}
		if n >= page.Pages {
			return out, nil
		}
	}
}
