package gpython

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// syncBuffer is a goroutine-safe bytes.Buffer for worker output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func socketPair(t testing.TB) (net.Conn, net.Conn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "sock")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return conn(fds[0]), conn(fds[1])
}

// side is the runner's end of a socket.
type side struct {
	c  net.Conn
	r  *wire.Reader
	mu sync.Mutex
	w  *wire.Writer
}

// send writes one frame; tests send from more than one goroutine.
func (s *side) send(typ byte, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Send(typ, payload)
}

func newSide(c net.Conn) *side { return &side{c: c, r: wire.NewReader(c), w: wire.NewWriter(c)} }

func (s *side) next(t testing.TB) (byte, []byte) {
	t.Helper()
	_ = s.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	typ, p, err := s.r.Next()
	if err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return typ, append([]byte(nil), p...)
}

type harness struct {
	t      testing.TB
	ctrl   *side
	lanes  []*side
	code   chan int
	stdout *syncBuffer
	stderr *syncBuffer
	ready  bool
	failed string
}

// startWorker runs Serve in-process on socket pairs and imports app.
func startWorker(t testing.TB, root, app string, threads int) *harness {
	t.Helper()
	h := &harness{t: t, code: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	wc, rc := socketPair(t)
	h.ctrl = newSide(rc)
	var workerLanes []net.Conn
	for i := 0; i < threads; i++ {
		a, b := socketPair(t)
		workerLanes = append(workerLanes, a)
		h.lanes = append(h.lanes, newSide(b))
	}
	go func() { h.code <- Serve(wc, workerLanes, h.stdout, h.stderr) }()
	typ, p := h.ctrl.next(t)
	if typ != wire.Hello {
		t.Fatalf("first frame %q, want H", typ)
	}
	parts := strings.Split(string(p), "\x00")
	if len(parts) != 6 || parts[5] != "wsgi" || parts[0] != wire.Version || parts[1] != "gpython" || parts[2] != "v0.2.0" {
		t.Fatalf("bad hello %q", p)
	}
	cfg, _ := json.Marshal(wire.WorkerConfig{App: app, Protocol: "wsgi", Root: root, Threads: threads, WorkerID: 1, Multithread: threads > 1})
	if err := h.ctrl.send(wire.Import, cfg); err != nil {
		t.Fatal(err)
	}
	typ, p = h.ctrl.next(t)
	switch typ {
	case wire.Ready:
		h.ready = true
	case wire.Failed:
		h.failed = string(p)
	default:
		t.Fatalf("import answered %q", typ)
	}
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	_ = h.ctrl.send(wire.Quit, nil)
	select {
	case <-h.code:
	case <-time.After(20 * time.Second):
		h.t.Errorf("worker did not exit after Q")
	}
	h.ctrl.c.Close()
	for _, l := range h.lanes {
		l.c.Close()
	}
}

type response struct {
	status  string
	headers [][2]string
	body    []byte
	fail    string
	logs    []string
	frames  string // the frame types in order
	started bool
}

func (r *response) header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// request sends an R frame and collects the answer. body is served to r
// frames in pieces; cancelAfter > 0 sends C after that many D frames.
func (h *harness) request(lane int, env map[string]string, body []byte, cancelAfter int) *response {
	t := h.t
	t.Helper()
	l := h.lanes[lane]
	var p []byte
	if _, ok := env["REQUEST_METHOD"]; !ok {
		p = wire.AppendPair(p, "REQUEST_METHOD", "GET")
	}
	for k, v := range env {
		p = wire.AppendPair(p, k, v)
	}
	if body == nil {
		p = wire.AppendPair(p, "gowsgi.body", "0")
	} else {
		p = wire.AppendPair(p, "gowsgi.body", "1")
		p = wire.AppendPair(p, "CONTENT_LENGTH", fmt.Sprint(len(body)))
	}
	if err := l.send(wire.Request, p); err != nil {
		t.Fatal(err)
	}
	resp := &response{}
	data := 0
	for {
		typ, payload := l.next(t)
		resp.frames += string(typ)
		switch typ {
		case wire.Read:
			n := int(binary.BigEndian.Uint32(payload))
			chunk := body
			if len(chunk) > n {
				chunk = chunk[:n]
			}
			body = body[len(chunk):]
			_ = l.send(wire.Body, chunk)
		case wire.Start:
			f := strings.Split(string(payload), "\x00")
			resp.status = f[0]
			for i := 1; i+1 < len(f); i += 2 {
				resp.headers = append(resp.headers, [2]string{f[i], f[i+1]})
			}
			resp.started = true
		case wire.Data:
			resp.body = append(resp.body, payload...)
			data++
			if cancelAfter > 0 && data == cancelAfter {
				_ = l.send(wire.Cancel, nil)
			}
		case wire.Log:
			resp.logs = append(resp.logs, string(payload))
		case wire.End:
			return resp
		case wire.Fail:
			resp.fail = string(payload)
			return resp
		default:
			t.Fatalf("unexpected frame %q", typ)
		}
	}
}

// writeApp writes files into a fresh directory and returns it.
func writeApp(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func netFileConn(f *os.File) (net.Conn, error) {
	defer f.Close()
	return net.FileConn(f)
}
