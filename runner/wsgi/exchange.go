package wsgi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gowsgi/gowsgi/environ"
	"github.com/gowsgi/gowsgi/runner/h1"
	"github.com/gowsgi/gowsgi/runner/livereload"
	"github.com/gowsgi/gowsgi/runner/pool"
	"github.com/gowsgi/gowsgi/runner/router"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// At --timeout the worker is told to stop the request (a cancel frame). A
// cooperative app (a stream between chunks, gpython at its next call) stops
// at once and its worker lives on; one that does not answer within the
// wind-down is stuck, and its worker is replaced.
const (
	appWindDown    = time.Second     // the app was slow
	clientWindDown = 5 * time.Second // the client was: the app is only waiting on it
)

var readBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// outcome is what one exchange ended with, for the handler and the log.
type outcome struct {
	wroteHeader bool   // the app's status line went out
	errStatus   int    // when not wroteHeader: the error status to answer with
	errTitle    string // and why, in a few words
	detail      string // more words for the error page
	note        string // for the log, when errTitle does not say it
	traceback   string // the app's traceback, when it raised
	exception   []byte // the worker's report of the exception (JSON), for the debug page
	abort       bool   // the response cannot be completed: cut the connection
	cancelled   bool   // the client went away
}

// exchange runs one request over one lane: it sends the environ, answers the
// worker's reads of the body, and turns its frames into the HTTP response.
type exchange struct {
	h    *Handler
	l    *pool.Lane
	w    http.ResponseWriter
	r    *http.Request
	body io.Reader

	bodyEOF      bool
	bodyTooLarge bool
	bodyErr      error  // how the body ended, when it came with the last bytes
	bodyBad      string // the client's body could not be read: why
	bad          string // the app broke a rule in its status or headers
	noBody       bool   // HEAD, 204 or 304: the body is not sent
	declared     int64  // the app's Content-Length, or -1
	written      int64
	exception    []byte // the last exception report, until a Start or Fail uses it
	replaced     bool   // a framework's 500 page is replaced by the debug page
	held         []byte // an HTML page held back to carry the live-reload script
	holding      bool
	code         int   // the status held back with it
	dropped      int64 // body bytes past the declared Content-Length
	out          outcome
	clientIO     atomic.Bool // blocked on the client (reading its body, writing to it)
	progress     *progress   // the client's deadlines (progress.go); nil: none

	// Guarded by mu: the cancel and timeout callbacks run on other
	// goroutines and must have no effect once the exchange is over.
	mu         sync.Mutex
	finished   bool
	appSlow    bool // --timeout passed while we waited on the app
	clientSlow bool // --timeout passed while we waited on the client, or it stalled
	timedOut   bool // and the worker did not wind the request down in time
	idle       bool // the client stalled past --client-timeout (not --timeout)
	cancelled  bool
}

// serve runs the exchange. On return the lane is either back in step (ready
// for the next request) or marked broken.
func (x *exchange) serve(env []byte) outcome {
	l := x.l
	x.declared = -1
	err := l.Send(wire.Request, env)
	if err != nil {
		return x.workerLost(err)
	}
	stopCancel := context.AfterFunc(x.r.Context(), x.cancel)
	defer stopCancel()
	if t := x.h.cfg.Timeout; t > 0 {
		timer := time.AfterFunc(t, x.timeout)
		defer timer.Stop()
	}
	for {
		typ, p, err := l.Next()
		if err != nil {
			x.mu.Lock()
			timedOut := x.timedOut || (x.appSlow && errors.Is(err, os.ErrDeadlineExceeded))
			x.finished = true
			l.MarkBroken()
			x.mu.Unlock()
			if timedOut {
				return x.stuck()
			}
			return x.workerLost(err)
		}
		switch typ {
		case wire.Read:
			if len(p) != 4 && len(p) != 8 {
				return x.protocolError("a read frame of %d bytes", len(p))
			}
			most := int(min(max(binary.BigEndian.Uint32(p), 1), wire.MaxChunk))
			least := 1
			if len(p) == 8 {
				least = int(min(max(binary.BigEndian.Uint32(p[4:]), 1), uint32(most)))
			}
			x.answerRead(most, least)
		case wire.Start:
			x.start(p)
		case wire.Data:
			x.data(p)
		case wire.Log:
			x.logLines(string(p))
		case wire.Exception:
			x.exception = append(x.exception[:0], p...)
		case wire.End, wire.Fail:
			x.finish()
			switch {
			case typ == wire.Fail:
				x.fail(string(p))
			case x.replaced:
				x.out.errStatus, x.out.errTitle = http.StatusInternalServerError, "the app answered 500 after an exception"
				x.out.detail = "The framework caught this exception and logged it; gowsgi shows it here in place of the framework's own error page."
				x.out.exception = x.exception
			case x.bad != "":
				x.out.errStatus, x.out.errTitle, x.out.detail = http.StatusInternalServerError, "the app broke the WSGI rules", x.bad
			case x.clientSlow:
				x.tooSlow()
			case x.appSlow:
				x.wound()
			case x.holding:
				x.release()
			case !x.noBody && !x.out.cancelled && x.declared >= 0 && x.written < x.declared:
				x.out.abort = true
				x.out.note = fmt.Sprintf("the app sent %d bytes of the %d its Content-Length promised", x.written, x.declared)
			case x.dropped > 0:
				x.out.note = fmt.Sprintf("the app sent %d bytes, more than its Content-Length of %d: the rest was dropped", x.declared+x.dropped, x.declared)
				x.h.log.Warnf("%s %s %s: %s", x.l.WorkerTag(), x.r.Method, x.r.URL.Path, x.out.note)
			}
			if x.out.cancelled && x.declared >= 0 && x.written >= x.declared {
				// The client had the whole answer and closed the connection
				// before the worker said it was done: it did not go away.
				x.out.cancelled = false
			}
			return x.out
		default:
			return x.protocolError("an unexpected frame %q", typ)
		}
	}
}

