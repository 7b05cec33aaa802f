package asgi

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/gowsgi/gowsgi/environ"
	"github.com/gowsgi/gowsgi/runner/mux"
	"github.com/gowsgi/gowsgi/runner/router"
)

// isWebSocket reports whether r asks to become a WebSocket.
func isWebSocket(r *http.Request) bool {
	return r.Method == http.MethodGet && headerHas(r.Header, "Upgrade", "websocket") && headerHas(r.Header, "Connection", "upgrade")
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h[name] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func closePayload(code uint16, reason string) []byte {
	b := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(b, code)
	return append(b, reason...)
}

// ackBatch is how many bytes of the app's messages are acknowledged at
// once: a quarter of the worker's window (docs/protocol.md).
const ackBatch = 256 << 10

// pingTimeout is how long a ping may go unanswered before the socket is
// closed with 1011 (uvicorn's default).
const pingTimeout = 20 * time.Second

// serveWebSocket runs the handshake through the app (`websocket.connect`
// and its answer), then relays whole messages both ways until either side
// closes.
func (h *Handler) serveWebSocket(w http.ResponseWriter, r *http.Request) router.Record {
	st, rec := h.open(w, r, 'w')
	if rec != nil {
		return *rec
	}
	x := &exchange{h: h, st: st, w: w, r: r, body: http.NoBody}
	for {
		f, err := st.Next(r.Context())
		if err != nil {
			if errors.Is(err, mux.ErrGone) {
				return x.interrupted(err)
			}
			st.Send('d', closePayload(1006, ""))
			x.detach()
			return router.Record{Note: "client went away", Abort: true}
		}
		switch {
		case f.Type == 'A':
			return h.relay(w, r, st, f.Payload)
		case f.Type == 'C' && !x.started:
			x.detach()
			router.Error(w, r, http.StatusForbidden, "the app refused the WebSocket", "", "")
			return router.Record{Note: "WebSocket refused"}
		case f.Type == 'E' && !x.started:
			st.Close()
			router.Error(w, r, http.StatusInternalServerError, "the app returned without accepting the WebSocket", "", "")
			return router.Record{Note: "the app returned without accepting the WebSocket"}
		}
		// websocket.http.response.*: the app's own denial page.
		if rec, done := x.frame(f); done {
			return rec
		}
	}
}

// socket is one accepted WebSocket.
type socket struct {
	h      *Handler
	st     *mux.Stream
	c      *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc

	credit atomic.Int64  // messages the app may be sent
	more   chan struct{} // credit came

	once    sync.Once
	code    atomic.Uint32            // how it ended, for the log
	closing atomic.Pointer[closeWhy] // set by closeWith: what the app is told
}

type closeWhy struct {
	code   uint16
	reason string
}

// relay accepts the handshake with the app's subprotocol and headers and
// moves messages until the socket ends.
func (h *Handler) relay(w http.ResponseWriter, r *http.Request, st *mux.Stream, accept []byte) router.Record {
	fields := strings.Split(string(accept), "\x00")
	sub := fields[0]
	for i := 1; i+1 < len(fields); i += 2 {
		name, value := fields[i], fields[i+1]
		if environ.IsHopByHop(name) || strings.HasPrefix(strings.ToLower(name), "sec-websocket-") || environ.CheckHeader(name, value) != nil {
			continue
		}
		w.Header().Add(name, value)
	}
	opts := &websocket.AcceptOptions{
		InsecureSkipVerify: true, // origins are the app's to check, as in every ASGI server
		CompressionMode:    websocket.CompressionNoContextTakeover,
	}
	if sub != "" {
		opts.Subprotocols = []string{sub}
	}
	c, err := websocket.Accept(w, r, opts)
	if err != nil {
		st.Send('d', closePayload(1006, ""))
		(&exchange{h: h, st: st, r: r}).detach()
		return router.Record{Note: "WebSocket handshake failed: " + err.Error()}
	}
	c.SetReadLimit(h.cfg.MaxMessage)
	s := &socket{h: h, st: st, c: c, more: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	defer s.cancel()
	st.OnShutdown(func(code uint16, reason string) {
		shutdowns.Add(1)
		go func() {
			defer shutdowns.Done()
			s.closeWith(code, reason)
		}()
	})
	go s.read()
	if h.cfg.PingInterval > 0 {
		go s.ping(h.cfg.PingInterval)
	}
	note := s.write()
	s.cancel()
	return router.Record{Note: note}
}

// shutdowns are the closes that retirements and the server's stop started.
var shutdowns sync.WaitGroup

// Drain waits, at most d, until the WebSockets a stop is closing have
// finished their close handshakes: the process must not exit before their
// close frames are out.
func Drain(d time.Duration) {
	done := make(chan struct{})
	go func() { shutdowns.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// closeWith closes the socket with code, then tells the app. The close
// frame goes first: disconnect cancels s.ctx, and a Read under a cancelled
// context cuts the connection at once, without it. The read that the
// closing ends reports code too, not an abnormal closure.
func (s *socket) closeWith(code uint16, reason string) {
	s.closing.CompareAndSwap(nil, &closeWhy{code, reason})
	s.c.Close(websocket.StatusCode(code), reason)
	s.disconnect(code, reason)
}

// disconnect tells the app, once, that the socket has ended with code.
func (s *socket) disconnect(code uint16, reason string) {
	s.once.Do(func() {
		s.code.Store(uint32(code))
		s.st.Send('d', closePayload(code, reason))
		s.cancel()
	})
}

// read moves the client's messages to the app, as far as the app has
// granted, until the socket ends.
func (s *socket) read() {
	for {
		for s.credit.Load() <= 0 {
			select {
			case <-s.more:
			case <-s.ctx.Done():
				return
			}
		}
		typ, data, err := s.c.Read(s.ctx)
		if err != nil {
			code, reason := s.readError(err)
			s.disconnect(code, reason)
			return
		}
		kind := byte('b')
		if typ == websocket.MessageText {
			if !utf8.Valid(data) {
				s.closeWith(1007, "invalid UTF-8 in a text message")
				return
			}
			kind = 't'
		}
		s.credit.Add(-1)
		if s.st.Send('m', []byte{kind}, data) != nil {
			return
		}
	}
}

// readError is the close code the app is told for a read that failed.
func (s *socket) readError(err error) (uint16, string) {
	if why := s.closing.Load(); why != nil {
		return why.code, why.reason // we are closing it
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return uint16(ce.Code), ce.Reason
	}
	switch {
	case s.ctx.Err() != nil:
		return 1006, "" // ended from our side; the app was told already
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return 1006, ""
	case strings.Contains(err.Error(), "read limited at"):
		// The library has sent 1009 itself.
		return 1009, "message too big"
	}
	// A protocol violation (an unmasked frame, a bad opcode): the library
	// has sent 1002 for most; for the rest, we do.
	// (Before the app is told, which ends the relay: the close frame first.)
	s.c.Close(websocket.StatusProtocolError, "protocol error")
	return 1002, "protocol error"
}

// ping keeps the socket alive and notices a peer that is gone.
func (s *socket) ping(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(s.ctx, pingTimeout)
		err := s.c.Ping(ctx)
		cancel()
		if err != nil && s.ctx.Err() == nil {
			s.closeWith(1011, "keepalive ping timeout")
			return
		}
	}
}

// write carries out what the app sends until its task ends or the socket
// does; it returns a note for the access log.
func (s *socket) write() string {
	leftover := s.h.leftover(s.st, "websocket")
	unacked := 0 // message bytes written to the client, not yet acknowledged
	for {
		f, err := s.st.Next(s.ctx)
		if err != nil {
			if errors.Is(err, mux.ErrGone) {
				s.st.Close()
				s.c.Close(websocket.StatusInternalError, "the worker died")
				return "the worker died (1011)"
			}
			// The socket ended (the app has been told): the task ends on its own.
			s.st.Detach(leftover)
			return closeNote(uint16(s.code.Load()))
		}
		p := f.Payload
		switch f.Type {
		case 'g':
			if len(p) == 4 {
				s.credit.Add(int64(binary.BigEndian.Uint32(p)))
				select {
				case s.more <- struct{}{}:
				default:
				}
			}
		case 'W':
			if len(p) == 0 {
				break
			}
			typ := websocket.MessageBinary
			if p[0] == 't' {
				typ = websocket.MessageText
			}
			if err := s.c.Write(s.ctx, typ, p[1:]); err != nil {
				s.disconnect(1006, "")
				break
			}
			// Acknowledged in batches well under the worker's 1 MiB
			// window: it waits only past the window, and a frame per
			// message is saved.
			if unacked += len(p) - 1; unacked >= ackBatch {
				var n [4]byte
				binary.BigEndian.PutUint32(n[:], uint32(unacked))
				s.st.Send('a', n[:])
				unacked = 0
			}
		case 'C':
			code, reason := uint16(1000), ""
			if len(p) >= 2 {
				code, reason = binary.BigEndian.Uint16(p), string(p[2:])
			}
			s.closeWith(code, reason)
		case 'F':
			s.closeWith(1011, "internal error")
			leftover(f)
		case 'E':
			s.st.Close()
			if s.code.CompareAndSwap(0, 1000) {
				s.c.Close(websocket.StatusNormalClosure, "")
			}
			return closeNote(uint16(s.code.Load()))
		}
	}
}

func closeNote(code uint16) string {
	if code == 0 {
		return "WebSocket closed"
	}
	return "WebSocket closed " + strconv.Itoa(int(code))
}
