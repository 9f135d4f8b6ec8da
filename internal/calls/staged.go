package calls

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"peerpress/internal/secret"
)

// Nothing an applicant sends waits on disk in the clear. A file of the
// staging folder is sealed (secret.StreamKey) with a key that only the
// work it waits for holds: for a file sent with the form or an upload
// being checked, the process's memory; for a resumable upload's parts,
// the upload's address, which the applicant's browser holds (tusUploads).
// While it is open it is locked (flock), so that the sweep at start
// (sweepLeftovers) removes, at once, every file no running peerpress
// holds: what a crash or a kill left, sealed with a key that died with
// it.

// staged is a sealed file of the staging folder, locked while it is open.
type staged struct {
	f   *os.File
	key secret.StreamKey
}

// stage seals what fill writes into a new file of the staging folder,
// with key.
func (s *Store) stage(prefix string, key secret.StreamKey, fill func(io.Writer) error) (*staged, error) {
	dir, err := s.stagingDir()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, prefix+"-*")
	if err != nil {
		return nil, fmt.Errorf("calls: stage: %w", err)
	}
	st := &staged{f: f, key: key}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil { // #nosec G115 -- a file descriptor
		st.Close()
		return nil, fmt.Errorf("calls: stage: %w", err)
	}
	w, err := key.Seal(f)
	if err == nil {
		err = fill(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// sealed is the sealed bytes from the start, and their size.
func (st *staged) sealed() (io.Reader, int64, error) {
	fi, err := st.f.Stat()
	if err != nil {
		return nil, 0, err
	}
	return io.NewSectionReader(st.f, 0, fi.Size()), fi.Size(), nil
}

// open reads the file back from any offset; size is the plaintext's.
func (st *staged) open() (io.ReaderAt, int64, error) {
	r, size, err := st.sealed()
	if err != nil {
		return nil, 0, err
	}
	return st.key.OpenAt(r.(io.ReaderAt), size)
}

// Close removes the file, then lets its lock go.
func (st *staged) Close() {
	_ = os.Remove(st.f.Name())
	_ = st.f.Close()
}

// sweepLeftovers removes the files of the staging folder that no running
// peerpress holds open: what a stopped or crashed one left behind. It
// looks only in the folder itself.
func (s *Store) sweepLeftovers() (int, error) {
	dir, err := s.stagingDir()
	if err != nil {
		return 0, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, fmt.Errorf("calls: sweep: %w", err)
	}
	defer root.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("calls: sweep: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		f, err := root.Open(e.Name())
		if err != nil {
			continue // gone meanwhile
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil { // #nosec G115 -- a file descriptor
			if root.Remove(e.Name()) == nil {
				n++
			}
		}
		_ = f.Close()
	}
	return n, nil
}

// serveStaged lets ffprobe and ffmpeg read a staged file in the clear
// without its being written anywhere: an HTTP server on the loopback
// answers, for one address with a random path, the plaintext decrypted
// as it is read, with ranges (the MP4 and QuickTime demuxers seek, for
// a phone's index at the end of the file). stop ends it.
func serveStaged(plain io.ReaderAt, size int64) (url string, stop func(), err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	path := "/" + hex.EncodeToString(b[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("calls: serve a staged file: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream") // not sniffed
		http.ServeContent(w, r, "", time.Time{}, &chunkReader{r: plain, size: size, buf: make([]byte, 0, sealChunk)})
	})}
	go func() { _ = srv.Serve(ln) }() // when it fails, the tool reading fails, and says so
	return "http://" + ln.Addr().String() + path, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
	}, nil
}

// sealChunk is the size of the chunks age seals a stream in.
const sealChunk = 64 << 10

// chunkReader reads a sealed file's plaintext in whole chunks, each
// decrypted once as the reader goes through it (age's ReaderAt keeps one
// chunk and makes a new buffer for each it decrypts: reads that straddle
// chunks would decrypt some twice).
type chunkReader struct {
	r    io.ReaderAt
	size int64
	pos  int64
	at   int64  // the offset of buf
	buf  []byte // the chunk at at
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.pos >= c.size {
		return 0, io.EOF
	}
	if c.pos < c.at || c.pos >= c.at+int64(len(c.buf)) {
		c.at = c.pos - c.pos%sealChunk
		n, err := c.r.ReadAt(c.buf[:min(int64(sealChunk), c.size-c.at)], c.at)
		c.buf = c.buf[:n]
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, c.buf[c.pos-c.at:])
	c.pos += int64(n)
	return n, nil
}

func (c *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += c.pos
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("calls: seek before the start")
	}
	c.pos = offset
	return offset, nil
}

// unnamedFile is a file of the staging folder that never has a name
// (O_TMPFILE): the kernel frees it when it is closed, or when the process
// dies.
func (s *Store) unnamedFile() (*os.File, error) {
	dir, err := s.stagingDir()
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), dir+"/(unnamed)"), nil // #nosec G115 -- a file descriptor
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return nil, fmt.Errorf("calls: unnamed file: %w", err)
	}
	// A file system without O_TMPFILE: a file named for as long as it
	// takes to remove its name.
	f, err := os.CreateTemp(dir, "clean-*")
	if err != nil {
		return nil, fmt.Errorf("calls: unnamed file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("calls: unnamed file: %w", err)
	}
	return f, nil
}
