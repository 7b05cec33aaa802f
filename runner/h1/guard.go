package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"iter"
	"net/http"
)

// guard reads a connection's request stream a second time, with net/http's
// own parser (http.ReadRequest and the body readers it returns), so that it
// finds the requests and their bodies exactly where the server will. It
// sees each request head before the server does, as it came (refuse).
//
// It runs as a coroutine (iter.Pull), fed by the connection's reads: feed
// returns once it has used every byte given and wants more.
type guard struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool

	in    []byte // fed, not yet taken
	err   error  // how the stream ended, once it has
	fed   int64  // bytes fed so far
	head  int64  // the stream offset where the head being read starts, or -1
	rec   []byte // the bytes read since that head started
	limit int    // the most head bytes held; longer heads are net/http's to refuse

	recording bool
	fullParse bool   // no simpleHead
	stopped   bool   // yield said stop: the parser must return without yielding again
	done      bool   // nothing more to check: what follows passes as it is
	refused   string // why the head at refusedAt is refused (then done)
	refusedAt int64
}

var (
	errStopped  = errors.New("h1: guard stopped")
	errTooLarge = errors.New("h1: request head larger than the server accepts")
)

func newGuard(limit int) *guard {
	g := &guard{limit: limit, head: -1}
	g.next, g.stop = iter.Pull(g.run)
	return g
}

// feed gives the parser p; it returns when the parser has taken all of p
// and needs more, or has stopped.
func (g *guard) feed(p []byte) {
	if g.done {
		return
	}
	g.in = p
	g.fed += int64(len(p))
	g.next()
	g.in = nil
}

// end tells the parser that the stream ended with err.
func (g *guard) end(err error) {
	if g.done {
		return
	}
	g.err = err
	g.next()
}

// close ends the parser wherever it is.
func (g *guard) close() {
	g.stop()
	g.done = true
}

// safe is the stream offset before which bytes may go to the server while
// the parser runs: all that was fed, except a head still being read.
func (g *guard) safe() int64 {
	if g.head < 0 {
		return g.fed
	}
	return g.head
}

// wait suspends the parser until more is fed; false means it must stop.
func (g *guard) wait() bool {
	if g.err != nil || g.stopped {
		return false
	}
	g.stopped = !g.yield(struct{}{})
	return !g.stopped
}

// Read is the parser's input.
func (g *guard) Read(p []byte) (int, error) {
	for len(g.in) == 0 {
		if !g.wait() {
			if g.err != nil {
				return 0, g.err
			}
			return 0, errStopped
		}
	}
	n := copy(p, g.in)
	g.in = g.in[n:]
	if g.recording {
		if len(g.rec)+n > g.limit {
			return 0, errTooLarge
		}
		g.rec = append(g.rec, p[:n]...)
	}
	return n, nil
}

// run follows the stream request by request until it ends, a request is
// refused, or it may stop being HTTP. When the parser fails, net/http fails
// at the same byte and closes the connection, so nothing after it matters.
func (g *guard) run(yield func(struct{}) bool) {
	g.yield = yield
	defer func() { g.done = true }()
	br := bufio.NewReader(g) // net/http's size: chunk lines and trailers are limited by it
	for {
		g.head = g.fed - int64(len(g.in)) - int64(br.Buffered())
		if n, ok := simpleHead(br); ok && !g.fullParse {
			br.Discard(n)
			continue
		}
		ahead, _ := br.Peek(br.Buffered())
		g.rec = append(g.rec[:0], ahead...)
		g.recording = true
		req, err := http.ReadRequest(br)
		g.recording = false
		if err != nil {
			return
		}
		if why := refuse(g.rec[:len(g.rec)-br.Buffered()], req.ProtoAtLeast(1, 1)); why != "" {
			g.refused, g.refusedAt = why, g.head
			return
		}
		g.head = -1
		if cap(g.rec) > 16<<10 {
			g.rec = nil
		}
		if MayTunnel(req) {
			return
		}
		switch {
		case req.ContentLength > 0:
			if !g.skip(br, req.ContentLength) {
				return
			}
		case req.ContentLength < 0:
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				return
			}
		}
	}
}

