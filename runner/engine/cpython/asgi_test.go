package cpython

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// The worker's ASGI side, driven frame by frame as docs/protocol.md has it
// (the runner's side is tested in runner/pool).

const asgiApp = `
async def app(scope, receive, send):
    if scope['type'] == 'lifespan':
        await receive()
        scope['state']['greeting'] = 'hello'
        await send({'type': 'lifespan.startup.complete'})
        await receive()
        await send({'type': 'lifespan.shutdown.complete'})
        return
    if scope['type'] == 'websocket':
        assert (await receive())['type'] == 'websocket.connect'
        await send({'type': 'websocket.accept', 'subprotocol': scope['subprotocols'][-1]})
        while True:
            m = await receive()
            if m['type'] == 'websocket.disconnect':
                return
            await send({'type': 'websocket.send', 'text': m['text'].upper()})
    body = b''
    more = True
    while more:
        m = await receive()
        body += m['body']
        more = m['more_body']
    if scope['path'] == '/boom':
        raise ValueError('boom')
    text = '%s %s %s %s %d' % (scope['state']['greeting'], scope['method'], scope['path'],
                               scope['query_string'].decode(), len(body))
    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'x-a', b'1')]})
    await send({'type': 'http.response.body', 'body': text.encode()})

def wsgi(environ, start_response):
    start_response('200 OK', [])
    return [b'']
`

type testWorker struct {
	t            *testing.T
	wait         func() error
	ctrl, lane   net.Conn
	ctrlR, laneR *wire.Reader
}

func pair(t *testing.T) (net.Conn, *os.File) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[0]), "ours")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		t.Fatal(err)
	}
	return c, os.NewFile(uintptr(fds[1]), "theirs")
}

// startASGI starts a worker, imports module:attr with protocol asgi and
// returns it with the K or F frame.
func startASGI(t *testing.T, spec, protocol string) (*testWorker, byte, []byte) {
	e, err := Find("")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "asgiapp.py"), []byte(asgiApp), 0o644); err != nil {
		t.Fatal(err)
	}
	ctrl, ctrlChild := pair(t)
	lane, laneChild := pair(t)
	cmd, _ := e.Command()
	cmd.ExtraFiles = []*os.File{ctrlChild, laneChild}
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctrlChild.Close()
	laneChild.Close()
	w := &testWorker{t: t, wait: cmd.Wait, ctrl: ctrl, lane: lane, ctrlR: wire.NewReader(ctrl), laneR: wire.NewReader(lane)}
	t.Cleanup(func() { ctrl.Close(); lane.Close(); cmd.Process.Kill(); cmd.Wait() })
	ctrl.SetDeadline(time.Now().Add(20 * time.Second))
	lane.SetDeadline(time.Now().Add(20 * time.Second))
	typ, hello, err := w.ctrlR.Next()
	if err != nil || typ != 'H' {
		t.Fatalf("hello: %c %q %v", typ, hello, err)
	}
	if fields := strings.Split(string(hello), "\x00"); fields[len(fields)-1] != "wsgi,asgi" {
		t.Errorf("hello announces %q, want wsgi,asgi", fields[len(fields)-1])
	}
	cfg, _ := json.Marshal(map[string]any{"app": spec, "protocol": protocol, "root": dir, "threads": 1})
	wire.NewWriter(ctrl).Send('I', cfg)
	typ, payload, err := w.ctrlR.Next()
	if err != nil {
		t.Fatal(err)
	}
	return w, typ, append([]byte(nil), payload...)
}

func (w *testWorker) send(typ byte, sid uint32, payload []byte) {
	p := binary.BigEndian.AppendUint32(nil, sid)
	if err := wire.NewWriter(w.lane).Send(typ, append(p, payload...)); err != nil {
		w.t.Fatal(err)
	}
}

type frame struct {
	typ     byte
	sid     uint32
	payload string
}

func (w *testWorker) next() frame {
	typ, p, err := w.laneR.Next()
	if err != nil {
		w.t.Fatal(err)
	}
	return frame{typ, binary.BigEndian.Uint32(p), string(p[4:])}
}

func scope(path, query string, body bool, headers ...string) []byte {
	flag := "0"
	if body {
		flag = "1"
	}
	f := append([]string{"GET", "http", "1.1", path, query, "", "127.0.0.1", "5555", "127.0.0.1", "8080", flag}, headers...)
	return []byte(strings.Join(f, "\x00"))
}

