package pool

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/mux"
	"github.com/gowsgi/gowsgi/runner/reaper"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// helloTimeout bounds how long a new worker may take to say hello: starting
// an interpreter, not importing the app (imports may be slow and are unbounded).
const helloTimeout = 15 * time.Second

// worker is one worker process and its lanes.
type worker struct {
	id     atomic.Int32 // the slot (1..--workers) it serves; 0 for a spare
	cmd    *exec.Cmd
	pid    int
	ctrl   net.Conn
	ctrlR  *wire.Reader
	ctrlMu sync.Mutex // import, preload and quit may be sent from different goroutines
	ctrlW  *wire.Writer
	lanes  []*Lane
	info   string // from the hello frame: "cpython 3.11.2"
	// protocols are what the worker can serve, from its hello: "wsgi", "asgi"
	protocols []string
	asgi      bool      // it serves an ASGI app: mux carries its streams
	mux       *mux.Conn // ASGI: its lane, shared by the streams

	inFlight atomic.Int32
	retiring atomic.Bool // no new requests; stop when idle
	stopping atomic.Bool // we are ending it: its exit is not a crash
	exited   chan struct{}
	exitErr  error // valid after exited is closed
	started  time.Time
	stopOnce sync.Once

	stuck      atomic.Bool // a request of its will never end: kill it, rather than stop it, once idle
	overMemory atomic.Bool // --max-memory is killing it

	onExit func(w *worker) // called once when the process ends, from its wait goroutine
}

// logSink is where a worker's own output goes.
type logSink interface {
	Worker(tag, line string)
}

// spawn starts a worker process and waits for its hello. It does not import
// the app yet: see load. A spawned but unloaded worker is a warm spare.
// onExit is called once when the process ends.
func spawn(eng engine.Engine, id, threads int, env []string, log logSink, onExit func(*worker)) (*worker, error) {
	cmd, err := eng.Command()
	if err != nil {
		return nil, err
	}
	if len(env) > 0 {
		if cmd.Env == nil {
			cmd.Env = os.Environ()
		}
		cmd.Env = append(cmd.Env, env...)
	}
	w := &worker{cmd: cmd, exited: make(chan struct{}), started: time.Now(), onExit: onExit}
	w.id.Store(int32(id))
	var parentEnds []net.Conn
	var childEnds []*os.File
	closeAll := func() {
		for _, c := range parentEnds {
			c.Close()
		}
		for _, f := range childEnds {
			f.Close()
		}
	}
	for i := 0; i <= threads; i++ {
		p, c, err := socketPair()
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("cannot create the sockets for worker %d: %v", id, err)
		}
		parentEnds = append(parentEnds, p)
		childEnds = append(childEnds, c)
	}
	// Our own pipes rather than cmd.StdoutPipe: Wait must not wait for them,
	// since a process the app started may hold them open long after the
	// worker itself is gone.
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.ExtraFiles = childEnds
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = workerProcAttr()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	for _, f := range childEnds {
		f.Close()
	}
	childEnds = nil
	if err != nil {
		closeAll()
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("cannot start worker %d (%s): %v", id, cmd.Path, err)
	}
	w.pid = cmd.Process.Pid
	reaper.Track(w.pid) // its group dies with gowsgi, however gowsgi ends
	w.ctrl = parentEnds[0]
	w.ctrlR = wire.NewReader(w.ctrl)
	w.ctrlW = wire.NewWriter(w.ctrl)
	for i, c := range parentEnds[1:] {
		w.lanes = append(w.lanes, &Lane{w: w, id: i + 1, c: c, r: wire.NewReader(c), wr: wire.NewWriter(c)})
	}
	var output sync.WaitGroup
	output.Add(2)
	go w.copyLines(outR, log, &output)
	go w.copyLines(errR, log, &output)
	go func() {
		w.exitErr = cmd.Wait()
		reaper.EndGroup(w.pid) // what the app started goes with it, on every path
		// Let the last lines (a crash's traceback) reach the log first, if
		// nothing else holds the pipes.
		drained := make(chan struct{})
		go func() { output.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(200 * time.Millisecond):
		}
		close(w.exited)
		for _, l := range w.lanes {
			l.c.Close()
		}
		// The control socket may still hold the worker's last frame (FAILED,
		// with the import's traceback) for load to read; reads end with EOF
		// after it anyway, so it is closed only a moment later.
		time.AfterFunc(time.Second, func() { w.ctrl.Close() })
		if w.onExit != nil {
			w.onExit(w)
		}
	}()

	w.ctrl.SetReadDeadline(time.Now().Add(helloTimeout))
	typ, p, err := w.ctrlR.Next()
	w.ctrl.SetReadDeadline(time.Time{})
	if err != nil || typ != wire.Hello {
		w.kill()
		<-w.exited
		if err == nil {
			err = fmt.Errorf("first frame %q is not a hello", typ)
		}
		return nil, fmt.Errorf("worker %d (%s) did not start: %v%s", id, cmd.Path, err, exitNote(w.exitErr))
	}
	fields := strings.Split(string(p), "\x00")
	if fields[0] != wire.Version {
		w.kill()
		return nil, fmt.Errorf("worker %d speaks %q, gowsgi speaks %q: the worker program and gowsgi do not match", id, fields[0], wire.Version)
	}
	if len(fields) >= 3 {
		w.info = fields[1] + " " + fields[2]
	}
	if len(fields) >= 6 {
		w.protocols = strings.Split(fields[5], ",")
	}
	return w, nil
}

