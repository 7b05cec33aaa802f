package gpython

import (
	"fmt"
	"net"
	"runtime/debug"
	"strings"

	"github.com/go-python/gpython/py"

	"github.com/gowsgi/gowsgi/runner/engine/gpython/pyrt"
	"github.com/gowsgi/gowsgi/runner/engine/gpython/shims"
	"github.com/gowsgi/gowsgi/runner/wire"
)

// frame is one frame read from a lane, copied out of the reader's buffer,
// with the cancellation of the request it belongs to.
type frame struct {
	typ     byte
	payload []byte
	cancel  *shims.Cancel
}

// lane serves the requests of one lane socket with its own gpython context.
// Only the lane's goroutine touches the context and writes to the socket; a
// reader goroutine reads the socket, cancels the current request at once
// when a C comes, and forwards every frame.
type lane struct {
	w      *worker
	id     int
	conn   net.Conn
	out    *wire.Writer
	frames chan frame
	interp *pyrt.Interp
	app    py.Object
	stale  bool // a cancelled request ran in the context: swap it when a spare is ready
	// envKeys holds the environ's keys already boxed as Python strs, so a
	// request does not allocate one per key (bounded).
	envKeys map[string]py.Object
}

func (w *worker) newLane(id int, c net.Conn) (*lane, string) {
	it, app, text := w.newInterp()
	if text != "" {
		return nil, text
	}
	return &lane{w: w, id: id, conn: c, out: wire.NewWriter(c), frames: make(chan frame, 16), interp: it, app: app.(py.Object)}, ""
}

// read owns the requests' cancellations: each R gets a fresh one, and a C
// cancels the latest. A C after the request ended (it crossed the E) or
// before any request cancels nothing that still runs.
func (l *lane) read() {
	defer close(l.frames)
	r := wire.NewReader(l.conn)
	var cancel *shims.Cancel
	for {
		typ, payload, err := r.Next()
		if err != nil {
			return
		}
		switch typ {
		case wire.Request:
			cancel = shims.NewCancel()
		case wire.Cancel:
			if cancel != nil {
				cancel.Cancel()
			}
		}
		l.frames <- frame{typ: typ, payload: append([]byte(nil), payload...), cancel: cancel}
	}
}

func (l *lane) serve() {
	go l.read()
	defer func() {
		if l.interp != nil {
			l.interp.Close()
		}
	}()
	for f := range l.frames {
		if f.typ != wire.Request {
			continue // a cancel that crossed the end of its request, or a stale body frame
		}
		l.w.busy(1)
		l.handle(f.payload, f.cancel)
		l.w.busy(-1)
	}
}

// replace discards the context (after a panic, a recursion overflow or a
// cancellation) for c, the worker's spare, which has the app imported.
func (l *lane) replace(c *pyctx) {
	l.stale = false
	if c.text != "" {
		l.w.errOut.WriteString(fmt.Sprintf("gowsgi gpython worker: lane %d could not re-import the app:\n%s", l.id, c.text))
		// keep the old context: better a suspect context than none
		return
	}
	old := l.interp
	l.interp, l.app = c.interp, c.app
	old.Close()
}

// request is the state of one request on a lane.
type request struct {
	l         *lane
	st        *shims.State
	cancel    *shims.Cancel
	result    py.Object // what the app returned, to close()
	closed    bool      // close() was called on it
	status    string
	headers   [][2]string
	started   bool // start_response was called
	sent      bool // S went out
	cancelled bool
	done      bool // the response ended: write() and wsgi.input refuse
	errors    *errorStream
	input     *inputStream
	lost      bool // the lane socket failed
}

func (l *lane) handle(payload []byte, cancel *shims.Cancel) {
	it := l.interp
	st := it.State
	st.BeginRequest(cancel)
	req := &request{l: l, st: st, cancel: cancel}
	broken := false
	var failText string
	func() {
		defer func() {
			if r := recover(); r != nil {
				broken = true
				failText = fmt.Sprintf("internal error in gpython: %v\n\n%s", r, trimStack(debug.Stack()))
				req.closeAfterPanic()
			}
		}()
		failText = req.run(payload)
	}()
	req.done = true
	st.Shield()
	it.FlushOutput()
	if req.errors != nil {
		req.errors.flush()
	}
	if failText != "" {
		_ = l.out.Write(wire.Fail, textPayload(failText))
	}
	if req.errors != nil {
		req.errors.done = true
	}
	// A suspect context is replaced before E or F goes out: the lane is not
	// handed back (and the next request's --timeout does not start) until
	// it can serve.
	switch {
	case broken || st.Tripped:
		l.replace(l.w.spare())
	case st.Cancelled || l.stale:
		// A cancelled context still works; it is not worth holding the
		// lane (past the runner's wind-down) while the spare is built.
		select {
		case c := <-l.w.spares:
			l.replace(c)
		default:
			l.stale = true
		}
	}
	_ = l.out.Flush()
}

// closeAfterPanic calls close() on the response after a Go panic, under
// its own recover: PEP 3333 promises close() whatever happened.
func (req *request) closeAfterPanic() {
	if req.result == nil || req.closed {
		return
	}
	req.closed = true
	req.st.Shield()
	req.st.Unwound()
	defer func() { _ = recover() }()
	_ = closeIterable(req.result)
}