func TestASGIStreams(t *testing.T) {
	w, typ, ready := startASGI(t, "asgiapp:app", "asgi")
	if typ != 'K' {
		t.Fatalf("import: %c %s", typ, ready)
	}
	// Two streams at once: one pulls a body, one has none.
	w.send('h', 7, scope("/a%20b", "q=1", true))
	w.send('h', 8, scope("/plain", "", false))
	got := map[uint32]string{}
	for done := 0; done < 2; {
		f := w.next()
		switch f.typ {
		case 'r':
			w.send('b', f.sid, []byte("\x01abc"))
			w.send('b', f.sid, []byte("\x00de")) // two b before a receive(): one message
		case 'S', 'D':
			got[f.sid] += string(f.typ) + f.payload + "|"
		case 'E':
			done++
		default:
			t.Fatalf("unexpected frame %c %q", f.typ, f.payload)
		}
	}
	if want := "S200\x00x-a\x001|D\x00hello GET /a b q=1 5|"; got[7] != want {
		t.Errorf("stream 7: %q, want %q", got[7], want)
	}
	if want := "S200\x00x-a\x001|D\x00hello GET /plain  0|"; got[8] != want {
		t.Errorf("stream 8: %q, want %q", got[8], want)
	}
	// An exception: x, F, E.
	w.send('h', 9, scope("/boom", "", false))
	var types []byte
	for f := w.next(); ; f = w.next() {
		types = append(types, f.typ)
		if f.typ == 'F' && (!strings.Contains(f.payload, "ValueError: boom") || strings.Contains(f.payload, "<gowsgi")) {
			t.Errorf("traceback: %s", f.payload)
		}
		if f.typ == 'E' {
			break
		}
	}
	if string(types) != "xFE" {
		t.Errorf("a failing app: frames %q, want xFE", types)
	}
	// A WebSocket: accept with the subprotocol and 32 grants, an echo, a disconnect.
	w.send('w', 10, scope("/ws", "", false, "sec-websocket-protocol", "one, two"))
	if f := w.next(); f.typ != 'A' || f.payload != "two" {
		t.Fatalf("accept: %c %q", f.typ, f.payload)
	}
	if f := w.next(); f.typ != 'g' || f.payload != "\x00\x00\x00\x20" {
		t.Fatalf("grant: %c %q", f.typ, f.payload)
	}
	w.send('m', 10, []byte("thi"))
	if f := w.next(); string(f.typ)+f.payload != "WtHI" {
		t.Fatalf("echo: %c %q, want WtHI", f.typ, f.payload)
	}
	// Grants come back in batches: 16 messages read, 16 granted.
	for range 15 {
		w.send('m', 10, []byte("tx"))
	}
	echoes, granted := 0, ""
	for echoes < 15 || granted == "" {
		switch f := w.next(); f.typ {
		case 'W':
			echoes++
		case 'g':
			granted = f.payload
		default:
			t.Fatalf("echoes: %c %q", f.typ, f.payload)
		}
	}
	if granted != "\x00\x00\x00\x10" {
		t.Errorf("grant after 16 messages: %q, want 16", granted)
	}
	w.send('d', 10, []byte("\x03\xe9"))
	if f := w.next(); f.typ != 'E' {
		t.Fatalf("after the disconnect: %c %q", f.typ, f.payload)
	}
	// The quit: the lifespan shutdown runs, the worker exits 0.
	wire.NewWriter(w.ctrl).Send('Q', []byte("1"))
	if err := w.wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
}

func TestASGIRefusesWSGI(t *testing.T) {
	_, typ, msg := startASGI(t, "asgiapp:wsgi", "asgi")
	if typ != 'F' || !strings.Contains(string(msg), "--wsgi") || bytes.Count(bytes.TrimSpace(msg), []byte("\n")) != 0 {
		t.Errorf("a WSGI app given as ASGI: %c %q", typ, msg)
	}
	_, typ, msg = startASGI(t, "asgiapp:app", "wsgi")
	if typ != 'F' || !strings.Contains(string(msg), "--asgi") || bytes.Count(bytes.TrimSpace(msg), []byte("\n")) != 0 {
		t.Errorf("an ASGI app given as WSGI: %c %q", typ, msg)
	}
}
