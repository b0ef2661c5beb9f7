package sse_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
	"github.com/oc-pizza/ocpizza/internal/sse"
)

// An HTTP/1.1 stream leaves its handler: it costs one goroutine of its
// own, not net/http's two per connection, and it still gets its events,
// ends when the broker closes it, and has its headers.
func TestStreamsLeaveTheirHandler(t *testing.T) {
	broker := event.NewBroker()
	topic := event.PizzeriaTopic(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "abc")
		sse.Serve(w, r, broker.Subscribe(topic), sse.Options{Heartbeat: time.Minute})
	}))
	defer srv.Close()

	const n = 200
	before := runtime.NumGoroutine()
	var readers []*bufio.Reader
	var conns []net.Conn
	for range n {
		// A bare connection: no client goroutine to count.
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(c)
		head := readUntil(t, r, ": connected")
		if !strings.Contains(head, "200 OK") || !strings.Contains(head, "Content-Type: text/event-stream") || !strings.Contains(head, "X-Request-Id: abc") {
			t.Fatalf("head of the stream:\n%s", head)
		}
		readers, conns = append(readers, r), append(conns, c)
	}
	time.Sleep(100 * time.Millisecond) // handlers that returned are gone
	if grown := runtime.NumGoroutine() - before; grown > n+n/5 {
		t.Fatalf("%d goroutines for %d streams: they stayed in their handlers", grown, n)
	}

	broker.Publish("order.created", map[string]int{"id": 7}, topic)
	for _, r := range readers {
		readUntil(t, r, `data: {"id":7}`)
	}
	// Shutting down (or signing out) closes the subscriptions: every
	// connection ends, so the browser reconnects.
	broker.CloseAll()
	for i, r := range readers {
		conns[i].SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, err = r.ReadString('\n')
		}
		if err != io.EOF {
			t.Fatalf("stream %d did not end: %v", i, err)
		}
	}
}

func readUntil(t *testing.T, r *bufio.Reader, want string) string {
	t.Helper()
	var b strings.Builder
	for !strings.Contains(b.String(), want) {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before %q: %v\n%s", want, err, b.String())
		}
		b.WriteString(line)
	}
	return b.String()
}