// finish marks the exchange over, so that a late cancel or timeout callback
// does nothing to the lane's next request.
func (x *exchange) finish() {
	x.mu.Lock()
	x.finished = true
	if x.appSlow || x.clientSlow {
		x.l.SetReadDeadline(time.Time{}) // the timeout set one
	}
	x.mu.Unlock()
}

// cancel tells the worker to stop: the client left, or a write to it failed.
func (x *exchange) cancel() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cancelLocked()
}

func (x *exchange) cancelLocked() {
	if x.finished || x.cancelled {
		return
	}
	x.cancelled = true
	x.out.cancelled = true
	x.l.Send(wire.Cancel, nil)
}

// timeout fires at --timeout. When we are waiting on the app, it is told to
// stop and gets appWindDown to do so before its worker counts as stuck. When
// we are waiting on the client (a stalled upload, a slow download), the
// client is cut off and the app told to stop; it gets clientWindDown.
func (x *exchange) timeout() {
	l := x.l
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.finished {
		return
	}
	if !x.clientIO.Load() {
		x.appSlow = true
		x.cancelLocked()
		x.out.cancelled = false // not the client's doing
		l.SetReadDeadline(time.Now().Add(appWindDown))
		return
	}
	x.clientSlow = true
	rc := http.NewResponseController(x.w)
	rc.SetReadDeadline(time.Now())
	rc.SetWriteDeadline(time.Now())
	x.cancelLocked()
	x.out.cancelled = false // not the client's choice: it was too slow
	time.AfterFunc(clientWindDown, func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		if !x.finished {
			x.timedOut = true
			l.SetReadDeadline(time.Now())
		}
	})
}

func (x *exchange) answerRead(n, least int) {
	l := x.l
	if x.bodyEOF || x.bodyErr == nil && x.cancelledNow() {
		msg := []byte("the request was cancelled (the client left, or --timeout passed)")
		typ := wire.BodyError
		if x.bodyEOF {
			typ, msg = wire.Body, nil
		}
		l.Send(typ, msg)
		return
	}
	err := x.bodyErr
	if err == nil {
		bp := readBufs.Get().(*[]byte)
		defer readBufs.Put(bp)
		buf := *bp
		if n > len(buf) {
			buf = make([]byte, n)
		}
		// As much as the client has sent, but at least what the app's
		// read needs (a read(65536) of an upload): every frame short of it
		// would cost a round trip between the processes.
		var got int
		x.clientIO.Store(true)
		for got < least && err == nil {
			var k int
			k, err = x.body.Read(buf[got:n])
			got += k
		}
		x.clientIO.Store(false)
		if got > 0 {
			l.Send(wire.Body, buf[:got])
			// An error with the last bytes (a chunked body cut short) is
			// the answer to the next read.
			if err == io.EOF {
				x.bodyEOF = true
			}
			x.bodyErr = err
			return
		}
	}
	switch {
	case err == io.EOF:
		x.bodyEOF = true
		l.Send(wire.Body, nil)
	default:
		x.bodyEOF = true
		msg := "cannot read the request body: " + err.Error()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			x.bodyTooLarge = true
			msg = fmt.Sprintf("the request body is larger than --max-body (%d bytes)", tooLarge.Limit)
		case x.slowClient() || x.stalled(err):
			msg = fmt.Sprintf("the client sent the request body too slowly (%s)", x.slowWhy())
		default:
			// Bad chunked framing, or the client stopped mid-body: its
			// fault, whatever the app makes of the error.
			x.bodyBad = err.Error()
		}
		l.Send(wire.BodyError, []byte(msg))
	}
}

