// Package h1 adds to net/http's HTTP/1.x server two things a handler cannot
// do, at the one place they can be done, the connection:
//
//   - a response's status line carries the app's own reason phrase
//     ("299 Custom Thing"), which net/http always replaces with its own;
//   - a request whose framing is ambiguous (Content-Length together with
//     Transfer-Encoding, RFC 9112 6.1), which net/http accepts, answers,
//     and then reads the next request after, is refused before net/http
//     parses it: net/http answers 400 and closes the connection.
//
// Everything else is still net/http's: parsing, keep-alive, timeouts,
// limits. Listen wraps a plain-text listener; ListenTLS does the TLS
// handshakes itself so that the same applies to HTTP/1.1 over TLS, and
// hands HTTP/2 connections to net/http untouched.
package h1

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a listener.
type Options struct {
	// MaxHeaderBytes is the server's http.Server.MaxHeaderBytes. A request
	// head longer than net/http accepts is left to net/http (a 431); the
	// guard only needs to hold a head that net/http might serve.
	MaxHeaderBytes int
	// HandshakeTimeout bounds a TLS handshake (ListenTLS), as net/http's
	// own handshake is bounded by the server's shortest timeout.
	HandshakeTimeout time.Duration
	// Warnf gets a line for each request refused at the connection and
	// each failed TLS handshake.
	Warnf func(format string, args ...any)

	fullParse bool // every head through http.ReadRequest (simpleHead off), for the tests to compare
}

func (o Options) withDefaults() Options {
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = http.DefaultMaxHeaderBytes
	}
	return o
}

func (o Options) warnf(format string, args ...any) {
	if o.Warnf != nil {
		o.Warnf(format, args...)
	}
}

// Listen wraps l so that every connection it accepts is a *Conn.
func Listen(l net.Listener, o Options) net.Listener {
	return &listener{Listener: l, o: o.withDefaults()}
}

type listener struct {
	net.Listener
	o Options
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newConn(c, l.o), nil
}

// ConnContext is the http.Server's ConnContext: it lets a handler reach its
// connection through the request's context (SetReason).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	switch c := c.(type) {
	case *Conn:
		return context.WithValue(ctx, connKey{}, c)
	case *tlsConn:
		return context.WithValue(ctx, connKey{}, c.Conn)
	}
	return ctx
}

type connKey struct{}

// SetReason asks for status line "CODE reason" on the response to r, which
// the handler is about to start with WriteHeader(code). It does nothing when
// net/http's phrase is the same, over HTTP/2 (which has no reason phrase),
// or on a connection that is not a *Conn. The reason must already be a
// valid one (environ.CheckStatus): it goes on the wire as it is.
func SetReason(r *http.Request, code int, reason string) {
	if reason == http.StatusText(code) || r.ProtoMajor != 1 {
		return
	}
	if c, ok := r.Context().Value(connKey{}).(*Conn); ok {
		c.reason.Store(&statusLine{code: code, reason: reason})
	}
}

// MayTunnel reports an HTTP/1.x request after which the connection may stop
// carrying HTTP: a CONNECT, or an Upgrade that a handler may accept by
// hijacking the connection (the reverse proxy does, for WebSockets). The
// guard stops reading requests there, so the server must close the
// connection after answering such a request unless the handler took the
// connection over. net/http answers OPTIONS * itself and never hands it over.
func MayTunnel(r *http.Request) bool {
	return r.ProtoMajor == 1 && (r.Method == http.MethodConnect || len(r.Header["Upgrade"]) > 0 && r.RequestURI != "*")
}

type statusLine struct {
	code   int
	reason string
}

// Conn is one accepted connection.
type Conn struct {
	net.Conn
	o      Options
	reason atomic.Pointer[statusLine] // armed by SetReason for the next status line

	rmu     sync.Mutex
	g       *guard // nil once nothing more is checked
	pend    []byte // read from the socket, not yet returned; the held part is a head being checked
	at      int64  // the stream offset of pend[0]
	safe    int64  // bytes before this offset may be returned
	rerr    error  // what to return once pend is drained
	refused bool   // a request was refused: what follows is dropped
	buf     []byte // pend's reusable storage

	closeOnce sync.Once
}

func newConn(c net.Conn, o Options) *Conn {
	g := newGuard(o.MaxHeaderBytes + 16<<10)
	g.fullParse = o.fullParse
	return &Conn{Conn: c, o: o, g: g}
}

// refusal is what net/http reads in place of a refused request: a request
// line it cannot parse, which it answers with 400 and a closed connection.
const refusal = "GOWSGI-REFUSED\r\n\r\n"

