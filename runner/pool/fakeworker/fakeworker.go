// Package fakeworker is a stand-in for gowsgi's Python worker, for the tests
// of runner/pool and runner/wsgi: it speaks the real wire protocol
// (docs/protocol.md) without Python, and it tells the test what it does, so
// tests synchronise on its reports instead of on the clock.
//
// The test binary re-executes itself as the worker. A test package that uses
// it calls Main first thing in its TestMain:
//
//	func TestMain(m *testing.M) {
//		fakeworker.Main() // returns at once unless this process is a fake worker
//		os.Exit(m.Run())
//	}
//
// A Hub is the test's side: Hub.Engine starts workers, every worker reports
// its events (hello, requests, blocks, cancels, quit) to the hub over a unix
// socket, and the test releases blocked requests through it.
//
// Only tests may import this package.
package fakeworker

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/gowsgi/gowsgi/runner/wire"
)

// envHub names the hub's socket in a fake worker's environment; its presence
// is what makes the test binary a fake worker.
const envHub = "GOWSGI_FAKE_WORKER"

// importFailFile, in the hub's directory, holds the traceback a worker
// answers an import with instead of Ready (see Hub.FailImport).
const importFailFile = "import-fail"

// importHangFile, in the hub's directory, makes a worker's import never
// finish (see Hub.HangImport).
const importHangFile = "import-hang"

// Traceback is what /raise fails with.
const Traceback = "Traceback (most recent call last):\n" +
	"  File \"fakeapp.py\", line 7, in application\n" +
	"    1 / 0\n" +
	"ZeroDivisionError: division by zero\n"

// BadStatus is the status /badstatus starts its response with.
const BadStatus = "2OO OK"

// LogLine is what /log writes to wsgi.errors.
const LogLine = "fakeapp: a line for wsgi.errors"

// Event is one thing a worker reports to the hub.
type Event struct {
	Kind string `json:"kind"`           // see the Ev* constants
	PID  int    `json:"pid"`            // the worker process
	Lane int    `json:"lane,omitempty"` // 1-based lane (= thread) of a request event
	Path string `json:"path,omitempty"` // PATH_INFO of a request event
	ID   string `json:"id,omitempty"`   // the request's ?id=
	How  string `json:"how,omitempty"`  // EvUnblocked: "released" or "cancel"
}

// Event kinds.
const (
	EvHello     = "hello"     // the process runs (spares too)
	EvImport    = "import"    // the Import control frame arrived
	EvReady     = "ready"     // it answered Import with Ready
	EvFailed    = "failed"    // it answered Import with Failed
	EvRequest   = "request"   // a request began on a lane
	EvBlocked   = "blocked"   // a /block request is waiting for Hub.Release or a cancel
	EvUnblocked = "unblocked" // and no longer is (How says why)
	EvCancel    = "cancel"    // a Cancel frame reached a request in flight
	EvDone      = "done"      // a request's last frame is about to go out
	EvQuit      = "quit"      // the Quit control frame arrived
)

// Main runs the fake worker and exits, when this process was started as one
// (by a Hub's engine); otherwise it returns at once.
func Main() {
	sock := os.Getenv(envHub)
	if sock == "" {
		return
	}
	os.Exit(runWorker(sock))
}

// worker is the fake worker process's state.
type worker struct {
	pid     int
	dir     string // the hub's directory
	hubMu   sync.Mutex
	hub     net.Conn
	ctrlMu  sync.Mutex
	ctrlW   *wire.Writer
	relMu   sync.Mutex
	release map[string]chan struct{} // by request id: closed when the hub releases it

	mu       sync.Mutex
	active   int  // requests in flight
	quitting bool // Quit arrived: exit once active is 0
}

