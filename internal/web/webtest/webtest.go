// Package webtest is a browser-like visitor for tests that drive a running
// peerpress over HTTP: it keeps cookies and does not follow redirects, so
// that a test sees each answer as the server gave it.
package webtest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client visits the server at Base.
type Client struct {
	T    testing.TB
	Base string       // the server's URL, such as httptest.Server.URL
	HTTP *http.Client // with the visitor's cookies
}

// NewClient returns a visitor of the server at base with no cookies yet.
func NewClient(t testing.TB, base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, Base: base, HTTP: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is an answer, read whole.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// Do sends req; a transport error fails the test.
func (c *Client) Do(req *http.Request) Response {
	c.T.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

// Get fetches path, such as "/en/".
func (c *Client) Get(path string) Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	return c.Do(req)
}

// Post sends form to path, as a browser submits a form.
func (c *Client) Post(path string, form url.Values) Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// PostFile sends fields and one file, as a browser submits a
// multipart/form-data form; data nil sends no file part.
func (c *Client) PostFile(path string, fields url.Values, field, filename string, data []byte) Response {
	c.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, _ := mw.CreateFormFile(field, filename)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// Must fails the test unless the answer has the status and every text.
func (r Response) Must(t testing.TB, status int, contains ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, status, Snippet(r.Body))
	}
	for _, s := range contains {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("body lacks %q:\n%s", s, Snippet(r.Body))
		}
	}
}

// MustNot fails the test if the answer holds any of the texts.
func (r Response) MustNot(t testing.TB, absent ...string) {
	t.Helper()
	for _, s := range absent {
		if strings.Contains(r.Body, s) {
			t.Fatalf("body contains %q:\n%s", s, Snippet(r.Body))
		}
	}
}

// Snippet is the part of a page worth printing in a failure: from <main>,
// at most 4,000 bytes.
func Snippet(body string) string {
	if i := strings.Index(body, "<main"); i > 0 {
		body = body[i:]
	}
	if len(body) > 4000 {
		return body[:4000] + "…"
	}
	return body
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF reads the CSRF token from a staff page's forms.
func CSRF(t testing.TB, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token on the page:\n%s", Snippet(page))
	}
	return m[1]
}

// CSRF fetches a staff page, such as "/admin/entries", and returns the
// CSRF token of its forms.
func (c *Client) CSRF(path string) string {
	c.T.Helper()
	r := c.Get(path)
	m := csrfRe.FindStringSubmatch(r.Body)
	if m == nil {
		c.T.Fatalf("no csrf token on %s (status %d):\n%s", path, r.Status, Snippet(r.Body))
	}
	return m[1]
}

// SignIn signs in with the staff sign-in form, as a person does, fails
// the test unless it leads to the entries list, and follows it there as a
// browser would: it returns the CSRF token of that page's forms.
func (c *Client) SignIn(email, password string) string {
	c.T.Helper()
	r := c.Post("/admin/login", url.Values{"email": {email}, "password": {password}, "next": {"/admin/entries"}})
	if r.Status != http.StatusSeeOther || r.Location != "/admin/entries" {
		c.T.Fatalf("sign in as %s: status %d, location %q", email, r.Status, r.Location)
	}
	return c.CSRF(r.Location)
}