// simpleHead waits for the request head at the front of br and returns its
// length when it is one that needs no full parse: no Content-Length,
// Transfer-Encoding or Upgrade field, no folded line, not a CONNECT. For
// net/http such a request has no body, whether it accepts the head or not
// (and if not, it closes the connection). Anything else, or a head longer
// than br's buffer, is left to http.ReadRequest.
func simpleHead(br *bufio.Reader) (int, bool) {
	for {
		buf, _ := br.Peek(br.Buffered())
		if end := headEnd(buf); end >= 0 {
			return end, plain(buf[:end])
		}
		if br.Buffered() == br.Size() {
			return 0, false
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return 0, false
		}
	}
}

// headEnd returns the length of the request head at the start of b, up to
// and including the empty line after its field lines, or -1. Lines end at
// "\n", with or without "\r" before it, as textproto reads them.
func headEnd(b []byte) int {
	nl := bytes.IndexByte(b, '\n') // the request line
	for nl >= 0 {
		start := nl + 1
		next := bytes.IndexByte(b[start:], '\n')
		if next < 0 {
			return -1
		}
		if line := b[start : start+next]; len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return start + next + 1
		}
		nl = start + next
	}
	return -1
}

// plain reports a head with nothing in it that simpleHead leaves to the
// full parse.
func plain(head []byte) bool {
	if bytes.HasPrefix(head, []byte("CONNECT ")) {
		return false
	}
	_, rest, _ := bytes.Cut(head, []byte("\n"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			return false
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		if bytes.EqualFold(name, []byte("Content-Length")) || bytes.EqualFold(name, []byte("Transfer-Encoding")) ||
			bytes.EqualFold(name, []byte("Upgrade")) {
			return false
		}
	}
	return true
}

// skip passes over n body bytes without copying them.
func (g *guard) skip(br *bufio.Reader, n int64) bool {
	k, _ := br.Discard(int(min(n, int64(br.Buffered()))))
	n -= int64(k)
	for n > 0 {
		for len(g.in) == 0 {
			if !g.wait() {
				return false
			}
		}
		k := min(n, int64(len(g.in)))
		g.in = g.in[k:]
		n -= k
	}
	return true
}

// refuse reports why a request head that net/http parsed must be refused
// anyway, or "". head is the head as it came: the request line, the field
// lines and the empty line. These are what net/http accepts and then
// edits, so that a handler cannot see them:
//
//   - Transfer-Encoding with Content-Length, and Transfer-Encoding in
//     HTTP/1.0 (net/http drops Content-Length, or ignores the
//     Transfer-Encoding). RFC 9112 6.1 calls the first an error to be,
//     and the second faulty framing; a server answering either must close
//     the connection after it. gowsgi refuses both, as gunicorn does: a
//     proxy in front that framed the request by the other header would
//     take the rest of the stream for another request.
//   - A field folded over lines (obs-fold; net/http joins the lines). RFC
//     9112 5.2 allows a 400, which gunicorn sends too: a proxy that does
//     not fold would see a different header, a Transfer-Encoding say.
func refuse(head []byte, http11 bool) string {
	var cl, te bool
	_, rest, _ := bytes.Cut(head, []byte("\n")) // the request line
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return "the request folds a header field over lines (obs-fold, RFC 9112 5.2)"
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			cl = true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			te = true
		}
	}
	switch {
	case te && cl:
		return "the request has both Content-Length and Transfer-Encoding (RFC 9112 6.1: a request smuggling attempt, or a broken proxy)"
	case te && !http11:
		return "the request is HTTP/1.0 with Transfer-Encoding (RFC 9112 6.1: its length cannot be trusted)"
	}
	return ""
}
