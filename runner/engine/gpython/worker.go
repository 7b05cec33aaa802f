package gpython

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pyrt"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// Exit codes of a worker process.
const (
	ExitOK       = 0  // told to quit (Q) or the control socket closed
	ExitImport   = 1  // the app did not import; the traceback went out as F
	ExitProtocol = 70 // the conversation broke (like the CPython worker)
)

// ServeWorker is the worker process's main: fd 3 is the control socket and
// fds 4.. are the lanes (as many as the IMPORT frame's "threads"). It
// returns the exit code.
func ServeWorker() int {
	ctrlFile := os.NewFile(3, "gowsgi-control")
	ctrl, err := net.FileConn(ctrlFile)
	ctrlFile.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gowsgi gpython worker: fd 3 is not the control socket: %v\n", err)
		return ExitProtocol
	}
	w := &worker{ctrl: ctrl, stdout: os.Stdout, stderr: os.Stderr}
	w.openLanes = func(n int) ([]net.Conn, error) {
		lanes := make([]net.Conn, 0, n)
		for i := 0; i < n; i++ {
			fd := uintptr(4 + i)
			f := os.NewFile(fd, "gowsgi-lane-"+strconv.Itoa(i+1))
			c, err := net.FileConn(f)
			f.Close()
			if err != nil {
				for _, l := range lanes {
					l.Close()
				}
				return nil, fmt.Errorf("lane %d (fd %d) is not open: %v", i+1, fd, err)
			}
			lanes = append(lanes, c)
		}
		return lanes, nil
	}
	w.beforeImport = func(cfg *wire.WorkerConfig) {
		// The worker process is the app's: its cwd is the app directory.
		if cfg.Root != "" {
			_ = os.Chdir(cfg.Root)
		}
	}
	return w.run()
}

// Serve runs a worker on connections that are already open: ctrl is the
// control socket, lanes the lane sockets (the IMPORT frame's "threads"
// must not exceed len(lanes)). print() output goes to stdout and stderr.
// It returns the exit code ServeWorker would.
func Serve(ctrl net.Conn, lanes []net.Conn, stdout, stderr io.Writer) int {
	w := &worker{ctrl: ctrl, stdout: stdout, stderr: stderr}
	w.openLanes = func(n int) ([]net.Conn, error) {
		if n > len(lanes) {
			return nil, fmt.Errorf("%d threads asked for, %d lanes open", n, len(lanes))
		}
		return lanes[:n], nil
	}
	return w.run()
}

type worker struct {
	ctrl         net.Conn
	stdout       io.Writer
	stderr       io.Writer
	openLanes    func(n int) ([]net.Conn, error)
	beforeImport func(cfg *wire.WorkerConfig)

	cfg    wire.WorkerConfig
	out    *pyrt.SharedWriter
	errOut *pyrt.SharedWriter
	w      *wire.Writer

	mu       sync.Mutex
	inFlight int
	idle     *sync.Cond

	spares chan *pyctx   // the spare context, when one is ready
	stop   chan struct{} // closed at shutdown: the spare builder ends
}

// pyctx is a gpython context with the app imported, or why the import failed.
type pyctx struct {
	interp *pyrt.Interp
	app    py.Object
	text   string
}

func (w *worker) hello() string {
	exe, _ := os.Executable()
	return wire.Version + "\x00gpython\x00" + Version + "\x00" + exe + "\x00" + strconv.Itoa(os.Getpid()) + "\x00wsgi"
}

func (w *worker) fail(text string) {
	_ = w.w.Send(wire.Failed, []byte(text))
}

