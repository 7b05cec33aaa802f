package wsgi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// A slow client must not hold a Python thread. Two rules, separate from
// --timeout (the app's time, off by default so that a debugger can pause a
// request):
//
//   - Every read of the request body and every write of the response must
//     make progress within --client-timeout: a client that trickles nothing,
//     or stops reading, is cut off.
//   - The first bodyAhead bytes of a request body are read before the
//     request takes a thread: a form post or a JSON body arrives whole while
//     only a connection waits, and a client trickling it costs no thread.
//     A larger body streams on to the app as it comes (a 1 GiB upload stays
//     in a few buffers), holding the thread once its first bodyAhead bytes
//     are in.

// bodyAhead is how much of a request body is read before the request takes
// a thread.
const bodyAhead = 64 << 10

// deadlineSlack: a deadline is moved at most this often (a client then gets
// between --client-timeout minus this and --client-timeout). Every read and
// write would move it, and a move costs a timer update, on HTTP/2 a message
// to the connection's goroutine.
const deadlineSlack = time.Second

var aheadBufs = sync.Pool{New: func() any { b := make([]byte, bodyAhead); return &b }}

// progress sets the read and write deadlines of one request's connection.
type progress struct {
	rc         *http.ResponseController
	timeout    time.Duration // --client-timeout
	limit      time.Time     // while reading ahead: no deadline past the request's --timeout
	appTimeout time.Duration // --timeout, to name it

	mu      sync.Mutex // the exchange's reads and writes may run on different goroutines
	readBy  time.Time  // the deadlines in force (zero: none)
	writeBy time.Time
	byLimit bool // the read deadline in force is --timeout's
	bodyEOF bool // the body is all read: the server reads on (to see the client leave), with no deadline
}

// deadline is when an operation starting now must have made progress.
func (p *progress) deadline(now time.Time) (time.Time, bool) {
	var d time.Time
	if p.timeout > 0 {
		d = now.Add(p.timeout)
	}
	if !p.limit.IsZero() && (d.IsZero() || p.limit.Before(d)) {
		return p.limit, true
	}
	return d, false
}

// moved reports whether a deadline in force should become d.
func moved(cur, d time.Time) bool {
	switch {
	case d.Equal(cur):
		return false
	case cur.IsZero() || d.IsZero():
		return true
	}
	return d.Before(cur) || d.Sub(cur) > deadlineSlack
}

// why names the bound a stalled client ran into, for messages.
func (p *progress) why() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byLimit {
		return fmt.Sprintf("--timeout %s", p.appTimeout)
	}
	return fmt.Sprintf("--client-timeout %s without progress", p.timeout)
}

// errStalled is what a read or write that ran into its deadline returns
// (wrapping the connection's own error).
var errStalled = errors.New("the client made no progress in time")

type stalledError struct{ err error }

func (e *stalledError) Error() string   { return errStalled.Error() + ": " + e.err.Error() }
func (e *stalledError) Unwrap() []error { return []error{errStalled, e.err} }

// stallReader is the request body, with a read deadline on every read.
type stallReader struct {
	p *progress
	r io.Reader
}

