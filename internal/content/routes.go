package content

import (
	"net/http"

	"peerpress/internal/auth"
	"peerpress/internal/web"
)

// Routes declares the public site's pages: the home page, each kind's
// archive and entries, sections, tags, sharing images, and the catch-all
// that redirects old addresses. Every one is the same for every visitor.
func (p *Public) Routes(rs *web.Routes) {
	rs.Page("GET ", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/"+web.Lang(r)+"/", http.StatusMovedPermanently) // #nosec G710 -- a path of this site: the request's language, which the route table checked
		return nil
	}, web.Cache)
	rs.Page("GET /{$}", p.Home, web.Cache)
	for _, k := range Kinds() {
		if k == Page {
			continue
		}
		base := "/" + k.Segment()
		rs.Page("GET "+base, p.KindArchive(k), web.Cache)
		rs.Page("GET "+base+"/page/{n}", p.KindArchive(k), web.Cache)
		rs.Page("GET "+base+"/{slug}", p.Entry(k), web.Cache)
	}
	rs.Page("GET /section/{slug}", p.SectionArchive, web.Cache)
	rs.Page("GET /section/{slug}/page/{n}", p.SectionArchive, web.Cache)
	rs.Page("GET /tag/{slug}", p.TagArchive, web.Cache)
	rs.Page("GET /tag/{slug}/page/{n}", p.TagArchive, web.Cache)
	rs.Page("GET /{slug}", p.Entry(Page), web.Cache)
	rs.Page("GET /share/site.png", p.SiteShareImage, web.Cache)
	rs.Page("GET /share/{kind}/{file}", p.ShareImage, web.Cache)        // {slug}.png
	rs.Page("GET /share/{kind}/{slug}/{network}", p.ShareTo, web.Cache) // a campaign's share links
	// Anything else: an old address that moved (301), was deleted (410),
	// or 404; in a language and outside one.
	rs.Page("GET /", p.fallback, web.Cache)
	rs.Site("GET /", p.fallback, web.Cache)
}

// Routes declares the editor's pages. Who may open an entry is decided
// per entry (authors edit their own); the table asks for the capability
// every handler of a route needs at least.
func (a *Admin) Routes(rs *web.Routes) {
	rs.Admin("GET /admin/entries", a.List)
	rs.Admin("GET /admin/entries/new", a.New, web.Need(auth.Write))
	rs.Admin("POST /admin/entries", a.Save, web.Need(auth.Write), web.Body(DocumentUploadLimit))
	rs.Admin("POST /admin/entries/uploads", a.Upload, web.Need(auth.Write), web.Body(DocumentUploadLimit))
	rs.Admin("POST /admin/entries/preview", a.Preview, web.Need(auth.Write))
	rs.Admin("POST /admin/markup/paste", a.Paste, web.Body(pasteLimit))
	rs.Admin("GET /admin/entries/{id}", a.Edit)
	rs.Admin("POST /admin/entries/{id}", a.Save, web.Need(auth.Write), web.Body(ImageUploadLimit))
	rs.Admin("POST /admin/entries/{id}/uploads", a.Upload, web.Need(auth.Write), web.Body(ImageUploadLimit))
	rs.Admin("POST /admin/entries/{id}/preview", a.Preview, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/delete", a.ConfirmDelete, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/delete", a.Delete, web.Need(auth.Write))
	rs.Admin("POST /admin/entries/{id}/image", a.UploadImage, web.Need(auth.Write), web.Body(ImageUploadLimit))
	rs.Admin("POST /admin/entries/{id}/attachments", a.UploadAttachment, web.Need(auth.Write), web.Body(DocumentUploadLimit))
	rs.Admin("POST /admin/entries/{id}/attachments/{aid}/delete", a.DeleteAttachment, web.Need(auth.Write))
	rs.Admin("GET /admin/entries/{id}/translations/{lang}", a.EditTranslation)
	rs.Admin("POST /admin/entries/{id}/translations/{lang}", a.SaveTranslation)
	rs.Admin("POST /admin/entries/{id}/translations/{lang}/preview", a.PreviewTranslation)
	rs.Admin("GET /admin/entries/{id}/translations/{lang}/revisions", a.Revisions)
	rs.Admin("GET /admin/entries/{id}/translations/{lang}/revisions/{rev}", a.Revision)
	rs.Admin("POST /admin/entries/{id}/translations/{lang}/revisions/{rev}/restore", a.RestoreRevision)
	// Organisations are managed in the directory (internal/directory).
	for _, what := range []string{"sections", "tags"} {
		rs.Admin("GET /admin/"+what, a.Taxonomy(what), web.Need(auth.ManageTaxonomy))
		rs.Admin("POST /admin/"+what, a.SaveTaxonomy(what), web.Need(auth.ManageTaxonomy))
	}
	rs.Admin("GET /admin/translations", a.TranslationsTodo)
}

// Body limits of the editor's uploads: featured images may be large,
// attached documents larger still (media.DefaultDocLimits, and room for
// the form around the file).
const (
	ImageUploadLimit    = 32 << 20
	DocumentUploadLimit = 52 << 20
)
