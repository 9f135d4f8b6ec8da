package secret

import (
	"crypto/rand"
	"errors"
	"io"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"
)

// StreamKey seals files that live no longer than the work they wait for:
// a form being received, a resumable upload under way, a video being
// checked and cleaned. It is 32 random bytes, held by whoever needs the
// file and by nothing on disk, that wrap the file key of age's format
// (filippo.io/age): the bytes are sealed in chunks of 64 KiB with
// ChaCha20-Poly1305, each authenticated and numbered, so what is read
// back is what was written, whole and in order, or an error — and a
// sealed file can be read from any offset (OpenAt).
type StreamKey [32]byte

// NewStreamKey is a fresh random key.
func NewStreamKey() (StreamKey, error) {
	var k StreamKey
	_, err := rand.Read(k[:])
	return k, err
}

// Seal returns a writer that seals what it is given into dst; Close
// writes the last chunk.
func (k StreamKey) Seal(dst io.Writer) (io.WriteCloser, error) {
	return age.Encrypt(dst, streamKey{k})
}

// Open reads back what Seal wrote into src.
func (k StreamKey) Open(src io.Reader) (io.Reader, error) {
	return age.Decrypt(src, streamKey{k})
}

// OpenAt reads back, from any offset, what Seal wrote into src, which
// holds size sealed bytes; it returns the plaintext's size.
func (k StreamKey) OpenAt(src io.ReaderAt, size int64) (io.ReaderAt, int64, error) {
	return age.DecryptReaderAt(src, size, streamKey{k})
}

// streamKey is a StreamKey as age's recipient and identity: the file key
// sealed with XChaCha20-Poly1305 under the StreamKey, in a stanza of its
// own type.
type streamKey struct{ k StreamKey }

const streamStanza = "peerpress-stream"

func (s streamKey) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	aead, err := chacha20poly1305.NewX(s.k[:])
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(fileKey)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return []*age.Stanza{{Type: streamStanza, Body: aead.Seal(nonce, nonce, fileKey, nil)}}, nil
}

func (s streamKey) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(s.k[:])
	if err != nil {
		return nil, err
	}
	for _, st := range stanzas {
		if st.Type != streamStanza || len(st.Body) < aead.NonceSize() {
			continue
		}
		if fileKey, err := aead.Open(nil, st.Body[:aead.NonceSize()], st.Body[aead.NonceSize():], nil); err == nil {
			return fileKey, nil
		}
	}
	return nil, errors.Join(age.ErrIncorrectIdentity, ErrOpen)
}