func trimStack(s []byte) string {
	lines := strings.Split(string(s), "\n")
	if len(lines) > 40 {
		lines = append(lines[:40], "...")
	}
	return strings.Join(lines, "\n")
}

// run serves one request; it returns the text of an F frame, or "" when it
// ended the response itself.
func (req *request) run(payload []byte) string {
	l := req.l
	environ, err := req.environ(payload)
	if err != nil {
		return fmt.Sprintf("gowsgi gpython worker: bad request frame: %v\n", err)
	}
	sr := py.MustNewMethod("start_response", req.startResponse, 0, "start_response(status, headers, exc_info=None) -> write")
	result, err := py.Call(l.app, py.Tuple{environ, sr}, nil)
	if err != nil {
		return req.finish(nil, err)
	}
	req.result = result
	// The common one-chunk answer: status, body and end in one write (not
	// after write(): S went out already).
	if list, ok := result.(*py.List); ok && len(list.Items) == 1 && !req.sent {
		if body, ok := list.Items[0].(py.Bytes); ok {
			if !req.started {
				return req.finish(result, py.ExceptionNewf(py.AssertionError, "the app returned without calling start_response()"))
			}
			if err := req.writeStart(); err != nil {
				return req.finish(result, err)
			}
			req.errors.flush()
			if err := req.sendBody(body, false); err != nil {
				return req.finish(result, err)
			}
			_ = l.out.Write(wire.End, nil)
			return ""
		}
	}
	err = req.iterate(result)
	return req.finish(result, err)
}

// iterate sends the chunks of the response iterable.
func (req *request) iterate(result py.Object) error {
	flushEach := true
	var next func() (py.Object, error)
	switch r := result.(type) {
	case *py.List:
		i := 0
		flushEach = false
		next = func() (py.Object, error) {
			if i >= len(r.Items) {
				return nil, nil
			}
			i++
			return r.Items[i-1], nil
		}
	case py.Tuple:
		i := 0
		flushEach = false
		next = func() (py.Object, error) {
			if i >= len(r) {
				return nil, nil
			}
			i++
			return r[i-1], nil
		}
	default:
		iter, err := py.Iter(result)
		if err != nil {
			return err
		}
		next = func() (py.Object, error) {
			v, err := py.Next(iter)
			if err != nil {
				if shims.IsStopIteration(err) {
					return nil, nil
				}
				return nil, err
			}
			return v, nil
		}
	}
	for {
		if req.cancel.Cancelled() {
			req.cancelled = true
			return nil
		}
		chunk, err := next()
		if err != nil {
			return err
		}
		if chunk == nil {
			return nil
		}
		b, ok := chunk.(py.Bytes)
		if !ok {
			return py.ExceptionNewf(py.TypeError, "the app yielded %s, not bytes: WSGI response bodies are bytes (encode text first, e.g. s.encode(\"utf-8\"))", shims.TypeName(chunk))
		}
		if len(b) == 0 {
			continue
		}
		if err := req.sendBody(b, flushEach); err != nil {
			return err
		}
		if req.lost {
			return nil
		}
	}
}

// finish calls close() on the iterable and ends the response: E, or the
// F text it returns.
func (req *request) finish(result py.Object, appErr error) string {
	l := req.l
	if appErr != nil && (req.cancel.Cancelled() || py.IsException(shims.RequestCancelled, appErr)) {
		req.cancelled = true
		appErr = nil
	}
	if result != nil && !req.closed {
		req.closed = true
		cancelled := req.cancel.Cancelled()
		// close() runs to its end, even after a cancel or during one.
		req.st.Shield()
		if err := closeIterable(result); err != nil && appErr == nil && !cancelled {
			appErr = err
		}
	}
	req.errors.flush()
	if req.lost {
		return ""
	}
	if appErr != nil {
		return pyrt.FormatError(appErr)
	}
	if req.sent || req.cancelled {
		_ = l.out.Write(wire.End, nil)
		return ""
	}
	if !req.started {
		return pyrt.FormatError(py.ExceptionNewf(py.AssertionError, "the app returned without calling start_response()"))
	}
	if err := req.writeStart(); err != nil {
		return pyrt.FormatError(err)
	}
	_ = l.out.Write(wire.End, nil)
	return ""
}

func closeIterable(result py.Object) error {
	switch r := result.(type) {
	case *py.List, py.Tuple:
		return nil
	case *py.Generator:
		return shims.CloseGeneratorErr(r)
	}
	c, err := py.GetAttrString(result, "close")
	if err != nil {
		return nil
	}
	if _, isExc := result.(*py.Exception); isExc {
		return nil
	}
	_, err = py.Call(c, nil, nil)
	return err
}

// textPayload is UTF-8 text for an L or F frame, cut to wire.MaxChunk.
func textPayload(s string) []byte {
	if len(s) > wire.MaxChunk {
		s = s[:wire.MaxChunk-40] + "\n[... cut: more than 1 MiB of text]\n"
	}
	return []byte(s)
}

