package events

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// arrived is a message as the SMTP server received it, decoded.
type arrived struct {
	Subject     string
	Text        string            // the text parts, decoded
	Attachments map[string]string // file name → content
}

// decodeMail parses a raw message: headers, multipart bodies, quoted-
// printable and base64 parts.
func decodeMail(t *testing.T, raw string) arrived {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("unreadable message: %v\n%s", err, raw)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := arrived{Subject: subject, Attachments: map[string]string{}}
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, _ := mime.ParseMediaType(get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header, p)
			}
		}
		switch strings.ToLower(get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: body})
		}
		b, _ := io.ReadAll(body)
		_, dp, _ := mime.ParseMediaType(get("Content-Disposition"))
		if name := dp["filename"]; name != "" {
			out.Attachments[name] = string(b)
			return
		}
		if mt == "text/plain" || mt == "" {
			out.Text += string(b)
		}
	}
	walk(m.Header, m.Body)
	return out
}

// stripNewlines drops CR and LF, which base64 bodies carry every 76
// characters.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

var linkRe = regexp.MustCompile(`https?://[^\s]+/registration/(confirm|manage)/[A-Za-z0-9_-]+`)

// link finds the confirmation or manage link in a mail text.
func link(t *testing.T, text, kind string) string {
	t.Helper()
	for _, m := range linkRe.FindAllStringSubmatch(text, -1) {
		if m[1] == kind {
			return m[0]
		}
	}
	t.Fatalf("no %s link in:\n%s", kind, text)
	return ""
}
