package asgi_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgi/gowsgi/runner/mux"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// guard only turns a hang into a failure: nothing waits for it to pass.
const guard = 10 * time.Second

// fake is an ASGI worker in a goroutine: the other end of a real socket
// pair whose Go end is a mux.Conn. It reads each stream's scope and runs
// the script registered for the scope's path (raw_path without root_path)
// in a goroutine of its own, with the stream's later frames.
type fake struct {
	t    *testing.T
	conn *mux.Conn // the Go side, which Open uses
	peer net.Conn  // the worker's end

	wmu sync.Mutex
	w   *wire.Writer

	mu       sync.Mutex
	scripts  map[string]func(*fstream)
	streams  map[uint32]*fstream
	openErr  error
	broken   *pool.ImportError
	closing  bool
	stopped  chan struct{} // closed by die
	dieOnce  sync.Once
	scriptWG sync.WaitGroup
	readDone chan struct{}
}

// Open is asgi.Workers' Open: a stream on the fake's lane, unless the test
// has set an error.
func (f *fake) Open(_ context.Context, typ byte, scope []byte) (*mux.Stream, error) {
	f.mu.Lock()
	err := f.openErr
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return f.conn.Open(typ, scope)
}

func (f *fake) Broken() *pool.ImportError {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.broken
}

func (f *fake) failOpen(err error, broken *pool.ImportError) {
	f.mu.Lock()
	f.openErr, f.broken = err, broken
	f.mu.Unlock()
}

// handle registers the script of the requests and WebSockets to path.
func (f *fake) handle(path string, script func(*fstream)) {
	f.mu.Lock()
	f.scripts[path] = script
	f.mu.Unlock()
}

// die closes the worker's end of the lane, as a worker that crashes.
func (f *fake) die() {
	f.mu.Lock()
	f.closing = true
	f.mu.Unlock()
	f.dieOnce.Do(func() { close(f.stopped) })
	f.peer.Close()
}

func newFake(t *testing.T) *fake {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int, name string) net.Conn {
		file := os.NewFile(uintptr(fd), name)
		defer file.Close()
		c, err := net.FileConn(file)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	goSide, peer := conn(fds[0], "lane"), conn(fds[1], "worker")
	f := &fake{t: t, conn: mux.New(goSide), peer: peer, w: wire.NewWriter(peer),
		scripts: map[string]func(*fstream){}, streams: map[uint32]*fstream{},
		readDone: make(chan struct{}), stopped: make(chan struct{})}
	go f.read()
	return f
}

// stop ends the fake: its scripts see their streams end.
func (f *fake) stop() {
	f.die()
	f.conn.Close()
	<-f.readDone
	f.scriptWG.Wait()
}

func (f *fake) read() {
	defer close(f.readDone)
	r := wire.NewReader(f.peer)
	defer func() {
		f.mu.Lock()
		for _, s := range f.streams {
			close(s.in)
		}
		f.streams = map[uint32]*fstream{}
		f.mu.Unlock()
	}()
	for {
		typ, p, err := r.Next()
		if err != nil {
			return
		}
		if len(p) < 4 {
			f.t.Errorf("the worker got frame %q without a stream id", typ)
			return
		}
		id := binary.BigEndian.Uint32(p)
		p = append([]byte(nil), p[4:]...)
		f.mu.Lock()
		s := f.streams[id]
		f.mu.Unlock()
		if typ == 'h' || typ == 'w' {
			if s != nil {
				f.t.Errorf("stream %d opened twice", id)
				return
			}
			sc, err := parseScope(p)
			if err != nil {
				f.t.Errorf("stream %d: %v", id, err)
				return
			}
			s = &fstream{f: f, id: id, kind: typ, scope: sc, in: make(chan frame, 256)}
			path := strings.TrimPrefix(sc.RawPath, sc.RootPath)
			f.mu.Lock()
			f.streams[id] = s
			script := f.scripts[path]
			f.mu.Unlock()
			if script == nil {
				script = notFound
			}
			f.scriptWG.Add(1)
			go func() {
				defer f.scriptWG.Done()
				script(s)
			}()
			continue
		}
		if s == nil {
			continue // a stream the worker is done with: frames may cross
		}
		s.in <- frame{typ, p}
	}
}

func notFound(s *fstream) {
	s.start(404)
	s.body(false, "no script for "+s.scope.RawPath)
	s.end()
}

// scope is what a `h` or `w` frame says.
type scope struct {
	Method, Scheme, HTTPVersion, RawPath, Query, RootPath string
	ClientHost, ClientPort, ServerHost, ServerPort, Body  string
	Headers                                               [][2]string
}

