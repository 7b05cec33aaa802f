package e2e

// WebSockets served to ASGI apps (issue #8): the handshake (subprotocols,
// denials), messages both ways up to 1 MiB and past --ws-max-size, closes
// from either side, pings, malformed frames, 200 sockets on one worker,
// reload, SIGTERM and --timeout. The client is written by hand over net.Conn
// (RFC 6455), so the tests can send exactly the frames a broken or hostile
// client would.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	endian "encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

const (
	opCont   = 0x0
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// wsConn is one client WebSocket over a plain TCP connection.
type wsConn struct {
	conn        net.Conn
	br          *bufio.Reader
	Subprotocol string
	Header      http.Header // the 101 response's headers
	wmu         sync.Mutex
	closeSent   bool
	Pings       [][]byte // the payloads of the server's pings readMessage answered
}

// wsClosed is what reading returns once the WebSocket is over: the code and
// reason of the server's close frame, or 1006 when the connection ended
// without one.
type wsClosed struct {
	Code   int
	Reason string
}

func (e *wsClosed) Error() string { return fmt.Sprintf("closed %d %q", e.Code, e.Reason) }

// hostPort is the server's address for net.Dial.
func (s *server) hostPort() string { return strings.TrimPrefix(s.URL, "http://") }

// wsTry asks s to upgrade path (which may hold a query). A 101 answer gives
// the connection; any other gives the response and its body, and a nil
// connection. extra holds more request header lines ("Name: value").
func wsTry(addr, path string, protocols []string, extra ...string) (*wsConn, *http.Response, []byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, nil, nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	keyBytes := make([]byte, 16)
	rand.Read(keyBytes)
	key := base64.StdEncoding.EncodeToString(keyBytes)
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n", path, addr)
	fmt.Fprintf(&req, "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", key)
	if len(protocols) > 0 {
		fmt.Fprintf(&req, "Sec-WebSocket-Protocol: %s\r\n", strings.Join(protocols, ", "))
	}
	for _, h := range extra {
		req.WriteString(h + "\r\n")
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		conn.Close()
		return nil, nil, nil, fmt.Errorf("reading the handshake response: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		return nil, resp, body, nil
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		conn.Close()
		return nil, resp, nil, fmt.Errorf("Sec-WebSocket-Accept %q, want %q", got, want)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		conn.Close()
		return nil, resp, nil, fmt.Errorf("101 without Upgrade: websocket: %v", resp.Header)
	}
	conn.SetDeadline(time.Time{})
	return &wsConn{conn: conn, br: br, Subprotocol: resp.Header.Get("Sec-WebSocket-Protocol"), Header: resp.Header}, resp, nil, nil
}

// wsOpen opens a WebSocket to path on s, or fails the test. The connection
// is closed when the test ends.
func wsOpen(t *testing.T, s *server, path string, protocols ...string) *wsConn {
	t.Helper()
	ws, resp, body, err := wsTry(s.hostPort(), path, protocols)
	if err != nil {
		t.Fatalf("WebSocket %s: %v", path, err)
	}
	if ws == nil {
		t.Fatalf("WebSocket %s: the handshake got %d %q, want 101", path, resp.StatusCode, body)
	}
	t.Cleanup(func() { ws.conn.Close() })
	return ws
}

// frame encodes one frame. Client frames are masked unless mask is false.
func frame(fin bool, rsv, op byte, payload []byte, mask bool) []byte {
	b0 := op&0x0f | (rsv&0x07)<<4
	if fin {
		b0 |= 0x80
	}
	var m byte
	if mask {
		m = 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, m|byte(n))
	case n < 1<<16:
		out = append(out, m|126, byte(n>>8), byte(n))
	default:
		out = append(out, m|127)
		out = endian.BigEndian.AppendUint64(out, uint64(n))
	}
	if !mask {
		return append(out, payload...)
	}
	var key [4]byte
	rand.Read(key[:])
	out = append(out, key[:]...)
	start := len(out)
	out = append(out, payload...)
	for i := range payload {
		out[start+i] ^= key[i%4]
	}
	return out
}

// closePayload is a close frame's body: the code, then the reason.
func closePayload(code int, reason string) []byte {
	return append(endian.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

func (w *wsConn) writeRaw(b []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.conn.SetWriteDeadline(time.Now().Add(20 * time.Second))
	_, err := w.conn.Write(b)
	return err
}

// send writes one whole, masked message.
func (w *wsConn) send(op byte, payload []byte) error {
	return w.writeRaw(frame(true, 0, op, payload, true))
}

func (w *wsConn) sendText(s string) error { return w.send(opText, []byte(s)) }

// sendClose starts the closing handshake from the client's side.
func (w *wsConn) sendClose(code int, reason string) error {
	w.closeSent = true
	return w.send(opClose, closePayload(code, reason))
}

// readFrame reads one frame as the server sent it.
func (w *wsConn) readFrame(timeout time.Duration) (fin bool, op byte, payload []byte, err error) {
	w.conn.SetReadDeadline(time.Now().Add(timeout))
	var h [2]byte
	if _, err = io.ReadFull(w.br, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0f
	if h[0]&0x70 != 0 {
		return fin, op, nil, fmt.Errorf("the server set RSV bits: %#x", h[0])
	}
	if h[1]&0x80 != 0 {
		return fin, op, nil, errors.New("the server masked a frame (RFC 6455 5.1: it must not)")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(w.br, b[:]); err != nil {
			return
		}
		n = uint64(endian.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(w.br, b[:]); err != nil {
			return
		}
		n = endian.BigEndian.Uint64(b[:])
	}
	if n > 64<<20 {
		return fin, op, nil, fmt.Errorf("a frame of %d bytes", n)
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(w.br, payload)
	return
}

// readMessage reads the next whole message, answering pings on the way. At
// a close frame it answers the close (unless the client began it) and
// returns a *wsClosed; so it does when the connection ends without one
// (code 1006).
func (w *wsConn) readMessage(timeout time.Duration) (op byte, msg []byte, err error) {
	deadline := time.Now().Add(timeout)
	var buf []byte
	var msgOp byte
	for {
		fin, fop, payload, err := w.readFrame(time.Until(deadline))
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return 0, nil, err
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
				// No close frame: 1006; the reason says how it ended.
				return 0, nil, &wsClosed{Code: 1006, Reason: "no close frame: " + err.Error()}
			}
			return 0, nil, err
		}
		switch fop {
		case opPing:
			w.Pings = append(w.Pings, payload)
			if !w.closeSent {
				w.send(opPong, payload)
			}
		case opPong:
		case opClose:
			c := &wsClosed{Code: 1005}
			if len(payload) >= 2 {
				c.Code = int(endian.BigEndian.Uint16(payload))
				c.Reason = string(payload[2:])
			}
			if !w.closeSent {
				w.sendClose(c.Code, "")
			}
			return 0, nil, c
		case opText, opBinary:
			if buf != nil {
				return 0, nil, fmt.Errorf("a new message (opcode %d) inside a fragmented one", fop)
			}
			msgOp, buf = fop, append([]byte{}, payload...)
			if fin {
				return msgOp, buf, nil
			}
		case opCont:
			if buf == nil {
				return 0, nil, errors.New("a continuation frame with no message begun")
			}
			buf = append(buf, payload...)
			if fin {
				return msgOp, buf, nil
			}
		default:
			return 0, nil, fmt.Errorf("the server sent opcode %#x", fop)
		}
	}
}

// expectMessage reads the next message and fails the test unless it is op
// with payload want.
func (w *wsConn) expectMessage(t *testing.T, op byte, want []byte) {
	t.Helper()
	gotOp, got, err := w.readMessage(10 * time.Second)
	if err != nil {
		t.Fatalf("waiting for a message of %d bytes: %v", len(want), err)
	}
	if gotOp != op || !bytes.Equal(got, want) {
		t.Fatalf("got opcode %d, %d bytes %.80q; want opcode %d, %d bytes %.80q", gotOp, len(got), got, op, len(want), want)
	}
}

// expectClose reads until the WebSocket ends, skipping messages, and
// returns how it ended; it fails the test unless that was within timeout.
func (w *wsConn) expectClose(t *testing.T, timeout time.Duration) *wsClosed {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, _, err := w.readMessage(time.Until(deadline))
		var c *wsClosed
		if errors.As(err, &c) {
			return c
		}
		if err != nil {
			t.Fatalf("waiting for the close: %v", err)
		}
	}
}

// asgiDir is where the ASGI test apps are.
func asgiDir() string { return filepath.Join(testApps, "asgi") }

// startASGI serves app (one of testapps/asgi) with events recorded to a
// file; it returns the server and the events file.
func startASGI(t *testing.T, args ...string) (*server, string) {
	t.Helper()
	events := filepath.Join(t.TempDir(), "events.txt")
	s := startEnv(t, asgiDir(), []string{"ASGI_EVENTS=" + events},
		append([]string{"--python", venvPy, "--no-reload"}, args...)...)
	return s, events
}

// waitEvent waits until the events file holds a line containing want.
func waitEvent(t *testing.T, events, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(events)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event %q within %s; events:\n%s", want, timeout, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readEvents(events string) string {
	b, _ := os.ReadFile(events)
	return string(b)
}

func TestWebSocketEcho(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app")

	ws := wsOpen(t, s, "/ws/echo", "echo.v1", "echo.v2")
	if ws.Subprotocol != "echo.v2" {
		t.Errorf("subprotocol %q, want the app's choice echo.v2", ws.Subprotocol)
	}
	ws.sendText("héllo, wörld")
	ws.expectMessage(t, opText, []byte("héllo, wörld"))
	ws.send(opBinary, []byte{0, 1, 2, 0xff, 0xfe})
	ws.expectMessage(t, opBinary, []byte{0, 1, 2, 0xff, 0xfe})
	ws.send(opText, nil)
	ws.expectMessage(t, opText, []byte{})

	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	ws.send(opText, big)
	ws.expectMessage(t, opText, big)
	bigBin := make([]byte, 1<<20)
	rand.Read(bigBin)
	ws.send(opBinary, bigBin)
	ws.expectMessage(t, opBinary, bigBin)

	// A fragmented message reaches the app whole, with a ping in between.
	ws.writeRaw(frame(false, 0, opText, []byte("frag"), true))
	ws.writeRaw(frame(false, 0, opCont, []byte("men"), true))
	ws.writeRaw(frame(true, 0, opPing, []byte("between"), true))
	ws.writeRaw(frame(true, 0, opCont, []byte("ted"), true))
	ws.expectMessage(t, opText, []byte("fragmented"))

	ws.sendClose(1000, "")
	if c := ws.expectClose(t, 5*time.Second); c.Code != 1000 {
		t.Errorf("the server answered a 1000 close with %d", c.Code)
	}
	waitEvent(t, events, "echo saw close 1000", 5*time.Second)

	// Offering no subprotocol: none is chosen.
	ws = wsOpen(t, s, "/ws/echo")
	if ws.Subprotocol != "" {
		t.Errorf("no subprotocol offered, but the answer chose %q", ws.Subprotocol)
	}
	ws.sendText("plain")
	ws.expectMessage(t, opText, []byte("plain"))
}

// TestWebSocketASGIVersions: the raw ASGI 3 app and both forms of ASGI 2 echo too.
func TestWebSocketASGIVersions(t *testing.T) {
	for _, app := range []string{"hello.app", "hello:Asgi2", "hello.asgi2"} {
		t.Run(app, func(t *testing.T) {
			s, _ := startASGI(t, "--asgi", app)
			ws := wsOpen(t, s, "/")
			ws.sendText("hi " + app)
			ws.expectMessage(t, opText, []byte("hi "+app))
		})
	}
}

func TestWebSocketDenials(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/=main.app", "--asgi", "/raw=rawapp.app")
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{"/ws/deny", 403, ""},                                 // websocket.close before accept
		{"/ws/no-such-route", 403, ""},                        // Starlette closes before accept
		{"/raw/deny", 403, ""},                                // the same, raw
		{"/raw/deny-page", 401, "no entry without a token\n"}, // websocket.http.response
	} {
		ws, resp, body, err := wsTry(s.hostPort(), c.path, nil)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if ws != nil {
			ws.conn.Close()
			t.Errorf("%s: the handshake was accepted; want %d", c.path, c.status)
			continue
		}
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %q, want %d", c.path, resp.StatusCode, body, c.status)
		}
		if c.body != "" && (string(body) != c.body || resp.Header.Get("X-Denied-By") != "rawapp") {
			t.Errorf("%s: body %q, X-Denied-By %q; want the app's own page %q", c.path, body, resp.Header.Get("X-Denied-By"), c.body)
		}
	}
	// The worker is fine after the denials.
	ws := wsOpen(t, s, "/ws/echo")
	ws.sendText("still here")
	ws.expectMessage(t, opText, []byte("still here"))
}

func TestWebSocketServerClose(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app")
	ws := wsOpen(t, s, "/ws/close?code=4001&reason=bye%20now")
	ws.expectMessage(t, opText, []byte("closing"))
	if c := ws.expectClose(t, 5*time.Second); c.Code != 4001 || c.Reason != "bye now" {
		t.Errorf("server close: %d %q, want 4001 \"bye now\"", c.Code, c.Reason)
	}
	// The server ends the TCP connection after the closing handshake.
	ws.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := ws.br.Read(make([]byte, 1)); err == nil || n > 0 {
		t.Errorf("after the closing handshake the connection stays open (read %d, %v)", n, err)
	}
}

func TestWebSocketClientCloseCodes(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app")
	ws := wsOpen(t, s, "/ws/record")
	ws.sendClose(4321, "done here")
	if c := ws.expectClose(t, 5*time.Second); c.Code != 4321 {
		t.Errorf("the server answered close 4321 with %d", c.Code)
	}
	waitEvent(t, events, "client closed code=4321 reason=done here", 5*time.Second)

	ws = wsOpen(t, s, "/ws/record")
	ws.sendClose(1001, "")
	ws.expectClose(t, 5*time.Second)
	waitEvent(t, events, "client closed code=1001 reason=\n", 5*time.Second)

	// A close frame without a code: the app sees 1005 (no status received).
	ws = wsOpen(t, s, "/ws/record")
	ws.closeSent = true
	ws.send(opClose, nil)
	ws.expectClose(t, 5*time.Second)
	waitEvent(t, events, "client closed code=1005", 5*time.Second)

	// The TCP connection dropped without a close frame: 1006.
	ws = wsOpen(t, s, "/ws/record")
	ws.conn.Close()
	waitEvent(t, events, "client closed code=1006", 5*time.Second)
}

func TestWebSocketPingPong(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app", "--ws-ping-interval", "300ms")
	ws := wsOpen(t, s, "/ws/echo")
	// The server answers a client's ping itself, with the same payload.
	ws.writeRaw(frame(true, 0, opPing, []byte("are you there?"), true))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, op, payload, err := ws.readFrame(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for the pong: %v", err)
		}
		if op == opPong {
			if string(payload) != "are you there?" {
				t.Errorf("pong payload %q", payload)
			}
			break
		}
		if op != opPing {
			t.Fatalf("opcode %d before the pong", op)
		}
	}
	// And pings the client every --ws-ping-interval; readMessage answers them.
	_, _, err := ws.readMessage(1500 * time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("an idle socket: %v", err)
	}
	if len(ws.Pings) < 2 {
		t.Errorf("%d pings in 1.5s with --ws-ping-interval 300ms", len(ws.Pings))
	}
	ws.sendText("after the pings")
	ws.expectMessage(t, opText, []byte("after the pings"))

	// --ws-ping-interval 0: no pings at all.
	s2, _ := startASGI(t, "--asgi", "main.app", "--ws-ping-interval", "0")
	ws2 := wsOpen(t, s2, "/ws/echo")
	_, _, err = ws2.readMessage(1200 * time.Millisecond)
	if !errors.As(err, &ne) || !ne.Timeout() || len(ws2.Pings) != 0 {
		t.Errorf("--ws-ping-interval 0: %d pings, %v", len(ws2.Pings), err)
	}
}