// ImportError is a worker's report that the app did not import.
type ImportError struct {
	Traceback string
	At        time.Time
	Hint      string        // what the engine can add: the interpreter that has a missing module, ...
	TimedOut  time.Duration // the import was stopped at --import-timeout (this long)
}

func (e *ImportError) Error() string { return "the app failed to import:\n" + e.Traceback }

// Startup reports whether the app imported but its ASGI lifespan startup
// failed (the worker's report says so in its first words).
func (e *ImportError) Startup() bool {
	return strings.HasPrefix(e.Traceback, "The app's lifespan startup")
}

// Page is what the error page says of the import failure: the words above
// the traceback, and the traceback. A nil e (the failure was fixed just
// now, between the request's look and this one) is reported as of now.
func (e *ImportError) Page() (detail, traceback string) {
	if e == nil {
		e = &ImportError{At: time.Now()}
	}
	detail = fmt.Sprintf("The app's code did not import at %s. Fix it and save: gowsgi reloads by itself, and this page with it.", e.At.Format("15:04:05"))
	if e.Startup() {
		detail = fmt.Sprintf("The app's lifespan startup failed at %s. Fix it and save: gowsgi reloads by itself, and this page with it.", e.At.Format("15:04:05"))
	}
	if e.TimedOut > 0 {
		detail = fmt.Sprintf("The app's code did not finish importing within --import-timeout %s, so gowsgi stopped it at %s. Fix it and save: gowsgi reloads by itself, and this page with it.", e.TimedOut, e.At.Format("15:04:05"))
	}
	if e.Hint != "" {
		detail += " " + e.Hint
	}
	return detail, e.Traceback
}

// errAbandoned is load's error when its ctx ended: a newer change to the
// code made this import pointless.
var errAbandoned = errors.New("import abandoned")

// importReportGrace is how long past --import-timeout a worker has to say
// where its import was (CPython does) before it is killed without a word.
const importReportGrace = 2 * time.Second

// load sends the import and waits for the worker to be ready, at most
// timeout (0: no limit), and only while ctx lasts: a worker whose import
// does not finish in time, or is abandoned, is killed.
func (w *worker) load(ctx context.Context, cfg wire.WorkerConfig, timeout time.Duration) (wire.ReadyInfo, error) {
	var info wire.ReadyInfo
	cfg.ImportTimeout = timeout.Seconds()
	b, _ := json.Marshal(cfg)
	t0 := time.Now()
	if err := w.sendControl(wire.Import, b); err != nil {
		return info, fmt.Errorf("%s: %v", w.tag(), err)
	}
	if timeout > 0 {
		w.ctrl.SetReadDeadline(t0.Add(timeout + importReportGrace))
	}
	stop := context.AfterFunc(ctx, func() { w.ctrl.SetReadDeadline(time.Now()) })
	typ, p, err := w.ctrlR.Next()
	stop()
	if ctx.Err() != nil {
		w.kill()
		return info, errAbandoned
	}
	w.ctrl.SetReadDeadline(time.Time{})
	timedOut := timeout > 0 && time.Since(t0) >= timeout
	if err != nil && timedOut && errors.Is(err, os.ErrDeadlineExceeded) {
		w.kill()
		return info, &ImportError{At: time.Now(), TimedOut: timeout, Traceback: fmt.Sprintf(
			"The app did not finish %s within --import-timeout %s; gowsgi stopped it.\n", w.starting(), timeout)}
	}
	if err != nil {
		<-w.exited
		return info, &ImportError{At: time.Now(), Traceback: fmt.Sprintf("%s exited while importing the app%s\n", w.tag(), exitNote(w.exitErr))}
	}
	switch typ {
	case wire.Ready:
		if len(p) > 0 {
			json.Unmarshal(p, &info) // only a hint: without it, spares stay cold
		}
		go w.watchControl()
		return info, nil
	case wire.Failed:
		w.stopping.Store(true)
		ie := &ImportError{At: time.Now(), Traceback: string(p)}
		if timedOut { // the worker's own report of where its import was
			ie.TimedOut = timeout
		}
		return info, ie
	}
	return info, fmt.Errorf("%s: unexpected control frame %q", w.tag(), typ)
}