// writeStart buffers the S frame.
func (req *request) writeStart() error {
	payload := make([]byte, 0, 256)
	add := func(s string) error {
		if strings.ContainsRune(s, 0) {
			// The fields travel NUL-separated: a NUL inside one would forge headers.
			return py.ExceptionNewf(py.ValueError, "a NUL character in the status or a header: %s", shims.Quote(s))
		}
		b, ok := shims.ToLatin1(s)
		if !ok {
			return py.ExceptionNewf(py.ValueError, "status and headers must be latin-1 (PEP 3333): %s", shims.Quote(s))
		}
		if len(payload) > 0 {
			payload = append(payload, 0)
		}
		payload = append(payload, b...)
		return nil
	}
	if err := add(req.status); err != nil {
		return err
	}
	for _, h := range req.headers {
		if err := add(h[0]); err != nil {
			return err
		}
		if err := add(h[1]); err != nil {
			return err
		}
	}
	req.sent = true
	return req.l.out.Write(wire.Start, payload)
}

func (req *request) sendBody(b []byte, flush bool) error {
	l := req.l
	if !req.sent {
		if !req.started {
			return py.ExceptionNewf(py.AssertionError, "the app sent body bytes before calling start_response()")
		}
		if err := req.writeStart(); err != nil {
			return err
		}
	}
	req.errors.flush()
	for len(b) > 0 {
		n := len(b)
		if n > wire.MaxChunk {
			n = wire.MaxChunk
		}
		if err := l.out.Write(wire.Data, b[:n]); err != nil {
			req.lost = true
			return nil
		}
		b = b[n:]
	}
	if flush {
		if err := l.out.Flush(); err != nil {
			req.lost = true
		}
	}
	return nil
}

func (req *request) startResponse(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) > 3 {
		return nil, py.ExceptionNewf(py.TypeError, "start_response() takes 2 or 3 arguments (%d given)", len(args))
	}
	a := append(py.Tuple{}, args...)
	for k, v := range kwargs {
		idx := map[string]int{"status": 0, "headers": 1, "response_headers": 1, "exc_info": 2}[k]
		if idx == 0 && k != "status" {
			return nil, py.ExceptionNewf(py.TypeError, "start_response() got an unexpected keyword argument '%s'", k)
		}
		for len(a) <= idx {
			a = append(a, nil)
		}
		a[idx] = v
	}
	if len(a) < 2 || a[0] == nil || a[1] == nil {
		return nil, py.ExceptionNewf(py.TypeError, "start_response() missing status or headers")
	}
	if len(a) > 2 && a[2] != nil && a[2] != py.None {
		if ok, _ := shims.Truth(a[2]); ok {
			if req.sent {
				// PEP 3333: re-raise the original exception, with its traceback.
				info, err := shims.ToList(a[2])
				if err == nil && len(info) >= 2 {
					if e, ok := info[1].(*py.Exception); ok {
						if len(info) >= 3 {
							if tb, ok := info[2].(*py.Traceback); ok {
								return nil, py.ExceptionInfo{Type: e.Type(), Value: e, Traceback: tb}
							}
						}
						return nil, e
					}
				}
				return nil, py.ExceptionNewf(py.AssertionError, "start_response() called with exc_info after the headers were sent")
			}
		}
	} else if req.started {
		return nil, py.ExceptionNewf(py.AssertionError, "start_response() called a second time without exc_info (PEP 3333)")
	}
	status, ok := a[0].(py.String)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "status must be a str, not %s", shims.TypeName(a[0]))
	}
	list, ok := a[1].(*py.List)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "headers must be a list, not %s", shims.TypeName(a[1]))
	}
	headers := make([][2]string, 0, len(list.Items))
	for _, h := range list.Items {
		t, ok := h.(py.Tuple)
		if ok && len(t) == 2 {
			n, ok1 := t[0].(py.String)
			v, ok2 := t[1].(py.String)
			if ok1 && ok2 {
				headers = append(headers, [2]string{string(n), string(v)})
				continue
			}
		}
		r, _ := shims.Repr(h)
		return nil, py.ExceptionNewf(py.TypeError, "each header must be a (str, str) tuple, got %s", r)
	}
	req.status, req.headers, req.started = string(status), headers, true
	return py.MustNewMethod("write", req.write, 0, "write(data): send body bytes now"), nil
}

func (req *request) write(self py.Object, arg py.Object) (py.Object, error) {
	b, ok := arg.(py.Bytes)
	if !ok {
		return nil, py.ExceptionNewf(py.TypeError, "write() takes bytes, not %s", shims.TypeName(arg))
	}
	if req.done {
		// a write callable kept past its request must not write into the next one
		return nil, py.ExceptionNewf(py.RuntimeError, "write() called after its response ended")
	}
	if req.cancel.Cancelled() {
		req.st.Cancelled = true
		return nil, py.ExceptionNewf(shims.RequestCancelled, "request cancelled by gowsgi (client gone or --timeout)")
	}
	if len(b) > 0 {
		if err := req.sendBody(b, true); err != nil {
			return nil, err
		}
	}
	return py.None, nil
}
