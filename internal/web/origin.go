package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// Origin is the site's public address for absolute links (feeds, the
// sitemap, sharing cards, the API): the base URL, or, when none is
// configured, http:// and the host the request came to. A Host header
// that is not a plain host[:port] gives "http://localhost".
//
// The fallback trusts the Host header, so a site reached under several
// names answers each with its own; production sites set a base URL.
func Origin(baseURL string, r *http.Request) string {
	if baseURL != "" {
		return baseURL
	}
	host := r.Host
	if host == "" || len(host) > 255 || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != "" {
		host = "localhost"
	}
	return "http://" + host
}

// ogLocale turns a language code into Open Graph's language_TERRITORY
// form, with the territory the language is most used in (en → en_US,
// ar → ar_EG).
func ogLocale(code string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return strings.ReplaceAll(code, "-", "_")
	}
	base, _ := tag.Base()
	region, _ := tag.Region()
	return base.String() + "_" + region.String()
}