func runWorker(sock string) int {
	w := &worker{pid: os.Getpid(), dir: filepath.Dir(sock), release: map[string]chan struct{}{}}
	hub, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fake worker: cannot reach the hub: %v\n", err)
		return 2
	}
	w.hub = hub
	go w.readHub()

	ctrl, err := net.FileConn(os.NewFile(3, "control"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "fake worker: no control socket on fd 3: %v\n", err)
		return 2
	}
	exe, _ := os.Executable()
	w.ctrlW = wire.NewWriter(ctrl)
	w.report(Event{Kind: EvHello})
	w.sendControl(wire.Hello, []byte(strings.Join([]string{wire.Version, "fake", "1.0", exe, strconv.Itoa(w.pid), "wsgi"}, "\x00")))

	r := wire.NewReader(ctrl)
	for {
		typ, p, err := r.Next()
		if err != nil {
			return 0 // gowsgi closed the control socket: nothing left to do
		}
		switch typ {
		case wire.Preload:
			// A spare: nothing to import ahead of time.
		case wire.Import:
			var cfg wire.WorkerConfig
			if err := json.Unmarshal(p, &cfg); err != nil {
				w.sendControl(wire.Failed, []byte("fake worker: bad import frame: "+err.Error()+"\n"))
				return 1
			}
			w.report(Event{Kind: EvImport})
			if _, err := os.Stat(filepath.Join(w.dir, importHangFile)); err == nil {
				select {} // an import that hangs: only killing the process ends it
			}
			if tb, err := os.ReadFile(filepath.Join(w.dir, importFailFile)); err == nil {
				w.report(Event{Kind: EvFailed})
				w.sendControl(wire.Failed, tb)
				return 1 // at once, as worker.py does: the frame must not be lost
			}
			for i := 1; i <= cfg.Threads; i++ {
				c, err := net.FileConn(os.NewFile(uintptr(3+i), "lane"))
				if err != nil {
					w.sendControl(wire.Failed, []byte(fmt.Sprintf("fake worker: no lane on fd %d: %v\n", 3+i, err)))
					return 1
				}
				go w.serveLane(i, c)
			}
			w.report(Event{Kind: EvReady})
			w.sendControl(wire.Ready, []byte(`{"preload":["fakelib"]}`))
		case wire.Quit:
			w.report(Event{Kind: EvQuit})
			w.mu.Lock()
			w.quitting = true
			idle := w.active == 0
			w.mu.Unlock()
			if idle {
				return 0
			}
		}
	}
}

func (w *worker) sendControl(typ byte, p []byte) {
	w.ctrlMu.Lock()
	defer w.ctrlMu.Unlock()
	w.ctrlW.Send(typ, p)
}

// report tells the hub about e.
func (w *worker) report(e Event) {
	e.PID = w.pid
	b, _ := json.Marshal(e)
	w.hubMu.Lock()
	defer w.hubMu.Unlock()
	w.hub.Write(append(b, '\n'))
}

// readHub takes the hub's orders: "release ID". When the hub goes away the
// test is over, and so is the worker.
func (w *worker) readHub() {
	s := bufio.NewScanner(w.hub)
	for s.Scan() {
		if id, ok := strings.CutPrefix(s.Text(), "release "); ok {
			close(w.releaseChan(id))
		}
	}
	os.Exit(0)
}

// releaseChan is the channel closed when request id is released; the hub
// sends each release once.
func (w *worker) releaseChan(id string) chan struct{} {
	w.relMu.Lock()
	defer w.relMu.Unlock()
	ch, ok := w.release[id]
	if !ok {
		ch = make(chan struct{})
		w.release[id] = ch
	}
	return ch
}

type frame struct {
	typ byte
	p   []byte
}

// lane is one lane's socket and thread.
type lane struct {
	w      *worker
	n      int
	frames chan frame // what gowsgi sent, read by its own goroutine so a cancel can arrive mid-request
	out    *wire.Writer
}

func (w *worker) serveLane(n int, c net.Conn) {
	l := &lane{w: w, n: n, frames: make(chan frame, 16), out: wire.NewWriter(c)}
	go func() {
		r := wire.NewReader(c)
		for {
			typ, p, err := r.Next()
			if err != nil {
				close(l.frames)
				return
			}
			l.frames <- frame{typ, append([]byte(nil), p...)}
		}
	}()
	for f := range l.frames {
		if f.typ == wire.Request {
			l.handle(f.p)
		}
		// A cancel on an idle lane crossed the end of its request: stale.
	}
}

func (l *lane) send(typ byte, p []byte) { l.out.Write(typ, p) }
func (l *lane) flush()                  { l.out.Flush() }

func (l *lane) start(status string, headers ...string) {
	l.send(wire.Start, []byte(strings.Join(append([]string{status}, headers...), "\x00")))
}

// answer sends a whole response: status, headers, body, end.
func (l *lane) answer(status, contentType string, body []byte) {
	l.start(status, "Content-Type", contentType, "Content-Length", strconv.Itoa(len(body)))
	for len(body) > 0 {
		n := min(len(body), 1<<20)
		l.send(wire.Data, body[:n])
		body = body[n:]
	}
	l.end(wire.End, nil)
}

// end sends the request's last frame.
func (l *lane) end(typ byte, p []byte) {
	l.send(typ, p)
	l.flush()
}

