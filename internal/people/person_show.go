package people

import (
	"net/http"
	"strconv"

	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// personPage is the look-up form and, once an address is given, what the
// site holds about that person.
type personPage struct {
	web.Page
	Email   string // as typed, normalised when valid
	Error   string
	Shown   bool // a look-up was made
	Groups  []group
	Total   int
	Confirm bool                // asking whether to erase
	Counts  []participant.Count // what erasure would take, per holder
	// OrgKey: the site seals staff data to the organisation's key;
	// Unlocked: this session holds it.
	OrgKey, Unlocked bool
}

// group is one holder's records.
type group struct {
	Holder  string
	Records []participant.Record
}

func groups(recs []participant.Record) []group {
	var out []group
	for _, r := range recs {
		if len(out) == 0 || out[len(out)-1].Holder != r.Holder {
			out = append(out, group{Holder: r.Holder})
		}
		out[len(out)-1].Records = append(out[len(out)-1].Records, r)
	}
	return out
}

// Search serves GET /admin/people: the form, and what an erasure left.
func (h *Handlers) Search(w http.ResponseWriter, r *http.Request) error {
	p := h.personPage(r)
	if n, err := strconv.Atoi(r.URL.Query().Get("erased")); err == nil {
		p.Flash = p.L.N("people.erased", n)
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["person"], p)
}

// subject reads the form's email; on a bad one it renders the form again
// with a message and returns ok false.
func (h *Handlers) subject(w http.ResponseWriter, r *http.Request) (participant.Subject, personPage, bool, error) {
	p := h.personPage(r)
	if err := r.ParseForm(); err != nil {
		return participant.Subject{}, p, false, err
	}
	p.Email = r.PostForm.Get("email")
	who, err := h.reg.Subject(p.Email)
	if err != nil {
		p.Error = p.L.T("people.email_invalid")
		return who, p, false, h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["person"], p)
	}
	p.Email = who.Email()
	return who, p, true, nil
}

// Show serves POST /admin/people: everything every holder has about the
// address, opened, once the access is in the audit log. A POST, so that
// the address is in no URL, log or history.
func (h *Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	who, p, ok, err := h.subject(w, r)
	if !ok || err != nil {
		return err
	}
	found, err := h.reg.Disclose(r.Context(), u.ID, participant.ActionView, who)
	if err != nil {
		return err
	}
	p.Shown, p.Groups, p.Total = true, groups(found.Records), len(found.Records)
	return h.rd.Render(w, http.StatusOK, h.tmpl["person"], p)
}

func (h *Handlers) personPage(r *http.Request) personPage {
	return personPage{Page: h.page(r, "people.title"), OrgKey: h.reg.Vault.OrgRecipient() != "", Unlocked: participant.IsUnlocked(r.Context())}
}
