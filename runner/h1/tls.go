package h1

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// ListenTLS is Listen for TLS. net/http would do each handshake itself and
// keep the plain text out of reach, so the listener does it, on its own
// goroutine per connection: a connection that chose HTTP/2 goes to the
// server as the *tls.Conn it is (net/http serves it, the handshake done); an
// HTTP/1.x one is wrapped as Listen's are, and still tells net/http its TLS
// state, so that r.TLS is set.
func ListenTLS(l net.Listener, cfg *tls.Config, o Options) net.Listener {
	tl := &tlsListener{Listener: l, cfg: cfg, o: o.withDefaults(), conns: make(chan net.Conn), errs: make(chan error), done: make(chan struct{}),
		pending: map[net.Conn]struct{}{}}
	go tl.accept()
	return tl
}

type tlsListener struct {
	net.Listener
	cfg   *tls.Config
	o     Options
	conns chan net.Conn // handshaken
	errs  chan error    // from the listener's Accept
	done  chan struct{} // closed by Close
	once  sync.Once

	mu      sync.Mutex
	pending map[net.Conn]struct{} // handshaking; Close closes them
}

// tlsConn is an HTTP/1.x connection over TLS.
type tlsConn struct{ *Conn }

// ConnectionState is what net/http sets r.TLS from.
func (c *tlsConn) ConnectionState() tls.ConnectionState {
	return c.Conn.Conn.(*tls.Conn).ConnectionState()
}

func (l *tlsListener) accept() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			// Each error goes to the server's Accept, which decides
			// whether to retry (it waits before it asks again).
			select {
			case l.errs <- err:
			case <-l.done:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		go l.handshake(c)
	}
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tlsListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.mu.Lock()
		for c := range l.pending {
			c.Close()
		}
		l.mu.Unlock()
	})
	return l.Listener.Close()
}

// track notes a connection in its handshake, or reports that the listener
// is closed.
func (l *tlsListener) track(c net.Conn, on bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !on {
		delete(l.pending, c)
		return true
	}
	select {
	case <-l.done:
		return false
	default:
	}
	l.pending[c] = struct{}{}
	return true
}

func (l *tlsListener) handshake(c net.Conn) {
	if !l.track(c, true) {
		c.Close()
		return
	}
	defer l.track(c, false)
	tc := tls.Server(c, l.cfg)
	if l.o.HandshakeTimeout > 0 {
		c.SetDeadline(time.Now().Add(l.o.HandshakeTimeout))
	}
	if err := tc.Handshake(); err != nil {
		// As net/http does: a client speaking plain HTTP is told so.
		reason := err.Error()
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
			io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
			reason = "client sent an HTTP request to an HTTPS server"
		}
		l.o.warnf("http: TLS handshake error from %s: %s", c.RemoteAddr(), reason)
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	var out net.Conn = tc
	if tc.ConnectionState().NegotiatedProtocol != "h2" {
		out = &tlsConn{newConn(tc, l.o)}
	}
	select {
	case l.conns <- out:
	case <-l.done:
		out.Close()
	}
}

func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}
