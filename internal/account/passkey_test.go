package account_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"peerpress/internal/app"
	"peerpress/internal/app/apptest"
	"peerpress/internal/auth"
	"peerpress/internal/db"
	"peerpress/internal/db/dbtest"
	"peerpress/internal/settings"
	"peerpress/internal/web/webtest"
)

// The site's public address in these tests: passkeys are bound to its
// domain, which the test authenticator signs for.
const (
	passkeyRP     = "peers.example"
	passkeyOrigin = "http://peers.example"
)

var b64 = base64.RawURLEncoding

// softKey is a passkey authenticator in software: it answers the
// ceremonies' options as a browser and its authenticator would.
type softKey struct {
	t       *testing.T
	rpID    string
	origin  string
	key     *ecdsa.PrivateKey
	id      []byte
	handle  []byte
	counter uint32
	// synced: the counter stays 0, as with passkeys synced between
	// devices, so only the spent challenge stops a replay.
	synced bool
}

func newSoftKey(t *testing.T) *softKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &softKey{t: t, rpID: passkeyRP, origin: passkeyOrigin, key: key, id: id}
}

type ceremony struct {
	Options struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	} `json:"options"`
	State string `json:"state"`
}

func (k *softKey) options(r webtest.Response) ceremony {
	k.t.Helper()
	r.Must(k.t, http.StatusOK)
	var c ceremony
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil || c.State == "" || c.Options.PublicKey.Challenge == "" {
		k.t.Fatalf("ceremony options %q: %v", webtest.Snippet(r.Body), err)
	}
	return c
}

func (k *softKey) clientData(typ, challenge string) []byte {
	cd, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return cd
}

// create makes the passkey for the registration options c, and returns
// the browser's answer.
func (k *softKey) create(c ceremony) string {
	k.t.Helper()
	var err error
	if k.handle, err = b64.DecodeString(c.Options.PublicKey.User.ID); err != nil {
		k.t.Fatalf("user handle %q: %v", c.Options.PublicKey.User.ID, err)
	}
	x, y := k.key.PublicKey.X.FillBytes(make([]byte, 32)), k.key.PublicKey.Y.FillBytes(make([]byte, 32))
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		k.t.Fatal(err)
	}
	rpHash := sha256.Sum256([]byte(k.rpID))
	auth := append(rpHash[:], 0x45) // user present, verified, attested credential
	auth = binary.BigEndian.AppendUint32(auth, k.counter)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.id)))
	auth = append(auth, k.id...)
	auth = append(auth, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", c.Options.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att),
		},
	})
	return string(out)
}

// get signs the sign-in options c with the passkey.
func (k *softKey) get(c ceremony) string {
	k.t.Helper()
	if !k.synced {
		k.counter++
	}
	rpHash := sha256.Sum256([]byte(k.rpID))
	auth := append(rpHash[:], 0x05) // user present, verified
	auth = binary.BigEndian.AppendUint32(auth, k.counter)
	cd := k.clientData("webauthn.get", c.Options.PublicKey.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.key, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(k.handle),
		},
	})
	return string(out)
}

func passkeySite(t *testing.T, d *db.DB) *apptest.Site {
	return apptest.New(t, d, apptest.Options{Config: func(c *app.Config) { c.BaseURL = passkeyOrigin }})
}

// addPasskey registers k on the account signed in with c.
func addPasskey(t *testing.T, c *webtest.Client, csrf string, k *softKey, name string) {
	t.Helper()
	cer := k.options(c.Post(auth.EnrolPath+"/passkeys/options", url.Values{"csrf": {csrf}}))
	r := c.Post(auth.EnrolPath+"/passkeys", url.Values{"csrf": {csrf}, "name": {name}, "state": {cer.State}, "credential": {k.create(cer)}})
	if r.Status != http.StatusOK { // the first passkey answers with recovery codes
		r.Must(t, http.StatusSeeOther)
	}
}

// signInWithPasskey signs a fresh browser in with k alone; it returns
// the answer to the sign-in.
func signInWithPasskey(s *apptest.Site, k *softKey) (*webtest.Client, webtest.Response) {
	c := s.Client()
	cer := k.options(c.Post("/admin/login/passkey/options", nil))
	return c, c.Post("/admin/login/passkey", url.Values{"state": {cer.State}, "credential": {k.get(cer)}, "next": {"/admin/users"}})
}

var passkeyRowRe = regexp.MustCompile(`/admin/account/two-factor/passkeys/(\d+)/remove`)