// TestWebSocketMalformedFrames: each protocol violation a client can commit
// ends the WebSocket with the close code RFC 6455 gives it, and the worker
// goes on serving.
func TestWebSocketMalformedFrames(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app", "--ws-max-size", "64KiB")
	over := bytes.Repeat([]byte("x"), 64<<10+1)
	for _, c := range []struct {
		name   string
		frames [][]byte
		code   int
	}{
		{"reserved data opcode 3", [][]byte{frame(true, 0, 0x3, []byte("hi"), true)}, 1002},
		{"reserved control opcode 0xB", [][]byte{frame(true, 0, 0xB, nil, true)}, 1002},
		{"unmasked client frame", [][]byte{frame(true, 0, opText, []byte("hi"), false)}, 1002},
		{"RSV1 without an extension", [][]byte{frame(true, 4, opText, []byte("hi"), true)}, 1002},
		{"continuation with nothing begun", [][]byte{frame(true, 0, opCont, []byte("hi"), true)}, 1002},
		{"text inside a fragmented message", [][]byte{frame(false, 0, opText, []byte("a"), true), frame(true, 0, opText, []byte("b"), true)}, 1002},
		{"fragmented ping", [][]byte{frame(false, 0, opPing, []byte("a"), true)}, 1002},
		{"ping over 125 bytes", [][]byte{frame(true, 0, opPing, bytes.Repeat([]byte("p"), 126), true)}, 1002},
		{"close code 999", [][]byte{frame(true, 0, opClose, closePayload(999, ""), true)}, 1002},
		{"close code 1005", [][]byte{frame(true, 0, opClose, closePayload(1005, ""), true)}, 1002},
		{"close code 1006", [][]byte{frame(true, 0, opClose, closePayload(1006, ""), true)}, 1002},
		{"close code 5000", [][]byte{frame(true, 0, opClose, closePayload(5000, ""), true)}, 1002},
		{"close payload of one byte", [][]byte{frame(true, 0, opClose, []byte{3}, true)}, 1002},
		{"invalid UTF-8 in a text frame", [][]byte{frame(true, 0, opText, []byte{'o', 'k', 0xff, 0xfe}, true)}, 1007},
		{"invalid UTF-8 across fragments", [][]byte{frame(false, 0, opText, []byte("ok"), true), frame(true, 0, opCont, []byte{0xc3, 0x28}, true)}, 1007},
		{"a UTF-16 surrogate in a text frame", [][]byte{frame(true, 0, opText, []byte{0xed, 0xa0, 0x80}, true)}, 1007},
		{"message over --ws-max-size", [][]byte{frame(true, 0, opBinary, over, true)}, 1009},
		{"fragments adding up over --ws-max-size", [][]byte{frame(false, 0, opText, over[:40<<10], true), frame(true, 0, opCont, over[40<<10:], true)}, 1009},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := wsOpen(t, s, "/ws/echo")
			ws.sendText("before")
			ws.expectMessage(t, opText, []byte("before"))
			for _, f := range c.frames {
				if err := ws.writeRaw(f); err != nil {
					break // the server may cut in before the last frame is written
				}
			}
			ws.closeSent = true // no answer to the server's close: it must close on its own
			got := ws.expectClose(t, 5*time.Second)
			if got.Code != c.code {
				t.Errorf("close code %d (%q), want %d", got.Code, got.Reason, c.code)
			}
		})
	}
	// A message just under the limit goes through, and the worker serves on.
	ws := wsOpen(t, s, "/ws/echo")
	ws.send(opBinary, over[:64<<10])
	ws.expectMessage(t, opBinary, over[:64<<10])
	if code, body := s.get("/"); code != 200 || body != `{"hello":"world"}` {
		t.Errorf("after the malformed frames: GET / = %d %q", code, body)
	}
}

