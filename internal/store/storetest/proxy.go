package storetest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Outage stands between a store and its database server, as a network
// would: Cut drops every connection and refuses new ones, as a server
// restarting does; Mend lets them through again.
type Outage struct {
	target string
	ln     net.Listener
	addr   string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// Through returns an outage in front of the server of databaseURL (a
// PostgreSQL or MySQL URL) and the URL that reaches it through the outage.
func Through(t testing.TB, databaseURL string) (*Outage, string) {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	o := &Outage{target: u.Host, conns: map[net.Conn]struct{}{}}
	if err := o.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	o.addr = o.ln.Addr().String()
	t.Cleanup(func() { o.Cut() })
	u.Host = o.addr
	return o, u.String()
}

func (o *Outage) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	o.ln = ln
	go o.accept(ln)
	return nil
}

func (o *Outage) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", o.target)
		if err != nil {
			c.Close()
			continue
		}
		o.mu.Lock()
		if o.cut {
			o.mu.Unlock()
			c.Close()
			server.Close()
			continue
		}
		o.conns[c], o.conns[server] = struct{}{}, struct{}{}
		o.mu.Unlock()
		go o.pipe(c, server)
		go o.pipe(server, c)
	}
}

func (o *Outage) pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	o.mu.Lock()
	delete(o.conns, dst)
	delete(o.conns, src)
	o.mu.Unlock()
}

// Cut closes every connection and stops listening: a new connection is
// refused.
func (o *Outage) Cut() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cut {
		return
	}
	o.cut = true
	o.ln.Close()
	for c := range o.conns {
		c.Close()
	}
}

// Mend listens again on the same address.
func (o *Outage) Mend(t testing.TB) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.cut {
		return
	}
	if err := o.listen(o.addr); err != nil {
		t.Fatalf("listen again on %s: %v", o.addr, err)
	}
	o.cut = false
}
