// Package sse serves a subscription of the event broker as Server-Sent
// Events: the live streams of the JSON API and of the web pages.
package sse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oc-pizza/ocpizza/internal/event"
)

// Options tune a stream.
type Options struct {
	// Heartbeat is how often an idle stream gets a comment line, so
	// proxies keep it open.
	Heartbeat time.Duration
	// Check, when set, runs every Recheck: an error ends the stream (the
	// session expired, or was ended on an instance whose journal event
	// was missed).
	Check   func(ctx context.Context) error
	Recheck time.Duration
	// Write encodes one event; by default its id (after Epoch and a
	// dash), kind and JSON data.
	Write func(w io.Writer, ev event.Event)
	// Keep, when set, says which events the stream sends; the others are
	// dropped (a screen that shows no stock need not hear of it).
	Keep  func(ev event.Event) bool
	Epoch string
	// Missed are sent first: the events a reconnecting client missed. With
	// Reload set instead, a "reload" event tells it that some are gone
	// and it must read its state again.
	Missed []event.Event
	Reload bool
}

// LastEventID reads the Last-Event-ID a reconnecting EventSource sends,
// as the default Write gives it: epoch and id. ok is false without one.
func LastEventID(r *http.Request) (epoch string, id int64, ok bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		return "", 0, false
	}
	epoch, n, _ := strings.Cut(v, "-")
	id, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return "", -1, true // not ours: a reload
	}
	return epoch, id, true
}

// Serve streams sub's events until the client leaves, the broker closes
// the subscription (too slow, session ended, shutting down) or Check
// fails; EventSource clients then reconnect by themselves. It closes sub.
//
// Over HTTP/1.1 the connection is taken from net/http (hijacked) and the
// stream goes on in a goroutine of its own while the handler returns:
// net/http keeps, for each connection whose handler runs, two goroutines
// (the handler's, its stack grown by the request's work, and a reader's)
// and its read and write buffers, about 40 KB a stream; a detached stream
// costs a small goroutine and a few hundred bytes, which is what lets one
// instance hold ten thousand screens. HTTP/2 streams, which cannot be
// taken, stay in their handler.
func Serve(w http.ResponseWriter, r *http.Request, sub *event.Subscription, opt Options) {
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	if opt.Write == nil {
		opt.Write = func(w io.Writer, ev event.Event) {
			fmt.Fprintf(w, "id: %s-%d\nevent: %s\ndata: %s\n\n", opt.Epoch, ev.ID, ev.Kind, ev.Data)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // tell nginx not to buffer
	if r.ProtoMajor == 1 {
		if out, ok := detach(w, r); ok {
			// The request's context ends when the handler returns; the
			// checks keep its values (the logger), not its end.
			ctx := context.WithoutCancel(r.Context())
			go func() {
				defer out.conn.Close()
				stream(ctx, nil, out, sub, opt)
			}()
			return
		}
	}
	rc := http.NewResponseController(w)
	// The server's write timeout is for ordinary responses; a stream
	// lives as long as the client stays.
	rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	stream(r.Context(), r.Context().Done(), handlerSink{w, rc}, sub, opt)
}

// sink is where a stream writes: the handler's ResponseWriter, or a
// connection taken from net/http.
type sink interface {
	io.Writer
	Flush() error
}

type handlerSink struct {
	io.Writer
	rc *http.ResponseController
}

func (h handlerSink) Flush() error { return h.rc.Flush() }

// connSink writes a detached stream to its connection. Each flush has at
// least writeTimeout/2 to reach the client: one that stopped reading is
// dropped (EventSource reconnects, a dead peer is found at the next
// heartbeat). The deadline moves only when half of it is gone: moving it
// is a timer change, and ten thousand streams flush at once on each event.
type connSink struct {
	conn  net.Conn
	until *time.Time
	*bufio.Writer
}

const writeTimeout = 10 * time.Second

func (c connSink) Flush() error {
	if now := time.Now(); c.until.Sub(now) < writeTimeout/2 {
		*c.until = now.Add(writeTimeout)
		c.conn.SetWriteDeadline(*c.until)
	}
	return c.Writer.Flush()
}

// detach takes the connection from net/http and writes the response's
// head: 200, the headers set so far (the middleware's and ours), and
// Connection: close, the body ending when the connection does.
func detach(w http.ResponseWriter, r *http.Request) (connSink, bool) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return connSink{}, false
	}
	// The server's deadlines were for an ordinary exchange.
	conn.SetDeadline(time.Time{})
	h := w.Header().Clone()
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	// net/http's buffers go back to it; ours is small, streams write little.
	rw.Writer.Flush()
	out := connSink{conn: conn, until: new(time.Time), Writer: bufio.NewWriterSize(conn, 512)}
	fmt.Fprintf(out, "HTTP/%d.%d 200 OK\r\n", r.ProtoMajor, r.ProtoMinor)
	h.Write(out)
	out.WriteString("\r\n")
	return out, true
}

// stream writes the preamble, then the events as they come, until done
// closes (the client left, for a stream in its handler), the subscription
// closes, a write fails or Check does. It closes sub.
func stream(ctx context.Context, done <-chan struct{}, w sink, sub *event.Subscription, opt Options) {
	defer sub.Close()
	fmt.Fprint(w, "retry: 3000\n: connected\n\n")
	if opt.Reload {
		fmt.Fprint(w, "event: reload\ndata: {}\n\n")
	}
	for _, ev := range opt.Missed {
		opt.Write(w, ev)
	}
	if err := w.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(opt.Heartbeat)
	defer beat.Stop()
	var recheck <-chan time.Time
	if opt.Check != nil && opt.Recheck > 0 {
		t := time.NewTicker(opt.Recheck)
		defer t.Stop()
		recheck = t.C
	}
	for {
		select {
		case <-done:
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			if opt.Keep != nil && !opt.Keep(ev) {
				continue
			}
			opt.Write(w, ev)
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-recheck:
			cctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := opt.Check(cctx)
			cancel()
			if err != nil {
				return
			}
			continue
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}
