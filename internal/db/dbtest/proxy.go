package dbtest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"peerpress/internal/db"
)

// A Proxy forwards TCP connections to a server, and can cut them: the
// database server restarting, or the network to it failing, as an
// instance sees it, without touching the server other tests share.
type Proxy struct {
	target string
	ln     net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// NewProxy forwards a loopback address of its own to target (host:port)
// until the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection through the proxy and, until Restore,
// closes each new one as soon as it is made, as a server that is down
// behind a load balancer or restarting does.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *Proxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(in)
	}
}

// track adds c to the connections Cut closes, or closes it at once while
// cut.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) forward(in net.Conn) {
	if !p.track(in) {
		return
	}
	out, err := net.Dial("tcp", p.target)
	if err != nil {
		in.Close()
		return
	}
	if !p.track(out) {
		in.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, in)
	delete(p.conns, out)
	p.mu.Unlock()
}

// OpenThrough opens d's PostgreSQL database through a new Proxy, as
// another instance would over a network that the test can cut, and
// returns both. It is closed when the test ends.
func OpenThrough(t testing.TB, d *db.DB) (*db.DB, *Proxy) {
	t.Helper()
	u, err := url.Parse(URL(t, d))
	if err != nil || d.Engine != db.Postgres {
		t.Fatalf("dbtest: OpenThrough wants a PostgreSQL database (%v)", err)
	}
	p := NewProxy(t, u.Host)
	u.Host = p.Addr()
	through, err := open(t, u.String())
	if err != nil {
		t.Fatalf("dbtest: open through a proxy: %v", err)
	}
	return through, p
}