// A user adds two named passkeys, signs in with either instead of the
// email and password, and with one as the second factor after the
// password; a removed passkey opens nothing.
func TestPasskeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := passkeySite(t, d)
		admin, csrf := s.Admin()
		admin.Get("/admin/login").Must(t, http.StatusSeeOther) // signed in already
		s.Client().Get("/admin/login").Must(t, http.StatusOK, `data-passkey="get"`, "/passkey.")
		admin.Get(auth.EnrolPath).Must(t, http.StatusOK, `data-passkey="create"`, "You have no passkeys yet.")

		laptop, phone := newSoftKey(t), newSoftKey(t)
		addPasskey(t, admin, csrf, laptop, "Work laptop")
		addPasskey(t, admin, csrf, phone, "Phone")
		page := admin.Get(auth.EnrolPath + "?passkey=added")
		page.Must(t, http.StatusOK, "Passkey added.", "Work laptop", "Phone")
		rows := passkeyRowRe.FindAllStringSubmatch(page.Body, -1)
		if len(rows) != 2 {
			t.Fatalf("%d passkeys listed; want 2", len(rows))
		}

		// Instead of the password: straight in.
		for _, k := range []*softKey{laptop, phone} {
			c, r := signInWithPasskey(s, k)
			r.Must(t, http.StatusSeeOther)
			if r.Location != "/admin/users" {
				t.Fatalf("after the passkey: %q", r.Location)
			}
			c.Get("/admin/users").Must(t, http.StatusOK)
		}
		page = admin.Get(auth.EnrolPath)
		page.MustNot(t, "Never")

		// After the password, a passkey is the second factor.
		c := s.Client()
		r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}, "next": {"/admin/users"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/login/code") {
			t.Fatalf("the password of a user with passkeys: %d %q", r.Status, r.Location)
		}
		c.Get("/admin/users").Must(t, http.StatusSeeOther)
		code := c.Get(r.Location)
		code.Must(t, http.StatusOK, `action="/admin/login/code/passkey"`)
		// No authenticator app: the code form takes a recovery code only.
		code.Must(t, http.StatusOK, "Lost your passkey? Use a recovery code", "Recovery code")
		code.MustNot(t, "authenticator app shows")
		cer := laptop.options(c.Post("/admin/login/code/passkey/options", nil))
		r = c.Post("/admin/login/code/passkey", url.Values{"state": {cer.State}, "credential": {laptop.get(cer)}, "next": {"/admin/users"}})
		r.Must(t, http.StatusSeeOther)
		if r.Location != "/admin/users" {
			t.Errorf("after the passkey as second factor: %q", r.Location)
		}
		c.Get("/admin/users").Must(t, http.StatusOK)

		// Removed: the phone opens nothing.
		admin.Post("/admin/account/two-factor/passkeys/"+rows[1][1]+"/remove", url.Values{"csrf": {csrf}}).Must(t, http.StatusSeeOther)
		admin.Post("/admin/account/two-factor/passkeys/"+rows[1][1]+"/remove", url.Values{"csrf": {csrf}}).Must(t, http.StatusNotFound)
		admin.Get(auth.EnrolPath+"?passkey=removed").Must(t, http.StatusOK, "Passkey removed.", "Work laptop")
		_, r = signInWithPasskey(s, phone)
		r.Must(t, http.StatusUnauthorized, "That passkey was not accepted")

		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)`, auth.ActionPasskeyAdd, auth.ActionPasskeyRemove).Scan(&n); err != nil || n != 3 {
			t.Errorf("passkey audit rows %d, %v; want 3", n, err)
		}
	})
}

// Answers that do not prove a passkey of this site are refused with the
// same message, and sign no one in: a forged or altered challenge, the
// state of another kind of ceremony, a replayed answer, a passkey the
// site never saw, another site's, garbage.
func TestPasskeyCeremonyRefusals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := passkeySite(t, d)
		admin, csrf := s.Admin()
		k := newSoftKey(t)
		k.synced = true
		addPasskey(t, admin, csrf, k, "Key")

		refused := func(what string, c *webtest.Client, state, answer string) {
			t.Helper()
			r := c.Post("/admin/login/passkey", url.Values{"state": {state}, "credential": {answer}})
			if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "That passkey was not accepted") {
				t.Errorf("%s: %d %s", what, r.Status, webtest.Snippet(r.Body))
			}
			if got := c.Get("/admin/users"); got.Status != http.StatusSeeOther {
				t.Errorf("%s signed someone in: %d", what, got.Status)
			}
		}
		c := s.Client()
		cer := k.options(c.Post("/admin/login/passkey/options", nil))

		// A challenge the site did not make, in a state the site did not seal.
		forged := cer
		forged.Options.PublicKey.Challenge = b64.EncodeToString([]byte("a challenge of my own making, 32b"))
		refused("forged challenge", c, cer.State, k.get(forged))
		refused("forged state", c, "v1:"+b64.EncodeToString([]byte("not sealed by the site")), k.get(cer))
		refused("no state", c, "", k.get(cer))
		// The state of a registration is not a sign-in's.
		reg := k.options(admin.Post(auth.EnrolPath+"/passkeys/options", url.Values{"csrf": {csrf}}))
		refused("a registration's state", c, reg.State, k.get(reg))

		// A good answer works once; played again, it is refused.
		cer = k.options(c.Post("/admin/login/passkey/options", nil))
		good := k.get(cer)
		c.Post("/admin/login/passkey", url.Values{"state": {cer.State}, "credential": {good}}).Must(t, http.StatusSeeOther)
		refused("replay", s.Client(), cer.State, good)

		// A passkey the site never registered, and one made for another site.
		stranger := newSoftKey(t)
		stranger.handle = k.handle
		cer = k.options(c.Post("/admin/login/passkey/options", nil))
		refused("unknown credential", s.Client(), cer.State, stranger.get(cer))
		elsewhere := *k
		elsewhere.rpID, elsewhere.origin = "attacker.example", "https://attacker.example"
		cer = k.options(c.Post("/admin/login/passkey/options", nil))
		refused("another site's origin", s.Client(), cer.State, elsewhere.get(cer))

		cer = k.options(c.Post("/admin/login/passkey/options", nil))
		for _, junk := range []string{"", "{", `{"id":"x"}`, strings.Repeat("a", 70<<10)} {
			refused("garbage answer", s.Client(), cer.State, junk)
		}

		// The second factor's endpoints serve only a browser waiting for it.
		s.Client().Post("/admin/login/code/passkey/options", nil).Must(t, http.StatusNotFound)
		r := s.Client().Post("/admin/login/code/passkey", url.Values{"state": {cer.State}, "credential": {"{}"}})
		if r.Status != http.StatusSeeOther || r.Location != "/admin/login" {
			t.Errorf("second factor without a password first: %d %q", r.Status, r.Location)
		}

		// Adding: a name is needed, and an answer that proves a passkey.
		cer = k.options(admin.Post(auth.EnrolPath+"/passkeys/options", url.Values{"csrf": {csrf}}))
		admin.Post(auth.EnrolPath+"/passkeys", url.Values{"csrf": {csrf}, "name": {"  "}, "state": {cer.State}, "credential": {newSoftKey(t).create(cer)}}).
			Must(t, http.StatusUnprocessableEntity, "Give the passkey a name")
		admin.Post(auth.EnrolPath+"/passkeys", url.Values{"csrf": {csrf}, "name": {"New"}, "state": {cer.State}, "credential": {""}}).
			Must(t, http.StatusUnprocessableEntity, "That passkey was not accepted")
		admin.Post(auth.EnrolPath+"/passkeys", url.Values{"csrf": {csrf}, "name": {"New"}, "credential": {newSoftKey(t).create(cer)}}).
			Must(t, http.StatusUnprocessableEntity, "That passkey was not accepted")
		var n int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM passkeys`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d passkeys kept, %v; want only the first", n, err)
		}
		// Refusals wrote nothing: only the two ceremonies that proved a
		// passkey (the registration, the sign-in) spent their challenge.
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM passkey_challenges_used`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d spent challenges, %v; want 2", n, err)
		}
	})
}

// A passkey is the second factor the site may require of admins: adding
// one lets an admin who had to enrol through.
func TestPasskeyCountsAsTwoFactor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := passkeySite(t, d)
		ctx := context.Background()
		site := s.App.Live.Site()
		site.AdminsTwoFactor = true
		if err := settings.NewStore(d).Save(ctx, site); err != nil {
			t.Fatal(err)
		}
		if err := s.App.Live.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		c := s.Client()
		r := c.Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}})
		if r.Location != auth.EnrolPath {
			t.Fatalf("an admin without a second factor went to %q", r.Location)
		}
		c.Get("/admin/users").Must(t, http.StatusSeeOther)
		page := c.Get(auth.EnrolPath)
		page.Must(t, http.StatusOK, `data-passkey="create"`)
		csrf := csrfRe.FindStringSubmatch(page.Body)[1]
		k := newSoftKey(t)
		addPasskey(t, c, csrf, k, "Security key")
		c.Get("/admin/users").Must(t, http.StatusOK)

		// Next time the password alone is not enough.
		r = s.Client().Post("/admin/login", url.Values{"email": {s.Login.Email}, "password": {s.Login.Password}})
		if !strings.HasPrefix(r.Location, "/admin/login/code") {
			t.Errorf("the password of an admin with a passkey went to %q", r.Location)
		}
	})
}
