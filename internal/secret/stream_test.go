package secret

import (
	"bytes"
	"io"
	"testing"
)

// A sealed stream reads back whole with its key, from the start or from
// any offset; its bytes show nothing of the plaintext; another key or a
// changed byte opens nothing.
func TestStreamKey(t *testing.T) {
	k, err := NewStreamKey()
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("CANARY-GPS+48.8584+002.2945/"), 10000) // several chunks
	var sealed bytes.Buffer
	w, err := k.Seal(&sealed)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed.Bytes(), []byte("CANARY")) {
		t.Fatal("the sealed bytes show the plaintext")
	}
	r, err := k.Open(bytes.NewReader(sealed.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(plain))
	}
	ra, size, err := k.OpenAt(bytes.NewReader(sealed.Bytes()), int64(sealed.Len()))
	if err != nil || size != int64(len(plain)) {
		t.Fatalf("OpenAt: size %d, %v", size, err)
	}
	part := make([]byte, 100)
	if _, err := ra.ReadAt(part, 70000); err != nil || !bytes.Equal(part, plain[70000:70100]) {
		t.Fatalf("ReadAt across a chunk: %q, %v", part, err)
	}

	other, _ := NewStreamKey()
	if _, err := other.Open(bytes.NewReader(sealed.Bytes())); err == nil {
		t.Fatal("another key opened the stream")
	}
	damaged := bytes.Clone(sealed.Bytes())
	damaged[len(damaged)/2] ^= 1
	r, err = k.Open(bytes.NewReader(damaged))
	if err == nil {
		_, err = io.ReadAll(r)
	}
	if err == nil {
		t.Fatal("a changed byte went unnoticed")
	}
}
