package mailtest

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Message is a received message decoded as a mail reader shows it.
type Message struct {
	Subject     string
	Text        string            // the text/plain parts, decoded
	Attachments map[string]string // file name → decoded content
}

// Decode reads the raw message: headers, nested multipart bodies, and
// quoted-printable and base64 parts.
func (r Received) Decode() (Message, error) {
	m, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		return Message{}, fmt.Errorf("mailtest: unreadable message: %w", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Message{}, fmt.Errorf("mailtest: subject: %w", err)
	}
	out := Message{Subject: subject, Attachments: map[string]string{}}
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
	return out, nil
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
