package asgi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/mux"
)

// closed is how a WebSocket ended, as the fake worker was told (`d`).
type closed struct {
	code   uint16
	reason string
}

// echo is a WebSocket app: it accepts with the last subprotocol the client
// offered, sends every message back, grants one more message for each it
// receives and checks the acks; it reports the scope and the disconnect.
func echo(scopes chan<- scope, done chan<- closed) func(*fstream) {
	return func(st *fstream) {
		if scopes != nil {
			scopes <- st.scope
		}
		var offered []string
		for _, v := range st.scope.header("sec-websocket-protocol") {
			for _, p := range strings.Split(v, ",") {
				offered = append(offered, strings.TrimSpace(p))
			}
		}
		sub := ""
		if len(offered) > 0 {
			sub = offered[len(offered)-1]
		}
		st.accept(sub, "x-ws", "yes")
		unacked := 0 // acknowledged in batches: an ack may cover several messages
		for {
			fr := st.recv()
			switch fr.typ {
			case 'm':
				if len(fr.payload) < 1 || (fr.payload[0] != 't' && fr.payload[0] != 'b') {
					st.fail("message %q", fr.payload)
				}
				st.send('W', fr.payload)
				unacked += len(fr.payload) - 1
				st.send('g', u32(1))
			case 'a':
				if len(fr.payload) != 4 || int(u32be(fr.payload)) > unacked {
					st.fail("ack %x, with %d bytes unacknowledged", fr.payload, unacked)
				}
				unacked -= int(u32be(fr.payload))
			case 'd':
				code, reason := closeCode(fr.payload)
				if done != nil {
					done <- closed{code, reason}
				}
				st.end()
				return
			default:
				st.fail("got %q %q", fr.typ, fr.payload)
			}
		}
	}
}

func (s *site) wsURL(path string) string { return "ws" + strings.TrimPrefix(s.url(path), "http") }

func (s *site) dial(t *testing.T, path string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, s.wsURL(path), opts)
	if c != nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func ctxGuard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

func roundTrip(t *testing.T, c *websocket.Conn, typ websocket.MessageType, msg []byte) {
	t.Helper()
	ctx := ctxGuard(t)
	if err := c.Write(ctx, typ, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	gotTyp, got, err := c.Read(ctx)
	if err != nil || gotTyp != typ || !bytes.Equal(got, msg) {
		t.Fatalf("sent %v of %d bytes, got %v of %d bytes back (equal %v), error %v", typ, len(msg), gotTyp, len(got), bytes.Equal(got, msg), err)
	}
}

// wantClose reads until the socket closes and checks how.
func wantClose(t *testing.T, c *websocket.Conn, code websocket.StatusCode, reason string) {
	t.Helper()
	ctx := ctxGuard(t)
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || (reason != "" && ce.Reason != reason) {
			t.Fatalf("the socket ended with %v, want close %d %q", err, code, reason)
		}
		return
	}
}