func (x *exchange) slowClient() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.clientSlow
}

func (x *exchange) cancelledNow() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.cancelled
}

// start checks the app's status and headers and sends them to the client.
func (x *exchange) start(p []byte) {
	fields := strings.Split(string(p), "\x00")
	status := fields[0]
	code, err := environ.CheckStatus(status)
	if err == nil && len(fields)%2 != 1 {
		err = errors.New("the worker sent a header without a value")
	}
	length := ""
	for i := 1; err == nil && i+1 < len(fields); i += 2 {
		name, value := fields[i], fields[i+1]
		err = environ.CheckHeader(name, value)
		if err == nil && strings.EqualFold(name, "Content-Length") {
			// A client told two lengths cannot know where the body ends.
			if length != "" && value != length {
				err = fmt.Errorf("app sent two different Content-Length headers, %q and %q", length, value)
			}
			length = value
		}
	}
	if err != nil {
		x.bad = err.Error()
		return
	}
	h := x.w.Header()
	for i := 1; i+1 < len(fields); i += 2 {
		k := textproto.CanonicalMIMEHeaderKey(fields[i])
		if k == "Content-Length" {
			if x.declared >= 0 {
				continue // the same length again: once is enough
			}
			x.declared, _ = strconv.ParseInt(length, 10, 64) // CheckHeader made sure it is one
		}
		h[k] = append(h[k], fields[i+1])
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // the app chose none: Go must not guess one
	}
	x.noBody = x.r.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	if code == http.StatusInternalServerError && len(x.exception) > 0 && router.DebugPages(x.w) &&
		strings.Contains(x.r.Header.Get("Accept"), "text/html") {
		// A framework turned an exception into its own bare 500 page: the
		// developer gets the debug page for the exception it logged.
		x.replaced = true
		clear(h)
		return
	}
	h1.SetReason(x.r, code, status[4:])
	if x.injectable(code) {
		x.holding, x.code = true, code
		return
	}
	x.w.WriteHeader(code)
	x.out.wroteHeader = true
}

// maxInjected bounds the HTML pages held back for the live-reload script.
const maxInjected = 8 << 20

// injectable says whether the page being started gets the live-reload
// script: HTML with a Content-Length (never a stream of unknown length, nor
// an encoded body), in development.
func (x *exchange) injectable(code int) bool {
	h := x.w.Header()
	return router.LiveReload(x.w) && !x.noBody && code >= 200 && code < 300 &&
		x.declared >= 0 && x.declared <= maxInjected && h.Get("Content-Encoding") == "" &&
		strings.HasPrefix(h.Get("Content-Type"), "text/html")
}

// release sends a held page with the live-reload script in it.
func (x *exchange) release() {
	x.holding = false
	page := x.held
	if int64(len(page)) == x.declared {
		page = livereload.Inject(page)
	}
	x.w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	x.w.WriteHeader(x.code)
	x.out.wroteHeader = true
	n, err := x.w.Write(page)
	x.written = int64(n)
	if err != nil {
		x.out.cancelled = true
	}
	x.declared = int64(len(page))
}

func (x *exchange) data(p []byte) {
	if x.holding && !x.cancelledNow() {
		x.held = append(x.held, p[:min(int64(len(p)), x.declared-int64(len(x.held)))]...)
		return
	}
	if x.bad != "" || !x.out.wroteHeader || x.noBody || x.cancelledNow() {
		return
	}
	if x.declared >= 0 && x.written+int64(len(p)) > x.declared {
		// The client takes the declared bytes as the whole response; the
		// rest would be read as the start of the next one. Dropped, the
		// connection stays in step and alive.
		keep := x.declared - x.written
		x.dropped += int64(len(p)) - keep
		if p = p[:keep]; len(p) == 0 {
			return
		}
	}
	x.clientIO.Store(true)
	defer x.clientIO.Store(false)
	n, err := x.w.Write(p)
	x.written += int64(n)
	if err != nil {
		x.lostClient(err)
		return
	}
	// Flush when nothing more is waiting: streams reach the client chunk by
	// chunk, while a whole small answer still gets a Content-Length.
	if !x.l.Buffered() {
		if err := http.NewResponseController(x.w).Flush(); err != nil {
			x.lostClient(err)
		}
	}
}