func (w *worker) run() int {
	defer w.ctrl.Close()
	w.idle = sync.NewCond(&w.mu)
	w.w = wire.NewWriter(w.ctrl)
	r := wire.NewReader(w.ctrl)
	if err := w.w.Send(wire.Hello, []byte(w.hello())); err != nil {
		return ExitOK
	}
	var typ byte
	var payload []byte
	for {
		var err error
		typ, payload, err = r.Next()
		if err != nil || typ == wire.Quit {
			return ExitOK // closed, or told to quit, while waiting as a spare
		}
		// P (preload libraries) is for CPython spares: gpython has no
		// third-party libraries to warm up, so it answers K without a list.
		if typ != wire.Preload {
			break
		}
	}
	if typ != wire.Import {
		fmt.Fprintf(w.stderr, "gowsgi gpython worker: expected an IMPORT frame, got %q\n", typ)
		return ExitProtocol
	}
	if err := json.Unmarshal(payload, &w.cfg); err != nil {
		w.fail(fmt.Sprintf("gowsgi gpython worker: bad IMPORT frame: %v\n", err))
		return ExitProtocol
	}
	if w.cfg.Threads < 1 {
		w.cfg.Threads = 1
	}
	if w.beforeImport != nil {
		w.beforeImport(&w.cfg)
	}
	w.out = pyrt.NewSharedWriter(w.stdout)
	w.errOut = pyrt.NewSharedWriter(w.stderr)

	conns, err := w.openLanes(w.cfg.Threads)
	if err != nil {
		w.fail(fmt.Sprintf("gowsgi gpython worker: %v\n", err))
		return ExitProtocol
	}
	// The first context imports the app alone: its errors are the app's.
	lanes := make([]*lane, len(conns))
	for i, c := range conns {
		l, text := w.newLane(i+1, c)
		if text != "" {
			for _, prev := range lanes[:i] {
				prev.interp.Close()
			}
			w.fail(text)
			for _, c := range conns {
				c.Close()
			}
			return ExitImport
		}
		lanes[i] = l
	}
	var wg sync.WaitGroup
	for _, l := range lanes {
		wg.Add(1)
		go func(l *lane) {
			defer wg.Done()
			l.serve()
		}(l)
	}
	w.spares, w.stop = make(chan *pyctx), make(chan struct{})
	go w.buildSpares()
	if err := w.w.Send(wire.Ready, nil); err != nil {
		return w.shutdown(lanes, &wg)
	}
	for {
		typ, _, err := r.Next()
		if err != nil || typ == wire.Quit {
			return w.shutdown(lanes, &wg)
		}
	}
}

// shutdown lets the requests in flight finish, then closes the lanes.
func (w *worker) shutdown(lanes []*lane, wg *sync.WaitGroup) int {
	w.mu.Lock()
	for w.inFlight > 0 {
		w.idle.Wait()
	}
	w.mu.Unlock()
	for _, l := range lanes {
		l.conn.Close()
	}
	wg.Wait()
	close(w.stop)
	w.out.WriteString("")
	return ExitOK
}

// buildSpares keeps one context with the app imported ready for a lane
// whose context must be replaced, so that the lane swaps contexts instead
// of importing the app while its caller waits. It builds one at a time, in
// its own goroutine, and gives each away whole: a context is never shared.
func (w *worker) buildSpares() {
	for {
		c := &pyctx{}
		it, app, text := w.newInterp()
		if text != "" {
			c.text = text
		} else {
			c.interp, c.app = it, app.(py.Object)
		}
		select {
		case w.spares <- c:
		case <-w.stop:
			if c.interp != nil {
				c.interp.Close()
			}
			return
		}
	}
}

// spare takes the spare context, waiting when it is still being built.
func (w *worker) spare() *pyctx { return <-w.spares }

func (w *worker) busy(delta int) {
	w.mu.Lock()
	w.inFlight += delta
	if w.inFlight == 0 {
		w.idle.Broadcast()
	}
	w.mu.Unlock()
}

// newInterp creates a context with the app imported; text is the error to
// report when that fails.
func (w *worker) newInterp() (it *pyrt.Interp, app interface{}, text string) {
	defer func() {
		if r := recover(); r != nil {
			text = fmt.Sprintf("internal error in gpython while importing %s: %v\n\n%s\n%s\n", w.cfg.App, r, debug.Stack(), pyrt.Hint)
		}
	}()
	it, err := pyrt.NewInterp(pyrt.Config{Root: w.cfg.Root, PythonPath: w.cfg.PythonPath, Stdout: w.out, Stderr: w.errOut})
	if err != nil {
		return nil, nil, fmt.Sprintf("gowsgi gpython worker: %v\n", err)
	}
	obj, err := it.LoadApp(w.cfg.App)
	it.FlushOutput()
	if err != nil {
		it.Close()
		return nil, nil, pyrt.FormatImportError(err)
	}
	return it, obj, ""
}