func parseScope(p []byte) (scope, error) {
	f := strings.Split(string(p), "\x00")
	if len(f) < 11 || (len(f)-11)%2 != 0 {
		return scope{}, fmt.Errorf("a scope of %d fields: %q", len(f), p)
	}
	s := scope{Method: f[0], Scheme: f[1], HTTPVersion: f[2], RawPath: f[3], Query: f[4], RootPath: f[5],
		ClientHost: f[6], ClientPort: f[7], ServerHost: f[8], ServerPort: f[9], Body: f[10]}
	for i := 11; i < len(f); i += 2 {
		s.Headers = append(s.Headers, [2]string{f[i], f[i+1]})
	}
	return s, nil
}

// header returns the values of the header name, in order.
func (s scope) header(name string) []string {
	var vs []string
	for _, kv := range s.Headers {
		if kv[0] == name {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

type frame struct {
	typ     byte
	payload []byte
}

// fstream is one stream as the fake worker sees it.
type fstream struct {
	f     *fake
	id    uint32
	kind  byte
	scope scope
	in    chan frame
}

// fail reports a script's failure and ends the script.
func (s *fstream) fail(format string, args ...any) {
	s.f.t.Errorf("stream %d (%s): %s", s.id, s.scope.RawPath, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// gone ends the script quietly when the lane is being closed on purpose.
func (s *fstream) gone() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return s.f.closing
}

// send writes one frame of the stream.
func (s *fstream) send(typ byte, parts ...[]byte) {
	p := binary.BigEndian.AppendUint32(nil, s.id)
	for _, part := range parts {
		p = append(p, part...)
	}
	s.f.wmu.Lock()
	err := s.f.w.Send(typ, p)
	s.f.wmu.Unlock()
	if err != nil {
		if s.gone() {
			runtime.Goexit()
		}
		s.fail("sending %q: %v", typ, err)
	}
}

func (s *fstream) start(code int, headers ...string) {
	p := fmt.Appendf(nil, "%d", code)
	for _, h := range headers {
		p = append(append(p, 0), h...)
	}
	s.send('S', p)
}

func (s *fstream) body(more bool, data string) {
	flag := byte(0)
	if more {
		flag = 1
	}
	s.send('D', []byte{flag}, []byte(data))
}

func (s *fstream) end() { s.send('E') }

func u32(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }

// wait waits for the test to close ch; the script ends if the worker
// stops first (a test that failed).
func (s *fstream) wait(ch <-chan struct{}) {
	select {
	case <-ch:
	case <-s.f.stopped:
		runtime.Goexit()
	}
}

// recv returns the stream's next frame. When the lane ends, the script
// ends (quietly if the test closed it).
func (s *fstream) recv() frame {
	select {
	case fr, ok := <-s.in:
		if !ok {
			if !s.gone() {
				s.f.t.Errorf("stream %d (%s): the lane ended", s.id, s.scope.RawPath)
			}
			runtime.Goexit()
		}
		return fr
	case <-time.After(guard):
		s.fail("waited %s for a frame", guard)
	}
	panic("unreachable")
}

// expect returns the payload of the next frame, which must be typ.
func (s *fstream) expect(typ byte) []byte {
	fr := s.recv()
	if fr.typ != typ {
		s.fail("got %q %q, want %q", fr.typ, fr.payload, typ)
	}
	return fr.payload
}

// readBody pulls the whole request body with `r`, asking for want bytes
// at a time, and checks each `b`.
func (s *fstream) readBody(want int) []byte {
	var body []byte
	for {
		s.send('r', u32(want))
		p := s.expect('b')
		if len(p) < 1 || p[0] > 1 {
			s.fail("a body frame %q", p)
		}
		if len(p)-1 > want {
			s.fail("asked for %d body bytes, got %d", want, len(p)-1)
		}
		body = append(body, p[1:]...)
		if p[0] == 0 {
			return body
		}
	}
}

// accept accepts a WebSocket and grants it 32 messages.
func (s *fstream) accept(subprotocol string, headers ...string) {
	p := []byte(subprotocol)
	for _, h := range headers {
		p = append(append(p, 0), h...)
	}
	s.send('A', p)
	s.send('g', u32(32))
}

// closeCode parses a WebSocket `d` or `C` payload.
func closeCode(p []byte) (uint16, string) {
	if len(p) < 2 {
		return 0, string(p)
	}
	return binary.BigEndian.Uint16(p), string(p[2:])
}

// waitFor returns the next value of ch, or fails after guard.
func waitFor[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		t.Fatalf("waited %s for %s", guard, what)
	}
	panic("unreachable")
}