func (x *exchange) logLines(text string) {
	tag := fmt.Sprintf("%s %s %s", x.l.WorkerTag(), x.r.Method, x.r.URL.Path)
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		x.h.log.Worker(tag, line)
	}
}

// fail handles the app's exception.
func (x *exchange) fail(traceback string) {
	x.out.traceback = traceback
	x.out.exception = x.exception
	switch {
	case x.out.wroteHeader:
		x.out.abort = true
	case x.bodyTooLarge:
		x.out.errStatus, x.out.errTitle = http.StatusRequestEntityTooLarge, "the request body is too large"
		x.out.detail = fmt.Sprintf("The request body is larger than this server accepts (--max-body %d bytes).", x.h.cfg.MaxBody)
	case x.bodyBad != "":
		// The app raised because the body was broken: not the app's fault,
		// so neither its traceback nor a 500. A client that stopped
		// mid-body (a half-close) may still read the answer.
		x.out.traceback = ""
		x.out.cancelled = false
		x.out.errStatus, x.out.errTitle, x.out.detail = http.StatusBadRequest, "the request body is malformed",
			fmt.Sprintf("The request body could not be read (%s).", x.bodyBad)
	case x.clientSlow:
		x.tooSlow()
	case x.appSlow:
		x.wound()
	default:
		x.out.errStatus, x.out.errTitle = http.StatusInternalServerError, "the app raised an exception"
	}
}

// wound describes a request the app stopped when told to at --timeout.
func (x *exchange) wound() {
	if x.out.wroteHeader {
		x.out.abort = true
		x.out.note = fmt.Sprintf("stopped at --timeout %s", x.h.cfg.Timeout)
		return
	}
	x.out.errStatus, x.out.errTitle = http.StatusGatewayTimeout, fmt.Sprintf("the app did not answer within --timeout %s", x.h.cfg.Timeout)
	x.out.detail = "The request took longer than the server allows; the app was told to stop."
}

// tooSlow describes a request cut off at --timeout because of the client.
func (x *exchange) tooSlow() {
	if x.out.wroteHeader {
		x.out.abort = true
		x.out.note = fmt.Sprintf("the client read the response too slowly (%s)", x.slowWhy())
		return
	}
	x.out.errStatus, x.out.errTitle = http.StatusRequestTimeout, "the client sent the request too slowly"
	x.out.detail = fmt.Sprintf("The request body did not arrive in time (%s).", x.slowWhy())
}

// workerLost handles a lane that failed under the request: the worker died.
func (x *exchange) workerLost(err error) outcome {
	l := x.l
	x.mu.Lock()
	l.MarkBroken()
	x.finished = true
	x.mu.Unlock()
	note := "the worker process died"
	if gone, how := l.WaitExit(time.Second); gone {
		note += how
	} else {
		note = "lost the worker (" + err.Error() + ")"
		x.h.pool.Stuck(l, "fell out of step with gowsgi")
	}
	if x.out.wroteHeader {
		x.out.abort = true
		x.out.note = note + " mid-response"
	} else {
		x.out.errStatus, x.out.errTitle = http.StatusBadGateway, note
		x.out.detail = "The worker process running the app ended while it handled this request. gowsgi is starting a new one; the next request will be served by it."
	}
	return x.out
}

// stuck handles a request that ran past --timeout.
func (x *exchange) stuck() outcome {
	x.h.pool.Stuck(x.l, fmt.Sprintf("has a request stuck past --timeout %s", x.h.cfg.Timeout))
	if x.out.wroteHeader {
		x.out.abort = true
		x.out.note = fmt.Sprintf("the app did not finish within --timeout %s", x.h.cfg.Timeout)
	} else {
		x.out.errStatus, x.out.errTitle = http.StatusGatewayTimeout, fmt.Sprintf("the app did not answer within --timeout %s", x.h.cfg.Timeout)
		x.out.detail = "The request took longer than the server allows. The worker handling it is being replaced."
	}
	return x.out
}

func (x *exchange) protocolError(format string, args ...any) outcome {
	err := fmt.Errorf("protocol error: "+format, args...)
	x.h.log.Errorf("%s: %v", x.l.WorkerTag(), err)
	return x.workerLost(err)
}
