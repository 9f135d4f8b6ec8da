package mail_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/jobs"
	"peerpress/internal/mail"
	"peerpress/internal/mail/mailtest"
	"peerpress/internal/secret"
)

// writeKey writes key as the PKCS #8 PEM file an operator would give, and
// returns its path and the DNS record that publishes its public half.
func writeKey(t *testing.T, key any, pub any, algo string) (path, record string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	var p []byte
	switch k := pub.(type) {
	case ed25519.PublicKey:
		p = k
	default:
		if p, err = x509.MarshalPKIXPublicKey(pub); err != nil {
			t.Fatal(err)
		}
	}
	return path, "v=DKIM1; k=" + algo + "; p=" + base64.StdEncoding.EncodeToString(p)
}

// A mailbox provider checking the DKIM signature against the key the
// operator published finds it valid, covering the unsubscription
// headers RFC 8058 wants signed; a message changed on the way fails.
func TestDKIMSignature(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		name, algo string
		key, pub   any
	}{{"rsa", "rsa", rsaKey, &rsaKey.PublicKey}, {"ed25519", "ed25519", edKey, edPub}} {
		t.Run(k.name, func(t *testing.T) {
			keyFile, record := writeKey(t, k.key, k.pub, k.algo)
			dbtest.Run(t, func(t *testing.T, d *db.DB) {
				smtp := mailtest.Start(t)
				box, err := secret.Open(secret.NewKey())
				if err != nil {
					t.Fatal(err)
				}
				m, err := mail.New(d, box, mail.Config{URL: smtp.URL(), From: "Network <updates@example.org>", DKIMKey: keyFile, DKIMSelector: "pp2026"})
				if err != nil {
					t.Fatal(err)
				}
				q := jobs.New(d)
				m.Register(q)
				send(t, d, m, mail.Message{To: "member@example.net", Subject: "Members' update, June", Text: "What the network did in June.",
					HTML:    "<p>What the network did in June.</p>",
					Headers: map[string]string{"List-Unsubscribe": "<https://example.org/updates/unsubscribe/abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}})
				drain(t, q)
				got := smtp.To("member@example.net")
				if len(got) != 1 {
					t.Fatalf("%d messages arrived", len(got))
				}
				lookup := func(domain string) ([]string, error) {
					if domain != "pp2026._domainkey.example.org" {
						return nil, errors.New("no such record: " + domain)
					}
					return []string{record}, nil
				}
				verify := func(raw string) *dkim.Verification {
					t.Helper()
					vs, err := dkim.VerifyWithOptions(strings.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
					if err != nil {
						t.Fatal(err)
					}
					if len(vs) != 1 {
						t.Fatalf("%d DKIM signatures in:\n%s", len(vs), raw)
					}
					return vs[0]
				}
				raw := strings.ReplaceAll(strings.ReplaceAll(got[0].Data, "\r\n", "\n"), "\n", "\r\n")
				v := verify(raw)
				if v.Err != nil {
					t.Fatalf("signature does not verify: %v\n%s", v.Err, raw)
				}
				if v.Domain != "example.org" {
					t.Errorf("signed for %q, want the sender's domain", v.Domain)
				}
				signed := strings.ToLower(strings.Join(v.HeaderKeys, ":"))
				for _, h := range []string{"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} {
					if !strings.Contains(":"+signed+":", ":"+h+":") {
						t.Errorf("the signature does not cover %s (it covers %s)", h, signed)
					}
				}
				tampered := strings.Replace(raw, "did in June", "did in July", 1)
				if tampered == raw {
					t.Fatal("the body was not found to change")
				}
				if verify(tampered).Err == nil {
					t.Error("a message changed after signing still verifies")
				}
			})
		})
	}
}

// A DKIM setting that cannot sign stops the site at start with a
// message saying what is wrong, instead of sending mail that fails.
func TestDKIMRefusesBadSettings(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) { refusesBadSettings(t, d) })
}

func refusesBadSettings(t *testing.T, d *db.DB) {
	box, err := secret.Open(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(notPEM, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  mail.Config
		want string
	}{
		{"key without selector", mail.Config{DKIMKey: notPEM}, "selector"},
		{"selector without key", mail.Config{DKIMSelector: "pp2026"}, "key file"},
		{"missing file", mail.Config{DKIMKey: filepath.Join(t.TempDir(), "none.pem"), DKIMSelector: "pp2026"}, "no such file"},
		{"not PEM", mail.Config{DKIMKey: notPEM, DKIMSelector: "pp2026"}, "PEM"},
		{"selector not a label", mail.Config{DKIMKey: notPEM, DKIMSelector: "a b"}, "DNS label"},
	} {
		c.cfg.From = "updates@example.org"
		if _, err := mail.New(d, box, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}
