package letter

import (
	"errors"
	"net/http"
	"strconv"

	"peerpress/internal/db"
	"peerpress/internal/web"
)

// orgLink is an approved organisation signature as the form that links
// it to the directory shows it.
type orgLink struct {
	ID             int64
	Name           string
	OrganisationID int64 // 0: not linked (its name and country may match)
}

// orgChoice is an organisation of the directory in that form's list.
type orgChoice struct {
	ID   int64
	Name string
}

// fillOrgLinks adds to the moderators' page the approved organisation
// signatures with the directory entry each is linked to, and the
// directory to choose from.
func (h *Handlers) fillOrgLinks(r *http.Request, p *adminPage) error {
	links, err := h.store.organisationLinks(r.Context(), p.Entry.ID)
	if err != nil {
		return err
	}
	for _, row := range p.Rows {
		if row.Kind == Organisation && row.Status == Approved && !row.Locked {
			p.OrgLinks = append(p.OrgLinks, orgLink{ID: row.ID, Name: row.Name, OrganisationID: links[row.ID]})
		}
	}
	if len(p.OrgLinks) == 0 || h.entries == nil {
		return nil
	}
	orgs, err := h.entries.Organisations(r.Context())
	if err != nil {
		return err
	}
	for _, o := range orgs {
		p.Directory = append(p.Directory, orgChoice{ID: o.ID, Name: o.Name})
	}
	return nil
}

// linkOrganisation serves POST /admin/entries/{id}/signatures/organisation:
// a moderator links an organisation's signature to its entry in the
// directory (organisation 0 unlinks it), where the name it signed with is
// not the directory's; the organisation's page then lists the letter.
func (h *Handlers) linkOrganisation(w http.ResponseWriter, r *http.Request) error {
	e, _, err := h.staffEntry(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return web.BadRequest("form.unreadable")
	}
	sig, err := strconv.ParseInt(r.PostForm.Get("signature"), 10, 64)
	if err != nil || sig <= 0 {
		return web.BadRequest("form.invalid_choice")
	}
	org, err := strconv.ParseInt(r.PostForm.Get("organisation"), 10, 64)
	if err != nil || org < 0 {
		return web.BadRequest("form.invalid_choice")
	}
	if org != 0 {
		found := false
		orgs, err := h.entries.Organisations(r.Context())
		if err != nil {
			return err
		}
		for _, o := range orgs {
			found = found || o.ID == org
		}
		if !found {
			return web.BadRequest("form.invalid_choice")
		}
	}
	if err := h.store.LinkOrganisation(r.Context(), e.ID, sig, org); errors.Is(err, db.ErrNotFound) {
		return web.BadRequest("form.invalid_choice")
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, h.back(e.ID, r.PostForm.Get("status"), "linked"), http.StatusSeeOther)
	return nil
}
