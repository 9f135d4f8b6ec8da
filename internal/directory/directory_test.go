package directory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/mirror"
	"peerpress/internal/web/webtest"
)

// profileForm is a complete, valid organisation form.
func profileForm(csrf string, kv ...string) url.Values {
	f := url.Values{"csrf": {csrf}, "name": {"Quillwort Peer Alliance"}, "short_name": {"QPA"}, "type": {"national"},
		"membership": {"associate"}, "country": {"pe"}, "language": {"es", "en"}, "website": {"https://quillwort.example"},
		"contact": {"hola@quillwort.example"}, "contact_agreed": {"1"}, "year_joined": {"2016"},
		"description_en": {"Peers in the Andes running drop-in spaces."}, "focal_roles_en": {"Regional focal point for the Andes"},
		"description_es": {"Pares en los Andes con espacios de acogida."}, "focal_roles_es": {"Punto focal regional para los Andes"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// Staff create a profile, translate it and delete it; visitors find it in
// the directory, in search, and on its own page in their language.
func TestProfileLifecycle(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		admin, csrf := s.Admin()
		visitor := s.Client()

		// A contact address without the organisation's word is refused,
		// as is a country that does not exist; nothing is created.
		admin.Post("/admin/organisations", profileForm(csrf, "contact_agreed", "")).
			Must(t, http.StatusUnprocessableEntity, "Publish the address only if the organisation agreed", `value="Quillwort Peer Alliance"`)
		admin.Post("/admin/organisations", profileForm(csrf, "country", "QQ")).
			Must(t, http.StatusUnprocessableEntity, "Choose a country from the list.")
		admin.Post("/admin/organisations", profileForm(csrf, "year_joined", "3020")).
			Must(t, http.StatusUnprocessableEntity, "not in the future")
		visitor.Get("/en/directory/quillwort-peer-alliance").Must(t, http.StatusNotFound)

		admin.Post("/admin/organisations", profileForm(csrf)).Must(t, http.StatusSeeOther)
		admin.Get("/admin/organisations").Must(t, http.StatusOK, "Quillwort Peer Alliance", "Associate member", "<td>Peru</td>")

		visitor.Get("/en/directory/quillwort-peer-alliance").Must(t, http.StatusOK, "<h1>Quillwort Peer Alliance",
			"Peers in the Andes running drop-in spaces.", "Regional focal point for the Andes", "National network",
			"Latin America and the Caribbean", "since 2016", `href="mailto:hola@quillwort.example"`, "Spanish", "Nothing published with the network yet.")
		visitor.Get("/es/directory/quillwort-peer-alliance").Must(t, http.StatusOK, "Pares en los Andes con espacios de acogida.",
			"Punto focal regional para los Andes", "América Latina y el Caribe")

		// A translation added later shows in its language.
		id := orgID(t, admin, "Quillwort Peer Alliance")
		admin.Post("/admin/organisations", profileForm(csrf, "id", id, "description_fr", "Des pairs dans les Andes.")).Must(t, http.StatusSeeOther)
		visitor.Get("/fr/directory/quillwort-peer-alliance").Must(t, http.StatusOK, "Des pairs dans les Andes.", "Membre associé")

		// Staff name it as a co-author in the entry editor: its page lists
		// the entry, with what the co-authors did.
		e, err := s.App.Content.BySlug(context.Background(), "en", "joint-statement-health-and-dignity-not-punishment")
		if err != nil {
			t.Fatal(err)
		}
		src := e.Source()
		form := url.Values{"csrf": {csrf}, "action": {"save"}, "kind": {string(e.Kind)}, "title": {src.Title}, "slug": {src.Slug},
			"summary": {src.Summary}, "body": {src.Body}, "status": {string(src.Status)}, "section_id": {strconv.FormatInt(e.SectionID, 10)},
			"coauthor_role": {"cosigned_by"}, "org_id": {id}}
		for _, tag := range e.TagIDs {
			form.Add("tag_id", strconv.FormatInt(tag, 10))
		}
		admin.Post("/admin/entries/"+strconv.FormatInt(e.ID, 10), form).Must(t, http.StatusSeeOther)
		linked := visitor.Get("/en/directory/quillwort-peer-alliance")
		linked.Must(t, http.StatusOK, "Joint statement: health and dignity, not punishment", "Co-signed by")
		linked.MustNot(t, "Nothing published with the network yet.")
		visitor.Get("/en/statements/joint-statement-health-and-dignity-not-punishment").Must(t, http.StatusOK, "Quillwort Peer Alliance")

		// One named in the editor is a directory entry at once, and in
		// search after the directory's task has run.
		form.Set("new_org_name", "Marram Grass Collective")
		form.Set("new_org_country", "CL")
		admin.Post("/admin/entries/"+strconv.FormatInt(e.ID, 10), form).Must(t, http.StatusSeeOther)
		visitor.Get("/en/directory/marram-grass-collective").Must(t, http.StatusOK, "Chile", "Partner", "Joint statement: health and dignity")
		visitor.Get("/en/search?q=marram").MustNot(t, "Grass Collective")
		if err := s.App.Directory.IndexMissing(context.Background()); err != nil {
			t.Fatal(err)
		}
		visitor.Get("/en/search?q=marram").Must(t, http.StatusOK, "Grass Collective", "/en/directory/marram-grass-collective")

		// Without the organisation's agreement any more, the address goes.
		admin.Post("/admin/organisations", profileForm(csrf, "id", id, "contact", "", "contact_agreed", "")).Must(t, http.StatusSeeOther)
		visitor.Get("/en/directory/quillwort-peer-alliance").MustNot(t, "hola@quillwort.example")

		// Search finds it by name and by its description, labelled as an
		// organisation.
		visitor.Get("/en/search?q=quillwort&lang=en").Must(t, http.StatusOK, "<mark>Quillwort</mark> Peer Alliance", "Organisation", `/en/directory/quillwort-peer-alliance`)
		visitor.Get("/es/search?q=acogida").Must(t, http.StatusOK, "Quillwort Peer Alliance", `/es/directory/quillwort-peer-alliance`)

		// A logo goes through the media pipeline; what is no image, or too
		// large a one, is refused with a message and changes nothing.
		logo := "/admin/organisations/" + id + "/logo"
		admin.PostFile(logo, url.Values{"csrf": {csrf}}, "logo", "logo.txt", []byte("not an image at all")).
			Must(t, http.StatusUnprocessableEntity, "This type of file is not accepted.")
		admin.PostFile(logo, url.Values{"csrf": {csrf}}, "logo", "wide.png", pngBytes(t, 5000, 2)).
			Must(t, http.StatusUnprocessableEntity, "The logo is too large")
		visitor.Get("/en/directory/quillwort-peer-alliance").MustNot(t, `class="org-logo"`)
		admin.PostFile(logo, url.Values{"csrf": {csrf}}, "logo", "logo.png", pngBytes(t, 64, 32)).Must(t, http.StatusSeeOther)
		page := visitor.Get("/en/directory/quillwort-peer-alliance")
		page.Must(t, http.StatusOK, `<img src="/media/`, `class="org-logo"`)
		logoSrc := regexp.MustCompile(`<img src="(/media/[^"]+)"`).FindStringSubmatch(page.Body)[1]
		visitor.Get(logoSrc).Must(t, http.StatusOK)
		admin.Post(logo, url.Values{"csrf": {csrf}, "remove": {"1"}}).Must(t, http.StatusSeeOther)
		visitor.Get("/en/directory/quillwort-peer-alliance").MustNot(t, `class="org-logo"`)
		if r := visitor.Get(logoSrc); r.Status != http.StatusNotFound {
			t.Errorf("a removed logo answers %d, want 404", r.Status)
		}

		// Deleting asks first, then removes it from the directory and search.
		admin.Get("/admin/organisations/"+id+"/delete").Must(t, http.StatusOK, "Delete Quillwort Peer Alliance?", "(entries: 1)")
		admin.Post("/admin/organisations/"+id+"/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		visitor.Get("/en/directory/quillwort-peer-alliance").Must(t, http.StatusNotFound)
		visitor.Get("/en/search?q=quillwort").MustNot(t, "Peer Alliance")
		visitor.Get("/en/statements/joint-statement-health-and-dignity-not-punishment").MustNot(t, "Quillwort")
		admin.Post("/admin/organisations/"+id+"/delete", url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
	})
}

// pngBytes is a w×h PNG image.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: uint8(x), G: 90, B: 160, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// orgID finds an organisation's id in the staff list.
func orgID(t *testing.T, admin *webtest.Client, name string) string {
	t.Helper()
	body := admin.Get("/admin/organisations").Body
	i := strings.Index(body, ">"+name+"<")
	if i < 0 {
		t.Fatalf("%s is not in the staff list", name)
	}
	j := strings.LastIndex(body[:i], `href="/admin/organisations/`)
	if j < 0 {
		t.Fatal("no link to the organisation")
	}
	rest := body[j+len(`href="/admin/organisations/`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// The page of an organisation lists the entries it co-authored, with what
// the co-authors did; the existing co-authors became directory entries.
func TestOrganisationPageListsCoauthoredEntries(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		s.Client().Get("/en/directory/harbour-alliance").Must(t, http.StatusOK, "Harbour Harm Reduction Alliance",
			"Joint statement: health and dignity, not punishment", "Joint statement with", "Kenya")
		s.Client().Get("/en/directory").Must(t, http.StatusOK, `href="/en/directory/harbour-alliance"`)
		// Events where its people spoke, from the speakers' organisations.
		s.Client().Get("/en/directory/steppe-peer-network").Must(t, http.StatusOK, "Events where its people spoke", "Webinar: naloxone in the hands of peers")
		s.Client().Get("/en/directory/harbour-alliance").MustNot(t, "Events where its people spoke")

		// The directory and its pages are in the sitemap, for every language.
		var locs strings.Builder
		for _, part := range sitemapLoc.FindAllStringSubmatch(s.Client().Get("/sitemap.xml").Body, -1) {
			locs.WriteString(s.Client().Get(part[1]).Body)
		}
		for _, want := range []string{"/en/directory</loc>", "/fr/directory/harbour-alliance</loc>", "/ar/directory/lanternfish-global</loc>"} {
			if !strings.Contains(locs.String(), want) {
				t.Errorf("the sitemap lacks %s", want)
			}
		}
	})
}

var sitemapLoc = regexp.MustCompile(`<loc>https?://[^/<]+(/[^<]*)</loc>`)

// Filters narrow the list; values that are no filter's are refused with a
// message, never a 500 or a silently empty page.
func TestDirectoryFilters(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		c.Get("/en/directory?country=KE").Must(t, http.StatusOK, "Harbour Harm Reduction Alliance", `<option value="KE" selected>`)
		c.Get("/en/directory?country=ke").MustNot(t, "Coalition for Rights in Drug Policy")
		c.Get("/en/directory?region=419").Must(t, http.StatusOK, "Coalition for Rights in Drug Policy")
		c.Get("/en/directory?region=202").MustNot(t, "Coalition for Rights in Drug Policy")
		c.Get("/en/directory?region=202&type=partner&membership=partner").Must(t, http.StatusOK, "Harbour Harm Reduction Alliance")
		c.Get("/en/directory?membership=former&type=donor&language=km").Must(t, http.StatusOK, "No organisation matches these filters.")

		for _, bad := range []struct{ query, message string }{
			{"country=QQ", "There is no such country"},
			{"country=Kenya", "There is no such country"},
			{"region=999", "There is no such region"},
			{"type=cartel", "There is no such type"},
			{"membership=owner", "There is no such membership"},
			{"language=klingon", "does not list that language"},
			{"country=KE&country=CO", "Choose one value for each filter"},
			{"page=two", "whole number"},
		} {
			c.Get("/en/directory?"+bad.query).Must(t, http.StatusBadRequest, bad.message)
		}
		c.Get("/en/directory?page=999").Must(t, http.StatusNotFound)
	})
}

// The demo directory spans every region, in English and a second
// language, with focal points and co-authored entries.
func TestDemoDirectory(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		c.Get("/en/directory").Must(t, http.StatusOK, "41 organisations", `href="/en/directory/page/2"`)
		c.Get("/en/directory/page/3").Must(t, http.StatusOK, "41 organisations", `href="/en/directory/page/2"`)
		c.Get("/en/directory?type=national&page=2").Must(t, http.StatusNotFound)
		c.Get("/en/directory/page/1").Must(t, http.StatusNotFound)
		c.Get("/en/directory/page/4").Must(t, http.StatusNotFound)
		for _, region := range []string{"002", "019", "142", "150", "009"} {
			r := c.Get("/en/directory?region=" + region)
			r.Must(t, http.StatusOK, "Regional network")
			r.MustNot(t, "No organisation matches these filters.")
		}
		c.Get("/en/directory?type=donor").Must(t, http.StatusOK, "Open Hands Community Fund", "2 organisations")
		c.Get("/en/directory/andes-peer-network").Must(t, http.StatusOK, "Regional focal point for Latin America and the Caribbean", "Care Not Cells: end the criminalisation")
		c.Get("/es/directory/andes-peer-network").Must(t, http.StatusOK, "Punto focal regional para América Latina y el Caribe")
		c.Get("/hi/directory/monsoon-network").Must(t, http.StatusOK, "दक्षिणी एशिया के लिए क्षेत्रीय फ़ोकल पॉइंट")
	})
}

