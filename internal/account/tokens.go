package account

import (
	"errors"
	"net/http"
	"strconv"

	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/web"
)

// tokensPage lists the signed-in user's personal API tokens.
type tokensPage struct {
	web.Page
	Tokens []auth.APIToken
	// Secret is a token just made: shown this once, never again.
	Secret string
	Name   string
	Error  string // message key about the name
}

func (h *Handlers) tokensPage(r *http.Request) (tokensPage, error) {
	p := tokensPage{Page: h.page(r, "account.tokens")}
	var err error
	p.Tokens, err = h.users.APITokens(r.Context(), p.User.ID)
	return p, err
}

// Tokens serves GET /admin/tokens: every user manages their own tokens,
// which act with that user's rights.
func (h *Handlers) Tokens(w http.ResponseWriter, r *http.Request) error {
	p, err := h.tokensPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("revoked") != "" {
		p.Flash = p.L.T("account.token_revoked")
	}
	return h.rd.Render(w, http.StatusOK, h.tmpl["tokens"], p)
}

// CreateToken serves POST /admin/tokens. The answer shows the token, so
// it is a page and not a redirect (the token must not sit in an address
// or the history), and no cache keeps it.
func (h *Handlers) CreateToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := auth.UserFrom(r.Context())
	name := r.PostFormValue("name")
	_, secret, err := h.users.CreateAPIToken(r.Context(), u.ID, name)
	p, perr := h.tokensPage(r)
	if perr != nil {
		return perr
	}
	w.Header().Set("Cache-Control", "no-store")
	if errors.Is(err, auth.ErrTokenName) {
		p.Name, p.Error = name, "account.token_name_invalid"
		p.Flash = p.L.T("form.has_errors")
		return h.rd.Render(w, http.StatusUnprocessableEntity, h.tmpl["tokens"], p)
	}
	if err != nil {
		return err
	}
	p.Secret = secret
	return h.rd.Render(w, http.StatusOK, h.tmpl["tokens"], p)
}

// RevokeToken serves POST /admin/tokens/{id}/delete.
func (h *Handlers) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := auth.UserFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return web.NotFound()
	}
	if err := h.users.RevokeAPIToken(r.Context(), u.ID, id); errors.Is(err, db.ErrNotFound) {
		return web.NotFound()
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/tokens?revoked=1", http.StatusSeeOther)
	return nil
}