// preload asks a spare to import the app's libraries ahead of time.
func (w *worker) preload(cfg wire.PreloadConfig) {
	b, _ := json.Marshal(cfg)
	w.sendControl(wire.Preload, b)
}

func (w *worker) sendControl(typ byte, payload []byte) error {
	w.ctrlMu.Lock()
	defer w.ctrlMu.Unlock()
	return w.ctrlW.Send(typ, payload)
}

// watchControl reads the control socket so that nothing the worker sends
// there is left unread; it ends when the worker does.
func (w *worker) watchControl() {
	for {
		if _, _, err := w.ctrlR.Next(); err != nil {
			return
		}
	}
}

// stop asks the worker to finish and exit, then kills its process group
// when it has not gone within grace.
func (w *worker) stop(grace time.Duration) {
	w.stopOnce.Do(func() {
		w.stopping.Store(true)
		var payload []byte
		if w.asgi && grace > 0 {
			payload = quitPayload(grace)
		}
		grace = w.quitTime(grace)
		w.sendControl(wire.Quit, payload)
		go func() {
			select {
			case <-w.exited:
			case <-time.After(grace):
				w.kill()
			}
		}()
	})
}

// kill ends the worker's whole process group at once: an app may have
// started processes of its own.
func (w *worker) kill() {
	w.stopping.Store(true)
	if w.cmd.Process != nil {
		syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
		w.cmd.Process.Kill()
	}
}

// starting is what a worker does before it is ready, for messages.
func (w *worker) starting() string {
	if w.asgi {
		return "importing and its lifespan startup"
	}
	return "importing"
}

func (w *worker) tag() string { return fmt.Sprintf("worker %d", w.id.Load()) }

func (w *worker) dead() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// signalName is "SIGKILL" for the signals a worker usually dies of, and
// the description ("signal 42") for others.
func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM", syscall.SIGSEGV: "SIGSEGV",
		syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS", syscall.SIGINT: "SIGINT", syscall.SIGHUP: "SIGHUP", syscall.SIGFPE: "SIGFPE"}
	if n, ok := names[s]; ok {
		return n
	}
	return "signal " + s.String()
}

// exitNote describes how a process ended, for messages.
func exitNote(err error) string {
	if err == nil {
		return ""
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return " (killed by " + signalName(ws.Signal()) + ")"
		}
		return fmt.Sprintf(" (exit status %d)", ee.ExitCode())
	}
	return " (" + err.Error() + ")"
}

// maxLogLine is the longest piece of a worker's output logged as one line:
// a longer line is logged in pieces of this size, so that output without
// newlines neither grows our memory nor silences what comes after it.
const maxLogLine = 64 << 10

// copyLines logs a worker's output line by line, until the stream ends.
func (w *worker) copyLines(r io.ReadCloser, log logSink, wg *sync.WaitGroup) {
	defer wg.Done()
	defer r.Close()
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n') // ErrBufferFull: a piece of a long line
		if len(line) > 0 {
			log.Worker(w.tag(), string(line))
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// socketPair returns a connected pair: one end as a net.Conn for us, the
// other as a file for the child.
func socketPair() (net.Conn, *os.File, error) {
	// Under ForkLock, as os/exec does: a worker started at the same moment by
	// another goroutine must not inherit these before they are close-on-exec.
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	pf := os.NewFile(uintptr(fds[0]), "gowsgi-lane")
	defer pf.Close()
	c, err := net.FileConn(pf)
	if err != nil {
		syscall.Close(fds[1])
		return nil, nil, err
	}
	return c, os.NewFile(uintptr(fds[1]), "gowsgi-lane-child"), nil
}