func (l *lane) handle(payload []byte) {
	pairs, _ := wire.Pairs(payload)
	env := map[string]string{}
	for _, kv := range pairs {
		env[kv[0]] = kv[1]
	}
	path := env["PATH_INFO"]
	q, _ := url.ParseQuery(env["QUERY_STRING"])
	id := q.Get("id")
	w := l.w
	w.mu.Lock()
	w.active++
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.active--
		exit := w.quitting && w.active == 0
		w.mu.Unlock()
		if exit {
			os.Exit(0)
		}
	}()
	if path == "/quiet" {
		// For benchmarks: hello, without a report to the hub.
		l.answer("200 OK", "text/plain", []byte("hello"))
		return
	}
	w.report(Event{Kind: EvRequest, Lane: l.n, Path: path, ID: id})
	done := func() { w.report(Event{Kind: EvDone, Lane: l.n, Path: path, ID: id}) }

	switch {
	case path == "/hello":
		done()
		l.answer("200 OK", "text/plain", []byte("hello"))
	case path == "/echo":
		l.echo(env, path, id)
	case strings.HasPrefix(path, "/environ"):
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, env[k])
		}
		done()
		l.answer("200 OK", "text/plain", []byte(b.String()))
	case path == "/block":
		rel := w.releaseChan(id)
		w.report(Event{Kind: EvBlocked, Lane: l.n, Path: path, ID: id})
		select {
		case <-rel:
			w.report(Event{Kind: EvUnblocked, Lane: l.n, Path: path, ID: id, How: "released"})
			done()
			l.answer("200 OK", "text/plain", []byte("released "+id))
		case f, ok := <-l.frames:
			if !ok {
				return // gowsgi closed the lane
			}
			if f.typ == wire.Cancel {
				w.report(Event{Kind: EvCancel, Lane: l.n, Path: path, ID: id})
			}
			w.report(Event{Kind: EvUnblocked, Lane: l.n, Path: path, ID: id, How: "cancel"})
			done()
			l.end(wire.End, nil) // cancelled: no response, as worker.py does
		}
	case path == "/grow":
		// Waits to be released, then takes ?mb=N MiB more resident memory
		// and never answers: only killing the process ends it. The memory is
		// a shared mapping, which RLIMIT_DATA (--max-memory's cap on
		// allocations) does not count, so only the resident check sees it.
		rel := w.releaseChan(id)
		w.report(Event{Kind: EvBlocked, Lane: l.n, Path: path, ID: id})
		<-rel
		w.report(Event{Kind: EvUnblocked, Lane: l.n, Path: path, ID: id, How: "released"})
		mb, _ := strconv.Atoi(q.Get("mb"))
		if mem, err := syscall.Mmap(-1, 0, mb<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_ANON); err == nil {
			for i := 0; i < len(mem); i += os.Getpagesize() {
				mem[i] = 1
			}
		}
		for range l.frames {
		}
		select {}
	case path == "/raise":
		done()
		l.end(wire.Fail, []byte(Traceback))
	case path == "/crash":
		os.Exit(3)
	case path == "/badstatus":
		done()
		l.start(BadStatus, "Content-Type", "text/plain")
		l.end(wire.End, nil)
	case path == "/log":
		l.send(wire.Log, []byte(LogLine+"\n"))
		done()
		l.answer("200 OK", "text/plain", []byte("logged"))
	case path == "/hang":
		// Never answers, and a cancel does not stop it: only killing the
		// process does.
		for f := range l.frames {
			if f.typ == wire.Cancel {
				w.report(Event{Kind: EvCancel, Lane: l.n, Path: path, ID: id})
			}
		}
		select {} // the lane closed: the worker is going away
	default:
		done()
		l.answer("404 Not Found", "text/plain", []byte("no such fake page: "+path))
	}
}

// echo reads the whole request body with Read frames and answers it.
func (l *lane) echo(env map[string]string, path, id string) {
	var body []byte
	if env["gowsgi.body"] != "0" {
		var want [4]byte
		binary.BigEndian.PutUint32(want[:], 1<<20)
	reading:
		for {
			l.send(wire.Read, want[:])
			l.flush()
			for {
				f, ok := <-l.frames
				if !ok {
					return
				}
				switch f.typ {
				case wire.Cancel:
					l.w.report(Event{Kind: EvCancel, Lane: l.n, Path: path, ID: id})
					continue // the answer to the read still comes
				case wire.Body:
					if len(f.p) == 0 {
						break reading
					}
					body = append(body, f.p...)
				case wire.BodyError:
					l.w.report(Event{Kind: EvDone, Lane: l.n, Path: path, ID: id})
					l.end(wire.Fail, []byte("Traceback (most recent call last):\nOSError: "+string(f.p)+"\n"))
					return
				default:
					l.end(wire.Fail, []byte(fmt.Sprintf("fake worker: unexpected frame %q while reading the body\n", f.typ)))
					return
				}
				break
			}
		}
	}
	l.w.report(Event{Kind: EvDone, Lane: l.n, Path: path, ID: id})
	l.answer("200 OK", "application/octet-stream", body)
}