func (b *stallReader) Read(buf []byte) (int, error) {
	p := b.p
	p.mu.Lock()
	if !p.bodyEOF {
		if d, byLimit := p.deadline(time.Now()); moved(p.readBy, d) {
			p.rc.SetReadDeadline(d)
			p.readBy, p.byLimit = d, byLimit
		}
	}
	p.mu.Unlock()
	n, err := b.r.Read(buf)
	if err == nil {
		return n, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == io.EOF && !p.bodyEOF {
		// net/http now reads on in the background to notice the client
		// leaving: a deadline there would look like it did.
		p.bodyEOF = true
		p.rc.SetReadDeadline(time.Time{})
		p.readBy = time.Time{}
	} else if !p.readBy.IsZero() && !time.Now().Before(p.readBy) {
		err = &stalledError{err}
	}
	return n, err
}

// stallWriter is the response, with a write deadline on every write.
type stallWriter struct {
	http.ResponseWriter
	p *progress
}

func (w *stallWriter) Write(b []byte) (int, error) {
	p := w.p
	p.mu.Lock()
	if d, _ := p.deadline(time.Now()); moved(p.writeBy, d) {
		p.rc.SetWriteDeadline(d)
		p.writeBy = d
	}
	p.mu.Unlock()
	n, err := w.ResponseWriter.Write(b)
	if err != nil && w.p.writeExpired() {
		err = &stalledError{err}
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeExpired reports whether the write deadline in force has passed: a
// write or flush that failed just now stalled.
func (p *progress) writeExpired() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.writeBy.IsZero() && !time.Now().Before(p.writeBy)
}

// guard puts the client's deadlines around w and body (nil: no body), for
// the exchange; it returns a nil progress when neither --client-timeout nor
// --timeout applies. It clears the write deadline a previous request on the
// same connection left.
func (m *Handler) guard(w http.ResponseWriter, r *http.Request, body io.Reader) (*progress, http.ResponseWriter, io.Reader) {
	ct, t := m.cfg.ClientTimeout, m.cfg.Timeout
	if ct <= 0 && t <= 0 {
		return nil, w, body
	}
	p := &progress{rc: http.NewResponseController(w), timeout: ct, appTimeout: t}
	if t > 0 && body != nil {
		// Reading ahead is the request's time too; from the exchange on,
		// its own --timeout timer takes over (readAhead lifts this).
		p.limit = time.Now().Add(t)
	}
	if ct > 0 && r.ProtoMajor == 1 {
		p.rc.SetWriteDeadline(time.Time{})
	}
	if body != nil {
		body = &stallReader{p: p, r: body}
	}
	if ct > 0 {
		w = &stallWriter{ResponseWriter: w, p: p}
	}
	return p, w, body
}

// readAhead reads the first bodyAhead bytes of the body before the request
// takes a thread. It returns the body to hand the app (what was read, then
// the rest), a release for the buffer, and, when the client did not send
// it in time, which bound it ran into. Nothing else is an error here: a
// body that cannot be read fails in the app's hands, as it would have
// without reading ahead.
func readAhead(p *progress, body io.Reader) (rest io.Reader, release func(), stalled string, bad error) {
	bp := aheadBufs.Get().(*[]byte)
	release = func() { aheadBufs.Put(bp) }
	// Not io.ReadFull: it reports a short read as io.ErrUnexpectedEOF,
	// which a body cut short by the client is too.
	buf := *bp
	n := 0
	var err error
	for n < len(buf) && err == nil {
		var m int
		m, err = body.Read(buf[n:])
		n += m
	}
	if errors.Is(err, errStalled) {
		return nil, release, p.why(), nil
	}
	if p != nil {
		p.mu.Lock()
		p.limit, p.byLimit = time.Time{}, false // the exchange's --timeout timer takes over
		p.mu.Unlock()
	}
	head := bytes.NewReader((*bp)[:n])
	switch {
	case err == nil: // more to come, as the app reads it
		return io.MultiReader(head, body), release, "", nil
	case err == io.EOF: // all of it
		return head, release, "", nil
	default: // cut short, malformed, or over --max-body: no app needs to see it
		return nil, release, "", err
	}
}

// stalled reports whether err is a read of the body that ran past
// --client-timeout; if so the client counts as too slow (a 408).
func (x *exchange) stalled(err error) bool {
	if !errors.Is(err, errStalled) {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.clientSlow, x.idle = true, true
	return true
}

// lostClient handles a failed write or flush of the response: the client
// left (the app is told to stop), or stopped reading past --client-timeout
// (likewise, and the log says so).
func (x *exchange) lostClient(err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	stalled := errors.Is(err, errStalled) || x.progress != nil && x.progress.writeExpired()
	x.cancelLocked()
	if stalled && !x.finished {
		x.clientSlow, x.idle = true, true
		x.out.cancelled = false // not the client's choice: it was too slow
	}
}

// slowWhy names the bound a slow client ran into.
func (x *exchange) slowWhy() string {
	x.mu.Lock()
	idle := x.idle
	x.mu.Unlock()
	if idle {
		return x.progress.why()
	}
	return fmt.Sprintf("--timeout %s", x.h.cfg.Timeout)
}
