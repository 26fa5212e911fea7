package e2e

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// tcpProxy forwards connections to target until it is cut, which then
// closes every connection, as a network partition would.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func TestReadinessFailsWhileTheDatabaseIsUnreachable(t *testing.T) {
	tg := testdb.Postgres(t)
	u, err := url.Parse(tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	tg.URL = u.String()
	e := start(t, tg)
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("readyz through the proxy: %d %s", r.status, r.body)
	}
	proxy.cut()
	r := e.do("GET", "/readyz", "", nil)
	if p := r.problem(t); r.status != 503 || p.Code != "not_ready" || p.Detail != "database unreachable" {
		t.Errorf("with the database cut off: %d %+v; want only the failed check, no driver details", r.status, p)
	}
	if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Errorf("liveness must not depend on the database: %d", r.status)
	}
}