func TestWebSocketEcho(t *testing.T) {
	s := newSite(t, "/api", siteOptions{})
	scopes := make(chan scope, 1)
	done := make(chan closed, 1)
	s.fake.handle("/ws", echo(scopes, done))
	c, resp, err := s.dial(t, "/ws", &websocket.DialOptions{Subprotocols: []string{"chat", "v2"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if c.Subprotocol() != "v2" || resp.Header.Get("X-Ws") != "yes" {
		t.Errorf("subprotocol %q, X-Ws %q; want v2, yes", c.Subprotocol(), resp.Header.Get("X-Ws"))
	}
	sc := waitFor(t, "the scope", scopes)
	if sc.Scheme != "ws" || sc.Method != "GET" || sc.Body != "0" || sc.RootPath != "/api" || sc.RawPath != "/api/ws" {
		t.Errorf("the scope of a WebSocket: %+v", sc)
	}
	c.SetReadLimit(2 << 20)
	roundTrip(t, c, websocket.MessageText, []byte("hello, wörld"))
	roundTrip(t, c, websocket.MessageBinary, []byte{0, 1, 2, 0xff, 0xfe})
	roundTrip(t, c, websocket.MessageText, nil)
	big := make([]byte, 1<<20)
	rand.Read(big)
	roundTrip(t, c, websocket.MessageBinary, big)
	// More messages than the first grant of 32, all in flight at once.
	ctx := ctxGuard(t)
	const n = 50
	go func() {
		for i := range n {
			if c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, "message %d", i)) != nil {
				return
			}
		}
	}()
	for i := range n {
		_, got, err := c.Read(ctx)
		if want := fmt.Sprintf("message %d", i); err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}

	if err := c.Close(4002, "client leaving"); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := waitFor(t, "the worker's 'd'", done); got != (closed{4002, "client leaving"}) {
		t.Fatalf("the worker was told %+v, want 4002 client leaving", got)
	}
}

func TestWebSocketDenied(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/close", func(st *fstream) {
		st.send('C', []byte{0x03, 0xe8})
		st.end()
	})
	s.fake.handle("/page", func(st *fstream) {
		st.start(401, "content-type", "text/plain", "www-authenticate", "Basic")
		st.body(false, "who are you?")
		st.end()
	})
	_, resp, err := s.dial(t, "/close", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("close before accept: %v, %v; want a 403", resp, err)
	}
	_, resp, err = s.dial(t, "/page", nil)
	if err == nil || resp == nil {
		t.Fatalf("a denial page: %v, %v; want a 401", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 401 || string(body) != "who are you?" || resp.Header.Get("Www-Authenticate") != "Basic" {
		t.Errorf("a denial page: %d %q, WWW-Authenticate %q", resp.StatusCode, body, resp.Header.Get("Www-Authenticate"))
	}
}

func TestWebSocketServerClose(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	done := make(chan closed, 1)
	s.fake.handle("/ws", func(st *fstream) {
		st.accept("")
		st.expect('m')
		st.send('C', []byte{0x0f, 0xa1}, []byte("bye now")) // 4001
		code, reason := closeCode(st.expect('d'))
		done <- closed{code, reason}
		st.end()
	})
	c, _, err := s.dial(t, "/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctxGuard(t), websocket.MessageText, []byte("close me")); err != nil {
		t.Fatal(err)
	}
	wantClose(t, c, 4001, "bye now")
	if got := waitFor(t, "the worker's 'd'", done); got.code != 4001 {
		t.Errorf("the worker was told %+v", got)
	}
}

// An accepted socket that has echoed one message (so it is relaying, and
// its shutdown is set).
func (s *site) relaying(t *testing.T, done chan closed) *websocket.Conn {
	t.Helper()
	s.fake.handle("/ws", echo(nil, done))
	c, _, err := s.dial(t, "/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, websocket.MessageText, []byte("ping"))
	return c
}

func TestWebSocketShutdown(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	done := make(chan closed, 1)
	c := s.relaying(t, done)
	n := 0
	s.fake.conn.Each(func(st *mux.Stream) {
		if st.Shutdown(1012, "service restart") {
			n++
		}
	})
	if n != 1 {
		t.Fatalf("%d streams shut down, want 1", n)
	}
	wantClose(t, c, websocket.StatusServiceRestart, "service restart")
	if got := waitFor(t, "the worker's 'd'", done); got.code != 1012 {
		t.Errorf("the worker was told %+v", got)
	}
}

func TestWebSocketWorkerGone(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	c := s.relaying(t, nil)
	s.fake.die()
	wantClose(t, c, websocket.StatusInternalError, "")
}

func TestWebSocketTooBig(t *testing.T) {
	s := newSite(t, "/", siteOptions{edit: func(c *config.ASGI) { c.MaxMessage = 1024 }})
	done := make(chan closed, 1)
	c := s.relaying(t, done)
	roundTrip(t, c, websocket.MessageBinary, make([]byte, 1024))
	if err := c.Write(ctxGuard(t), websocket.MessageBinary, make([]byte, 1025)); err != nil {
		t.Fatal(err)
	}
	wantClose(t, c, websocket.StatusMessageTooBig, "")
	if got := waitFor(t, "the worker's 'd'", done); got.code != 1009 {
		t.Errorf("the worker was told %+v", got)
	}
}

// A text message that is not UTF-8 closes the socket with 1007. The client
// is raw: a library would refuse to send it.
func TestWebSocketInvalidUTF8(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	done := make(chan closed, 1)
	s.fake.handle("/ws", echo(nil, done))
	conn, err := net.Dial("tcp", s.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(guard))
	req, _ := http.NewRequest(http.MethodGet, s.wsURL("/ws"), nil)
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v, %v", resp, err)
	}
	// A final, masked text frame of two bytes: 0xff 0xfe.
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	frame := []byte{0x81, 0x80 | 2, mask[0], mask[1], mask[2], mask[3], 0xff ^ mask[0], 0xfe ^ mask[1]}
	if _, err := conn.Write(frame); err != nil {
		t.Fatal(err)
	}
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, h[1]&0x7f)
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	if h[0] != 0x88 || len(payload) < 2 || uint16(payload[0])<<8|uint16(payload[1]) != 1007 {
		t.Fatalf("got frame %x %q, want a close with 1007", h, payload)
	}
	if got := waitFor(t, "the worker's 'd'", done); got.code != 1007 {
		t.Errorf("the worker was told %+v", got)
	}
}

// The runner sends no more messages than the app has granted. (A broken
// runner would send the second message while the app's send is under
// way: this can miss it, never fail a correct runner.)
func TestWebSocketGrants(t *testing.T) {
	pad := strings.Repeat(".", 256<<10)
	s := newSite(t, "/", siteOptions{})
	done := make(chan closed, 1)
	s.fake.handle("/ws", func(st *fstream) {
		// An app that grants one message at a time: each grant is its
		// next receive(), after its send of the message before.
		st.send('A', nil)
		st.send('g', u32(1))
		for _, want := range []string{"one", "two", "three"} {
			if p := st.expect('m'); string(p) != "t"+want {
				st.fail("got %q, want %q", p, want)
			}
			// A reply of a whole ack batch, so that the runner acks it
			// before the app grants the next message.
			st.send('W', []byte("tgot "+want+pad))
			if fr := st.recv(); fr.typ != 'a' {
				st.fail("got %q %q before the ack, with no message granted", fr.typ, fr.payload)
			}
			st.send('g', u32(1))
		}
		code, reason := closeCode(st.expect('d'))
		done <- closed{code, reason}
		st.end()
	})
	c, _, err := s.dial(t, "/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	ctx := ctxGuard(t)
	for _, m := range []string{"one", "two", "three"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"got one", "got two", "got three"} {
		if _, got, err := c.Read(ctx); err != nil || string(got) != want+pad {
			t.Fatalf("got %.20q, %v; want %q", got, err, want)
		}
	}
	if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, "the worker's 'd'", done); got != (closed{1000, "done"}) {
		t.Errorf("the worker was told %+v", got)
	}
}

// An app that raises after accepting: the client sees 1011.
func TestWebSocketAppFails(t *testing.T) {
	s := newSite(t, "/", siteOptions{})
	s.fake.handle("/ws", func(st *fstream) {
		st.accept("")
		p := st.expect('m')
		st.send('W', p)
		st.send('F', []byte(traceback))
		st.end()
	})
	c, _, err := s.dial(t, "/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, websocket.MessageText, []byte("raise"))
	wantClose(t, c, websocket.StatusInternalError, "")
}
