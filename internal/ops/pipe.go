package ops

import (
	"io"
)

// Compressing (backup) and decompressing (verify, restore) take as long
// as encoding or decoding the rows: each runs in a goroutine of its own,
// beside the one that reads or loads the database, handing chunks over
// through a few buffers.

const chunkSize = 256 << 10

// asyncWriter writes to w in another goroutine.
type asyncWriter struct {
	w    io.Writer
	buf  []byte
	full chan []byte
	free chan []byte
	done chan struct{}
	err  error // set by the goroutine before done closes
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan struct{})}
	a.buf = make([]byte, 0, chunkSize)
	for range 2 {
		a.free <- make([]byte, 0, chunkSize)
	}
	go func() {
		defer close(a.done)
		for chunk := range a.full {
			if _, err := a.w.Write(chunk); err != nil {
				a.err = err
				return
			}
			a.free <- chunk[:0]
		}
	}()
	return a
}

// Write buffers p; the buffer goes to the writing goroutine when full.
func (a *asyncWriter) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	if len(a.buf) >= chunkSize {
		if err := a.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// appended hands the buffer over when it is full, after the caller
// appended to a.buf directly.
func (a *asyncWriter) appended() error {
	if len(a.buf) >= chunkSize {
		return a.flush()
	}
	return nil
}

func (a *asyncWriter) flush() error {
	select {
	case a.full <- a.buf:
	case <-a.done:
		return a.err
	}
	select {
	case a.buf = <-a.free:
	case <-a.done:
		return a.err
	}
	return nil
}

// Close writes what is buffered and waits for the goroutine; it returns
// the first error of w.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		if err := a.flush(); err != nil {
			return err
		}
	}
	close(a.full)
	<-a.done
	return a.err
}

// abort stops the goroutine without writing what is buffered.
func (a *asyncWriter) abort() {
	select {
	case <-a.done:
	default:
		close(a.full)
		<-a.done
	}
}

// readAhead reads r in another goroutine, a few chunks ahead.
type readAhead struct {
	cur   []byte // the unread part of chunk
	chunk []byte
	full  chan []byte
	free  chan []byte
	stop  chan struct{}
	done  chan struct{}
	err   error // set by the goroutine before it closes full
}

func newReadAhead(r io.Reader) *readAhead {
	a := &readAhead{full: make(chan []byte, 2), free: make(chan []byte, 4), stop: make(chan struct{}), done: make(chan struct{})}
	for range 3 {
		a.free <- make([]byte, chunkSize)
	}
	go func() {
		defer close(a.done)
		defer close(a.full)
		for {
			var buf []byte
			select {
			case buf = <-a.free:
			case <-a.stop:
				return
			}
			n, err := io.ReadFull(r, buf[:cap(buf)])
			if n > 0 {
				select {
				case a.full <- buf[:n]:
				case <-a.stop:
					return
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				a.err = io.EOF
				return
			}
			if err != nil {
				a.err = err
				return
			}
		}
	}()
	return a
}

func (a *readAhead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.chunk != nil {
			a.free <- a.chunk[:cap(a.chunk)]
			a.chunk = nil
		}
		chunk, ok := <-a.full
		if !ok {
			return 0, a.err
		}
		a.cur, a.chunk = chunk, chunk
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the goroutine.
func (a *readAhead) Close() {
	close(a.stop)
	<-a.done
}