// Read returns the bytes the client sent, except that the head of a request
// is returned only once it is complete and checked.
func (c *Conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if n := c.safe - c.at; n > 0 {
			n := copy(p, c.pend[:n])
			c.pend = c.pend[n:]
			c.at += int64(n)
			return n, nil
		}
		if c.rerr != nil {
			return 0, c.rerr
		}
		if c.refused {
			return c.drop()
		}
		if c.g == nil && len(c.pend) == 0 {
			n, err := c.Conn.Read(p)
			c.at += int64(n)
			c.safe = c.at
			return n, err
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
}

// fill reads once from the socket and lets the guard check what came. It
// returns a read deadline's error, after which the server may read again
// (net/http interrupts its background read that way); the stream's end
// stays in c.rerr.
func (c *Conn) fill() error {
	if len(c.pend) == 0 {
		if c.buf == nil {
			c.buf = make([]byte, 4<<10)
		}
		c.pend = c.buf[:0]
	}
	if cap(c.pend)-len(c.pend) < 1<<10 {
		grown := make([]byte, len(c.pend), 2*cap(c.pend)+4<<10)
		copy(grown, c.pend)
		c.pend = grown
	}
	n, err := c.Conn.Read(c.pend[len(c.pend):cap(c.pend)])
	got := c.pend[len(c.pend) : len(c.pend)+n]
	c.pend = c.pend[:len(c.pend)+n]
	g := c.g
	if n > 0 {
		g.feed(got)
	}
	var transient error
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		transient = err
	} else if err != nil {
		c.rerr = err
		g.end(err)
	}
	if !g.done {
		c.safe = g.safe()
		return transient
	}
	if g.refused != "" && g.refusedAt < c.at {
		// Some of the refused head has gone to net/http already: the
		// stream ends here, mid-request, so net/http answers nothing more
		// on this connection and reads nothing after it.
		c.pend, c.rerr = c.pend[:0], io.ErrUnexpectedEOF
		c.g, c.safe = nil, c.at
		c.o.warnf("refused a request from %s: %s; closed the connection", c.RemoteAddr(), g.refused)
		return transient
	}
	if g.refused != "" {
		// Everything before the refused head goes to net/http, then a
		// request it refuses in its place; the rest is dropped.
		c.pend = append(c.pend[:g.refusedAt-c.at], refusal...)
		c.refused, c.rerr = true, nil
		c.o.warnf("refused a request from %s: %s; answered 400 and closed the connection", c.RemoteAddr(), g.refused)
	}
	c.g = nil
	c.safe = c.at + int64(len(c.pend))
	return transient
}

// drop reads and drops what the client sends after a refused request,
// until net/http, having answered it, closes the connection. It does not
// return the end of the stream early: net/http would take that for a
// client gone, and cancel the request before the refused one.
func (c *Conn) drop() (int, error) {
	var scratch [512]byte
	for {
		if _, err := c.Conn.Read(scratch[:]); err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				c.rerr = err
			}
			return 0, err
		}
	}
}

// Write sends p, with the app's reason phrase in place of net/http's when
// SetReason armed it and p starts the response.
func (c *Conn) Write(p []byte) (int, error) {
	if sl := c.reason.Load(); sl != nil {
		return c.writeStatus(p, sl)
	}
	return c.Conn.Write(p)
}

func (c *Conn) writeStatus(p []byte, sl *statusLine) (int, error) {
	// net/http writes "HTTP/1.1 299 status code 299\r\n" at the start of a
	// response's first write to the connection (its buffer is flushed
	// after every response, and the line is shorter than the buffer).
	// Interim 100 Continue responses may come first; they pass.
	if len(p) < 13 || !bytes.HasPrefix(p, []byte("HTTP/1.")) || p[8] != ' ' || p[12] != ' ' {
		return c.Conn.Write(p)
	}
	code, err := strconv.Atoi(string(p[9:12]))
	if err != nil || code < 200 {
		return c.Conn.Write(p)
	}
	c.reason.CompareAndSwap(sl, nil)
	end := bytes.Index(p, []byte("\r\n"))
	if code != sl.code || end < 0 {
		return c.Conn.Write(p)
	}
	line := make([]byte, 0, 13+len(sl.reason)+len(p)-end)
	line = append(line, p[:13]...)
	line = append(line, sl.reason...)
	line = append(line, p[end:]...)
	n, err := c.Conn.Write(line)
	// Report how much of p went out, not of line: the replaced phrase
	// counts as written only when all of the new one was.
	switch newEnd := 13 + len(sl.reason); {
	case err == nil:
		n = len(p)
	case n <= 13:
	case n < newEnd:
		n = 13
	default:
		n -= newEnd - end
	}
	return n, err
}

// ReadFrom keeps net/http's sendfile path for static files.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok && c.reason.Load() == nil {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c}, r)
}

type writerOnly struct{ io.Writer }

// CloseWrite lets net/http half-close a connection it is ending, as it does
// for a bare TCP connection.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Close closes the connection and ends the guard.
func (c *Conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.rmu.Lock()
		defer c.rmu.Unlock()
		if c.g != nil {
			c.g.close()
			c.g = nil
		}
	})
	return err
}
