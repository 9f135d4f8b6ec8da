package letter

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// A signature waiting for its confirmation is published, when the letter
// is not moderated, at the click on the link in the signatory's mail;
// but its name and website are sealed to the organisation's key, which
// the server does not have. So they are also held under a key made from
// the confirmation link itself, which only the signatory's mail carries:
// the click opens them, and a copy of the server opens nothing.

// heldDetails is what a signature holds for its publication.
type heldDetails struct {
	Name    string `json:"n"`
	Website string `json:"w,omitempty"`
}

var errHeld = errors.New("letter: held details do not open with this link")

func heldAEAD(token string) cipher.AEAD {
	key := sha256.Sum256([]byte("peerpress signature held for publication\x00" + token))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// sealHeld seals d under the confirmation link token.
func sealHeld(token string, d heldDetails) string {
	plain, err := json.Marshal(d)
	if err != nil {
		panic(err) // two strings always marshal
	}
	aead := heldAEAD(token)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte("signature.held")))
}

// openHeld opens what sealHeld sealed under token.
func openHeld(token, sealed string) (heldDetails, error) {
	var d heldDetails
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	aead := heldAEAD(token)
	if err != nil || len(raw) < aead.NonceSize() {
		return d, errHeld
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte("signature.held"))
	if err != nil {
		return d, errHeld
	}
	if err := json.Unmarshal(plain, &d); err != nil {
		return d, errHeld
	}
	return d, nil
}