// The JSON API lists the directory with the same filters; a bad filter is
// a JSON 400, and an address is published only where it was agreed.
func TestOrganisationsAPI(t *testing.T) {
	apptest.Run(t, apptest.Options{}, func(t *testing.T, s *apptest.Site) {
		c := s.Client()
		var got struct {
			Organisations []struct {
				Slug, Name, Type, Membership, Relation, Region, Contact, URL string
				FocalRoles                                                   []string `json:"focal_roles"`
			} `json:"organisations"`
		}
		r := c.Get("/api/v1/organisations?region=419&type=regional&lang=es")
		r.Must(t, http.StatusOK)
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, o := range got.Organisations {
			slugs = append(slugs, o.Slug)
			if o.Type != "regional" || o.Region != "419" {
				t.Errorf("%s: type %s, region %s", o.Slug, o.Type, o.Region)
			}
		}
		if !slices.Contains(slugs, "andes-peer-network") || slices.Contains(slugs, "steppe-peer-network") {
			t.Fatalf("region 419, regional networks: %v", slugs)
		}
		for _, o := range got.Organisations {
			if o.Slug == "andes-peer-network" {
				if len(o.FocalRoles) != 1 || o.FocalRoles[0] != "Punto focal regional para América Latina y el Caribe" ||
					o.Membership != "member" || o.Relation != "member" || !strings.HasSuffix(o.URL, "/es/directory/andes-peer-network") {
					t.Errorf("andes-peer-network: %+v", o)
				}
			}
		}
		// Local groups in the demo did not agree to publish an address.
		c.Get("/api/v1/organisations?type=local").MustNot(t, `"contact"`)
		c.Get("/api/v1/organisations?type=regional").Must(t, http.StatusOK, `"contact":"info@andespeernetwork.example"`)
		c.Get("/api/v1/organisations?country=QQ").Must(t, http.StatusBadRequest, `"invalid_filter"`)
		c.Get("/api/v1/organisations?membership=owner").Must(t, http.StatusBadRequest, `"invalid_filter"`)
	})
}

// The static mirror holds the directory's pages, numbered pages included,
// and says where the filters are instead of a form it cannot answer.
func TestDirectoryInTheMirror(t *testing.T) {
	live := func(c *app.Config) { c.BaseURL = "https://network.example" }
	apptest.Run(t, apptest.Options{Languages: []string{"en", "fr"}, Config: live}, func(t *testing.T, s *apptest.Site) {
		dir := t.TempDir()
		if _, err := mirror.Export(context.Background(), s.App.Mirror(), mirror.Options{Out: dir, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"en/directory/index.html", "en/directory/page/3/index.html", "fr/directory/page/2/index.html",
			"en/directory/harbour-alliance/index.html", "fr/directory/steppe-peer-network/index.html"} {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
				t.Errorf("the mirror lacks %s", f)
			}
		}
		list, err := os.ReadFile(filepath.Join(dir, "en", "directory", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(list), `class="filters"`) || !strings.Contains(string(list), "mirror-notice") {
			t.Error("the mirror's directory shows the filters' form rather than the mirror's notice")
		}
	})
}