// TestWebSocketDefaultMaxSize: 16 MiB by default; a byte more is 1009.
func TestWebSocketDefaultMaxSize(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "hello.app")
	ws := wsOpen(t, s, "/")
	ws.send(opBinary, make([]byte, 16<<20+1))
	ws.closeSent = true
	if c := ws.expectClose(t, 20*time.Second); c.Code != 1009 {
		t.Errorf("16 MiB + 1 with the default --ws-max-size: close %d, want 1009", c.Code)
	}
}

// TestWebSocketsManyOnOneWorker: 200 sockets open at once on the one worker,
// and HTTP requests are still answered while they are.
func TestWebSocketsManyOnOneWorker(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app", "--workers", "1")
	const n = 200
	socks := make([]*wsConn, n)
	for i := range socks {
		socks[i] = wsOpen(t, s, "/ws/echo")
	}
	// Every socket echoes, with all of them open.
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, ws := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := fmt.Sprintf("socket %d", i)
			if err := ws.sendText(msg); err != nil {
				errs <- err
				return
			}
			if _, got, err := ws.readMessage(20 * time.Second); err != nil || string(got) != msg {
				errs <- fmt.Errorf("socket %d: %q, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// HTTP goes on while the 200 are open.
	for i := 0; i < 20; i++ {
		code, body := s.get(fmt.Sprintf("/items/%d?q=during", i))
		if want := fmt.Sprintf(`{"item_id":%d,"q":"during","n":1}`, i); code != 200 || body != want {
			t.Fatalf("GET /items/%d with %d sockets open: %d %q", i, n, code, body)
		}
	}
	// All 200 are still there afterwards.
	for i, ws := range socks {
		if err := ws.sendText("again"); err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
	}
	for i, ws := range socks {
		if _, got, err := ws.readMessage(20 * time.Second); err != nil || string(got) != "again" {
			t.Fatalf("socket %d, second echo: %q %v", i, got, err)
		}
	}
	for _, ws := range socks {
		ws.sendClose(1000, "")
	}
	for i, ws := range socks {
		if c := ws.expectClose(t, 10*time.Second); c.Code != 1000 {
			t.Errorf("socket %d closed with %d", i, c.Code)
		}
	}
}

// asgiVersionApp is a raw ASGI app that says its version over HTTP, echoes
// over WebSockets with its version in front, and records its lifespan.
func asgiVersionApp(v string) string {
	return fmt.Sprintf(`import os
V = %q

def record(e):
    with open(os.environ["ASGI_EVENTS"], "a") as f:
        f.write(e + "\n")

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            m = await receive()
            if m["type"] == "lifespan.startup":
                record("startup " + V)
                await send({"type": "lifespan.startup.complete"})
            else:
                record("shutdown " + V)
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": V.encode()})
    else:
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            m = await receive()
            if m["type"] == "websocket.disconnect":
                record("ws %%s saw close %%s" %% (V, m.get("code")))
                return
            await send({"type": "websocket.send", "text": V + ":" + (m.get("text") or "")})
`, v)
}

// TestWebSocketReloadCloses1012: a reload (a save, or SIGHUP) closes the
// open sockets with 1012 (service restart) at once, runs the old code's
// lifespan shutdown, and does not wait for the sockets to go first.
func TestWebSocketReloadCloses1012(t *testing.T) {
	for _, how := range []string{"save", "SIGHUP"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			events := filepath.Join(t.TempDir(), "events.txt")
			write(t, filepath.Join(dir, "app.py"), asgiVersionApp("v1"))
			s := startEnv(t, dir, []string{"ASGI_EVENTS=" + events}, "--python", venvPy, "--asgi", "app.app")
			s.waitBody("v1", 5*time.Second)
			s.waitLog(`watching`, 5*time.Second)
			ws := wsOpen(t, s, "/")
			ws.sendText("x")
			ws.expectMessage(t, opText, []byte("v1:x"))

			t0 := time.Now()
			want := "v1"
			if how == "save" {
				write(t, filepath.Join(dir, "app.py"), asgiVersionApp("v2"))
				want = "v2"
			} else {
				s.cmd.Process.Signal(syscall.SIGHUP)
			}
			if c := ws.expectClose(t, 10*time.Second); c.Code != 1012 {
				t.Errorf("the open socket at reload: close %d %q, want 1012", c.Code, c.Reason)
			}
			s.waitBody(want, 10*time.Second)
			if d := time.Since(t0); d > 8*time.Second {
				t.Errorf("the reload took %s with a socket open", d)
			}
			waitEvent(t, events, "shutdown v1", 5*time.Second)
			ws = wsOpen(t, s, "/")
			ws.sendText("y")
			ws.expectMessage(t, opText, []byte(want+":y"))
		})
	}
}

// TestWebSocketSIGTERM: SIGTERM closes open sockets with 1001 (going away),
// runs the lifespan shutdown, and gowsgi exits promptly, long before --grace.
func TestWebSocketSIGTERM(t *testing.T) {
	s, events := startASGI(t, "--asgi", "main.app", "--grace", "30s")
	socks := []*wsConn{wsOpen(t, s, "/ws/echo"), wsOpen(t, s, "/ws/record")}
	socks[0].sendText("x")
	socks[0].expectMessage(t, opText, []byte("x"))
	t0 := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	for i, ws := range socks {
		if c := ws.expectClose(t, 10*time.Second); c.Code != 1001 {
			t.Errorf("socket %d at SIGTERM: close %d %q, want 1001", i, c.Code, c.Reason)
		}
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("gowsgi still runs 10s after SIGTERM with sockets closed (--grace 30s)")
	}
	if d := time.Since(t0); d > 8*time.Second {
		t.Errorf("gowsgi took %s to exit after SIGTERM", d)
	}
	if code := exitCode(s.err); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	waitEvent(t, events, "shutdown pid=", time.Second)
}

// TestWebSocketNoTimeout: --timeout is for HTTP requests; a WebSocket may
// stay open far longer.
func TestWebSocketNoTimeout(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "main.app", "--timeout", "1s")
	ws := wsOpen(t, s, "/ws/echo")
	ws.sendText("first")
	ws.expectMessage(t, opText, []byte("first"))
	time.Sleep(2500 * time.Millisecond)
	ws.sendText("after 2.5s")
	ws.expectMessage(t, opText, []byte("after 2.5s"))
}

// TestWebSocketScope: the websocket scope under a mount.
func TestWebSocketScope(t *testing.T) {
	s, _ := startASGI(t, "--asgi", "/api=rawapp.app")
	ws := wsOpen(t, s, "/api/scope/x%20y?token=abc", "alpha", "beta")
	_, msg, err := ws.readMessage(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sc := decodeScope(t, msg)
	if sc.Type != "websocket" || sc.Scheme != "ws" || sc.Path != "/api/scope/x y" || sc.RawPath != "/api/scope/x%20y" ||
		sc.QueryString != "token=abc" || sc.RootPath != "/api" || strings.Join(sc.Subprotocols, ",") != "alpha,beta" ||
		sc.HTTPVersion != "1.1" || sc.ASGI["version"] != "3.0" {
		t.Errorf("websocket scope: %s", msg)
	}
	if !contains(sc.Extensions, "websocket.http.response") {
		t.Errorf("extensions %v lack websocket.http.response", sc.Extensions)
	}
	if sc.State["greeting"] != "hi from rawapp" {
		t.Errorf("state %v, want the lifespan's", sc.State)
	}
	if c := ws.expectClose(t, 5*time.Second); c.Code != 1000 {
		t.Errorf("close %d", c.Code)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
